"""Convex linear baselines: a soft-margin SVM and L2-regularised logistic regression.

These are the course's control experiment. Both models are *convex* in their parameters, so
every local minimum is a global one and, because the ``lam / 2 * ||w||^2`` term makes the
objective strongly convex in ``w``, there is exactly one optimal weight vector. Fit them from
five different starting points and the final objectives agree to many digits; do the same
with a deep network and they do not.

Both estimators follow scikit-learn's conventions: ``fit(X, y)`` returns the estimator,
learned quantities end in an underscore, and ``predict`` returns labels taken from
``classes_``. ``fit(X, y, *, initial_coef=None, initial_intercept=0.0)`` minimises F from the
start (w, b) = (initial_coef or zeros, initial_intercept); X is a finite (n_samples,
n_features) array, y holds n_samples labels. Both set ``coef_`` (n_features,), ``intercept_``
(float), ``classes_`` (the two labels, sorted), ``n_iter_``, ``objective_`` (F on the training
data) and ``objective_history_`` (F at the start and after every iteration; the last entry is
``objective_``). Bad arguments raise TypeError or ValueError naming them; using a model before
``fit`` raises :class:`NotFittedError`.

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

How each is minimised, and how ``fit`` knows it has reached the optimum, is described in the
private module ``lesson_code._solvers`` that holds the solvers.

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
from typing import NamedTuple, Self

import numpy as np

from lesson_code._checks import choice, finite_array, positive_int, positive_number
from lesson_code._solvers import (
    ACTIVE_SET_MARGIN_FACTOR,
    ACTIVE_SET_STEPS,
    MU_FACTOR,
    MU_MIN,
    MU_START,
    NEWTON_BELOW,
    NEWTON_STAGE_STEPS,
    WARM_UP_ITERATIONS,
    Certificate,
    augment,
    from_centred,
    hinge,
    logistic_accelerated,
    logistic_gradient,
    logistic_loss,
    logistic_newton,
    original_gradient_norm,
    ridge_mask,
    sigmoid_of_minus,
    svm_accelerated_stage,
    svm_active_set,
    svm_newton_stage,
    svm_primal,
    to_centred,
)

__all__ = ["ConvergenceWarning", "LinearSVM", "LogisticRegression", "NotFittedError"]

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


class _Problem(NamedTuple):
    """A checked fit call: the data, the two labels, y coded +-1, the centre of X, the centred start."""

    X: np.ndarray
    y: object
    classes: np.ndarray
    signs: np.ndarray
    center: np.ndarray
    start: np.ndarray


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

    def fit(
        self, X: object, y: object, *, initial_coef: object = None, initial_intercept: float = 0.0
    ) -> Self:
        """Minimise F on (X, y) from (initial_coef, initial_intercept); return ``self``, fitted."""
        params = self._check_params()
        X = _check_X(X)
        classes, signs = _check_labels(y, X.shape[0])
        # Work with centred features: w . x + b = w . (x - center) + (b + w . center) and b is
        # not penalised, so this is an exact change of variables (the objective, and the
        # dual, are unchanged) that makes Newton's systems well conditioned when features
        # have large means.
        center = X.mean(axis=0)
        theta = to_centred(_initial_point(initial_coef, initial_intercept, X.shape[1]), center)
        self._fit_centred(_Problem(X, y, classes, signs, center, theta), *params)
        return self

    # subclasses minimise F from problem.start and set the fitted attributes
    def _fit_centred(self, problem: _Problem, lam: float, max_iter: int, tol: float) -> None:  # pragma: no cover
        raise NotImplementedError

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
    stage (with a :class:`ConvergenceWarning`).

    Parameters
    ----------
    lam : float, default 1e-2
        Strength lam > 0 of the ridge penalty lam/2 ||w||^2.
    max_iter : int, default 10_000
        Largest number of gradient and Newton iterations, all stages together (each stage
        also has its own cap, 500 gradient or 100 Newton iterations).
    tol : float, default 1e-9
        Stop once the duality gap is at most ``tol`` times the primal objective.

    Attributes
    ----------
    n_iter_ : int
        Gradient plus Newton iterations used (the active-set solves are not counted).
    dual_objective_ : float
        D(alpha_), a lower bound on the optimal value F*.
    duality_gap_ : float
        ``objective_ - dual_objective_``, which is >= F(coef_, intercept_) - F* >= 0 (up to
        rounding, so it can come out as -1e-16).
    alpha_ : ndarray of shape (n_samples,)
        The dual-feasible point behind ``dual_objective_``.
    objective_history_ : ndarray
        The true, unsmoothed F, which need not decrease: the iterations minimise the
        *smoothed* objective.

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
        return hinge(margins)

    def _fit_centred(self, problem: _Problem, lam: float, max_iter: int, tol: float) -> None:
        X, y, classes, signs, center, theta = problem
        n, d = X.shape
        X_centred = X - center
        rows = augment(X_centred, signs)
        mask = ridge_mask(d)
        data_curvature = np.linalg.norm(rows, 2) ** 2 / n
        row_norm = float(np.max(np.linalg.norm(rows, axis=1)))

        history = [svm_primal(theta, rows @ theta, lam)]
        best = Certificate(X_centred, signs, lam)
        best.consider_primal(theta)
        mu, n_iter = MU_START, 0
        while True:
            if mu >= NEWTON_BELOW:
                # stop where the smoothing zone roughly says which samples are on the margin
                target = 0.1 * mu * lam / row_norm
                budget = min(WARM_UP_ITERATIONS, max_iter - n_iter)
                theta, used = svm_accelerated_stage(
                    rows, theta, lam, mu, lam + data_curvature / mu, target, budget, history, mask
                )
            else:
                budget = min(NEWTON_STAGE_STEPS, max_iter - n_iter)
                theta, used = svm_newton_stage(rows, theta, lam, mu, budget, history, mask)
            n_iter += used
            alpha = np.clip((1.0 - rows @ theta) / mu, 0.0, 1.0) / n  # the smoothed problem's dual
            best.consider_primal(theta)
            best.consider_dual(alpha)
            max_free = ACTIVE_SET_MARGIN_FACTOR * (d + 1)
            for point, multipliers in svm_active_set(
                X_centred, signs, lam, theta, alpha, ACTIVE_SET_STEPS, max_free
            ):
                best.consider_primal(point)
                best.consider_dual(multipliers)
                if best.gap <= tol * best.primal:
                    break
            if best.gap <= tol * best.primal or n_iter >= max_iter or mu <= MU_MIN:
                break
            theta = best.theta
            mu = max(mu * MU_FACTOR, MU_MIN)

        self._set_fitted(from_centred(best.theta, center), classes)
        primal = self.objective(X, y)  # the same value as best.primal, up to rounding
        gap = primal - best.dual
        if gap > tol * primal:
            reason = f"max_iter={max_iter}" if n_iter >= max_iter else f"the smallest smoothing width {MU_MIN:g}"
            warnings.warn(
                f"LinearSVM stopped at {reason} with relative duality gap {gap / primal:.2e} > tol={tol:g}",
                ConvergenceWarning,
                stacklevel=3,
            )
        history.append(primal)
        self.n_iter_ = n_iter
        self.objective_ = primal
        self.dual_objective_ = best.dual
        self.duality_gap_ = gap
        self.alpha_ = best.alpha
        self.objective_history_ = np.asarray(history)

# --------------------------------------------------------------------------------------
# Logistic regression
# --------------------------------------------------------------------------------------


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
    saturated loss is nearly positively homogeneous). ``solver="gradient"``: Nesterov's
    accelerated gradient with adaptive restart and step 1/L,
    L = lam + ||[X - mean, 1]||_2^2 / (4 n). Both stop once ||grad F|| <= ``tol``
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
    gradient_norm_ : float
        ||grad F(coef_, intercept_)|| (Euclidean, in (w, b)), the stopping criterion.

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
        return logistic_loss(margins)

    def predict_proba(self, X: object) -> np.ndarray:
        """Return [P(classes_[0]), P(classes_[1])] per row, shape (n_samples, 2)."""
        scores = self.decision_function(X)
        positive = sigmoid_of_minus(-scores)
        return np.column_stack([sigmoid_of_minus(scores), positive])

    def _check_params(self) -> tuple[float, int, float]:
        params = super()._check_params()
        choice(self.solver, "solver", ["newton", "gradient"])
        return params

    def _fit_centred(self, problem: _Problem, lam: float, max_iter: int, tol: float) -> None:
        X, y, classes, signs, center, theta = problem
        rows = augment(X - center, signs)
        mask = ridge_mask(X.shape[1])
        run = logistic_newton if self.solver == "newton" else logistic_accelerated
        theta, n_iter, history = run(rows, theta, lam, mask, center, max_iter, tol)
        gradient_norm = original_gradient_norm(logistic_gradient(rows, theta, lam, mask), center)
        if gradient_norm > tol:
            warnings.warn(
                f"LogisticRegression stopped after {n_iter} iterations with gradient norm "
                f"{gradient_norm:.2e} > tol={tol:g}",
                ConvergenceWarning,
                stacklevel=3,
            )
        self._set_fitted(from_centred(theta, center), classes)
        self.n_iter_ = n_iter
        self.objective_ = self.objective(X, y)
        history[-1] = self.objective_
        self.gradient_norm_ = gradient_norm
        self.objective_history_ = np.asarray(history)

