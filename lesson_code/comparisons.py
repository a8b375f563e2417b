"""Convex models and deep networks on the same data: the experiments of the chapter "Convex
baselines vs deep nets".

The chapter puts convex models and deep networks on the same data, the two spirals of
:func:`lesson_code.datasets.two_spirals`:

* :func:`convex_restarts` fits a :class:`~lesson_code.baselines.LinearSVM` or
  :class:`~lesson_code.baselines.LogisticRegression` from many random starting points. Their
  objectives are convex, so every start ends at the same optimum;
* :func:`train_classifier` trains a deep network (plain, batch-norm or residual, see
  :mod:`lesson_code.remedies`) with full-batch gradient descent on the cross-entropy;
* :func:`spiral_study` runs both, cached, so the chapter and its figures share one run.

Every heavy function runs numpy's BLAS on one thread: the matrices here are too small to gain
from more, and threads contending for shared cores cost far more than they save.

References: Cortes & Vapnik (1995) for the SVM; Lang & Witbrock (1988) for the spirals;
Ioffe & Szegedy (2015); He et al. (2016).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from lesson_code._checks import (
    binary_labels,
    choice,
    finite_array,
    flag,
    non_negative_number,
    positive_int,
    positive_number,
    seed_value,
)
from lesson_code.baselines import LinearSVM, LogisticRegression
from lesson_code.datasets import two_spirals
from lesson_code.network import MLP
from lesson_code.remedies import (
    BatchNormMLP,
    Network,
    build_network,
)
from lesson_code.seed_ensembles import CHAOS_TOLERANCE, NUDGE, median_text, nudge_parameters
from lesson_code.tables import table

CONVEX_MODELS = ("svm", "logistic")
"""Convex baselines :func:`convex_restarts` knows: the hinge loss and the logistic loss."""

SPIRAL_PER_CLASS = 100
"""Points per class in the chapter's spirals (200 points in all)."""

SPIRAL_SIZES = (2, 24, 24, 24, 24, 1)
"""The deep network of the convex-baselines chapter: four hidden layers of 24 units, one sigmoid
output."""

SPIRAL_EPOCHS = 300
"""Full-batch gradient-descent steps every spiral network gets."""

SPIRAL_TEST_SEED = 1
"""Seed of the held-out spirals: the same generator (same arms, same positions along them), fresh
noise and a fresh shuffle."""


@dataclass(frozen=True)
class SpiralRecipe:
    """One way to build and train the spiral network."""

    label: str
    kind: str
    activation: str
    init: str
    learning_rate: float


SPIRAL_RECIPES: dict[str, SpiralRecipe] = {
    "sigmoid_normal": SpiralRecipe("sigmoid, N(0, 1)", "plain", "sigmoid", "normal", 0.3),
    "tanh_xavier": SpiralRecipe("tanh, Xavier", "plain", "tanh", "xavier", 0.3),
    "relu_he": SpiralRecipe("ReLU, He", "plain", "relu", "he", 0.5),
    "sigmoid_normal_batchnorm": SpiralRecipe("sigmoid, N(0, 1), batch norm", "batchnorm", "sigmoid", "normal", 1.0),
}
"""The networks the convex-baselines chapter trains on the spirals: the classic setting, and three
fixes."""


