"""Experiments of the chapter "Exploding gradients and clipping" (docs/exploding-gradients.md).

The set-up follows the lesson material's regression with large targets: the cubic of
:func:`lesson_code.datasets.polynomial_regression` (targets up to about 1000 in size, inputs in
[0, 5], neither standardised), fitted by a tanh network with a linear output and Xavier
weights, trained by full-batch gradient descent with :func:`lesson_code.training.train`:

    W^l <- W^l - eta dC/dW^l,        C = 1/(2B) sum_i (a^L_i - y_i)^2.

:func:`learning_rate_scan` trains one network per learning rate eta and records how the loss
ended and how high it went; :func:`rounding_sensitivity` tells the runs whose exact numbers are
reproducible from the chaotic ones; :func:`clipping_comparison` trains the same network at the same
eta with and without clipping by global norm (Pascanu, Mikolov & Bengio 2013), and
:func:`output_layer_stable_learning_rate` gives the curvature limit 2 / lambda_max of the
output layer, which does not depend on the targets at all.

References: Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural
networks", ICML (2013); LeCun, Bottou, Orr & Mueller, "Efficient BackProp" (1998) for
standardising.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import finite_array, positive_int, positive_number, seed_value
from lesson_code.datasets import polynomial_regression
from lesson_code.network import MLP
from lesson_code.training import TrainingHistory, train

REGRESSION_SIZES: tuple[int, ...] = (1, 16, 16, 1)
"""Layer sizes of the regression network: one input, two tanh layers of 16, one linear output."""

SCAN_LEARNING_RATES: tuple[float, ...] = tuple(2.0**k for k in (-10, -8, -6, -4, -3, -2, -1))
"""Learning rates of the chapter's scan: 2^-10 to 2^-4 in factors of 4, then doubling up to
2^-1 = 0.5, finer where the runs start to blow up."""

SCAN_EPOCHS = 100
"""Full-batch steps per run of the scan."""

CLIP_LEARNING_RATE = 0.125
"""The learning rate of the clipping comparison: the smallest of the scan at which the
unclipped run on raw targets blows up."""

CLIP_NORM = 10.0
"""The global-norm threshold of the clipping comparison. Larger thresholds (30, 100) also rescue
the run, but they leave its trajectory chaotic (see :func:`rounding_sensitivity`), so their exact
numbers depend on the last bits of the arithmetic."""

CLIP_EPOCHS = 150
"""Full-batch steps of the clipping comparison."""


def regression_net(seed: int = 0) -> MLP:
    """The chapter's network: sizes :data:`REGRESSION_SIZES`, tanh, Xavier, linear output.

    >>> regression_net().sizes
    [1, 16, 16, 1]
    """
    return MLP(list(REGRESSION_SIZES), activation="tanh", init="xavier", seed=seed,
               output_activation="linear")


@dataclass(frozen=True)
class LearningRateScan:
    """One training run per entry of ``learning_rates`` (shape (k,)), all from the same initial network.

    Attributes
    ----------
    final_ratio : ndarray of shape (k,)
        Training loss after the last step divided by the loss before training (inf if the run
        stopped on a non-finite loss). Below 1: the run made progress.
    peak_ratio : ndarray of shape (k,)
        Largest loss seen at any step divided by the initial loss: above 1, the loss rose
        above where it started at least once (a spike or a blow-up).
    diverged : ndarray of bool, shape (k,)
        The loss or a gradient stopped being a finite float64 number.
    """

    learning_rates: np.ndarray
    final_ratio: np.ndarray
    peak_ratio: np.ndarray
    diverged: np.ndarray

    def largest_learning_rate(self, *, max_final_ratio: float = 0.9) -> float:
        """The largest learning rate whose run learned without ever rising above its start.

        "Learned" means final_ratio <= ``max_final_ratio``; "without rising" means
        peak_ratio <= 1. Returns nan if no run qualifies.

        >>> scan = LearningRateScan(np.array([0.1, 0.2, 0.4]), np.array([0.5, 0.6, 1e9]),
        ...                         np.array([1.0, 1.0, 1e9]), np.array([False, False, False]))
        >>> scan.largest_learning_rate()
        0.2
        """
        max_final_ratio = positive_number(max_final_ratio, "max_final_ratio")
        good = (self.final_ratio <= max_final_ratio) & (self.peak_ratio <= 1.0) & ~self.diverged
        return float(self.learning_rates[good].max()) if np.any(good) else float("nan")


def learning_rate_scan(
    x: np.ndarray,
    y: np.ndarray,
    learning_rates: Sequence[float] = SCAN_LEARNING_RATES,
    *,
    epochs: int = SCAN_EPOCHS,
    seed: int = 0,
) -> LearningRateScan:
    """Train :func:`regression_net` (same ``seed``, so the same start) once per learning rate > 0.

    Each run is full-batch gradient descent for ``epochs`` >= 1 steps on x, y of shape (n, 1),
    mean squared error.

    >>> x, y = polynomial_regression(20)
    >>> scan = learning_rate_scan(x, y / 1000, [0.01, 0.1], epochs=5)
    >>> bool(np.all(scan.final_ratio < 1))
    True
    """
    x = finite_array(x, "x", ndim=2)
    y = finite_array(y, "y", ndim=2)
    if isinstance(learning_rates, (str, bytes)) or not isinstance(learning_rates, Sequence) or not learning_rates:
        raise TypeError("learning_rates must be a non-empty sequence of numbers > 0")
    rates = np.array([positive_number(lr, f"learning_rates[{i}]") for i, lr in enumerate(learning_rates)])
    epochs = positive_int(epochs, "epochs")
    final, peak, diverged = [], [], []
    for rate in rates:
        history = train(regression_net(seed), x, y, learning_rate=float(rate), epochs=epochs)
        start = history.loss[0]
        final.append(history.loss[-1] / start if not history.diverged else np.inf)
        with np.errstate(invalid="ignore"):
            peak.append(np.nanmax(history.loss) / start if not history.diverged else np.inf)
        diverged.append(history.diverged)
    return LearningRateScan(rates, np.array(final), np.array(peak), np.array(diverged))


def output_layer_stable_learning_rate(net: MLP, x: np.ndarray) -> float:
    """2 / lambda_max of the Hessian of the MSE cost with respect to the output layer.

    With a linear output a^L = W^L a^{L-1} + b^L and C = 1/(2B) sum_i ||a^L_i - y_i||^2, the cost
    is quadratic in (W^L, b^L) with Hessian (1/B) sum_i u_i u_i^T, u_i = (a^{L-1}_i, 1), for each
    output unit: it does not involve y. Gradient descent on that layer alone, with the other
    layers frozen, converges exactly when eta < 2 / lambda_max.

    Parameters
    ----------
    net : MLP
        A network with a linear output layer.
    x : ndarray of shape (batch, sizes[0])

    Returns
    -------
    float

    Examples
    --------
    >>> net = MLP([1, 3, 1], activation="linear", output_activation="linear", seed=0)
    >>> x = np.ones((4, 1))
    >>> a = net.forward_pass(x).activations[-2]
    >>> print(np.isclose(output_layer_stable_learning_rate(net, x), 2 / (a @ a.T + 1)[0, 0]))
    True
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    if net.output_activation.name != "linear":
        raise ValueError(
            f"net must have a linear output layer, got output activation {net.output_activation.name!r}"
        )
    activations = net.forward_pass(x).activations
    features = np.column_stack([activations[-2], np.ones(activations[-2].shape[0])])  # (batch, n+1)
    hessian = features.T @ features / features.shape[0]
    return float(2.0 / np.linalg.eigvalsh(hessian)[-1])


