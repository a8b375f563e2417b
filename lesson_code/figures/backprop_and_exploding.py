"""Figures of the chapters "Backprop is a product" (docs/backprop-is-a-product.md) and
"Exploding gradients and clipping" (docs/exploding-gradients.md)."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import LogLocator, NullFormatter

from lesson_code.exploding import clipping_comparison
from lesson_code.figures.registry import is_narrow, new_figure, panels, register
from lesson_code.jacobians import gaussian_matrices, product_singular_values
from lesson_code.network import chain_gradients

CHAIN_LINKS = 10
"""Links m of the one-node chain drawn in :func:`one_node_chain`."""

PRODUCT_WIDTH = 100
PRODUCT_DEPTH = 50
PRODUCT_GAINS = (0.5, 1.0, 2.0)
"""Weight standard deviations of the product figure, in units of 1 / sqrt(width)."""


@functools.cache  # both layouts of the figure are drawn in one process: computed once
def _product_values(scale: float) -> np.ndarray:
    return product_singular_values(gaussian_matrices(PRODUCT_WIDTH, PRODUCT_DEPTH, scale=scale, seed=0))


@register("one_node_chain", curves=2)
def one_node_chain() -> Figure:
    """The chain x -> h_1 -> ... -> o drawn as a diagram, over |dL/dh_t| for two chains."""
    figure = new_figure(4.6, 5.4) if is_narrow() else new_figure(7.2, 4.6)
    diagram, signal = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.6]})
    m = CHAIN_LINKS
    names = ["x"] + [f"$h_{{{t}}}$" for t in range(1, m)] + ["o"]
    radius = 0.3
    diagram.plot(np.arange(m + 1), np.zeros(m + 1), linestyle="none", marker="o", markersize=14 if is_narrow() else 19,
                 markerfacecolor="white", markeredgecolor="0.25", label="_units")
    for t, name in enumerate(names):
        diagram.text(t, 0.0, name, ha="center", va="center", fontsize=9)
    for t in range(1, m + 1):
        diagram.add_patch(FancyArrowPatch((t - 1 + radius, 0.0), (t - radius, 0.0), arrowstyle="-|>",
                                          mutation_scale=9, color="0.25", linewidth=1.0))
        diagram.text(t - 0.5, 0.22, f"$w_{{{t}}}$", ha="center", va="bottom", fontsize=9)
    diagram.add_patch(FancyArrowPatch((m, -0.55), (0, -0.55), arrowstyle="-|>", mutation_scale=10,
                                      color="tab:red", linewidth=1.2))
    diagram.text(m / 2, -0.68, r"backward: $\partial L/\partial h_t = \Phi'(w_{t+1}h_t)\,w_{t+1}\,"
                 r"\partial L/\partial h_{t+1}$", ha="center", va="top", fontsize=9, color="tab:red")
    diagram.set_xlim(-0.5, m + 0.5)
    diagram.set_ylim(-1.1, 0.6)
    diagram.set_yticks([])
    diagram.grid(False)
    for side in ("left", "bottom"):
        diagram.spines[side].set_visible(False)
    diagram.tick_params(axis="x", length=0)
    diagram.xaxis.set_label_position("top")
    diagram.set_xlabel(r"forward: $h_{t+1} = \Phi(w_{t+1} h_t)$, one unit per layer")
    diagram.set_ylabel("unit")

    weights = np.random.default_rng(0).standard_normal(m)
    vanishing = chain_gradients(weights, x=1.0, activation="sigmoid")
    exploding = chain_gradients([2.0] * m, x=1.0, activation="linear")
    t = np.arange(m + 1)
    signal.semilogy(t, np.abs(vanishing.grad_h), marker="o", markersize=3,
                    label=r"sigmoid, $w_t \sim \mathcal{N}(0, 1)$")
    signal.semilogy(t, np.abs(exploding.grad_h), marker="s", markersize=3,
                    label=r"linear, every $w_t = 2$")
    signal.set_xticks(t)
    signal.set_xlabel("layer t (0 = input x, 10 = output o)")
    signal.set_ylabel(r"$|\partial L / \partial h_t|$ (with $\partial L/\partial o = 1$)")
    signal.legend(loc="center left", fontsize=9)
    return figure


@register("jacobian_product_spectrum", curves=2 * len(PRODUCT_GAINS))
def jacobian_product_spectrum() -> Figure:
    """Largest and median singular value of a product of k random 100 x 100 matrices vs k."""
    figure = new_figure(6.8, 4.2)
    ax = figure.add_subplot()
    k = np.arange(1, PRODUCT_DEPTH + 1)
    colors = ("tab:blue", "tab:green", "tab:red")
    for gain, color in zip(PRODUCT_GAINS, colors, strict=True):
        scale = gain / np.sqrt(PRODUCT_WIDTH)
        values = _product_values(scale)
        ax.semilogy(k, values[:, 0], color=color, label=f"largest, std = {scale:.2f}")
        ax.semilogy(k, np.median(values, axis=1), color=color, linestyle="--", label=f"median, std = {scale:.2f}")
    ax.axhline(1.0, color="0.4", linewidth=0.8, label="_one")
    ax.set_xlabel("number of factors k in the product $W_k \\cdots W_1$")
    ax.set_ylabel("singular value of the product")
    ax.set_title(f"{PRODUCT_WIDTH} x {PRODUCT_WIDTH} matrices with N(0, std$^2$) entries", fontsize=10)
    # A decade per minor tick, labels every five decades: the values span about forty decades.
    ax.yaxis.set_major_locator(LogLocator(base=10.0 ** 5, numticks=20))
    ax.yaxis.set_minor_locator(LogLocator(base=10.0, subs=(1.0,), numticks=100))
    ax.yaxis.set_minor_formatter(NullFormatter())
    # Two small legends instead of six entries: the colour says the std, the style the statistic.
    stds = ax.legend([Line2D([], [], color=c) for c in colors],
                     [f"std = {g / np.sqrt(PRODUCT_WIDTH):.2f}" for g in PRODUCT_GAINS], loc="upper left")
    ax.add_artist(stds)
    ax.legend([Line2D([], [], color="0.3"), Line2D([], [], color="0.3", linestyle="--")],
              ["largest singular value", "median singular value"], loc="lower left")
    return figure


@register("clipping_loss", curves=2)
def clipping_loss() -> Figure:
    """Training loss with and without clipping by global norm, same learning rate and seed."""
    runs = clipping_comparison()
    figure, (full, zoom) = panels(2, 8.4, 3.6)
    for history, label in ((runs.unclipped, "no clipping"),
                           (runs.clipped, f"clipped to global norm {runs.clip_norm:g}")):
        ratio = history.loss / history.loss[0]
        full.semilogy(np.arange(ratio.size), ratio, label=label)
        zoom.plot(np.arange(ratio.size), ratio, label="_" + label)
    for ax in (full, zoom):
        ax.axhline(1.0, color="0.4", linewidth=0.8, label="_start")
        ax.set_xlabel("gradient descent step (full batch)")
        ax.set_ylabel("training loss / loss before training")
    zoom.set_ylim(0.0, 1.6)
    full.set_title("log scale", fontsize=10)
    zoom.set_title("linear scale, below 1.6", fontsize=10)
    full.legend(loc="upper left", fontsize=9)
    figure.suptitle(f"cubic regression with raw targets, learning rate {runs.learning_rate:g}, same start",
                    fontsize=10)
    return figure


@register("clipping_gradient_norms", curves=2)
def clipping_gradient_norms() -> Figure:
    """Global gradient norm of every step (before clipping), with and without clipping."""
    runs = clipping_comparison()
    figure = new_figure(6.4, 3.8)
    ax = figure.add_subplot()
    for history, label in ((runs.unclipped, "no clipping"),
                           (runs.clipped, f"clipped to global norm {runs.clip_norm:g}")):
        norms = history.step_gradient_norms
        ax.semilogy(np.arange(1, norms.size + 1), norms, label=label)
    ax.axhline(runs.clip_norm, color="0.3", linestyle=":", linewidth=1.0, label="_threshold")
    ax.annotate("clipping threshold", (1, runs.clip_norm), xytext=(0, 4),
                textcoords="offset points", ha="left", fontsize=9, color="0.3")
    ax.set_xlabel("gradient descent step (full batch)")
    ax.set_ylabel("global gradient norm before clipping")
    ax.legend(loc="upper left")
    return figure
