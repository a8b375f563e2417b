"""Checking convexity numerically, and where gradient descent ends on a non-convex loss.

A loss L is *convex* when, for all points w_1, w_2 and every lambda in (0, 1),

    L(lambda w_1 + (1 - lambda) w_2) <= lambda L(w_1) + (1 - lambda) L(w_2):

the chord between two points of the graph never passes below the graph. :func:`convexity_gap`
measures the chord's height above the graph at one lambda (>= 0 for a convex L at every pair),
:func:`most_violated_chord` searches random pairs for the most negative gap (a certificate of
non-convexity when it finds one), and :func:`numerical_hessian` gives the matrix of second
derivatives, whose eigenvalues decide convexity for a twice-differentiable L: convex if and
only if the Hessian is positive semi-definite everywhere.

:func:`descend_from_starts` runs gradient descent from several starting points of a
:class:`~lesson_code.landscapes.Landscape` and reports which of its known minima each run
reached: on a convex loss all of them end in the same place, on a non-convex one the start
decides.

Every ``function`` here is w -> L(w), from a finite array of shape (d,) to a number. Arguments
are checked: a wrong type raises TypeError, a bad value ValueError naming it.

References: Boyd & Vandenberghe, *Convex Optimization*, sec. 3.1-3.2 (2004); Aggarwal, *Neural
Networks and Deep Learning*, sec. 4.2 (2018), for g, G and the composition x_1^2 - x_2^2.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import finite_array, positive_int, positive_number, seed_value
from lesson_code.landscapes import Landscape
from lesson_code.network import MLP, mlp_parameters
from lesson_code.optim import gradient_descent

Loss = Callable[[np.ndarray], float]


def _evaluate(function: Loss, point: np.ndarray, name: str = "function") -> float:
    try:
        value = float(function(point))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must map a point to one number: {error}") from error
    return value


def convexity_gap(function: Loss, w1: np.ndarray, w2: np.ndarray, lam: float) -> float:
    """lambda L(w_1) + (1 - lambda) L(w_2) - L(lambda w_1 + (1 - lambda) w_2), for lambda in [0, 1].

    The height of the chord above the graph at the point a fraction 1 - lambda of the way from
    w_1 to w_2 (both of shape (d,)). A convex L gives a gap >= 0 for every choice; one negative
    gap proves L is not convex. For L(w) = w^2 the gap is lambda (1 - lambda) (w_1 - w_2)^2:

    >>> print(convexity_gap(lambda w: float(w[0] ** 2), [0.0], [2.0], 0.5))
    1.0
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    a = finite_array(w1, "w1", ndim=1)
    b = finite_array(w2, "w2", ndim=1)
    if a.shape != b.shape:
        raise ValueError(f"w1 and w2 must have the same shape, got {a.shape} and {b.shape}")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be a number in [0, 1], got {lam!r}")
    lam = float(lam)
    mixed = lam * a + (1.0 - lam) * b
    return lam * _evaluate(function, a) + (1.0 - lam) * _evaluate(function, b) - _evaluate(
        function, mixed
    )


@dataclass(frozen=True)
class Chord:
    """A pair of points, a mixing weight and the convexity gap there."""

    w1: np.ndarray
    w2: np.ndarray
    lam: float
    gap: float


