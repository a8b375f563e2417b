"""How the gradient's size changes from layer to layer in a freshly initialized deep network.

The measurements behind the vanishing-gradient chapter: build a random square MLP
(``width`` units in every layer, ``depth`` weight layers), push one batch of N(0, 1) inputs with
U[0, 1] targets through it, backpropagate the MSE cost, and read ||dC/dW^l||_F for every layer.
The ratio ||dC/dW^1|| / ||dC/dW^L|| says how much slower the first layer learns than the last
one under plain gradient descent (Nielsen 2015, ch. 5, "the learning speed" of a layer).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from lesson_code._checks import choice, positive_int
from lesson_code.network import MLP, gradient_norms_per_layer
from lesson_code.remedies import REMEDIES, build_network
from lesson_code.tables import table

CONFIGURATIONS: tuple[tuple[str, str], ...] = (
    ("sigmoid", "normal"),
    ("sigmoid", "xavier"),
    ("tanh", "xavier"),
    ("relu", "normal"),
    ("relu", "he"),
)
"""(activation, init) pairs the chapter compares: the classic setting and the usual fixes."""

DEPTHS: tuple[int, ...] = (5, 10, 20, 50)
"""Depths (weight layers) the chapter's table and figure use."""

WIDTH = 100
BATCH = 64
SEEDS = 10


