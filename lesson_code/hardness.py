"""How hard is training? One threshold unit, the 3-node network's data, and random restarts.

The code behind the chapter "How hard is training, in theory": it trains one threshold unit
with the perceptron, builds a data set that a 3-node network of threshold units fits exactly,
and trains many random restarts of small sigmoid/tanh networks on it. (Its convexity checks
along segments are in :mod:`lesson_code.convexity`, the parameter counts in
:mod:`lesson_code.network`.)

The 3-node network of Blum & Rivest has two hidden threshold units and one output threshold
unit, step(z) = 1 if z > 0 else 0. :func:`stripe_problem` labels points 1 inside a stripe
|u . x| < h, which is exactly such a network: hidden units step(u . x + h) and step(-u . x + h),
output step(a_1 + a_2 - 1.5), their AND.

:func:`train_restarts` trains R networks MLP([d, hidden, 1]) (one per seed) with full-batch
gradient descent on the cross-entropy cost, all at once in one set of array operations. Step for
step it is :func:`lesson_code.training.train` with ``batch_size=None`` and
``loss="cross_entropy"`` (the tests check this). Its ``nudge`` multiplies every starting weight
by 1 +- nudge: with nudge = 1e-12 it imitates a machine that rounds differently, and separates
what a seed decides (whether the restart fits or gets stuck) from what rounding decides (the
cost at which a stuck restart happens to be after the last step).

References
----------
Rosenblatt, F., "The perceptron: a probabilistic model for information storage and organization
in the brain", *Psychological Review* 65 (1958) 386-408.
Novikoff, A. B. J., "On convergence proofs on perceptrons", Symposium on the Mathematical
Theory of Automata (1962) 615-622.
Judd, J. S., "On the complexity of loading shallow neural networks", *J. Complexity* 4 (1988).
Blum, A. L. & Rivest, R. L., "Training a 3-node neural network is NP-complete", NIPS 1 and
COLT (1988); *Neural Networks* 5 (1992) 117-127.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice, finite_array, non_negative_number, positive_int, positive_number, seed_value
from lesson_code.activations import get_activation
from lesson_code.network import INITS, MLP

RESTART_ACTIVATIONS = ("tanh", "sigmoid")
"""Hidden activations :func:`train_restarts` supports."""

RESTARTS = 100
"""Random restarts per width in the chapter's experiment (:func:`stripe_restarts`)."""

RESTART_EPOCHS = 1000
"""Full-batch gradient steps per restart in the chapter's experiment."""

RESTART_LEARNING_RATE = 3.0
"""Step size eta of the chapter's experiment (cross-entropy cost, tanh hidden units)."""

NUDGE_SIGN_SEED = 8_128
"""Seed (with each restart's own seed) of the random signs that ``nudge`` multiplies in."""


# --------------------------------------------------------------------------------------
# One threshold unit: the perceptron
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerceptronResult:
    """What :func:`perceptron` found.

    Attributes
    ----------
    weights : ndarray of shape (n_features,)
    bias : float
    mistakes : int
        Updates made (one per misclassified example met).
    epochs : int
        Passes over the data.
    converged : bool
        True if the last pass made no mistake: step(w . x + b) then reproduces every label.
    """

    weights: np.ndarray
    bias: float
    mistakes: int
    epochs: int
    converged: bool