def rounding_sensitivity(
    x: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    *,
    relative_change: float = 1e-13,
    epochs: int = SCAN_EPOCHS,
    seed: int = 0,
) -> float:
    """How much the final loss ratio of one run moves when y is scaled by (1 + relative_change).

    A change of one part in 10^13 is 450 to 900 units in the last place of float64 (one unit is
    between 2^-53 and 2^-52 of the number), of the order of the differences that accumulate
    between two correct implementations of the same arithmetic (another order of summation,
    another ``tanh`` routine) over a few hundred operations. A run whose result moves by much more than that is
    chaotic: its exact numbers are not reproducible from one machine or library version to the
    next, only its qualitative outcome is.

    Returns
    -------
    float
        |final_ratio(y (1 + relative_change)) - final_ratio(y)| for :func:`regression_net`
        trained by full-batch gradient descent.

    Examples
    --------
    >>> x, y = polynomial_regression(20)
    >>> print(rounding_sensitivity(x, y / 1000, 0.01, epochs=5) < 1e-9)
    True
    """
    relative_change = positive_number(relative_change, "relative_change")
    scan = learning_rate_scan(x, y, [learning_rate], epochs=epochs, seed=seed)
    y = finite_array(y, "y", ndim=2)
    changed = learning_rate_scan(x, y * (1.0 + relative_change), [learning_rate], epochs=epochs, seed=seed)
    return float(abs(changed.final_ratio[0] - scan.final_ratio[0]))


@dataclass(frozen=True)
class ClippingComparison:
    """Two runs from the same network, data, learning rate and seed: without and with clipping.

    ``unclipped_net`` and ``clipped_net`` are the networks as training left them.
    """

    learning_rate: float
    clip_norm: float
    unclipped: TrainingHistory
    clipped: TrainingHistory
    unclipped_net: MLP
    clipped_net: MLP


def clipping_comparison(
    learning_rate: float = CLIP_LEARNING_RATE,
    clip_norm: float = CLIP_NORM,
    *,
    epochs: int = CLIP_EPOCHS,
    seed: int = 0,
) -> ClippingComparison:
    """Train :func:`regression_net` on the raw-target regression with and without clipping.

    Full-batch gradient descent, so step k of both runs sees the same data; the only difference
    is that the clipped run rescales any gradient with global norm above ``clip_norm`` down to
    ``clip_norm``. Results are cached: the chapter and both of its figures share one pair of runs.

    Examples
    --------
    >>> runs = clipping_comparison(epochs=3)
    >>> runs.unclipped.loss.shape, runs.clipped.step_gradient_norms.shape
    ((4,), (3,))
    """
    learning_rate = positive_number(learning_rate, "learning_rate")
    clip_norm = positive_number(clip_norm, "clip_norm")
    epochs = positive_int(epochs, "epochs")
    seed = seed_value(seed)
    return _clipping_comparison(learning_rate, clip_norm, epochs, int(seed))


@functools.lru_cache(maxsize=8)
def _clipping_comparison(learning_rate: float, clip_norm: float, epochs: int, seed: int) -> ClippingComparison:
    x, y = polynomial_regression()
    nets = [regression_net(seed), regression_net(seed)]
    runs = [
        train(net, x, y, learning_rate=learning_rate, epochs=epochs, clip_norm=clip)
        for net, clip in zip(nets, (None, clip_norm), strict=True)
    ]
    return ClippingComparison(learning_rate, clip_norm, *runs, *nets)
