"""Critical points of a tiny network's loss, classified by the signs of Hessian eigenvalues.

A *critical point* theta* of a cost C is a point where grad C(theta*) = 0. The Hessian
H = grad^2 C(theta*) tells what kind it is: all eigenvalues > 0 is a local minimum, all < 0 a
local maximum, both signs a saddle point. Its *index* is the fraction of negative eigenvalues,
alpha = #{lambda_i < 0} / P for P parameters (Dauphin et al. 2014): 0 at a minimum, between 0
and 1 at a saddle.

The network is the smallest one with a hidden layer: one input, ``hidden`` tanh units and one
linear output, in Nielsen's notation

    z^1 = W^1 x + b^1,    a^1 = tanh(z^1),    a^2 = W^2 a^1 + b^2,

with W^1 of shape (h, 1), b^1 of shape (h,), W^2 of shape (1, h) and b^2 a scalar, so P = 3h + 1
parameters, packed into one vector theta = (W^1, b^1, W^2, b^2). Its cost on a fixed data set
(x_i, y_i), i = 1..n, is the mean squared error plus a small weight decay,

    C(theta) = 1/(2n) sum_i (a^2(x_i) - y_i)^2 + (alpha_wd / 2) ||theta||^2.

The weight decay matters for counting: without it a hidden unit with W^2_j = 0 leaves its
incoming weights free, so critical points come in flat families with zero Hessian eigenvalues;
with it they are isolated and have a definite index for generic data (not provably for all).

:func:`find_critical_points` searches for them from many random starts, and
:func:`critical_point_census` counts them by kind for networks of 1 to h hidden units.
Arguments are checked: a wrong type raises TypeError, a bad value ValueError naming it.

References: Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio, "Identifying and attacking the
saddle point problem in high-dimensional non-convex optimization", NeurIPS 2014; Nocedal &
Wright, *Numerical Optimization*, ch. 10 (2006), for Levenberg-Marquardt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import (
    finite_array,
    non_negative_number,
    positive_int,
    positive_number,
    seed_value,
    symmetric_matrix,
)

KINDS = ("minimum", "saddle", "maximum", "degenerate")
"""What :func:`classify_hessian` can answer."""


def toy_regression_data(n_samples: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The fixed data set of :class:`TinyTanhNet`: y = sin(1.5 x) at n >= 2 evenly spaced x in [-2, 2].

    >>> x, y = toy_regression_data(3)
    >>> print("x", x.tolist(), "y", [round(v, 3) for v in y.tolist()])
    x [-2.0, 0.0, 2.0] y [-0.141, 0.0, 0.141]
    """
    n_samples = positive_int(n_samples, "n_samples")
    if n_samples < 2:
        raise ValueError(f"n_samples must be >= 2, got {n_samples}")
    x = np.linspace(-2.0, 2.0, n_samples)
    return x, np.sin(1.5 * x)