def most_violated_chord(
    function: Loss,
    bounds: Sequence[tuple[float, float]],
    *,
    n_pairs: int = 2000,
    seed: int = 0,
) -> Chord:
    """The :class:`Chord` with the most negative :func:`convexity_gap` of ``n_pairs`` random ones.

    w_1 and w_2 are uniform in the box ``bounds`` (one (low, high) pair per coordinate), lambda
    uniform in (0, 1). A negative ``gap`` proves that ``function`` is not convex; a
    non-negative one only says that no violation was found.

    >>> chord = most_violated_chord(lambda w: float(w[0] ** 2 - w[1] ** 2), [(-1, 1), (-1, 1)], n_pairs=200)
    >>> print(chord.gap < 0)
    True
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    box = finite_array(bounds, "bounds", ndim=2)
    if box.shape[1] != 2 or box.shape[0] == 0 or np.any(box[:, 0] >= box[:, 1]):
        raise ValueError("bounds must be a non-empty list of (low, high) pairs with low < high")
    n_pairs = positive_int(n_pairs, "n_pairs")
    seed = seed_value(seed)
    rng = np.random.default_rng(seed)
    low, high = box[:, 0], box[:, 1]
    best: Chord | None = None
    for _ in range(n_pairs):
        a = rng.uniform(low, high)
        b = rng.uniform(low, high)
        lam = float(rng.uniform())
        gap = convexity_gap(function, a, b, lam)
        if best is None or gap < best.gap:
            best = Chord(a, b, lam, gap)
    assert best is not None
    return best


def numerical_hessian(function: Loss, point: np.ndarray, *, step: float = 1e-4) -> np.ndarray:
    """The Hessian (d, d) of ``function`` at ``point`` (d,) by central second differences, step h.

    H_ij ~ [L(w + h e_i + h e_j) - L(w + h e_i - h e_j) - L(w - h e_i + h e_j)
    + L(w - h e_i - h e_j)] / (4 h^2); the error is O(h^2), and exactly 0 for a quadratic
    up to rounding.

    >>> H = numerical_hessian(lambda w: float((w[0] - w[1]) ** 2), [0.3, -0.2])
    >>> print(np.round(H, 6).tolist())
    [[2.0, -2.0], [-2.0, 2.0]]
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    w = finite_array(point, "point", ndim=1)
    if w.size == 0:
        raise ValueError("point must have at least one coordinate")
    h = positive_number(step, "step")
    d = w.size
    basis = np.eye(d) * h
    hessian = np.empty((d, d))
    for i in range(d):
        for j in range(i, d):
            value = (
                _evaluate(function, w + basis[i] + basis[j])
                - _evaluate(function, w + basis[i] - basis[j])
                - _evaluate(function, w - basis[i] + basis[j])
                + _evaluate(function, w - basis[i] - basis[j])
            ) / (4 * h * h)
            hessian[i, j] = hessian[j, i] = value
    return hessian


@dataclass(frozen=True)
class DescentRun:
    """One gradient-descent run of :func:`descend_from_starts`.

    Attributes
    ----------
    path : numpy.ndarray, shape (n_steps + 1, 2)
    minimum : int or None
        Index into ``landscape.minima`` of the minimum the run ended at (within ``tolerance``),
        None if it ended elsewhere.
    value : float
        The loss at the last point of the path.
    """

    path: np.ndarray
    minimum: int | None
    value: float

    @property
    def start(self) -> np.ndarray:
        """The starting point."""
        return self.path[0]

    @property
    def end(self) -> np.ndarray:
        """The last point."""
        return self.path[-1]


