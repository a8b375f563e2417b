"""The experiments of the chapters "Convex baselines vs deep nets" and "What fixed it".

Chapter 7 puts convex models and deep networks on the same data, the two spirals of
:func:`lesson_code.datasets.two_spirals`:

* :func:`convex_restarts` fits a :class:`~lesson_code.baselines.LinearSVM` or
  :class:`~lesson_code.baselines.LogisticRegression` from many random starting points. Their
  objectives are convex, so every start ends at the same optimum;
* :func:`train_classifier` trains a deep network (plain, batch-norm or residual, see
  :mod:`lesson_code.remedies`) with full-batch gradient descent on the cross-entropy;
* :func:`spiral_study` runs both, cached, so the chapter and its figures share one run.

Chapter 9 re-measures earlier failures with a fix switched on:

* :func:`learning_rate_scan` and :func:`regression_study`: the polynomial regression with targets
  in the hundreds, trained with and without standardized inputs and targets;
* :func:`fix_profiles` and :func:`fix_table`: the per-layer gradient profile of the
  vanishing-gradient chapter with batch normalization or residual connections.

Every heavy function runs numpy's BLAS on one thread: the matrices here are small, and on a
shared machine several BLAS threads fighting over the cores made the same work 10x slower.

References: Cortes & Vapnik (1995) for the SVM; Lang & Witbrock (1988) for the spirals;
LeCun, Bottou, Orr & Mueller, "Efficient BackProp" (1998) for standardization; Ioffe & Szegedy
(2015); He et al. (2016).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from lesson_code._checks import choice, finite_array, non_negative_number, positive_int, positive_number
from lesson_code.baselines import LinearSVM, LogisticRegression
from lesson_code.datasets import polynomial_regression, standardize, two_spirals
from lesson_code.gradient_flow import per_layer_gain
from lesson_code.network import MLP
from lesson_code.remedies import (
    REMEDIES,
    BatchNormMLP,
    Network,
    build_network,
    median_remedy_gradient_norms,
    train_network,
)
from lesson_code.training import TrainingHistory

CONVEX_MODELS = ("svm", "logistic")
"""Convex baselines :func:`convex_restarts` knows: the hinge loss and the logistic loss."""

SPIRAL_PER_CLASS = 100
"""Points per class in the chapter's spirals (200 points in all)."""

SPIRAL_SIZES = (2, 24, 24, 24, 24, 1)
"""The deep network of chapter 7: four hidden layers of 24 units, one sigmoid output."""

SPIRAL_EPOCHS = 300
"""Full-batch gradient-descent steps every spiral network gets."""


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
"""The networks chapter 7 trains on the spirals: the classic setting, and three fixes."""


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
    def start_spread(self) -> float:
        """The largest distance of any starting (w, b) from the first one."""
        return float(np.max(np.linalg.norm(self.starts - self.starts[0], axis=1)))


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
    """A trained spiral network: the network (do not modify it), its history and accuracy.

    ``reference`` holds the training inputs, which a batch-norm network normalizes new points
    with (see :func:`predict_labels`).
    """

    net: Network
    history: TrainingHistory
    accuracy: float
    reference: np.ndarray

    @property
    def final_loss(self) -> float:
        """The cross-entropy on the training set after the last epoch."""
        return float(self.history.loss[-1])


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
    batch_size: int | None = None,
    seed: int = 0,
) -> ClassifierRun:
    """Train a binary classifier network on (X, y) with gradient descent on the cross-entropy.

    The output layer is one sigmoid unit and the cost is
    C = -1/n sum_i [y_i ln a^L_i + (1 - y_i) ln(1 - a^L_i)]; ``seed`` draws the initial
    weights (and the mini-batch order), so with ``batch_size=None`` (full batch) the starting
    point is the only random thing.

    Examples
    --------
    >>> X, y = spiral_data(50)
    >>> run = train_classifier(X, y, sizes=(2, 8, 8, 1), epochs=20)
    >>> run.history.loss.shape, 0.0 <= run.accuracy <= 1.0
    ((21,), True)
    """
    X = finite_array(X, "X", ndim=2)
    labels = np.asarray(y)
    if labels.shape != (X.shape[0],) or not np.all(np.isin(labels, (0, 1))):
        raise ValueError(f"y must hold one label 0 or 1 per row of X, got shape {labels.shape}")
    net = build_network(kind, list(sizes), activation=activation, init=init, seed=seed, output_activation="sigmoid")
    with threadpool_limits(1):
        history = train_network(net, X, labels[:, None].astype(float), learning_rate=learning_rate,
                                epochs=epochs, batch_size=batch_size, loss="cross_entropy", seed=seed)
        accuracy = float(np.mean(predict_labels(net, X, X) == labels))
    return ClassifierRun(net, history, accuracy, X)