class TinyTanhNet:
    """The cost C(theta) of a 1-input, ``hidden``-unit tanh, 1-output network, with derivatives.

    theta packs (W^1, b^1, W^2, b^2) into P = 3 h + 1 numbers; see the module docstring for the
    network and the cost. Every method accepts one parameter vector of shape (P,) or a batch of
    S of them, shape (S, P), and then returns S results.

    Parameters
    ----------
    hidden : int
        Number of hidden units h >= 1.
    weight_decay : float, optional
        alpha_wd >= 0, the coefficient of ||theta||^2 / 2.
    x, y : array_like, shape (n,), optional
        The data set; :func:`toy_regression_data` by default.

    Examples
    --------
    >>> net = TinyTanhNet(hidden=2)
    >>> theta = np.zeros(net.n_parameters)
    >>> print(net.n_parameters, round(net.loss(theta), 4), net.gradient(theta).shape)
    7 0.2349 (7,)
    """

    def __init__(
        self,
        hidden: int,
        *,
        weight_decay: float = 1e-3,
        x: np.ndarray | None = None,
        y: np.ndarray | None = None,
    ) -> None:
        self.hidden = positive_int(hidden, "hidden")
        self.weight_decay = non_negative_number(weight_decay, "weight_decay")
        default_x, default_y = toy_regression_data()
        self.x = default_x if x is None else finite_array(x, "x", ndim=1)
        self.y = default_y if y is None else finite_array(y, "y", ndim=1)
        if self.x.shape != self.y.shape or self.x.size == 0:
            raise ValueError(
                f"x and y must be non-empty and of the same length, got {self.x.shape} and "
                f"{self.y.shape}"
            )

    @property
    def n_parameters(self) -> int:
        """P = 3 h + 1."""
        return 3 * self.hidden + 1

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Split theta, shape (..., P), into W^1, b^1, W^2 (each (..., h)) and b^2 (...,)."""
        h = self.hidden
        return theta[..., :h], theta[..., h : 2 * h], theta[..., 2 * h : 3 * h], theta[..., 3 * h]

    def predict(self, theta: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
        """The output a^2(x) = W^2 tanh(W^1 x + b^1) + b^2, shape (n,) or (S, n).

        Examples
        --------
        >>> net = TinyTanhNet(hidden=1)
        >>> print(net.predict([1.0, 0.0, 2.0, 0.5], [0.0]).tolist())
        [0.5]
        """
        batch, single = self._parameters(theta)
        inputs = self.x if x is None else finite_array(x, "x", ndim=1)
        w1, b1, w2, b2 = self.unpack(batch)
        a1 = np.tanh(inputs[None, :, None] * w1[:, None, :] + b1[:, None, :])  # (S, n, h)
        output = np.einsum("snh,sh->sn", a1, w2) + b2[:, None]  # (S, n)
        return output[0] if single else output

    def loss(self, theta: np.ndarray) -> float | np.ndarray:
        """C(theta): a float for one parameter vector, an array of shape (S,) for a batch."""
        value = self.evaluate(theta, hessian=False)[0]
        return float(value) if np.ndim(value) == 0 else value

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """grad C(theta), computed by backpropagation; shape (P,) or (S, P)."""
        return self.evaluate(theta, hessian=False)[1]

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """grad^2 C(theta), computed analytically; shape (P, P) or (S, P, P), symmetric."""
        return self.evaluate(theta)[2]

    def evaluate(
        self, theta: np.ndarray, *, hessian: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Cost, gradient and (unless ``hessian=False``) Hessian in one pass.

        With residuals r_i = a^2(x_i) - y_i and J the n x P matrix of d a^2(x_i) / d theta,

            grad C = J^T r / n + alpha_wd theta,
            H = J^T J / n + sum_i r_i grad^2 a^2(x_i) / n + alpha_wd I,

        where grad^2 a^2(x_i) couples only the three weights of one hidden unit j: with
        t = tanh(z_j), t' = 1 - t^2 and t'' = -2 t t', the second derivatives with respect to
        (W^1_j, b^1_j) are W^2_j t'' (x^2, x, 1) and those of W^2_j with (W^1_j, b^1_j) are
        t' (x, 1).

        For theta of shape (P,) or (S, P) it returns the loss, shape () or (S,), the gradient,
        (P,) or (S, P), and the Hessian, (P, P) or (S, P, P), or None.
        """
        batch, single = self._parameters(theta)
        h, n, alpha = self.hidden, self.x.size, self.weight_decay
        w1, b1, w2, b2 = self.unpack(batch)
        x = self.x[None, :, None]  # (1, n, 1)
        t = np.tanh(x * w1[:, None, :] + b1[:, None, :])  # (S, n, h)
        slope = 1.0 - t * t  # tanh'
        residual = np.einsum("snh,sh->sn", t, w2) + b2[:, None] - self.y  # (S, n)
        loss = 0.5 * np.mean(residual**2, axis=1) + 0.5 * alpha * np.sum(batch**2, axis=1)
        w2_slope = w2[:, None, :] * slope  # (S, n, h)
        jacobian = np.concatenate(
            [w2_slope * x, w2_slope, t, np.ones((batch.shape[0], n, 1))], axis=2
        )  # (S, n, P): d a^2(x_i) / d theta
        gradient = np.einsum("snp,sn->sp", jacobian, residual) / n + alpha * batch
        full = None
        if hessian:
            full = np.matmul(np.swapaxes(jacobian, 1, 2), jacobian) / n  # J^T J
            r = residual[:, :, None]  # (S, n, 1)
            curvature = r * w2[:, None, :] * (-2.0 * t * slope)  # r_i W^2_j tanh''
            ww, wb, bb = (np.mean(curvature * x**k, axis=1) for k in (2, 1, 0))  # (S, h) each
            vw, vb = (np.mean(r * slope * x**k, axis=1) for k in (1, 0))
            j = np.arange(h)
            w1_at, b1_at, w2_at = j, h + j, 2 * h + j
            for first, second, value in (
                (w1_at, w1_at, ww), (b1_at, b1_at, bb), (w1_at, b1_at, wb),
                (w2_at, w1_at, vw), (w2_at, b1_at, vb),
            ):
                full[:, first, second] += value
                if first is not second:
                    full[:, second, first] += value
            full += alpha * np.eye(self.n_parameters)
        if single:
            return loss[0], gradient[0], None if full is None else full[0]
        return loss, gradient, full

    def _parameters(self, theta: object) -> tuple[np.ndarray, bool]:
        array = finite_array(theta, "theta")
        if array.ndim not in (1, 2) or array.shape[-1] != self.n_parameters:
            raise ValueError(
                f"theta must have shape ({self.n_parameters},) or (S, {self.n_parameters}) for "
                f"{self.hidden} hidden units, got shape {array.shape}"
            )
        return np.atleast_2d(array), array.ndim == 1

    def __repr__(self) -> str:
        return f"TinyTanhNet(hidden={self.hidden}, weight_decay={self.weight_decay})"


