"""Convex linear baselines: a soft-margin SVM and L2-regularised logistic regression.

These are the course's control experiment. Both models are *convex* in their parameters, so
every local minimum is a global one and, because the ``lam / 2 * ||w||^2`` term makes the
objective strongly convex in ``w``, there is exactly one optimal weight vector. Fit them from
five different starting points and the final objectives agree to many digits; do the same
with a deep network and they do not.

Both estimators follow scikit-learn's conventions: ``fit(X, y)`` returns the estimator,
learned quantities end in an underscore (``coef_``, ``intercept_``, ``classes_``,
``n_iter_``), and ``predict`` returns labels taken from ``classes_``. The starting point of
the optimiser is chosen with ``fit(X, y, initial_coef=..., initial_intercept=...)``.

Labels. ``y`` may hold any two distinct labels (``{0, 1}``, ``{-1, 1}``, strings ...).
``classes_`` is their sorted pair; internally ``classes_[1]`` is coded ``s = +1`` and
``classes_[0]`` is coded ``s = -1``. The margin of sample ``i`` is ``m_i = s_i (w . x_i + b)``.

Objectives (n samples, ``lam > 0``, the intercept ``b`` is *not* regularised)::

    LinearSVM:           F(w, b) = lam/2 ||w||^2 + (1/n) sum_i max(0, 1 - m_i)
    LogisticRegression:  F(w, b) = lam/2 ||w||^2 + (1/n) sum_i log(1 + exp(-m_i))

Methods. Both estimators work internally with centred features x - mean(x). Because b is
not penalised, w . x + b = w . (x - mean) + (b + w . mean) is an exact change of variables:
the objective and the optimum are unchanged, and ``coef_`` / ``intercept_`` are mapped back
to the original features. (Rescaling features would *not* be exact: it changes what
``||w||^2`` penalises.)

* ``LinearSVM``: the hinge is not differentiable, and plain subgradient descent converges
  far too slowly to reach the optimum to 1e-9. So the hinge is replaced by its Huber
  smoothing of width ``mu`` (quadratic on ``0 < 1 - m < mu``, within ``mu / 2`` of the
  hinge, with a ``1/mu``-Lipschitz derivative; Nesterov 2005) and the smoothed objective is
  minimised for ``mu = 1, 0.1, 0.01, ..., 1e-8`` in turn, each stage starting where the
  previous one ended (continuation). The first stage runs Nesterov's accelerated gradient
  method with adaptive restart (O'Donoghue & Candes 2015); the later stages, whose
  curvature grows like ``1/mu``, run Newton's method on the piecewise-quadratic smoothed
  objective (as in Chapelle 2007). After each stage the samples inside the smoothing zone
  are the guess for the support vectors that sit exactly on the margin, and a few
  primal-dual active-set steps (Hintermueller, Ito & Kunisch 2002) solve the optimality
  (KKT) conditions exactly for that guess. Whatever produced a candidate, optimality is
  *proved*, not assumed: ``fit`` stops once the duality gap between the best primal point
  and the best dual-feasible point is at most ``tol`` times the objective. The dual is
  derived in :class:`LinearSVM`.
* ``LogisticRegression``: the objective is smooth and strongly convex in ``w``; it is
  minimised by Newton's method with a line search (default) or by Nesterov's accelerated
  gradient method with restarts, and ``fit`` stops once the gradient norm is below ``tol``.

References
----------
Cortes, C. & Vapnik, V., "Support-vector networks", *Machine Learning* 20 (1995) 273-297.
Boyd, S. & Vandenberghe, L., *Convex Optimization*, Cambridge University Press (2004):
ch. 5 (Lagrange duality, the duality gap as a certificate) and ch. 9 (Newton's method).
Nesterov, Yu., "A method for solving the convex programming problem with convergence rate
O(1/k^2)", *Soviet Math. Dokl.* 27 (1983); "Smooth minimization of non-smooth functions",
*Math. Programming* 103 (2005) 127-152 (smoothing).
O'Donoghue, B. & Candes, E., "Adaptive restart for accelerated gradient schemes",
*Found. Comput. Math.* 15 (2015) 715-732.
Chapelle, O., "Training a support vector machine in the primal", *Neural Computation* 19
(2007) 1155-1178.
Hintermueller, M., Ito, K. & Kunisch, K., "The primal-dual active set strategy as a
semismooth Newton method", *SIAM J. Optim.* 13 (2002) 865-888.
Li, D.-H., Fukushima, M., Qi, L. & Yamashita, N., "Regularized Newton methods for convex
minimization problems with singular solutions", *Comput. Optim. Appl.* 28 (2004) 131-147.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import numpy as np

from lesson_code._checks import choice, finite_array, positive_int, positive_number

__all__ = ["ConvergenceWarning", "LinearSVM", "LogisticRegression", "NotFittedError"]

_MU_START = 1.0
"""Width of the Huber smoothing in the first stage of the SVM solver."""

_MU_MIN = 1e-8
"""Smallest smoothing width the SVM solver continues down to."""

_MU_FACTOR = 0.1
"""Each SVM stage uses a smoothing width this many times the previous one."""

_NEWTON_BELOW = 0.5
"""SVM stages with a smoothing width below this use Newton's method instead of Nesterov's."""

_WARM_UP_ITERATIONS = 500
"""Most accelerated-gradient iterations of the first SVM stage. On badly conditioned data a
first-order method would need far more; the Newton stages that follow do not mind."""

_NEWTON_STAGE_STEPS = 100
"""Most Newton steps per SVM smoothing stage (typically 2-30 are needed), so that a stage
which cannot finish, e.g. on degenerate data, does not eat the whole ``max_iter``."""

_UNRESOLVABLE_DECREASE = 1e-12
"""Newton steps predicted to lower the objective by less than this (relative) are taken
without a line search, which could only compare rounding errors."""

_NEWTON_DAMPING = 1e-3
"""Logistic Newton adds c ||grad|| with this c to the intercept's curvature (a
Levenberg-Marquardt damping, as in Li, Fukushima, Qi & Yamashita 2004): it keeps the step in
b finite far from the optimum and vanishes at it, so convergence stays quadratic."""

_ACTIVE_SET_STEPS = 10
"""Most primal-dual active-set steps tried after each SVM smoothing stage."""

_ACTIVE_SET_MARGIN_FACTOR = 2
"""Active-set steps stop when they would put more than this many times (n_features + 1)
samples exactly on the margin. In general position at most n_features + 1 samples sit
there (each one is a linear equation on (w, b)), so a larger guess is wrong (typically the
smoothing is still too coarse) and solving it would be wasted work."""


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (the same class hierarchy as scikit-learn's)."""