def probe_batch(width: int = WIDTH, batch: int = BATCH, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The batch every gradient-flow measurement uses: N(0, 1) inputs and U[0, 1] targets.

    Seeded apart from the network (``10_000 + seed``), so that the same ``seed`` gives the same
    network and the same batch in every module that measures a profile.

    >>> x, y = probe_batch(width=3, batch=2)
    >>> x.shape, y.shape
    ((2, 3), (2, 3))
    """
    rng = np.random.default_rng(10_000 + seed)
    return rng.standard_normal((batch, width)), rng.uniform(size=(batch, width))


def layer_weight_gradient_norms(
    activation: str,
    init: str,
    depth: int,
    width: int = WIDTH,
    batch: int = BATCH,
    seed: int = 0,
    architecture: str = "plain",
) -> np.ndarray:
    """||dC/dW^l||_F for l = 1..depth of one random square network at initialization.

    Parameters
    ----------
    activation, init : str
        As for :class:`lesson_code.network.MLP`.
    depth : int
        Number of weight layers L (>= 1; >= 2 for a residual network, which needs a hidden
        layer); the network has sizes ``[width] * (depth + 1)``.
    width, batch : int
        Units per layer and examples in the batch.
    seed : int
        Seeds both the network and the batch, so the three architectures start from the same
        weights.
    architecture : {"plain", "batchnorm", "residual"}
        The plain MLP, or the same network with batch normalization or residual connections
        (:func:`lesson_code.remedies.build_network`).

    Returns
    -------
    ndarray of shape (depth,)

    Examples
    --------
    >>> for architecture in ("plain", "batchnorm", "residual"):
    ...     norms = layer_weight_gradient_norms("sigmoid", "xavier", depth=10, architecture=architecture)
    ...     print(architecture, f"{norms[0] / norms[-1]:.1e}")
    plain 1.4e-06
    batchnorm 1.8e-01
    residual 1.1e-02
    """
    architecture = choice(architecture, "architecture", REMEDIES)
    depth = positive_int(depth, "depth")
    if architecture == "residual" and depth < 2:
        raise ValueError(f"depth must be an integer >= 2 for a residual network, got {depth}")
    width = positive_int(width, "width")
    batch = positive_int(batch, "batch")
    x, y = probe_batch(width, batch, seed)
    net = build_network(architecture, [width] * (depth + 1), activation=activation, init=init, seed=seed)
    return gradient_norms_per_layer(net.gradients(x, y)).weights


def median_layer_weight_gradient_norms(
    activation: str, init: str, depth: int, seeds: int = SEEDS, width: int = WIDTH, batch: int = BATCH,
    architecture: str = "plain",
) -> np.ndarray:
    """The per-layer profile of :func:`layer_weight_gradient_norms`, median over ``seeds`` draws.

    >>> median_layer_weight_gradient_norms("relu", "he", depth=4, seeds=3, architecture="residual").shape
    (4,)
    """
    seeds = positive_int(seeds, "seeds")
    runs = [layer_weight_gradient_norms(activation, init, depth, width, batch, s, architecture) for s in range(seeds)]
    return np.median(np.array(runs), axis=0)


def median_relative_gradient_sizes(
    activation: str, init: str, depth: int, seeds: int = SEEDS, width: int = WIDTH, batch: int = BATCH
) -> np.ndarray:
    """||dC/dW^l||_F / ||W^l||_F for l = 1..depth at initialization, median over ``seeds`` draws.

    A gradient step with learning rate eta changes layer l's weights by the fraction
    eta * ||dC/dW^l|| / ||W^l||: this is how fast each layer learns, relative to its own size.

    >>> sizes = median_relative_gradient_sizes("sigmoid", "xavier", depth=3, seeds=2)
    >>> sizes.shape, bool(sizes[0] < sizes[-1])
    ((3,), True)
    """
    depth, seeds = positive_int(depth, "depth"), positive_int(seeds, "seeds")
    runs = []
    for seed in range(seeds):
        net = MLP([width] * (depth + 1), activation=activation, init=init, seed=seed)
        x, y = probe_batch(width, batch, seed)
        gradient_norms = gradient_norms_per_layer(net.gradients(x, y)).weights
        runs.append(gradient_norms / np.array([np.linalg.norm(w) for w in net.weights]))
    return np.median(np.array(runs), axis=0)


def per_layer_gain(norms: np.ndarray) -> float:
    """The average factor by which a gradient norm changes per layer, going back one layer.

    For norms n_1..n_L (input side first), the geometric mean (n_1 / n_L)^(1/(L-1)): below 1 the
    gradient vanishes towards the input, above 1 it grows.

    >>> print(per_layer_gain(np.array([0.01, 0.1, 1.0])))
    0.1
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or norms.size < 2 or np.any(norms <= 0):
        raise ValueError("norms must be a 1-D array of at least 2 positive numbers")
    return float((norms[0] / norms[-1]) ** (1.0 / (norms.size - 1)))


@dataclass(frozen=True)
class FlowSummary:
    """Medians over seeds for one (activation, init, depth): the first/last-layer ratio of
    weight-gradient norms and the first layer's absolute norm."""

    activation: str
    init: str
    depth: int
    ratio: float
    first_layer_norm: float


def summarize_gradient_flow(
    activation: str, init: str, depth: int, seeds: int = SEEDS, width: int = WIDTH, batch: int = BATCH
) -> FlowSummary:
    """Median, over ``seeds`` random networks, of ||dC/dW^1|| / ||dC/dW^L|| and of ||dC/dW^1||.

    The median, not the mean, because a single saturated or exploding draw would dominate a mean
    of numbers that span dozens of orders of magnitude.

    >>> s = summarize_gradient_flow("tanh", "xavier", depth=5, seeds=3)
    >>> print(s.depth, f"{s.ratio:.2f}")
    5 1.11
    """
    seeds = positive_int(seeds, "seeds")
    runs = np.array(
        [layer_weight_gradient_norms(activation, init, depth, width, batch, seed) for seed in range(seeds)]
    )
    return FlowSummary(
        activation,
        init,
        depth,
        ratio=float(np.median(runs[:, 0] / runs[:, -1])),
        first_layer_norm=float(np.median(runs[:, 0])),
    )


def gradient_flow_table(
    configurations: tuple[tuple[str, str], ...] = CONFIGURATIONS,
    depths: tuple[int, ...] = DEPTHS,
    seeds: int = SEEDS,
) -> list[FlowSummary]:
    """:func:`summarize_gradient_flow` for every configuration and depth, in that order."""
    return [
        summarize_gradient_flow(activation, init, depth, seeds)
        for activation, init in configurations
        for depth in depths
    ]


FLOW_VALUES = {"ratio": "first/last ratio", "first_layer_norm": "||dC/dW^1||"}
"""What :func:`format_flow_table` can show, with the heading it gives each."""


def format_flow_table(rows: list[FlowSummary], value: str = "ratio") -> str:
    """A plain-text table of one value of each summary: one line per configuration, one column
    per depth ("-" where a depth was not measured).

    ``value`` is ``"ratio"`` (first-layer over last-layer gradient norm) or
    ``"first_layer_norm"`` (the first layer's gradient norm): two narrow tables read better than
    one wide one, on a phone too.

    >>> rows = [FlowSummary("relu", "he", 5, 0.5, 20.0), FlowSummary("relu", "he", 10, 0.51, 21.0)]
    >>> print(format_flow_table(rows, "first_layer_norm"))
    ||dC/dW^1||      L=5     L=10
    relu he      2.0e+01  2.1e+01
    """
    choice(value, "value", FLOW_VALUES)
    depths = sorted({row.depth for row in rows})
    cells: dict[str, dict[str, object]] = {}
    for row in rows:
        line = cells.setdefault(f"{row.activation} {row.init}", {f"L={depth}": "-" for depth in depths})
        line[f"L={row.depth}"] = getattr(row, value)
    return table(cells, number=".1e", index=FLOW_VALUES[value])


FIX_CONFIGURATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (activation, init, kind)
    for activation, init in (("sigmoid", "normal"), ("sigmoid", "xavier"), ("relu", "he"))
    for kind in REMEDIES
)
"""(activation, init, kind) rows of :func:`fix_table`: the vanishing-gradient chapter's settings,
each plain, with batch normalization and with residual connections."""

