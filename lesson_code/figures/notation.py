"""The course's notation drawn on a small network (docs/backprop-is-a-product.md)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from lesson_code.figures.registry import new_figure, register

LAYER_SIZES = (3, 4, 2)
"""Units per layer of the drawn network: the input a^0 = x, one hidden layer, the output a^L."""

HIGHLIGHT = (2, 1, 3)
"""(l, j, k): the weight w^l_jk that the figure labels, from unit k of layer l - 1 to unit j of
layer l (units counted from 1, top to bottom)."""


LAYER_GAP = 2.6
"""Horizontal distance between layers, in units of the vertical distance between units."""


def _unit_positions(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """(x, y) of every unit, layer by layer, each layer centred on y = 0."""
    return [np.column_stack([np.full(n, LAYER_GAP * layer), (n - 1) / 2 - np.arange(n)]) for layer, n in enumerate(sizes)]


@register("network_notation", curves=0)
def network_notation() -> Figure:
    """A 3-4-2 network with a^l, z^l, b^l and one weight w^l_jk labelled where they live."""
    figure = new_figure(6.4, 4.6)
    ax = figure.subplots()
    positions = _unit_positions(LAYER_SIZES)
    radius = 0.24
    layer, j, k = HIGHLIGHT
    for l in range(1, len(LAYER_SIZES)):
        for target_index, target in enumerate(positions[l], start=1):
            for source_index, source in enumerate(positions[l - 1], start=1):
                chosen = (l, target_index, source_index) == (layer, j, k)
                direction = (target - source) / np.linalg.norm(target - source)
                ax.add_patch(FancyArrowPatch(
                    tuple(source + radius * direction), tuple(target - radius * direction),
                    arrowstyle="-|>", mutation_scale=9 if chosen else 6,
                    color="tab:red" if chosen else "0.7", linewidth=1.8 if chosen else 0.8,
                    zorder=3 if chosen else 1,
                ))
    for l, units in enumerate(positions):
        for index, (x, y) in enumerate(units, start=1):
            ax.add_patch(Circle((x, y), radius, facecolor="white", edgecolor="0.2", linewidth=1.2, zorder=4))
            ax.text(x, y, f"$a^{{{l}}}_{{{index}}}$", ha="center", va="center", fontsize=9, zorder=5)
    source, target = positions[layer - 1][k - 1], positions[layer][j - 1]
    middle = (source + target) / 2
    ax.annotate(f"$w^{{{layer}}}_{{{j}{k}}}$: from unit {k} of layer {layer - 1}\nto unit {j} of layer {layer}",
                middle, xytext=(LAYER_GAP * (len(LAYER_SIZES) - 1) + 0.8, max(LAYER_SIZES) / 2 + 0.6), ha="right",
                va="bottom", fontsize=9,
                color="tab:red", arrowprops={"arrowstyle": "-", "color": "tab:red", "linewidth": 0.8})
    hidden_top = positions[1][0]
    ax.annotate("$z^1_1 = \\sum_k w^1_{1k} a^0_k + b^1_1$\n$a^1_1 = \\sigma(z^1_1)$", tuple(hidden_top + [0, radius]),
                xytext=(hidden_top[0] - 0.6, hidden_top[1] + 0.75), ha="right", va="bottom", fontsize=9,
                arrowprops={"arrowstyle": "-", "color": "0.3", "linewidth": 0.8})
    titles = ("input: $a^0 = x$", "hidden: $a^1$", "output: $a^L = a^2$")
    for l, title in enumerate(titles):
        ax.text(LAYER_GAP * l, -max(LAYER_SIZES) / 2 - 0.3, title, ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.8, LAYER_GAP * (len(LAYER_SIZES) - 1) + 0.8)
    ax.set_ylim(-max(LAYER_SIZES) / 2 - 0.9, max(LAYER_SIZES) / 2 + 1.35)
    ax.set_aspect("equal")
    ax.set_xticks(LAYER_GAP * np.arange(len(LAYER_SIZES)), [str(l) for l in range(len(LAYER_SIZES))])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("layer $l$")
    ax.set_ylabel("units $j$ of a layer")
    return figure