class ConvergenceWarning(UserWarning):
    """Issued when ``fit`` stops at ``max_iter`` before reaching its tolerance."""


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------


def _check_X(X: object) -> np.ndarray:
    X = finite_array(X, "X", ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
    return X


def _check_labels(y: object, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (classes, signs): the two sorted labels and y coded as -1.0 / +1.0."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional (one label per row of X), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"y must have one label per row of X: X has {n_samples} rows, y has {y.shape[0]} labels")
    if np.issubdtype(y.dtype, np.number) and not np.all(np.isfinite(y)):
        raise ValueError("y must not contain NaN or inf labels")
    try:
        classes = np.unique(y)
    except TypeError as error:
        raise TypeError("y must hold labels that can be sorted (all numbers or all strings)") from error
    if classes.shape[0] != 2:
        shown = classes[:5].tolist()
        raise ValueError(
            "y must contain exactly two distinct labels (these are binary classifiers), "
            f"got {classes.shape[0]}: {shown}{' ...' if classes.shape[0] > 5 else ''}"
        )
    return classes, np.where(y == classes[1], 1.0, -1.0)


def _initial_point(initial_coef: object, initial_intercept: object, n_features: int) -> np.ndarray:
    """Return the starting point theta = (w, b) as one float array of length n_features + 1."""
    if initial_coef is None:
        coef = np.zeros(n_features)
    else:
        coef = finite_array(initial_coef, "initial_coef", ndim=1)
        if coef.shape[0] != n_features:
            raise ValueError(f"initial_coef must have one entry per feature ({n_features}), got {coef.shape[0]}")
    intercept = finite_array(initial_intercept, "initial_intercept", ndim=0)
    return np.append(coef, float(intercept))


def _augment(X: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Rows s_i (x_i, 1), so that the margins are ``_augment(X, s) @ (w, b)``."""
    return np.column_stack([X, np.ones(X.shape[0])]) * signs[:, None]


def _to_centred(theta: np.ndarray, center: np.ndarray) -> np.ndarray:
    """(w, b) for features x  ->  (w, b + w . center) for features x - center."""
    return np.append(theta[:-1], theta[-1] + theta[:-1] @ center)


def _from_centred(theta: np.ndarray, center: np.ndarray) -> np.ndarray:
    """(w, b) for features x - center  ->  (w, b - w . center) for features x."""
    return np.append(theta[:-1], theta[-1] - theta[:-1] @ center)


def _solve_newton(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Newton direction -H^{-1} g; least squares if H is singular, -g if that is no descent."""
    try:
        direction = -np.linalg.solve(hessian, gradient)
    except np.linalg.LinAlgError:
        direction = -np.linalg.lstsq(hessian, gradient, rcond=None)[0]
    if not np.all(np.isfinite(direction)) or gradient @ direction >= 0.0:
        direction = -gradient
    return direction


def _backtrack(
    objective: Callable[[np.ndarray], float], theta: np.ndarray, direction: np.ndarray, value: float, slope: float
) -> tuple[np.ndarray, float, float] | None:
    """Armijo backtracking along ``direction`` (slope = grad . direction < 0).

    Returns (new point, its objective, step length), or None if no step decreases enough.

    When the predicted decrease is below what float64 can resolve in ``value``, the
    comparison would only test rounding noise, so the full (Newton) step is taken.
    """
    if -slope <= _UNRESOLVABLE_DECREASE * (1.0 + abs(value)):
        candidate = theta + direction
        return candidate, objective(candidate), 1.0
    step = 1.0
    for _ in range(60):
        candidate = theta + step * direction
        candidate_value = objective(candidate)
        if candidate_value <= value + 1e-4 * step * slope:
            return candidate, candidate_value, step
        step *= 0.5
    return None


def _ridge_mask(n_features: int) -> np.ndarray:
    """1 for the coefficients, 0 for the (unregularised) intercept."""
    mask = np.ones(n_features + 1)
    mask[-1] = 0.0
    return mask


# --------------------------------------------------------------------------------------
# Shared estimator behaviour
# --------------------------------------------------------------------------------------


class _LinearBinaryClassifier:
    """Decision function w . x + b, labels from ``classes_``, regularised objective."""

    def __init__(self, lam: float, max_iter: int, tol: float) -> None:
        positive_number(lam, "lam")
        positive_int(max_iter, "max_iter")
        positive_number(tol, "tol")
        self.lam = lam
        self.max_iter = max_iter
        self.tol = tol

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lam={self.lam!r}, max_iter={self.max_iter!r}, tol={self.tol!r})"

    # subclasses implement the per-sample loss of the margin
    @staticmethod
    def _loss(margins: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self) -> tuple[float, int, float]:
        return (
            positive_number(self.lam, "lam"),
            positive_int(self.max_iter, "max_iter"),
            positive_number(self.tol, "tol"),
        )

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. "
                "Call 'fit' with appropriate arguments before using this estimator."
            )

    def _check_X_fitted(self, X: object) -> np.ndarray:
        self._check_is_fitted()
        X = _check_X(X)
        if X.shape[1] != self.coef_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with {self.coef_.shape[0]} features"
            )
        return X

    def _signs_for(self, y: object, n_samples: int) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != n_samples:
            raise ValueError(f"y must be 1-dimensional with one label per row of X ({n_samples}), got shape {y.shape}")
        unknown = ~np.isin(y, self.classes_)
        if np.any(unknown):
            raise ValueError(
                f"y contains labels not seen in fit: {np.unique(y[unknown])[:5].tolist()}; "
                f"classes_ is {self.classes_.tolist()}"
            )
        return np.where(y == self.classes_[1], 1.0, -1.0)

    def _set_fitted(self, theta: np.ndarray, classes: np.ndarray) -> None:
        self.coef_ = theta[:-1].copy()
        self.intercept_ = float(theta[-1])
        self.classes_ = classes

    def decision_function(self, X: object) -> np.ndarray:
        """Return the scores w . x_i + b, shape (n_samples,); > 0 means ``classes_[1]``."""
        X = self._check_X_fitted(X)
        return X @ self.coef_ + self.intercept_

    def predict(self, X: object) -> np.ndarray:
        """Return ``classes_[1]`` where the score is > 0 and ``classes_[0]`` elsewhere."""
        scores = self.decision_function(X)  # checks that the model is fitted
        return self.classes_[(scores > 0).astype(int)]

    def score(self, X: object, y: object) -> float:
        """Return the accuracy of ``predict(X)`` against ``y``."""
        predicted = self.predict(X)
        self._signs_for(y, predicted.shape[0])
        return float(np.mean(predicted == np.asarray(y)))

    def objective(self, X: object, y: object) -> float:
        """Return F(coef_, intercept_) on (X, y): ``lam/2 ||w||^2 + mean_i loss(m_i)``."""
        X = self._check_X_fitted(X)
        signs = self._signs_for(y, X.shape[0])
        margins = signs * (X @ self.coef_ + self.intercept_)
        lam = positive_number(self.lam, "lam")
        return float(0.5 * lam * self.coef_ @ self.coef_ + np.mean(self._loss(margins)))