def descend_from_starts(
    landscape: Landscape,
    starts: Sequence[Sequence[float]],
    *,
    learning_rate: float = 0.1,
    n_steps: int = 300,
    tolerance: float = 1e-3,
) -> list[DescentRun]:
    """Gradient descent on ``landscape`` from each (x, y) start; which minimum does each reach?

    Each run takes ``n_steps`` steps of size ``learning_rate`` and "reached" a minimum if its
    last point is within ``tolerance`` of it. Returns one :class:`DescentRun` per start, in
    order.

    >>> from lesson_code.landscapes import get_landscape
    >>> g = get_landscape("convex_g")
    >>> runs = descend_from_starts(g, [(-2.0, 3.0), (4.0, -1.0)])
    >>> print([(run.minimum, round(run.value, 6)) for run in runs])
    [(0, 4.0), (0, 4.0)]
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    points = finite_array(starts, "starts", ndim=2)
    if points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(f"starts must be a non-empty list of (x, y) pairs, got shape {points.shape}")
    tolerance = positive_number(tolerance, "tolerance")
    minima = np.array(landscape.minima, dtype=np.float64).reshape(-1, 2)
    runs = []
    for start in points:
        path = gradient_descent(landscape.gradient, start, learning_rate, n_steps)
        end = path[-1]
        reached = None
        if minima.size:
            distances = np.linalg.norm(minima - end, axis=1)
            nearest = int(np.argmin(distances))
            reached = nearest if distances[nearest] < tolerance else None
        runs.append(DescentRun(path, reached, float(landscape.value(*end))))
    return runs


def network_loss(
    sizes: Sequence[int],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "mse",
) -> Callable[[np.ndarray], float]:
    """The cost C(theta) of ``MLP(sizes)`` on (x, y) as a function of one flat parameter vector.

    theta lists W^1 (row by row), b^1, W^2, b^2, ... ; its length is ``mlp_parameters(sizes)``.
    The cost is the one :meth:`MLP.gradients` reports for ``loss``.

    >>> f = network_loss([2, 1], np.array([[1.0, 2.0]]), np.array([[1.0]]),
    ...                  loss="cross_entropy")
    >>> print(round(f(np.zeros(3)), 4))  # a sigmoid unit with all-zero weights outputs 1/2: ln 2
    0.6931
    """
    net = MLP(sizes, activation=activation, init="xavier", seed=0, output_activation=output_activation)
    x = net._check_inputs(x)
    y = net._check_targets(y, x.shape[0], loss)  # shape, loss name, and a sigmoid output for cross_entropy
    shapes = [(w.shape, b.shape) for w, b in zip(net.weights, net.biases, strict=True)]
    n_params = mlp_parameters(net.sizes)

    def cost(theta: np.ndarray) -> float:
        theta = finite_array(theta, "theta", ndim=1)
        if theta.size != n_params:
            raise ValueError(f"theta must hold {n_params} parameters for sizes {net.sizes}, got {theta.size}")
        start = 0
        for layer, (w_shape, b_shape) in enumerate(shapes):
            n_w, n_b = int(np.prod(w_shape)), int(np.prod(b_shape))
            net.weights[layer] = theta[start : start + n_w].reshape(w_shape)
            net.biases[layer] = theta[start + n_w : start + n_w + n_b].reshape(b_shape)
            start += n_w + n_b
        return net.gradients(x, y, loss).loss

    return cost


def segment_gap(
    function: Callable[[np.ndarray], float], start: np.ndarray, end: np.ndarray, n_points: int = 21
) -> float:
    """Smallest :func:`convexity_gap` on the segment from ``start`` to
    ``end``: the minimum over ``n_points`` evenly spaced lambda in (0, 1) of

        lambda f(a) + (1 - lambda) f(b) - f(lambda a + (1 - lambda) b),

    the height of the chord above the graph. A convex f gives a value >= 0 (up to rounding); a
    negative value (the graph above its chord somewhere) proves f is not convex.

    >>> print(segment_gap(lambda v: float(v @ v), np.array([-1.0]), np.array([1.0])) >= 0)
    True
    >>> print(round(segment_gap(lambda v: float(-(v @ v)), np.array([-1.0]), np.array([1.0])), 3))
    -1.0
    """
    a = finite_array(start, "start", ndim=1)
    b = finite_array(end, "end", ndim=1)
    if a.shape != b.shape:
        raise ValueError(f"start and end must have the same shape, got {a.shape} and {b.shape}")
    n_points = positive_int(n_points, "n_points")
    lams = np.linspace(0.0, 1.0, n_points + 2)[1:-1]
    return min(convexity_gap(function, a, b, float(lam)) for lam in lams)


def random_segment_gaps(
    function: Callable[[np.ndarray], float],
    dimension: int,
    *,
    segments: int = 100,
    scale: float = 3.0,
    n_points: int = 21,
    seed: int = 0,
) -> np.ndarray:
    """:func:`segment_gap` on ``segments`` random segments with N(0, scale^2) endpoints.

    Returns an array of shape (segments,): the smallest chord-minus-graph gap on each segment.
    One entry below zero proves the function is not convex.

    >>> gaps = random_segment_gaps(lambda v: float(np.sum(np.abs(v))), 3, segments=20)
    >>> print(bool(gaps.min() >= -1e-12))
    True
    """
    dimension = positive_int(dimension, "dimension")
    segments = positive_int(segments, "segments")
    scale = positive_number(scale, "scale")
    rng = np.random.default_rng(seed_value(seed))
    ends = scale * rng.standard_normal((segments, 2, dimension))
    return np.array([segment_gap(function, a, b, n_points) for a, b in ends])