@dataclass(frozen=True)
class SpiralStudy:
    """Everything chapter 7 measures on the spirals; see :func:`spiral_study`."""

    X: np.ndarray
    y: np.ndarray
    svm: ConvexRestarts
    logistic: ConvexRestarts
    seeds: tuple[ClassifierRun, ...]
    recipe_runs: dict[str, ClassifierRun]

    @property
    def seed_losses(self) -> np.ndarray:
        """Final training losses of the ReLU + He network, one per seed."""
        return np.array([run.final_loss for run in self.seeds])

    @property
    def seed_accuracies(self) -> np.ndarray:
        """Training accuracies of the ReLU + He network, one per seed."""
        return np.array([run.accuracy for run in self.seeds])


@functools.lru_cache(maxsize=4)
def spiral_study(n_seeds: int = 10, n_starts: int = 10) -> SpiralStudy:
    """Convex models from ``n_starts`` starts and deep networks on the chapter's spirals (cached).

    * ``svm``, ``logistic``: :func:`convex_restarts` with lam = 0.01, starts N(0, 10^2);
    * ``seeds``: the ``relu_he`` recipe of :data:`SPIRAL_RECIPES` from seeds 0..n_seeds-1;
    * ``recipe_runs``: every recipe from seed 0 (``relu_he`` is ``seeds[0]``).

    Every network has sizes :data:`SPIRAL_SIZES` and gets :data:`SPIRAL_EPOCHS` full-batch
    steps. The result is cached, so a chapter and its figures share one run; treat it as
    read-only.
    """
    n_seeds = positive_int(n_seeds, "n_seeds")
    X, y = spiral_data()

    def run(recipe: SpiralRecipe, seed: int) -> ClassifierRun:
        return train_classifier(X, y, kind=recipe.kind, activation=recipe.activation, init=recipe.init,
                                learning_rate=recipe.learning_rate, seed=seed)

    relu = SPIRAL_RECIPES["relu_he"]
    seeds = tuple(run(relu, seed) for seed in range(n_seeds))
    recipe_runs = {name: seeds[0] if name == "relu_he" else run(recipe, 0) for name, recipe in SPIRAL_RECIPES.items()}
    return SpiralStudy(
        X=X,
        y=y,
        svm=convex_restarts("svm", X, y, n_starts=n_starts),
        logistic=convex_restarts("logistic", X, y, n_starts=n_starts),
        seeds=seeds,
        recipe_runs=recipe_runs,
    )


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
    mixed.weights = [(1 - t) * a + t * b for a, b in zip(net_a.weights, net_b.weights)]
    mixed.biases = [(1 - t) * a + t * b for a, b in zip(net_a.biases, net_b.biases)]
    return mixed


# --------------------------------------------------------------------------------------
# Chapter 9: standardization
# --------------------------------------------------------------------------------------

REGRESSION_SIZES = (1, 16, 16, 1)
"""The regression network: two tanh hidden layers of 16 units, a linear output."""

REGRESSION_LEARNING_RATES = tuple(float(10.0**k) for k in np.arange(-4.0, 0.75, 0.5))
"""1e-4, 3.2e-4, 1e-3, ..., 1, 3.2: half-decade steps."""

WORKS_FRACTION = 0.9
"""A learning rate *works* if the loss ends finite and at most this fraction of its start."""


@dataclass(frozen=True)
class LearningRateScan:
    """Full-batch training of the regression network at several learning rates.

    Attributes
    ----------
    learning_rates : ndarray
    histories : tuple of TrainingHistory
    fvu : ndarray of shape (n_rates, epochs + 1)
        Fraction of variance unexplained, mean((prediction - y)^2) / var(y), after every epoch,
        in the units training saw (standardization does not change it); NaN after the loss
        stopped being finite.
    nets : tuple of MLP
        The trained networks, one per rate (empty for a hand-made scan).
    inputs : ndarray or None
        The inputs they were trained on (standardized or not).
    """

    learning_rates: np.ndarray
    histories: tuple[TrainingHistory, ...]
    fvu: np.ndarray
    nets: tuple[MLP, ...] = ()
    inputs: np.ndarray | None = None

    @property
    def final_fvu(self) -> np.ndarray:
        """FVU after the last epoch (NaN where training overflowed)."""
        return self.fvu[:, -1]

    def works(self) -> np.ndarray:
        """Which rates end finite, at most :data:`WORKS_FRACTION` of the starting loss."""
        return np.isfinite(self.final_fvu) & (self.final_fvu <= WORKS_FRACTION * self.fvu[:, 0])

    def largest_working_rate(self) -> float:
        """The largest learning rate that works (NaN if none)."""
        working = self.learning_rates[self.works()]
        return float(working.max()) if working.size else float("nan")

    def best_rate(self) -> float:
        """The learning rate with the lowest final FVU."""
        final = np.where(np.isfinite(self.final_fvu), self.final_fvu, np.inf)
        return float(self.learning_rates[int(np.argmin(final))])


def epochs_to_reach(fvu: np.ndarray, threshold: float) -> int | None:
    """The first epoch at which ``fvu`` is at most ``threshold``; None if it never is.

    >>> epochs_to_reach(np.array([1.0, 0.7, 0.4, 0.2]), 0.5), epochs_to_reach(np.array([1.0]), 0.5)
    (2, None)
    """
    hit = np.flatnonzero(np.asarray(fvu) <= threshold)
    return int(hit[0]) if hit.size else None