def perceptron(x: np.ndarray, y: np.ndarray, *, max_epochs: int = 1000) -> PerceptronResult:
    """Rosenblatt's perceptron rule for one threshold unit step(w . x + b), labels in {0, 1}.

    With s_i = 2 y_i - 1 in {-1, +1} and the augmented vectors x~_i = (x_i, 1), w~ = (w, b),
    every example with s_i w~ . x~_i <= 0 triggers the update w~ <- w~ + s_i x~_i. The examples
    are visited in order, pass after pass, starting from w~ = 0. If some unit vector w~* has
    s_i w~* . x~_i >= gamma > 0 for all i, the number of updates is at most (R / gamma)^2 with
    R = max_i ||x~_i|| (Novikoff 1962; see :func:`novikoff_bound`).

    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> result = perceptron(x, np.array([0, 0, 0, 1]))  # AND is linearly separable
    >>> print(result.converged, threshold_unit(x, result.weights, result.bias).tolist())
    True [0, 0, 0, 1]
    """
    x, signs = _check_binary(x, y)
    max_epochs = positive_int(max_epochs, "max_epochs")
    augmented = np.hstack([x, np.ones((x.shape[0], 1))])  # (n, d + 1)
    w = np.zeros(augmented.shape[1])
    mistakes = 0
    for epoch in range(1, max_epochs + 1):
        mistakes_this_pass = 0
        for row, sign in zip(augmented, signs, strict=True):
            if sign * (w @ row) <= 0:
                w += sign * row
                mistakes_this_pass += 1
        mistakes += mistakes_this_pass
        if mistakes_this_pass == 0:
            return PerceptronResult(w[:-1].copy(), float(w[-1]), mistakes, epoch, True)
    return PerceptronResult(w[:-1].copy(), float(w[-1]), mistakes, max_epochs, False)


def novikoff_bound(x: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: float) -> float:
    """(R / gamma)^2 for the separator (weights, bias): a bound on the perceptron's mistakes.

    R = max_i ||(x_i, 1)||, gamma = min_i s_i ((w, b) . (x_i, 1)) / ||(w, b)||. Any separator
    gives a valid bound; the larger its margin gamma, the tighter. Raises ValueError if
    (weights, bias) does not separate the data (gamma <= 0).

    >>> x = np.array([[0.0], [1.0]])
    >>> print(round(novikoff_bound(x, np.array([0, 1]), np.array([2.0]), -1.0), 6))
    10.0
    """
    x, signs = _check_binary(x, y)
    w = finite_array(weights, "weights", ndim=1)
    if w.shape != (x.shape[1],):
        raise ValueError(f"weights must have shape ({x.shape[1]},), got {w.shape}")
    augmented = np.hstack([x, np.ones((x.shape[0], 1))])
    direction = np.append(w, float(finite_array(bias, "bias", ndim=0)))
    norm = np.linalg.norm(direction)
    gamma = float(np.min(signs * (augmented @ direction)) / norm) if norm > 0 else 0.0
    if gamma <= 0:
        raise ValueError("(weights, bias) must separate the data (every s_i (w . x_i + b) > 0)")
    radius = float(np.max(np.linalg.norm(augmented, axis=1)))
    return (radius / gamma) ** 2