def spiral_data(n_per_class: int = SPIRAL_PER_CLASS, *, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~lesson_code.datasets.two_spirals`, shuffled (it comes ordered by class).

    Returns
    -------
    X : ndarray of shape (2 n_per_class, 2)
    y : ndarray of shape (2 n_per_class,), labels 0 and 1

    >>> X, y = spiral_data(50)
    >>> X.shape, np.bincount(y).tolist(), y[:6].tolist()
    ((100, 2), [50, 50], [1, 0, 0, 0, 1, 0])
    """
    X, y = two_spirals(n_per_class, noise=noise, seed=seed)
    order = np.random.default_rng(seed).permutation(y.size)
    return X[order], y[order]


@dataclass(frozen=True)
class ConvexRestarts:
    """Fits of one convex model from several starting points.

    Attributes
    ----------
    model : str
        ``"svm"`` or ``"logistic"``.
    starts : ndarray of shape (n_starts, n_features + 1)
        The starting (w, b) of each fit.
    objectives : ndarray of shape (n_starts,)
        The final objective F(w, b) of each fit.
    coefs : ndarray of shape (n_starts, n_features)
    intercepts : ndarray of shape (n_starts,)
    histories : tuple of ndarrays
        F after every iteration of each fit (``objective_history_``).
    accuracies : ndarray of shape (n_starts,)
        Training accuracy of each fit.
    fitted : LinearSVM or LogisticRegression
        The last fit, for drawing its decision boundary.
    """

    model: str
    starts: np.ndarray
    objectives: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    histories: tuple[np.ndarray, ...]
    accuracies: np.ndarray
    fitted: LinearSVM | LogisticRegression

    @property
    def objective_spread(self) -> float:
        """max - min of the final objectives."""
        return float(np.ptp(self.objectives))

    @property
    def parameter_spread(self) -> float:
        """The largest distance of any fit's (w, b) from the first fit's."""
        theta = np.column_stack([self.coefs, self.intercepts])
        return float(np.max(np.linalg.norm(theta - theta[0], axis=1)))

    @property
    def parameter_size(self) -> float:
        """||(w, b)|| of the first fit, the scale of :attr:`parameter_spread`."""
        return float(np.linalg.norm(np.append(self.coefs[0], self.intercepts[0])))

    @property
    def start_spread(self) -> float:
        """The largest distance of any starting (w, b) from the first one."""
        return float(np.max(np.linalg.norm(self.starts - self.starts[0], axis=1)))

    def summary(self, decimals: int = 10) -> str:
        """The lowest final F to ``decimals`` decimals, and how far the fits spread in F and (w, b)."""
        F = self.objectives.min()
        return (f"{self.model}: F = {F:.{int(decimals)}f}, spread of F {spread_text(self.objective_spread, F)},"
                f" of (w, b) {spread_text(self.parameter_spread, self.parameter_size)}")


def convex_restarts(
    model: str,
    X: np.ndarray,
    y: np.ndarray,
    *,
    lam: float = 1e-2,
    n_starts: int = 10,
    scale: float = 10.0,
    seed: int = 0,
) -> ConvexRestarts:
    """Fit a convex model from ``n_starts`` random starting points (w, b) ~ N(0, scale^2 I).

    ``"svm"``: F(w, b) = lam/2 ||w||^2 + mean_i max(0, 1 - s_i (w . x_i + b));
    ``"logistic"``: F(w, b) = lam/2 ||w||^2 + mean_i log(1 + exp(-s_i (w . x_i + b))).
    Both are convex and strongly convex in w, so every fit must land on the same (w*, b*),
    up to the solvers' tolerance (see :mod:`lesson_code.baselines`).

    Parameters
    ----------
    model : {"svm", "logistic"}
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), two distinct labels
    lam : float
        Ridge strength, > 0.
    n_starts : int
        Number of fits, >= 1.
    scale : float
        Standard deviation of the starting points, >= 0.
    seed : int
        Seeds the starting points.

    Examples
    --------
    >>> X, y = spiral_data(50)
    >>> fits = convex_restarts("logistic", X, y, n_starts=4)
    >>> print(f"starts up to {fits.start_spread:.0f} apart; objectives agree to 1e-12:",
    ...       fits.objective_spread < 1e-12)
    starts up to 21 apart; objectives agree to 1e-12: True
    """
    choice(model, "model", CONVEX_MODELS)
    X = finite_array(X, "X", ndim=2)
    lam = positive_number(lam, "lam")
    n_starts = positive_int(n_starts, "n_starts")
    scale = non_negative_number(scale, "scale")
    rng = np.random.default_rng(seed)
    starts = scale * rng.standard_normal((n_starts, X.shape[1] + 1))
    fits = []
    with threadpool_limits(1):
        for start in starts:
            estimator = LinearSVM(lam=lam) if model == "svm" else LogisticRegression(lam=lam)
            fits.append(estimator.fit(X, y, initial_coef=start[:-1], initial_intercept=float(start[-1])))
    return ConvexRestarts(
        model=model,
        starts=starts,
        objectives=np.array([f.objective_ for f in fits]),
        coefs=np.array([f.coef_ for f in fits]),
        intercepts=np.array([f.intercept_ for f in fits]),
        histories=tuple(np.asarray(f.objective_history_) for f in fits),
        accuracies=np.array([f.score(X, y) for f in fits]),
        fitted=fits[-1],
    )


@dataclass(frozen=True)
class ClassifierRun:
    """A trained spiral network: the network (do not modify it), its losses and accuracy.

    ``losses`` holds the cross-entropy on the training set before training and after every
    epoch, up to the first one that is not finite (then ``diverged`` is True). ``reference``
    holds the training inputs, which a batch-norm network normalizes new points with (see
    :func:`predict_labels`).
    """

    net: Network
    losses: np.ndarray
    diverged: bool
    accuracy: float
    reference: np.ndarray

    @property
    def final_loss(self) -> float:
        """The cross-entropy on the training set after the last epoch."""
        return float(self.losses[-1])


def predict_labels(net: Network, X: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """0/1 labels from a network with one sigmoid output: 1 where a^L > 1/2.

    A :class:`~lesson_code.remedies.BatchNormMLP` normalizes ``X`` with the batch statistics of
    ``reference`` (the training inputs), so that each point's label does not depend on which
    other points are classified with it; None uses the statistics of ``X`` itself.
    """
    if isinstance(net, BatchNormMLP):
        statistics = None if reference is None else net.batch_statistics(reference)
        output = net.forward(X, statistics)
    else:
        output = net.forward(X)
    return (output[:, 0] > 0.5).astype(np.int64)


def train_classifier(
    X: np.ndarray,
    y: np.ndarray,
    *,
    kind: str = "plain",
    sizes: Sequence[int] = SPIRAL_SIZES,
    activation: str = "relu",
    init: str = "he",
    learning_rate: float = 0.5,
    epochs: int = SPIRAL_EPOCHS,
    seed: int = 0,
    nudge: float = 0.0,
) -> ClassifierRun:
    """Train a binary classifier network on (X, y) with full-batch gradient descent on the
    cross-entropy C = -1/n sum_i [y_i ln a^L_i + (1 - y_i) ln(1 - a^L_i)] (one sigmoid output).

    Each epoch is one step theta <- theta - eta dC/dtheta over every parameter, exactly the steps
    of :func:`lesson_code.remedies.train_network` with ``batch_size=None``, but without its
    per-layer gradient-norm records, which cost almost as much as the steps on networks this
    small. ``seed`` draws the initial weights, the only random thing. ``nudge`` moves every
    initial parameter by that relative amount (:func:`~lesson_code.seed_ensembles.nudge_parameters`):
    1e-12 is about one rounding error, as another machine's arithmetic would make, and tells a
    stable run from a chaotic one.

    Examples
    --------
    >>> X, y = spiral_data(50)
    >>> run = train_classifier(X, y, sizes=(2, 8, 8, 1), epochs=20)
    >>> run.losses.shape, 0.0 <= run.accuracy <= 1.0
    ((21,), True)
    """
    X = finite_array(X, "X", ndim=2)
    labels = binary_labels(y, X.shape[0])
    net = build_network(kind, list(sizes), activation=activation, init=init, seed=seed, output_activation="sigmoid")
    nudge_parameters(net.parameters(), non_negative_number(nudge, "nudge"), seed)
    learning_rate = positive_number(learning_rate, "learning_rate")
    epochs = positive_int(epochs, "epochs")
    losses = descend(net, X, labels, learning_rate, epochs)
    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore"):
        accuracy = float(np.mean(predict_labels(net, X, X) == labels))
    return ClassifierRun(net, losses, not np.isfinite(losses[-1]), accuracy, X)


def descend(net: Network, X: np.ndarray, y: np.ndarray, learning_rate: float, steps: int) -> np.ndarray:
    """Take ``steps`` full-batch gradient steps theta <- theta - eta dC/dtheta on the
    cross-entropy of (X, y), in place, stopping at the first loss that is not finite.

    Returns the loss before every step and after the last one (``steps + 1`` values, fewer if
    the loss overflowed). The caller checks the inputs; BLAS runs on one thread.
    """
    targets = np.asarray(y, dtype=float)[:, None]
    losses = []
    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(steps + 1):
            gradients = net.gradients(X, targets, loss="cross_entropy")
            losses.append(gradients.loss)
            if not np.isfinite(gradients.loss) or step == steps:
                break
            for parameter, gradient in zip(net.parameters(), gradients.parameters(), strict=True):
                parameter -= learning_rate * gradient
    return np.array(losses)


@dataclass(frozen=True)
class SpiralStudy:
    """Everything the convex-baselines chapter measures on the spirals; see :func:`spiral_study`.

    The deep networks are trained when first asked for (:meth:`run`) and kept: the figures need
    a few runs, the chapter all of them, and each is the same whoever asks first.
    """

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    svm: ConvexRestarts
    logistic: ConvexRestarts
    n_seeds: int
    _runs: dict[tuple[str, int, bool], ClassifierRun] = field(default_factory=dict, repr=False, compare=False)

    def run(self, recipe: str = "relu_he", seed: int = 0, nudged: bool = False) -> ClassifierRun:
        """A recipe of :data:`SPIRAL_RECIPES` trained from ``seed`` (:func:`train_classifier`);
        ``nudged``: with every initial parameter moved by a relative :data:`NUDGE` (1e-12)."""
        key = (choice(recipe, "recipe", SPIRAL_RECIPES), seed_value(seed), flag(nudged, "nudged"))
        if key not in self._runs:
            chosen = SPIRAL_RECIPES[recipe]
            self._runs[key] = train_classifier(
                self.X, self.y, kind=chosen.kind, activation=chosen.activation, init=chosen.init,
                learning_rate=chosen.learning_rate, seed=seed, nudge=NUDGE if nudged else 0.0)
        return self._runs[key]

    def runs(self, recipe: str = "relu_he") -> tuple[ClassifierRun, ...]:
        """A recipe trained from every seed, 0 to ``n_seeds`` - 1."""
        return tuple(self.run(recipe, seed) for seed in range(self.n_seeds))

    @property
    def seeds(self) -> tuple[ClassifierRun, ...]:
        """The ReLU + He network from every seed."""
        return self.runs("relu_he")

    def accuracies(self, recipe: str = "relu_he") -> np.ndarray:
        """Training accuracy of a recipe of :data:`SPIRAL_RECIPES`, one per seed."""
        return np.array([run.accuracy for run in self.runs(recipe)])

    def test_accuracies(self, recipe: str = "relu_he") -> np.ndarray:
        """Held-out accuracy (on ``X_test``) of a recipe of :data:`SPIRAL_RECIPES`, one per seed."""
        return np.array([np.mean(predict_labels(run.net, self.X_test, run.reference) == self.y_test)
                         for run in self.runs(recipe)])

    def final_losses(self, recipe: str = "relu_he") -> np.ndarray:
        """Final training loss of a recipe of :data:`SPIRAL_RECIPES`, one per seed."""
        return np.array([run.final_loss for run in self.runs(recipe)])

    def chaotic(self, recipe: str, tolerance: float = CHAOS_TOLERANCE) -> bool:
        """Whether seed 0 of the recipe, restarted with every initial parameter nudged by a
        relative 1e-12, ends with a final loss more than ``tolerance`` away.

        A stable run carries the nudge through 300 steps as a change of about 1e-12 to 1e-9; a
        chaotic one amplifies it into a visibly different result (1e-3 and more here).
        """
        change = abs(self.run(recipe, 0, nudged=True).final_loss - self.run(recipe, 0).final_loss)
        return not change <= tolerance

    def table(self) -> str:
        """Training and held-out accuracy of the linear models and of every recipe (for a recipe,
        the median over seeds with the digits its spread supports, see
        :func:`~lesson_code.seed_ensembles.median_text`), the median final loss, and whether the
        nudged restart of seed 0 ended where it did ("stable") or elsewhere ("chaotic", for which
        no median is printed: a median of chaotic runs moves from machine to machine)."""
        rows = {label: {"training": f"{fits.accuracies[0]:.1%}",
                        "held-out": f"{fits.fitted.score(self.X_test, self.y_test):.1%}",
                        "final loss": "", "nudged": ""}
                for fits, label in ((self.svm, "linear SVM"), (self.logistic, "logistic regression"))}
        for name, recipe in SPIRAL_RECIPES.items():
            if self.chaotic(name):
                rows[recipe.label] = {"training": "", "held-out": "", "final loss": "", "nudged": "chaotic"}
                continue
            rows[recipe.label] = {"training": median_text(self.accuracies(name), 1, 100) + "%",
                                  "held-out": median_text(self.test_accuracies(name), 1, 100) + "%",
                                  "final loss": median_text(self.final_losses(name), 2),
                                  "nudged": "stable"}
        return table(rows, index="model")

    @property
    def seed_losses(self) -> np.ndarray:
        """Final training losses of the ReLU + He network, one per seed."""
        return self.final_losses("relu_he")

    @property
    def seed_accuracies(self) -> np.ndarray:
        """Training accuracies of the ReLU + He network, one per seed."""
        return self.accuracies("relu_he")


def spiral_study(n_seeds: int = 10, n_starts: int = 10) -> SpiralStudy:
    """Convex models from ``n_starts`` starts and deep networks on the chapter's spirals (cached).

    * ``X``, ``y``: :func:`spiral_data`; ``X_test``, ``y_test``: the held-out draw
      (seed :data:`SPIRAL_TEST_SEED`);
    * ``svm``, ``logistic``: :func:`convex_restarts` with lam = 0.01, starts N(0, 10^2);
    * :meth:`SpiralStudy.run`: a recipe of :data:`SPIRAL_RECIPES` from one seed, as drawn or
      nudged by a relative 1e-12 (for :meth:`SpiralStudy.chaotic`); :meth:`SpiralStudy.runs`:
      from seeds 0..n_seeds-1.

    One run of a recipe can be chaotic (the batch-norm network ends tens of points of accuracy
    apart when its initial weights move by one rounding error), so the chapter reports the
    spread over seeds. Every network has sizes :data:`SPIRAL_SIZES` and gets
    :data:`SPIRAL_EPOCHS` full-batch steps. The result is cached, so a chapter and its figures
    share one run; treat it as read-only.
    """
    # one cache entry per set of values, however they are passed (spiral_study() is spiral_study(10, 10))
    return _spiral_study(n_seeds, n_starts)


@functools.cache
def _spiral_study(n_seeds: int, n_starts: int) -> SpiralStudy:
    X, y = spiral_data()
    X_test, y_test = spiral_data(seed=SPIRAL_TEST_SEED)
    return SpiralStudy(X=X, y=y, X_test=X_test, y_test=y_test,
                       svm=convex_restarts("svm", X, y, n_starts=n_starts),
                       logistic=convex_restarts("logistic", X, y, n_starts=n_starts),
                       n_seeds=positive_int(n_seeds, "n_seeds"))


def spread_text(spread: float, scale: float) -> str:
    """``spread`` (max - min of results that should agree) in scientific notation, or "at the
    rounding floor" when it is within a few units in the last place of ``scale``, the size of
    the results, where the digits only say how the last operations happened to round.

    >>> spread_text(3.3e-16, 0.66), spread_text(0.0, 0.87), spread_text(1.0025e-9, 1.7)
    ('at the rounding floor', 'at the rounding floor', '1e-09')
    """
    spread, scale = float(spread), abs(float(scale))
    if spread <= 8 * np.finfo(float).eps * max(scale, np.finfo(float).tiny):
        return "at the rounding floor"
    return f"{spread:.0e}"


def rbf_features(X: np.ndarray, centers: np.ndarray, width: float = 0.1) -> np.ndarray:
    """Fixed nonlinear features phi_j(x) = exp(-||x - c_j||^2 / (2 width^2)), one per center.

    With the training points as centers this is the "empirical kernel map" of a Gaussian
    kernel: a linear model on these features draws curved boundaries in x, and its training
    problem is still convex, because the features are fixed and only the weights are learned.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_centers, n_features)
    width : float
        The Gaussian's standard deviation, > 0.

    Returns
    -------
    ndarray of shape (n_samples, n_centers)

    >>> print(rbf_features(np.zeros((1, 2)), np.array([[0.0, 0.0], [0.1, 0.0]]), width=0.1).round(3))
    [[1.    0.607]]
    """
    X = finite_array(X, "X", ndim=2)
    centers = finite_array(centers, "centers", ndim=2)
    if centers.shape[1] != X.shape[1]:
        raise ValueError(f"centers must have {X.shape[1]} columns like X, got shape {centers.shape}")
    width = positive_number(width, "width")
    squared = np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=-1)  # (n_samples, n_centers)
    return np.exp(-squared / (2.0 * width**2))


def permuted_hidden_units(net: MLP, layer: int = 1, seed: int = 0) -> MLP:
    """A copy of ``net`` with the units of hidden layer ``layer`` (1-based) reordered.

    Rows of W^l and entries of b^l are permuted, and the columns of W^{l+1} with them, so the
    copy computes exactly the same function: the cost has the same value at both parameter
    vectors.

    >>> net = MLP([2, 5, 1], activation="tanh", seed=0)
    >>> x = np.ones((3, 2))
    >>> bool(np.allclose(permuted_hidden_units(net).forward(x), net.forward(x)))
    True
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    layer = positive_int(layer, "layer")
    if layer >= net.n_layers:
        raise ValueError(f"layer must be a hidden layer, 1..{net.n_layers - 1}, got {layer}")
    copy = MLP(net.sizes, activation=net.activation.name, init=net.init, seed=net.seed,
               output_activation=net.output_activation.name)
    copy.weights = [w.copy() for w in net.weights]
    copy.biases = [b.copy() for b in net.biases]
    order = np.random.default_rng(seed).permutation(net.sizes[layer])
    copy.weights[layer - 1] = copy.weights[layer - 1][order]
    copy.biases[layer - 1] = copy.biases[layer - 1][order]
    copy.weights[layer] = copy.weights[layer][:, order]
    return copy


def interpolated(net_a: MLP, net_b: MLP, t: float = 0.5) -> MLP:
    """The network with parameters (1 - t) theta_a + t theta_b (same sizes and activations).

    If the cost were convex, its value here would be at most (1 - t) C(theta_a) + t C(theta_b).
    """
    if not (isinstance(net_a, MLP) and isinstance(net_b, MLP)) or net_a.sizes != net_b.sizes:
        raise ValueError("net_a and net_b must be MLPs of the same sizes")
    t = float(t)
    mixed = permuted_hidden_units(net_a)
    mixed.weights = [(1 - t) * a + t * b for a, b in zip(net_a.weights, net_b.weights, strict=True)]
    mixed.biases = [(1 - t) * a + t * b for a, b in zip(net_a.biases, net_b.biases, strict=True)]
    return mixed