def add_idle_units(theta: np.ndarray, hidden: int, extra: int) -> np.ndarray:
    """Embed the parameters (3 h + 1,) of an h-unit network into one with h + extra idle units.

    The new units get W^1_j = b^1_j = W^2_j = 0: they output tanh(0) = 0 and carry no weight
    decay, so the bigger network computes the same function with the same cost C. If theta was
    a critical point, so is the result (every new partial derivative is a mean of terms that
    contain W^2_j = 0 or tanh(0) = 0).

    >>> print(add_idle_units([1.0, 2.0, 3.0, 4.0], hidden=1, extra=1).tolist())
    [1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0]
    """
    hidden = positive_int(hidden, "hidden")
    extra = positive_int(extra, "extra")
    values = finite_array(theta, "theta", ndim=1)
    if values.size != 3 * hidden + 1:
        raise ValueError(
            f"theta must have 3 * hidden + 1 = {3 * hidden + 1} entries, got {values.size}"
        )
    zeros = np.zeros(extra)
    blocks = [values[k * hidden : (k + 1) * hidden] for k in range(3)]
    return np.concatenate([np.concatenate([block, zeros]) for block in blocks] + [values[-1:]])


def hessian_index(eigenvalues: np.ndarray, *, tolerance: float = 1e-8) -> float:
    """alpha = the fraction of the eigenvalues (P,) below -tolerance * max |lambda|, in [0, 1].

    0 at a minimum, 1 at a maximum.

    >>> print(hessian_index([2.0, -2.0]), hessian_index([3.0, 1.0, -0.5, 2.0]))
    0.5 0.25
    """
    values = finite_array(eigenvalues, "eigenvalues", ndim=1)
    if values.size == 0:
        raise ValueError("eigenvalues must not be empty")
    tolerance = non_negative_number(tolerance, "tolerance")
    threshold = tolerance * float(np.max(np.abs(values)))
    return float(np.mean(values < -threshold))


def classify_hessian(hessian: np.ndarray, *, tolerance: float = 1e-8) -> str:
    """What kind of critical point a symmetric Hessian (P, P) marks: one of :data:`KINDS`.

    Eigenvalues within tolerance * max |lambda| of zero count as zero. With none of them,
    all > 0 is a ``"minimum"``, all < 0 a ``"maximum"`` and mixed signs a ``"saddle"``. A zero
    eigenvalue leaves the second-order test undecided, except that one negative and one
    positive eigenvalue already make a saddle; otherwise the answer is ``"degenerate"``.

    >>> print(classify_hessian([[2.0, 0.0], [0.0, -2.0]]), classify_hessian([[2.0, -2.0], [-2.0, 2.0]]))
    saddle degenerate
    """
    matrix = symmetric_matrix(hessian, "hessian", 1e-10)
    tolerance = non_negative_number(tolerance, "tolerance")
    return _kind(np.linalg.eigvalsh(matrix), tolerance)


def _kind(values: np.ndarray, tolerance: float) -> str:
    """The verdict of :func:`classify_hessian` from the eigenvalues."""
    threshold = tolerance * float(np.max(np.abs(values)))
    negative, positive = np.any(values < -threshold), np.any(values > threshold)
    if negative and positive:
        return "saddle"
    if np.any(np.abs(values) <= threshold):
        return "degenerate"
    return "minimum" if positive else "maximum"