def threshold_unit(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """step(x w + b) for every row of x, as integers 0/1 (step(z) = 1 if z > 0 else 0).

    >>> threshold_unit(np.array([[1.0], [-1.0]]), np.array([1.0]), 0.0).tolist()
    [1, 0]
    """
    x = finite_array(x, "x", ndim=2)
    w = finite_array(weights, "weights", ndim=1)
    if w.shape != (x.shape[1],):
        raise ValueError(f"weights must have shape ({x.shape[1]},), got {w.shape}")
    return (x @ w + float(finite_array(bias, "bias", ndim=0)) > 0).astype(np.int64)


# --------------------------------------------------------------------------------------
# A data set that a 3-node threshold network fits exactly
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ThreeNodeProblem:
    """Points labelled by a known 3-node threshold network, and that network.

    Attributes
    ----------
    x : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, 1)
        Labels 0.0 / 1.0, shaped for ``MLP([n_features, hidden, 1])``.
    hidden_weights : ndarray of shape (2, n_features)
    hidden_biases : ndarray of shape (2,)
    output_weights : ndarray of shape (2,)
    output_bias : float
        y = step(output_weights . a + output_bias) with a = step(hidden_weights x + hidden_biases).
    """

    x: np.ndarray
    y: np.ndarray
    hidden_weights: np.ndarray
    hidden_biases: np.ndarray
    output_weights: np.ndarray
    output_bias: float

    def threshold_predictions(self, x: np.ndarray | None = None) -> np.ndarray:
        """The generating network's output (0/1 integers) on ``x`` (default: the training points)."""
        x = self.x if x is None else x
        hidden = np.stack(
            [threshold_unit(x, w, b) for w, b in zip(self.hidden_weights, self.hidden_biases, strict=True)], axis=1
        )
        return threshold_unit(hidden.astype(float), self.output_weights, self.output_bias)


def stripe_problem(
    n_samples: int = 30,
    *,
    n_features: int = 2,
    half_width: float = 0.2,
    margin: float = 0.05,
    seed: int = 0,
) -> ThreeNodeProblem:
    """Points uniform in [-1, 1]^d, labelled 1 inside the stripe |u . x| < half_width.

    u = (1, ..., 1) / sqrt(d). Points closer than ``margin`` to either edge of the stripe are
    redrawn, so the classes are separated by a gap of 2 * margin. The label is computed by the
    3-node threshold network

        a_1 = step(u . x + h),   a_2 = step(-u . x + h),   y = step(a_1 + a_2 - 1.5),

    which fits every point exactly. In 2-D with h > 0 this is XOR-like: the corners (1, -1) and
    (-1, 1) are inside the stripe, (1, 1) and (-1, -1) outside.

    Parameters
    ----------
    n_samples : int
        Number of points (>= 1).
    n_features : int
        Input dimension d (>= 1).
    half_width : float
        h > 0.
    margin : float
        >= 0, smaller than h.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Examples
    --------
    >>> problem = stripe_problem(20, seed=1)
    >>> problem.x.shape, problem.y.shape
    ((20, 2), (20, 1))
    >>> bool(np.all(problem.threshold_predictions() == problem.y[:, 0]))
    True
    """
    n_samples = positive_int(n_samples, "n_samples")
    n_features = positive_int(n_features, "n_features")
    half_width = positive_number(half_width, "half_width")
    margin = non_negative_number(margin, "margin")
    if margin >= half_width:
        raise ValueError(f"margin must be smaller than half_width ({half_width}), got {margin}")
    u = np.ones(n_features) / np.sqrt(n_features)
    if half_width + margin >= float(np.sum(np.abs(u))):
        raise ValueError(
            f"half_width + margin must be below sqrt(n_features) = {np.sum(np.abs(u)):.3f}, so that "
            "points outside the stripe exist"
        )
    rng = np.random.default_rng(seed_value(seed))
    kept: list[np.ndarray] = []
    n_kept = 0
    for _ in range(10_000):
        draw = rng.uniform(-1.0, 1.0, size=(max(2 * n_samples, 64), n_features))
        draw = draw[np.abs(np.abs(draw @ u) - half_width) >= margin]
        kept.append(draw)
        n_kept += draw.shape[0]
        if n_kept >= n_samples:
            break
    else:  # pragma: no cover - only for margins that leave almost no room
        raise ValueError("could not draw enough points outside the margin; lower margin")
    x = np.concatenate(kept)[:n_samples]
    hidden_weights = np.stack([u, -u])
    hidden_biases = np.array([half_width, half_width])
    problem = ThreeNodeProblem(
        x=x,
        y=(np.abs(x @ u) < half_width).astype(float)[:, None],
        hidden_weights=hidden_weights,
        hidden_biases=hidden_biases,
        output_weights=np.array([1.0, 1.0]),
        output_bias=-1.5,
    )
    return problem


# --------------------------------------------------------------------------------------
# Many restarts of a small network, trained together
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestartResults:
    """Outcome of :func:`train_restarts`, one entry per seed.

    Attributes
    ----------
    hidden : int
        Hidden units of every network.
    seeds : ndarray of int, shape (R,)
    final_loss : ndarray of shape (R,)
        Cross-entropy cost on the training set after the last epoch.
    accuracy : ndarray of shape (R,)
        Fraction of training points with (a^L > 1/2) == y.
    """

    hidden: int
    seeds: np.ndarray
    final_loss: np.ndarray
    accuracy: np.ndarray

    @property
    def fit_all(self) -> np.ndarray:
        """Boolean (R,): the restart classifies every training point correctly."""
        return self.accuracy == 1.0

    @property
    def success_rate(self) -> float:
        """Fraction of restarts that classify every training point correctly."""
        return float(np.mean(self.fit_all))


def train_restarts(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden: int,
    seeds: Sequence[int],
    epochs: int,
    learning_rate: float,
    activation: str = "tanh",
    init: str = "xavier",
    nudge: float = 0.0,
) -> RestartResults:
    """Train ``MLP([d, hidden, 1], activation, init, seed=s, output_activation="sigmoid")`` for
    every seed s with full-batch gradient descent on the cross-entropy cost.

    Each network starts exactly as ``MLP`` draws it for its seed and takes ``epochs`` steps

        theta <- theta - eta grad C(theta),
        C = -1/n sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)],

    the same steps as ``train(net, x, y, learning_rate=eta, epochs=epochs, loss="cross_entropy")``.
    All R networks are stacked into arrays of shape (n, R * hidden) and trained together.

    Parameters
    ----------
    x : ndarray of shape (n_samples, d)
    y : ndarray of shape (n_samples, 1), entries in [0, 1]
    hidden : int
        Hidden units (>= 1).
    seeds : sequence of int
        One network per seed (at least one).
    epochs : int
        Gradient steps (>= 1).
    learning_rate : float
        eta > 0.
    activation : {"tanh", "sigmoid"}
        Hidden activation; the output unit is a sigmoid.
    init : str
        As for :class:`~lesson_code.network.MLP`.
    nudge : float
        Relative perturbation of the starting point, >= 0 (default 0: none). Every initial
        weight and bias v becomes v (1 + nudge s), s = +-1 a random sign drawn per restart from
        the seeds (``NUDGE_SIGN_SEED``, seed). With nudge = 1e-12 this imitates a machine that
        rounds differently: an outcome that changes is chaotic, not a property of the seed.

    Examples
    --------
    >>> problem = stripe_problem(20)
    >>> result = train_restarts(problem.x, problem.y, hidden=8, seeds=range(3), epochs=300,
    ...                         learning_rate=3.0)
    >>> result.final_loss.shape, result.success_rate
    ((3,), 1.0)
    """
    x = finite_array(x, "x", ndim=2)
    y = finite_array(y, "y", ndim=2)
    if y.shape != (x.shape[0], 1):
        raise ValueError(f"y must have shape ({x.shape[0]}, 1), got {y.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold targets in [0, 1] (cross-entropy cost)")
    hidden = positive_int(hidden, "hidden")
    seed_list = [seed_value(s) for s in _as_sequence(seeds, "seeds")]
    if not seed_list:
        raise ValueError("seeds must hold at least one seed")
    epochs = positive_int(epochs, "epochs")
    learning_rate = positive_number(learning_rate, "learning_rate")
    choice(activation, "activation", RESTART_ACTIVATIONS)
    choice(init, "init", INITS)
    nudge = non_negative_number(nudge, "nudge")

    n, d = x.shape
    r = len(seed_list)
    nets = [
        MLP([d, hidden, 1], activation=activation, init=init, seed=s, output_activation="sigmoid")
        for s in seed_list
    ]
    if nudge > 0:
        for net, s in zip(nets, seed_list, strict=True):
            signs = np.random.default_rng([NUDGE_SIGN_SEED, s])
            for arrays in (net.weights, net.biases):
                for i, array in enumerate(arrays):
                    sign = 2.0 * signs.integers(0, 2, size=array.shape) - 1.0
                    arrays[i] = array * (1.0 + nudge * sign)
    w1 = np.concatenate([net.weights[0] for net in nets])  # (R * hidden, d)
    b1 = np.concatenate([net.biases[0] for net in nets])  # (R * hidden,)
    w2 = np.stack([net.weights[1][0] for net in nets])  # (R, hidden)
    b2 = np.array([net.biases[1][0] for net in nets])  # (R,)
    phi = get_activation(activation).function
    sigmoid = get_activation("sigmoid").function
    target = y  # (n, 1), broadcasts against (n, R)

    def forward() -> tuple[np.ndarray, np.ndarray]:
        a1 = phi(x @ w1.T + b1).reshape(n, r, hidden)  # (n, R, hidden)
        z2 = np.einsum("nrh,rh->nr", a1, w2) + b2  # (n, R)
        return a1, z2

    for _ in range(epochs):
        a1, z2 = forward()
        delta2 = (sigmoid(z2) - target) / n  # (n, R): delta^L of the cross-entropy cost
        grad_w2 = np.einsum("nr,nrh->rh", delta2, a1)
        grad_b2 = delta2.sum(axis=0)
        slope = 1.0 - a1 * a1 if activation == "tanh" else a1 * (1.0 - a1)  # sigma'(z^1)
        delta1 = (delta2[:, :, None] * w2[None, :, :] * slope).reshape(n, r * hidden)
        grad_w1 = delta1.T @ x  # (R * hidden, d)
        grad_b1 = delta1.sum(axis=0)
        w1 -= learning_rate * grad_w1
        b1 -= learning_rate * grad_b1
        w2 -= learning_rate * grad_w2
        b2 -= learning_rate * grad_b2

    _, z2 = forward()
    losses = np.mean(target * np.logaddexp(0.0, -z2) + (1.0 - target) * np.logaddexp(0.0, z2), axis=0)
    accuracy = np.mean((z2 > 0) == (target > 0.5), axis=0)
    return RestartResults(hidden, np.array(seed_list), losses, accuracy)


def stripe_restarts(
    hidden: int,
    *,
    restarts: int = RESTARTS,
    epochs: int = RESTART_EPOCHS,
    learning_rate: float = RESTART_LEARNING_RATE,
    nudge: float = 0.0,
) -> RestartResults:
    """The chapter's experiment: :func:`train_restarts` on the default :func:`stripe_problem`
    (30 points in 2-D), tanh hidden units, Xavier initialization, seeds 0 .. restarts - 1, the
    starting point nudged by ``nudge`` (see :func:`train_restarts`).

    >>> print(stripe_restarts(4, restarts=5, epochs=400).success_rate)
    1.0
    """
    problem = stripe_problem()
    return train_restarts(
        problem.x,
        problem.y,
        hidden=hidden,
        seeds=range(positive_int(restarts, "restarts")),
        epochs=epochs,
        learning_rate=learning_rate,
        nudge=nudge,
    )


# --------------------------------------------------------------------------------------
# Argument helpers
# --------------------------------------------------------------------------------------


def _as_sequence(value: object, name: str) -> list:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of integers, got {value!r}")
    try:
        return list(value)  # type: ignore[arg-type]
    except TypeError as error:
        raise TypeError(f"{name} must be a sequence of integers, got {type(value).__name__}") from error


def _check_binary(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """x as (n, d) floats and y (0/1 labels, shape (n,) or (n, 1)) as signs -1/+1."""
    x = finite_array(x, "x", ndim=2)
    labels = finite_array(y, "y")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (x.shape[0],):
        raise ValueError(f"y must hold one label per row of x, shape ({x.shape[0]},), got {labels.shape}")
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError("y must hold labels 0 and 1")
    return x, 2.0 * labels - 1.0