FIX_DEPTHS = (20, 50)
FIX_SEEDS = 5


@functools.lru_cache(maxsize=8)
def fix_profiles(depth: int, seeds: int = FIX_SEEDS) -> dict[tuple[str, str, str], np.ndarray]:
    """Median per-layer ||dC/dW^l|| for every configuration of :data:`FIX_CONFIGURATIONS` (cached).

    Each profile is :func:`median_layer_weight_gradient_norms` with width 100 and batch 64, the
    measurement of the vanishing-gradient chapter, repeated with a fix switched on.
    """
    with threadpool_limits(1):
        return {
            (activation, init, kind): median_layer_weight_gradient_norms(activation, init, depth, seeds=seeds, architecture=kind)
            for activation, init, kind in FIX_CONFIGURATIONS
        }


@dataclass(frozen=True)
class FixRow:
    """One line of :func:`fix_table`: first/last ratios per depth, and at the deepest depth the
    per-layer gain and the first layer's gradient norm."""

    activation: str
    init: str
    kind: str
    ratios: dict[int, float]
    gain: float
    first_layer_norm: float


def fix_table(depths: Sequence[int] = FIX_DEPTHS, seeds: int = FIX_SEEDS) -> list[FixRow]:
    """One :class:`FixRow` per configuration of :data:`FIX_CONFIGURATIONS`."""
    profiles = {depth: fix_profiles(depth, seeds) for depth in depths}
    deepest = max(depths)
    rows = []
    for key in FIX_CONFIGURATIONS:
        ratios = {depth: float(profiles[depth][key][0] / profiles[depth][key][-1]) for depth in depths}
        norms = profiles[deepest][key]
        rows.append(FixRow(*key, ratios, per_layer_gain(norms), float(norms[0])))
    return rows


def format_fix_table(rows: Sequence[FixRow]) -> str:
    """A plain-text table of :func:`fix_table`.

    >>> print(format_fix_table([FixRow("relu", "he", "plain", {50: 0.79}, 0.995, 13.0)]))
    configuration       L=50   gain  ||dC/dW^1||
    relu, he, plain  7.9e-01  0.995      1.3e+01
    """
    if not rows:
        raise ValueError("rows must hold at least one FixRow (see fix_table)")
    return table({f"{row.activation}, {row.init}, {row.kind}":
                  {**{f"L={depth}": ratio for depth, ratio in sorted(row.ratios.items())},
                   "gain": row.gain, "||dC/dW^1||": row.first_layer_norm} for row in rows},
                 number={"gain": ".3f"} | {f"L={depth}": ".1e" for depth in rows[0].ratios} | {"||dC/dW^1||": ".1e"},
                 index="configuration")