@dataclass(frozen=True)
class CriticalPoint:
    """One critical point found by :func:`find_critical_points`.

    Attributes
    ----------
    theta : numpy.ndarray, shape (P,)
        A representative parameter vector.
    loss : float
        C(theta).
    gradient_norm : float
        ||grad C(theta)||, below the search's tolerance.
    eigenvalues : numpy.ndarray, shape (P,)
        Hessian eigenvalues, ascending.
    kind : str
        :func:`classify_hessian`'s verdict.
    index : float
        Fraction of negative eigenvalues (:func:`hessian_index`).
    """

    theta: np.ndarray
    loss: float
    gradient_norm: float
    eigenvalues: np.ndarray
    kind: str
    index: float

    @property
    def n_negative(self) -> int:
        """How many Hessian eigenvalues are negative (the index times P)."""
        return round(self.index * self.eigenvalues.size)


@dataclass(frozen=True)
class CriticalPointSearch:
    """The distinct critical points of one search, sorted by loss.

    Attributes
    ----------
    net : TinyTanhNet
    points : tuple of CriticalPoint
    n_runs : int
        Runs started (two per random start: one root search, one descent).
    n_converged : int
        Runs that ended at a critical point, before merging duplicates.
    """

    net: TinyTanhNet
    points: tuple[CriticalPoint, ...]
    n_runs: int
    n_converged: int

    def count(self, kind: str) -> int:
        """How many distinct critical points are of this kind (see :data:`KINDS`)."""
        return sum(point.kind == kind for point in self.points)