# --------------------------------------------------------------------------------------
# Linear SVM
# --------------------------------------------------------------------------------------


def _hinge(margins: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - margins)


def _svm_primal(theta: np.ndarray, margins: np.ndarray, lam: float) -> float:
    w = theta[:-1]
    return float(0.5 * lam * w @ w + np.mean(_hinge(margins)))


def _svm_dual(alpha: np.ndarray, X: np.ndarray, signs: np.ndarray, lam: float) -> float:
    """D(alpha) = sum_i alpha_i - ||sum_i alpha_i s_i x_i||^2 / (2 lam), for feasible alpha."""
    v = X.T @ (alpha * signs)
    return float(np.sum(alpha) - v @ v / (2.0 * lam))


def _project_dual(alpha: np.ndarray, signs: np.ndarray, upper: float) -> np.ndarray:
    """Euclidean projection onto {0 <= alpha_i <= upper, sum_i alpha_i s_i = 0}.

    The projection is clip(alpha - t s, 0, upper) for the t at which the equality holds;
    sum_i s_i clip(alpha_i - t s_i, 0, upper) decreases in t, so t is found by bisection.
    """
    lo = -(upper + np.max(np.abs(alpha)))
    hi = -lo
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if signs @ np.clip(alpha - mid * signs, 0.0, upper) > 0.0:
            lo = mid
        else:
            hi = mid
    candidates = [np.clip(alpha - t * signs, 0.0, upper) for t in (lo, hi)]
    return min(candidates, key=lambda a: abs(signs @ a))


def _best_intercept(scores: np.ndarray, signs: np.ndarray, hint: float) -> float:
    """Exactly minimise b -> mean_i max(0, 1 - s_i (scores_i + b)), staying near ``hint``.

    The sample-i term has its kink at b_i = s_i - scores_i and the slope of the sum rises by
    1/n at each kink, from -n_plus/n far left. So the minimisers are the interval between the
    n_plus-th and (n_plus + 1)-th smallest kinks; return ``hint`` clipped into it.
    """
    kinks = np.sort(signs - scores)
    n_plus = int(np.count_nonzero(signs > 0))
    return float(np.clip(hint, kinks[n_plus - 1], kinks[n_plus]))


def _svm_polish(
    X: np.ndarray, signs: np.ndarray, lam: float, on_margin: np.ndarray, violated: np.ndarray, b_hint: float
) -> tuple[np.ndarray, np.ndarray]:
    """Solve the KKT conditions given a guess of which samples sit on the margin.

    With alpha_i = 1/n on ``violated``, alpha_i = 0 off the margin and gamma_j = -alpha_j s_j
    unknown on the margin set S, the conditions lam w = sum_i alpha_i s_i x_i,
    sum_i alpha_i s_i = 0 and m_j = 1 (that is, w . x_j + b = s_j) on S form the symmetric
    saddle-point system

        [ lam I   0   X_S^T ] [ w     ]   [ g   ]     g   = (1/n) sum_{violated} s_i x_i
        [ 0       0   1^T   ] [ b     ] = [ g_0 ]     g_0 = (1/n) sum_{violated} s_i
        [ X_S     1   0     ] [ gamma ]   [ s_S ]

    (no division by lam, which keeps it well conditioned when lam is tiny). Returns
    theta = (w, b) and the (not necessarily feasible) alpha.
    """
    n, d = X.shape
    alpha = np.where(violated, 1.0 / n, 0.0)
    g = X[violated].T @ signs[violated] / n
    k = int(np.count_nonzero(on_margin))
    if k == 0:
        w = g / lam
        return np.append(w, _best_intercept(X @ w, signs, b_hint)), alpha
    XS = X[on_margin]
    system = np.zeros((d + 1 + k, d + 1 + k))
    system[:d, :d] = lam * np.eye(d)
    system[:d, d + 1 :] = XS.T
    system[d, d + 1 :] = 1.0
    system[d + 1 :, :d] = XS
    system[d + 1 :, d] = 1.0
    rhs = np.concatenate([g, [np.sum(signs[violated]) / n], signs[on_margin]])
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:  # e.g. repeated samples on the margin
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    alpha[on_margin] = -solution[d + 1 :] * signs[on_margin]
    return solution[: d + 1], alpha