def learning_rate_scan(
    *,
    standardize_inputs: bool,
    standardize_targets: bool,
    learning_rates: Sequence[float] = REGRESSION_LEARNING_RATES,
    epochs: int = 200,
    activation: str = "tanh",
    init: str = "xavier",
    seed: int = 0,
) -> LearningRateScan:
    """Train the regression network of :data:`REGRESSION_SIZES` once per learning rate.

    The data are :func:`~lesson_code.datasets.polynomial_regression` (100 points, targets up
    to 1000), with inputs and/or targets standardized to mean 0 and standard deviation 1. The
    cost is the MSE C = 1/(2n) sum_i (a^L_i - y_i)^2, so the FVU is 2 C / var(y).

    Examples
    --------
    >>> scan = learning_rate_scan(standardize_inputs=True, standardize_targets=True,
    ...                           learning_rates=[0.01, 0.1], epochs=20)
    >>> print(np.round(scan.final_fvu, 2))
    [0.74 0.64]
    """
    epochs = positive_int(epochs, "epochs")
    rates = np.array([positive_number(lr, "learning_rates") for lr in learning_rates])
    X, Y = polynomial_regression(100, seed=seed)
    x = standardize(X)[0] if standardize_inputs else X
    y = standardize(Y)[0] if standardize_targets else Y
    variance = float(y.var())
    histories, nets, fvu = [], [], np.full((rates.size, epochs + 1), np.nan)
    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore"):
        for row, rate in enumerate(rates):
            net = MLP(list(REGRESSION_SIZES), activation=activation, init=init, seed=seed, output_activation="linear")
            history = train_network(net, x, y, learning_rate=float(rate), epochs=epochs)
            histories.append(history)
            nets.append(net)
            values = 2.0 * history.loss / variance
            fvu[row, : values.size] = np.where(np.isfinite(values), values, np.nan)
    return LearningRateScan(rates, tuple(histories), fvu, tuple(nets), x)


@dataclass(frozen=True)
class RegressionStudy:
    """Raw and standardized scans, and a long run of the raw network at its best rate."""

    raw: LearningRateScan
    standardized: LearningRateScan
    raw_long: LearningRateScan


@functools.lru_cache(maxsize=2)
def regression_study(epochs: int = 200, long_epochs: int = 1000) -> RegressionStudy:
    """:func:`learning_rate_scan` without and with standardization of inputs and targets (cached),
    and the raw network trained for ``long_epochs`` at its best rate."""
    raw = learning_rate_scan(standardize_inputs=False, standardize_targets=False, epochs=epochs)
    standardized = learning_rate_scan(standardize_inputs=True, standardize_targets=True, epochs=epochs)
    raw_long = learning_rate_scan(standardize_inputs=False, standardize_targets=False,
                                  learning_rates=[raw.best_rate()], epochs=long_epochs)
    return RegressionStudy(raw, standardized, raw_long)


# --------------------------------------------------------------------------------------
# Chapter 9: gradient profiles with the fixes on
# --------------------------------------------------------------------------------------

FIX_CONFIGURATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (activation, init, kind)
    for activation, init in (("sigmoid", "normal"), ("sigmoid", "xavier"), ("relu", "he"))
    for kind in REMEDIES
)
"""(activation, init, kind) rows of :func:`fix_table`: the chapter 3 settings, each plain, with
batch normalization and with residual connections."""

FIX_DEPTHS = (20, 50)
FIX_SEEDS = 5


@functools.lru_cache(maxsize=8)
def fix_profiles(depth: int, seeds: int = FIX_SEEDS) -> dict[tuple[str, str, str], np.ndarray]:
    """Median per-layer ||dC/dW^l|| for every configuration of :data:`FIX_CONFIGURATIONS` (cached).

    Each profile is :func:`lesson_code.remedies.median_remedy_gradient_norms` with width 100 and
    batch 64, the measurement of the vanishing-gradient chapter.
    """
    with threadpool_limits(1):
        return {
            (activation, init, kind): median_remedy_gradient_norms(kind, activation, init, depth, seeds=seeds)
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
    configuration                   L=50   gain  ||dC/dW^1||
    relu, he, plain              7.9e-01  0.995      1.3e+01
    """
    depths = sorted(rows[0].ratios)
    header = f"{'configuration':<28}" + "".join(f"{f'L={d}':>9}" for d in depths) + f"{'gain':>7}{'||dC/dW^1||':>13}"
    lines = [header]
    for row in rows:
        name = f"{row.activation}, {row.init}, {row.kind}"
        cells = "".join(f"{row.ratios[d]:9.1e}" for d in depths)
        lines.append(f"{name:<28}{cells}{row.gain:7.3f}{row.first_layer_norm:13.1e}")
    return "\n".join(lines)