def _levenberg_marquardt(
    net: TinyTanhNet, theta: np.ndarray, objective: str, max_iterations: int, tolerance: float
) -> np.ndarray:
    """Batched damped Newton iterations, each start with its own damping mu.

    objective "roots": minimise ||g||^2 / 2, whose Gauss-Newton step is -(H^2 + mu I)^{-1} H g.
    objective "loss": minimise C, with step -(H + mu I)^{-1} g and mu kept above -lambda_min(H).
    A step is taken only if it lowers the objective; mu shrinks after a success, grows after a
    failure. A start stops when ||g|| < tolerance or mu has grown past 1e10.
    """
    identity = np.eye(net.n_parameters)
    loss, gradient, hessian = net.evaluate(theta)
    mu = np.full(theta.shape[0], 1e-2)

    def merit(loss_values: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        return loss_values if objective == "loss" else 0.5 * np.sum(gradients**2, axis=1)

    current = merit(loss, gradient)
    active = np.ones(theta.shape[0], dtype=bool)
    for _ in range(max_iterations):
        active &= (np.linalg.norm(gradient, axis=1) >= tolerance) & (mu < 1e10)
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        h, g, m = hessian[rows], gradient[rows], mu[rows][:, None, None]
        if objective == "roots":
            system, right = h @ h + m * identity, np.einsum("spq,sq->sp", h, g)
        else:
            shift = np.maximum(0.0, -np.linalg.eigvalsh(h)[:, 0])[:, None, None]
            system, right = h + (shift + m) * identity, g
        step = np.linalg.solve(system, right[..., None])[..., 0]
        trial = theta[rows] - step
        with np.errstate(over="ignore", invalid="ignore"):
            ok_numbers = np.all(np.isfinite(trial), axis=1) & (np.abs(trial).max(axis=1) < 1e6)
        trial[~ok_numbers] = theta[rows][~ok_numbers]
        t_loss, t_gradient, t_hessian = net.evaluate(trial)
        t_merit = merit(t_loss, t_gradient)
        better = ok_numbers & (t_merit < current[rows])
        accepted = rows[better]
        theta[accepted], loss[accepted] = trial[better], t_loss[better]
        gradient[accepted], hessian[accepted] = t_gradient[better], t_hessian[better]
        current[accepted] = t_merit[better]
        mu[rows] = np.where(better, np.maximum(mu[rows] / 3.0, 1e-12), mu[rows] * 4.0)
    return theta


def find_critical_points(
    net: TinyTanhNet,
    *,
    n_starts: int = 100,
    seed: int = 0,
    scale: float = 1.5,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
) -> CriticalPointSearch:
    """Find critical points of ``net``'s cost from random starts, classify and deduplicate them.

    From each of ``n_starts`` starts theta_0 ~ N(0, s^2 I), with s drawn per start uniformly from
    (0.2, 1) times ``scale``, run (1) a Levenberg-Marquardt solve of grad C = 0 and (2) a damped Newton
    descent of C. A run ending with ||grad C|| < ``tolerance`` is a critical point; two points
    whose losses agree to 8 significant digits and whose numbers of negative Hessian
    eigenvalues are equal count once. Each run takes at most ``max_iterations`` steps. The
    search is not exhaustive: it reports what it found.

    Examples
    --------
    With one hidden unit there are few critical points: the minimum, and the saddle where the
    unit is switched off and the output is the mean of y.

    >>> search = find_critical_points(TinyTanhNet(hidden=1), n_starts=20)
    >>> for point in search.points:
    ...     print(point.kind, f"{point.loss:.4f}", point.n_negative)
    minimum 0.0472 0
    saddle 0.2349 1
    """
    if not isinstance(net, TinyTanhNet):
        raise TypeError(f"net must be a TinyTanhNet, got {type(net).__name__}")
    n_starts = positive_int(n_starts, "n_starts")
    seed = seed_value(seed)
    scale = positive_number(scale, "scale")
    max_iterations = positive_int(max_iterations, "max_iterations")
    tolerance = positive_number(tolerance, "tolerance")

    rng = np.random.default_rng(seed)
    spread = scale * rng.uniform(0.2, 1.0, size=(n_starts, 1))
    starts = spread * rng.standard_normal((n_starts, net.n_parameters))
    ends = np.concatenate(
        [
            _levenberg_marquardt(net, starts.copy(), "roots", max_iterations, tolerance),
            _levenberg_marquardt(net, starts.copy(), "loss", max_iterations, tolerance),
        ]
    )
    loss, gradient, hessian = net.evaluate(ends)
    norms = np.linalg.norm(gradient, axis=1)
    converged = np.flatnonzero(norms < tolerance)
    found: dict[tuple[str, int], CriticalPoint] = {}
    spectra = np.linalg.eigvalsh(hessian[converged]) if converged.size else np.empty((0, 0))
    for row, eigenvalues in zip(converged, spectra, strict=True):
        point = CriticalPoint(
            theta=ends[row],
            loss=float(loss[row]),
            gradient_norm=float(norms[row]),
            eigenvalues=eigenvalues,
            kind=_kind(eigenvalues, 1e-8),
            index=hessian_index(eigenvalues),
        )
        key = (f"{point.loss:.7e}", point.n_negative)
        if key not in found or point.gradient_norm < found[key].gradient_norm:
            found[key] = point
    points = tuple(sorted(found.values(), key=lambda p: (p.loss, p.index)))
    return CriticalPointSearch(net, points, n_runs=2 * n_starts, n_converged=int(converged.size))


@dataclass(frozen=True)
class CensusRow:
    """Counts of distinct critical points for one network size (see :func:`critical_point_census`)."""

    hidden: int
    n_parameters: int
    n_minima: int
    n_saddles: int
    n_other: int
    lowest_minimum_loss: float
    highest_minimum_loss: float
    lowest_saddle_loss: float
    highest_saddle_loss: float

    @property
    def minimum_fraction(self) -> float:
        """Share of the distinct critical points that are minima."""
        total = self.n_minima + self.n_saddles + self.n_other
        return self.n_minima / total if total else float("nan")


def critical_point_census(
    hidden_sizes: Sequence[int] = (1, 2, 3, 4, 5, 6), *, n_starts: int = 100, seed: int = 0
) -> list[CensusRow]:
    """Run :func:`find_critical_points` for each number of hidden units h in ``hidden_sizes``
    (same ``n_starts`` and ``seed``) and count minima and saddles: one :class:`CensusRow` per
    size, whose lowest and highest costs of minima (saddles) are nan when none was found.

    >>> row, = critical_point_census([1], n_starts=20)
    >>> print(row.n_parameters, row.n_minima, row.n_saddles)
    4 1 1
    """
    sizes = [positive_int(h, "hidden_sizes entry") for h in hidden_sizes]
    if not sizes:
        raise ValueError("hidden_sizes must not be empty")
    rows = []
    for hidden in sizes:
        search = find_critical_points(TinyTanhNet(hidden), n_starts=n_starts, seed=seed)
        minima = [p.loss for p in search.points if p.kind == "minimum"]
        saddles = [p.loss for p in search.points if p.kind == "saddle"]
        rows.append(
            CensusRow(
                hidden=hidden,
                n_parameters=search.net.n_parameters,
                n_minima=len(minima),
                n_saddles=len(saddles),
                n_other=len(search.points) - len(minima) - len(saddles),
                lowest_minimum_loss=min(minima, default=float("nan")),
                highest_minimum_loss=max(minima, default=float("nan")),
                lowest_saddle_loss=min(saddles, default=float("nan")),
                highest_saddle_loss=max(saddles, default=float("nan")),
            )
        )
    return rows