def _svm_active_set(
    X: np.ndarray, signs: np.ndarray, lam: float, theta: np.ndarray, alpha: np.ndarray, max_steps: int, max_free: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Primal-dual active-set iterations (a semismooth Newton method) for the SVM's KKT system.

    Each step sorts the samples by q_i = n alpha_i + 1 - m_i: q_i > 1 are taken as margin
    violators (alpha_i = 1/n), q_i < 0 as outside the margin (alpha_i = 0) and the rest as
    sitting exactly on it (m_i = 1); then ``_svm_polish`` solves the KKT equations for that
    guess. A KKT point is a fixed point of this map. Yields each (theta, alpha); stops when
    a guess repeats or puts more than ``max_free`` samples on the margin.
    """
    n = X.shape[0]
    seen: set[bytes] = set()
    for _ in range(max_steps):
        q = n * alpha + 1.0 - signs * (X @ theta[:-1] + theta[-1])
        violated, outside = q > 1.0, q < 0.0
        if X.shape[0] - np.count_nonzero(violated) - np.count_nonzero(outside) > max_free:
            return
        key = np.packbits(np.concatenate([violated, outside])).tobytes()
        if key in seen:
            return
        seen.add(key)
        theta, alpha = _svm_polish(X, signs, lam, ~violated & ~outside, violated, theta[-1])
        yield theta, alpha


class _Certificate:
    """The best primal point and the best dual-feasible point seen so far, and their gap.

    Every primal candidate gets its exactly optimal intercept; every dual candidate is
    projected onto the dual feasible set and also mapped to the primal point
    w = X^T (alpha * s) / lam.
    """

    def __init__(self, X: np.ndarray, signs: np.ndarray, lam: float) -> None:
        self.X, self.signs, self.lam = X, signs, lam
        self.theta = np.zeros(X.shape[1] + 1)
        self.primal = np.inf
        self.alpha = np.zeros(X.shape[0])  # feasible, with D = 0
        self.dual = 0.0

    @property
    def gap(self) -> float:
        return self.primal - self.dual

    def consider_primal(self, theta: np.ndarray) -> None:
        theta = theta.copy()
        scores = self.X @ theta[:-1]
        theta[-1] = _best_intercept(scores, self.signs, theta[-1])
        value = _svm_primal(theta, self.signs * (scores + theta[-1]), self.lam)
        if value < self.primal:
            self.theta, self.primal = theta, value

    def consider_dual(self, alpha: np.ndarray) -> None:
        n = self.X.shape[0]
        alpha = _project_dual(alpha, self.signs, 1.0 / n)
        value = _svm_dual(alpha, self.X, self.signs, self.lam)
        if value > self.dual:
            self.alpha, self.dual = alpha, value
        self.consider_primal(np.append(self.X.T @ (alpha * self.signs) / self.lam, self.theta[-1]))


class LinearSVM(_LinearBinaryClassifier):
    r"""Soft-margin linear support vector machine, solved to a certified optimum.

    Minimises, over w in R^d and an unregularised intercept b,

        F(w, b) = lam/2 ||w||^2 + (1/n) sum_i max(0, 1 - s_i (w . x_i + b)),

    with labels coded s_i = +1 for ``classes_[1]`` and -1 for ``classes_[0]`` (Cortes &
    Vapnik 1995, with C = 1 / (n lam)). F is convex and strongly convex in w, so the optimal
    w is unique, whatever the starting point. The optimal b is unique too except in
    degenerate cases where F(w*, .) is flat on an interval; then every b in it is optimal,
    and ``fit`` returns the one nearest to where the optimiser arrived.

    **Dual.** Write the hinge with slacks xi_i >= 0, xi_i >= 1 - s_i (w . x_i + b) and
    multipliers alpha_i >= 0, eta_i >= 0 (Boyd & Vandenberghe 2004, ch. 5). The Lagrangian
    lam/2 ||w||^2 + (1/n) sum xi_i + sum alpha_i (1 - s_i (w . x_i + b) - xi_i) - sum eta_i xi_i
    is minimised over w at lam w = sum_i alpha_i s_i x_i, is bounded below in b only if
    sum_i alpha_i s_i = 0, and in xi only if alpha_i + eta_i = 1/n. So the dual is

        maximise  D(alpha) = sum_i alpha_i - 1/(2 lam) || sum_i alpha_i s_i x_i ||^2
        subject to 0 <= alpha_i <= 1/n  and  sum_i alpha_i s_i = 0,

    and F(w, b) >= D(alpha) for every (w, b) and every feasible alpha (weak duality), with
    equality at the optimum (the constraints are affine, so strong duality holds). The
    duality gap F(w, b) - D(alpha) >= F(w, b) - F* therefore *certifies* how far the returned
    (w, b) can be from optimal. At the optimum, alpha_i = 1/n where m_i < 1, alpha_i = 0
    where m_i > 1, and 0 <= alpha_i <= 1/n where m_i = 1 (the margin support vectors).

    **Method** (details in the module docstring). Continuation on the Huber-smoothed hinge
    h_mu, mu = 1, 0.1, ..., 1e-8: Nesterov's accelerated gradient for mu = 1, Newton's method
    for the smaller widths. After each stage two kinds of candidates are checked:

    * the smoothed problem's own dual point alpha_i = clip((1 - m_i) / mu, 0, 1) / n,
      projected onto the dual feasible set, with the primal point w = X^T (alpha s) / lam it
      induces;
    * primal-dual active-set steps: guess which samples violate the margin
      (alpha_i = 1/n), lie beyond it (alpha_i = 0) or sit exactly on it (m_i = 1), solve the
      resulting linear KKT system, re-guess from the solution.

    Every primal candidate also gets its exactly optimal intercept (F is piecewise linear in
    b, with kinks at b = s_i - w . x_i). ``fit`` stops when the best primal value minus the
    best dual value is at most ``tol * F``, or after ``max_iter`` iterations or the last
    stage (with a :class:`ConvergenceWarning`). Fitting 500 samples x 10 features takes
    about 10-100 ms.

    Parameters
    ----------
    lam : float, default 1e-2
        Strength lam > 0 of the ridge penalty lam/2 ||w||^2.
    max_iter : int, default 10_000
        Largest number of gradient and Newton iterations, all stages together. (Each stage
        also has its own cap, 500 gradient or 100 Newton iterations, so a fit takes at most
        1300; typical fits need 30-500.)
    tol : float, default 1e-9
        Stop once the duality gap is at most ``tol`` times the primal objective.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights w.
    intercept_ : float
        The intercept b.
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``, sorted; ``classes_[1]`` is the positive class.
    n_iter_ : int
        Gradient plus Newton iterations used (the active-set solves are not counted).
    objective_ : float
        F(coef_, intercept_) on the training data.
    dual_objective_ : float
        D(alpha_), a lower bound on the optimal value F*.
    duality_gap_ : float
        ``objective_ - dual_objective_``, which is >= F(coef_, intercept_) - F* >= 0 (up to
        rounding, so it can come out as -1e-16).
    alpha_ : ndarray of shape (n_samples,)
        The dual-feasible point behind ``dual_objective_``.
    objective_history_ : ndarray
        F (the true, unsmoothed objective) at the start and after every gradient or Newton
        iteration; the last entry is ``objective_``. It need not decrease monotonically:
        the iterations minimise the *smoothed* objective.

    Examples
    --------
    Five starting points far apart reach the same optimum, and the duality gap proves it:

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = np.where(X @ [1.0, -2.0, 0.5] + rng.normal(size=200) > 0, "yes", "no")
    >>> for seed in range(5):
    ...     start = np.random.default_rng(seed).normal(scale=10.0, size=3)
    ...     svm = LinearSVM(lam=0.01).fit(X, y, initial_coef=start)
    ...     print(f"F(start) = {svm.objective_history_[0]:5.2f} -> F = {svm.objective_:.10f}")
    F(start) =  2.17 -> F = 0.3323364737
    F(start) =  6.71 -> F = 0.3323364737
    F(start) =  1.60 -> F = 0.3323364737
    F(start) =  7.03 -> F = 0.3323364737
    F(start) =  8.82 -> F = 0.3323364737
    >>> bool(svm.duality_gap_ <= 1e-9 * svm.objective_)
    True
    >>> svm.classes_.tolist(), svm.predict(X[:4]).tolist()
    (['no', 'yes'], ['yes', 'yes', 'no', 'no'])
    """

    def __init__(self, lam: float = 1e-2, *, max_iter: int = 10_000, tol: float = 1e-9) -> None:
        super().__init__(lam, max_iter, tol)

    @staticmethod
    def _loss(margins: np.ndarray) -> np.ndarray:
        return _hinge(margins)

    def fit(
        self,
        X: object,
        y: object,
        *,
        initial_coef: object = None,
        initial_intercept: float = 0.0,
    ) -> LinearSVM:
        """Minimise F(w, b) on (X, y), starting from (initial_coef, initial_intercept).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite feature matrix.
        y : array-like of shape (n_samples,)
            Labels, exactly two distinct values.
        initial_coef : array-like of shape (n_features,), optional
            Starting weights; zeros if omitted.
        initial_intercept : float, default 0.0
            Starting intercept.

        Returns
        -------
        LinearSVM
            ``self``, fitted.
        """
        lam, max_iter, tol = self._check_params()
        X = _check_X(X)
        classes, signs = _check_labels(y, X.shape[0])
        n, d = X.shape
        # Work with centred features: w . x + b = w . (x - center) + (b + w . center) and b is
        # not penalised, so this is an exact change of variables (the objective, and the
        # dual, are unchanged) that makes Newton's systems well conditioned when features
        # have large means.
        center = X.mean(axis=0)
        X_centred = X - center
        theta = _to_centred(_initial_point(initial_coef, initial_intercept, d), center)
        rows = _augment(X_centred, signs)
        mask = _ridge_mask(d)
        data_curvature = np.linalg.norm(rows, 2) ** 2 / n
        row_norm = float(np.max(np.linalg.norm(rows, axis=1)))

        history = [_svm_primal(theta, rows @ theta, lam)]
        best = _Certificate(X_centred, signs, lam)
        best.consider_primal(theta)
        mu, n_iter = _MU_START, 0
        while True:
            if mu >= _NEWTON_BELOW:
                # stop where the smoothing zone roughly says which samples are on the margin
                target = 0.1 * mu * lam / row_norm
                budget = min(_WARM_UP_ITERATIONS, max_iter - n_iter)
                theta, used = self._accelerated_stage(
                    rows, theta, lam, mu, lam + data_curvature / mu, target, budget, history, mask
                )
            else:
                budget = min(_NEWTON_STAGE_STEPS, max_iter - n_iter)
                theta, used = self._newton_stage(rows, theta, lam, mu, budget, history, mask)
            n_iter += used
            alpha = np.clip((1.0 - rows @ theta) / mu, 0.0, 1.0) / n  # the smoothed problem's dual
            best.consider_primal(theta)
            best.consider_dual(alpha)
            max_free = _ACTIVE_SET_MARGIN_FACTOR * (d + 1)
            for point, multipliers in _svm_active_set(
                X_centred, signs, lam, theta, alpha, _ACTIVE_SET_STEPS, max_free
            ):
                best.consider_primal(point)
                best.consider_dual(multipliers)
                if best.gap <= tol * best.primal:
                    break
            if best.gap <= tol * best.primal or n_iter >= max_iter or mu <= _MU_MIN:
                break
            theta = best.theta
            mu = max(mu * _MU_FACTOR, _MU_MIN)

        self._set_fitted(_from_centred(best.theta, center), classes)
        primal = self.objective(X, y)  # the same value as best.primal, up to rounding
        gap = primal - best.dual
        if gap > tol * primal:
            reason = f"max_iter={max_iter}" if n_iter >= max_iter else f"the smallest smoothing width {_MU_MIN:g}"
            warnings.warn(
                f"LinearSVM stopped at {reason} with relative duality gap {gap / primal:.2e} > tol={tol:g}",
                ConvergenceWarning,
                stacklevel=2,
            )
        history.append(primal)
        self.n_iter_ = n_iter
        self.objective_ = primal
        self.dual_objective_ = best.dual
        self.duality_gap_ = gap
        self.alpha_ = best.alpha
        self.objective_history_ = np.asarray(history)
        return self

    @staticmethod
    def _newton_stage(
        rows: np.ndarray,
        theta: np.ndarray,
        lam: float,
        mu: float,
        budget: int,
        history: list[float],
        mask: np.ndarray,
    ) -> tuple[np.ndarray, int]:
        """Newton's method with backtracking on the mu-smoothed objective.

        The smoothed objective is piecewise quadratic: its Hessian is
        lam diag(1, ..., 1, 0) + (1 / (n mu)) sum over the smoothing zone of a_i a_i^T
        (a_i = s_i (x_i, 1)). Once the zone stops changing, a full Newton step lands on the
        exact minimiser, so the stage ends when a full step leaves the zone as it was.
        """
        n = rows.shape[0]

        def smoothed(point: np.ndarray) -> float:
            gap = np.maximum(1.0 - rows @ point, 0.0)
            huber = np.where(gap < mu, gap * gap / (2.0 * mu), gap - 0.5 * mu)
            return float(0.5 * lam * point[:-1] @ point[:-1] + np.mean(huber))

        margins = rows @ theta
        value = smoothed(theta)
        for used in range(budget):
            slack = 1.0 - margins
            zone = (slack > 0.0) & (slack < mu)
            gradient = lam * mask * theta - rows.T @ np.clip(slack / mu, 0.0, 1.0) / n
            hessian = np.diag(lam * mask) + rows[zone].T @ rows[zone] / (n * mu)
            if not np.any(zone):
                # b has no curvature then (the objective is linear in b near theta):
                # give it the curvature one sample in the zone would have
                hessian[-1, -1] += 1.0 / (n * mu)
            direction = _solve_newton(hessian, gradient)
            slope = gradient @ direction
            if slope >= 0.0:  # gradient is zero to rounding
                return theta, used
            accepted = _backtrack(smoothed, theta, direction, value, slope)
            if accepted is None:
                return theta, used  # no decrease representable in float64
            theta, value, step = accepted
            margins = rows @ theta
            history.append(_svm_primal(theta, margins, lam))
            new_slack = 1.0 - margins
            if step == 1.0 and np.array_equal(zone, (new_slack > 0.0) & (new_slack < mu)):
                return theta, used + 1
        return theta, budget

    @staticmethod
    def _accelerated_stage(
        rows: np.ndarray,
        theta: np.ndarray,
        lam: float,
        mu: float,
        lipschitz: float,
        target: float,
        budget: int,
        history: list[float],
        mask: np.ndarray,
    ) -> tuple[np.ndarray, int]:
        """Nesterov's method with gradient restart on the mu-smoothed objective.

        Runs until the gradient norm is at most ``target`` or ``budget`` iterations are used;
        appends the true objective after each iteration to ``history``.
        """
        n = rows.shape[0]
        step = 1.0 / lipschitz
        x, margins_x = theta, rows @ theta
        point, margins_point = x, margins_x
        t = 1.0
        for used in range(budget):
            slopes = np.clip((1.0 - margins_point) / mu, 0.0, 1.0)
            gradient = lam * mask * point - rows.T @ slopes / n
            if np.linalg.norm(gradient) <= target:
                return point, used
            x_new = point - step * gradient
            margins_new = rows @ x_new
            history.append(_svm_primal(x_new, margins_new, lam))
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            if gradient @ (x_new - x) > 0.0:  # momentum points uphill: restart
                t_new = 1.0
                point, margins_point = x_new, margins_new
            else:
                momentum = (t - 1.0) / t_new
                point = x_new + momentum * (x_new - x)
                margins_point = margins_new + momentum * (margins_new - margins_x)
            x, margins_x, t = x_new, margins_new, t_new
        return x, budget


# --------------------------------------------------------------------------------------
# Logistic regression
# --------------------------------------------------------------------------------------


def _logistic_loss(margins: np.ndarray) -> np.ndarray:
    """log(1 + exp(-m)) without overflow."""
    return np.logaddexp(0.0, -margins)


def _sigmoid_of_minus(margins: np.ndarray) -> np.ndarray:
    """sigma(-m) = 1 / (1 + exp(m)), accurate in both tails."""
    return np.exp(-np.logaddexp(0.0, margins))


class LogisticRegression(_LinearBinaryClassifier):
    r"""L2-regularised logistic regression with an unregularised intercept.

    Minimises

        F(w, b) = lam/2 ||w||^2 + (1/n) sum_i log(1 + exp(-s_i (w . x_i + b))),

    with s_i = +1 for ``classes_[1]`` and -1 for ``classes_[0]``, so that
    sigma(w . x + b) is the model's probability of ``classes_[1]``. F is smooth, convex and
    strongly convex in w. As long as both classes occur, F also grows without bound as
    |b| -> infinity (some sample's loss does), so the minimiser exists and is unique *even
    when the classes are linearly separable*: lam > 0 keeps ||w||^2 <= 2 log(2) / lam,
    and then b stays finite too. (Without the penalty, separable data send ||w|| to
    infinity.)

    Gradient: lam (w, 0) - (1/n) sum_i sigma(-m_i) s_i (x_i, 1). Hessian:
    lam diag(1, ..., 1, 0) + (1/n) sum_i sigma(m_i) sigma(-m_i) (x_i, 1)(x_i, 1)^T.

    **Methods** (both on centred features, an exact change of variables; see the module
    docstring). ``solver="newton"``: Newton's method with Armijo backtracking (Boyd &
    Vandenberghe 2004, sec. 9.5), which converges quadratically near the optimum. Two
    safeguards matter only far from it, e.g. after a start with huge coefficients: the
    intercept's curvature gets a damping 1e-3 ||grad F|| that vanishes at the optimum (it
    underflows to 0 when every sample is saturated), and when the line search has to shorten
    the step, the best rescaling c (w, b), c = 2^-k, is taken instead if it is lower (the
    saturated loss is nearly positively homogeneous). About 5-15 iterations.
    ``solver="gradient"``: Nesterov's accelerated gradient with adaptive restart and step
    1/L, L = lam + ||[X - mean, 1]||_2^2 / (4 n); hundreds to thousands of iterations,
    more when lam is small or features are badly scaled. Both stop once ||grad F|| <= ``tol``
    or after ``max_iter`` iterations (with a :class:`ConvergenceWarning`).

    Parameters
    ----------
    lam : float, default 1e-2
        Strength lam > 0 of the ridge penalty lam/2 ||w||^2.
    solver : {"newton", "gradient"}, default "newton"
        Newton's method or accelerated gradient descent.
    max_iter : int, default 10_000
        Largest number of Newton or gradient iterations.
    tol : float, default 1e-10
        Stop once the Euclidean norm of the gradient in (w, b) is at most ``tol``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights w.
    intercept_ : float
        The intercept b.
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``, sorted; ``classes_[1]`` is the positive class.
    n_iter_ : int
        Newton or gradient iterations used.
    objective_ : float
        F(coef_, intercept_) on the training data.
    gradient_norm_ : float
        ||grad F(coef_, intercept_)|| (Euclidean, in (w, b)), the stopping criterion.
    objective_history_ : ndarray
        F at the start and after every iteration; the last entry is ``objective_``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(300, 4))
    >>> y = (X @ [2.0, -1.0, 0.0, 1.0] + rng.normal(size=300) > 0).astype(int)
    >>> for seed in range(3):
    ...     start = np.random.default_rng(seed).normal(scale=10.0, size=4)
    ...     model = LogisticRegression(lam=0.01).fit(X, y, initial_coef=start, initial_intercept=5.0)
    ...     print(f"F(start) = {model.objective_history_[0]:5.2f} -> F = {model.objective_:.9f}"
    ...           f" after {model.n_iter_} Newton steps")
    F(start) =  3.05 -> F = 0.358551589 after 7 Newton steps
    F(start) = 10.34 -> F = 0.358551589 after 7 Newton steps
    F(start) = 15.75 -> F = 0.358551589 after 7 Newton steps
    >>> bool(model.gradient_norm_ <= 1e-10)
    True
    >>> print(model.predict_proba(X[:2]).round(3), y[:2])
    [[0.863 0.137]
     [0.116 0.884]] [0 1]
    """

    def __init__(
        self,
        lam: float = 1e-2,
        *,
        solver: str = "newton",
        max_iter: int = 10_000,
        tol: float = 1e-10,
    ) -> None:
        super().__init__(lam, max_iter, tol)
        choice(solver, "solver", ["newton", "gradient"])
        self.solver = solver

    def __repr__(self) -> str:
        return (
            f"LogisticRegression(lam={self.lam!r}, solver={self.solver!r}, "
            f"max_iter={self.max_iter!r}, tol={self.tol!r})"
        )

    @staticmethod
    def _loss(margins: np.ndarray) -> np.ndarray:
        return _logistic_loss(margins)

    def predict_proba(self, X: object) -> np.ndarray:
        """Return [P(classes_[0]), P(classes_[1])] per row, shape (n_samples, 2)."""
        scores = self.decision_function(X)
        positive = _sigmoid_of_minus(-scores)
        return np.column_stack([_sigmoid_of_minus(scores), positive])

    def fit(
        self,
        X: object,
        y: object,
        *,
        initial_coef: object = None,
        initial_intercept: float = 0.0,
    ) -> LogisticRegression:
        """Minimise F(w, b) on (X, y), starting from (initial_coef, initial_intercept).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite feature matrix.
        y : array-like of shape (n_samples,)
            Labels, exactly two distinct values.
        initial_coef : array-like of shape (n_features,), optional
            Starting weights; zeros if omitted.
        initial_intercept : float, default 0.0
            Starting intercept.

        Returns
        -------
        LogisticRegression
            ``self``, fitted.
        """
        lam, max_iter, tol = self._check_params()
        solver = choice(self.solver, "solver", ["newton", "gradient"])
        X = _check_X(X)
        classes, signs = _check_labels(y, X.shape[0])
        # centred features: an exact change of variables (see LinearSVM.fit) that helps both solvers
        center = X.mean(axis=0)
        theta = _to_centred(_initial_point(initial_coef, initial_intercept, X.shape[1]), center)
        rows = _augment(X - center, signs)
        mask = _ridge_mask(X.shape[1])
        run = self._newton if solver == "newton" else self._accelerated
        theta, n_iter, history = run(rows, theta, lam, mask, center, max_iter, tol)
        gradient_norm = _gradient_norm(_logistic_gradient(rows, theta, lam, mask), center)
        if gradient_norm > tol:
            warnings.warn(
                f"LogisticRegression stopped after {n_iter} iterations with gradient norm "
                f"{gradient_norm:.2e} > tol={tol:g}",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_fitted(_from_centred(theta, center), classes)
        self.n_iter_ = n_iter
        self.objective_ = self.objective(X, y)
        history[-1] = self.objective_
        self.gradient_norm_ = gradient_norm
        self.objective_history_ = np.asarray(history)
        return self

    @staticmethod
    def _newton(
        rows: np.ndarray,
        theta: np.ndarray,
        lam: float,
        mask: np.ndarray,
        center: np.ndarray,
        max_iter: int,
        tol: float,
    ) -> tuple[np.ndarray, int, list[float]]:
        n = rows.shape[0]

        def objective(point: np.ndarray) -> float:
            return _logistic_objective(rows, point, lam)

        value = objective(theta)
        history = [value]
        for iteration in range(max_iter):
            margins = rows @ theta
            gradient = lam * mask * theta - rows.T @ _sigmoid_of_minus(margins) / n
            if _gradient_norm(gradient, center) <= tol:
                return theta, iteration, history
            curvature = np.exp(-np.logaddexp(0.0, margins) - np.logaddexp(0.0, -margins))  # sigma(m) sigma(-m)
            hessian = (rows.T * curvature) @ rows / n + np.diag(lam * mask)
            # damping of the intercept's curvature that vanishes at the optimum: far from it,
            # when every sample is far from the boundary, the curvature in b underflows towards
            # 0 (w always has at least lam) and the undamped step in b would be astronomical
            hessian[-1, -1] += _NEWTON_DAMPING * np.linalg.norm(gradient)
            direction = _solve_newton(hessian, gradient)
            accepted = _backtrack(objective, theta, direction, value, gradient @ direction)
            if accepted is None or accepted[2] < 1.0:
                # Far from the optimum, where most samples are saturated, the loss is nearly
                # linear and positively homogeneous in theta, a Newton model fits it badly,
                # and shrinking theta is often far better: try theta -> c theta.
                shrunk, shrunk_value = _best_shrink(rows, theta, lam, margins)
                if shrunk_value < (value if accepted is None else accepted[1]):
                    accepted = (shrunk, shrunk_value, 0.0)
            if accepted is None:
                return theta, iteration, history  # no decrease representable in float64
            theta, value, _ = accepted
            history.append(value)
        return theta, max_iter, history

    @staticmethod
    def _accelerated(
        rows: np.ndarray,
        theta: np.ndarray,
        lam: float,
        mask: np.ndarray,
        center: np.ndarray,
        max_iter: int,
        tol: float,
    ) -> tuple[np.ndarray, int, list[float]]:
        n = rows.shape[0]
        step = 1.0 / (lam + np.linalg.norm(rows, 2) ** 2 / (4.0 * n))
        history = [_logistic_objective(rows, theta, lam)]
        x = point = theta
        t = 1.0
        for iteration in range(max_iter):
            gradient = _logistic_gradient(rows, point, lam, mask)
            if _gradient_norm(gradient, center) <= tol:
                history.append(_logistic_objective(rows, point, lam))
                return point, iteration, history
            x_new = point - step * gradient
            history.append(_logistic_objective(rows, x_new, lam))
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            if gradient @ (x_new - x) > 0.0:
                t_new, point = 1.0, x_new
            else:
                point = x_new + (t - 1.0) / t_new * (x_new - x)
            x, t = x_new, t_new
        return x, max_iter, history


def _logistic_objective(rows: np.ndarray, theta: np.ndarray, lam: float) -> float:
    w = theta[:-1]
    return float(0.5 * lam * w @ w + np.mean(_logistic_loss(rows @ theta)))


def _best_shrink(rows: np.ndarray, theta: np.ndarray, lam: float, margins: np.ndarray) -> tuple[np.ndarray, float]:
    """The best of c theta over c = 2^0, 2^-1, ..., 2^-60 (margins scale with c), and its objective."""
    scales = 0.5 ** np.arange(61)
    w = theta[:-1]
    values = 0.5 * lam * scales**2 * (w @ w) + np.mean(_logistic_loss(np.outer(scales, margins)), axis=1)
    best = int(np.argmin(values))
    return scales[best] * theta, float(values[best])


def _gradient_norm(centred_gradient: np.ndarray, center: np.ndarray) -> float:
    """||grad F|| in the original (w, b) from the gradient in the centred coordinates.

    With b' = b + w . center, dF/dw = dF/dw' + dF/db' * center and dF/db = dF/db'.
    """
    gradient = centred_gradient.copy()
    gradient[:-1] += centred_gradient[-1] * center
    return float(np.linalg.norm(gradient))


def _logistic_gradient(rows: np.ndarray, theta: np.ndarray, lam: float, mask: np.ndarray) -> np.ndarray:
    return lam * mask * theta - rows.T @ _sigmoid_of_minus(rows @ theta) / rows.shape[0]
