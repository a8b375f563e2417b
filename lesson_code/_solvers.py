"""The numerical solvers behind :mod:`lesson_code.baselines`: the SVM's smoothing continuation
with its duality-gap certificate, and logistic regression's Newton and accelerated methods.

Private: the estimators of ``baselines`` are the interface. Everything here works on centred
features and the augmented rows s_i (x_i, 1), with theta = (w, b) and the intercept unpenalised.

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

The references are listed in :mod:`lesson_code.baselines`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

MU_START = 1.0
"""Width of the Huber smoothing in the first stage of the SVM solver."""

MU_MIN = 1e-8
"""Smallest smoothing width the SVM solver continues down to."""

MU_FACTOR = 0.1
"""Each SVM stage uses a smoothing width this many times the previous one."""

NEWTON_BELOW = 0.5
"""SVM stages with a smoothing width below this use Newton's method instead of Nesterov's."""

WARM_UP_ITERATIONS = 500
"""Most accelerated-gradient iterations of the first SVM stage. On badly conditioned data a
first-order method would need far more; the Newton stages that follow do not mind."""

NEWTON_STAGE_STEPS = 100
"""Most Newton steps per SVM smoothing stage (typically 2-30 are needed), so that a stage
which cannot finish, e.g. on degenerate data, does not eat the whole ``max_iter``."""

UNRESOLVABLE_DECREASE = 1e-12
"""Newton steps predicted to lower the objective by less than this (relative) are taken
without a line search, which could only compare rounding errors."""

NEWTON_DAMPING = 1e-3
"""Logistic Newton adds c ||grad|| with this c to the intercept's curvature (a
Levenberg-Marquardt damping, as in Li, Fukushima, Qi & Yamashita 2004): it keeps the step in
b finite far from the optimum and vanishes at it, so convergence stays quadratic."""

ACTIVE_SET_STEPS = 10
"""Most primal-dual active-set steps tried after each SVM smoothing stage."""

ACTIVE_SET_MARGIN_FACTOR = 2
"""Active-set steps stop when they would put more than this many times (n_features + 1)
samples exactly on the margin. In general position at most n_features + 1 samples sit
there (each one is a linear equation on (w, b)), so a larger guess is wrong (typically the
smoothing is still too coarse) and solving it would be wasted work."""

def augment(X: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Rows s_i (x_i, 1), so that the margins are ``augment(X, s) @ (w, b)``."""
    return np.column_stack([X, np.ones(X.shape[0])]) * signs[:, None]


def to_centred(theta: np.ndarray, center: np.ndarray) -> np.ndarray:
    """(w, b) for features x  ->  (w, b + w . center) for features x - center."""
    return np.append(theta[:-1], theta[-1] + theta[:-1] @ center)


def from_centred(theta: np.ndarray, center: np.ndarray) -> np.ndarray:
    """(w, b) for features x - center  ->  (w, b - w . center) for features x."""
    return np.append(theta[:-1], theta[-1] - theta[:-1] @ center)


def solve_newton(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Newton direction -H^{-1} g; least squares if H is singular, -g if that is no descent."""
    try:
        direction = -np.linalg.solve(hessian, gradient)
    except np.linalg.LinAlgError:
        direction = -np.linalg.lstsq(hessian, gradient, rcond=None)[0]
    if not np.all(np.isfinite(direction)) or gradient @ direction >= 0.0:
        direction = -gradient
    return direction


def backtrack(
    objective: Callable[[np.ndarray], float], theta: np.ndarray, direction: np.ndarray, value: float, slope: float
) -> tuple[np.ndarray, float, float] | None:
    """Armijo backtracking along ``direction`` (slope = grad . direction < 0).

    Returns (new point, its objective, step length), or None if no step decreases enough.

    When the predicted decrease is below what float64 can resolve in ``value``, the
    comparison would only test rounding noise, so the full (Newton) step is taken.
    """
    if -slope <= UNRESOLVABLE_DECREASE * (1.0 + abs(value)):
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

def ridge_mask(n_features: int) -> np.ndarray:
    """1 for the coefficients, 0 for the (unregularised) intercept."""
    mask = np.ones(n_features + 1)
    mask[-1] = 0.0
    return mask


# --------------------------------------------------------------------------------------
# Shared estimator behaviour
# --------------------------------------------------------------------------------------

def hinge(margins: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - margins)


def svm_primal(theta: np.ndarray, margins: np.ndarray, lam: float) -> float:
    w = theta[:-1]
    return float(0.5 * lam * w @ w + np.mean(hinge(margins)))


def svm_dual(alpha: np.ndarray, X: np.ndarray, signs: np.ndarray, lam: float) -> float:
    """D(alpha) = sum_i alpha_i - ||sum_i alpha_i s_i x_i||^2 / (2 lam), for feasible alpha."""
    v = X.T @ (alpha * signs)
    return float(np.sum(alpha) - v @ v / (2.0 * lam))


def project_dual(alpha: np.ndarray, signs: np.ndarray, upper: float) -> np.ndarray:
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


def best_intercept(scores: np.ndarray, signs: np.ndarray, hint: float) -> float:
    """Exactly minimise b -> mean_i max(0, 1 - s_i (scores_i + b)), staying near ``hint``.

    The sample-i term has its kink at b_i = s_i - scores_i and the slope of the sum rises by
    1/n at each kink, from -n_plus/n far left. So the minimisers are the interval between the
    n_plus-th and (n_plus + 1)-th smallest kinks; return ``hint`` clipped into it.
    """
    kinks = np.sort(signs - scores)
    n_plus = int(np.count_nonzero(signs > 0))
    return float(np.clip(hint, kinks[n_plus - 1], kinks[n_plus]))


def svm_polish(
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
        return np.append(w, best_intercept(X @ w, signs, b_hint)), alpha
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


def svm_active_set(
    X: np.ndarray, signs: np.ndarray, lam: float, theta: np.ndarray, alpha: np.ndarray, max_steps: int, max_free: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Primal-dual active-set iterations (a semismooth Newton method) for the SVM's KKT system.

    Each step sorts the samples by q_i = n alpha_i + 1 - m_i: q_i > 1 are taken as margin
    violators (alpha_i = 1/n), q_i < 0 as outside the margin (alpha_i = 0) and the rest as
    sitting exactly on it (m_i = 1); then ``svm_polish`` solves the KKT equations for that
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
        theta, alpha = svm_polish(X, signs, lam, ~violated & ~outside, violated, theta[-1])
        yield theta, alpha


class Certificate:
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
        theta[-1] = best_intercept(scores, self.signs, theta[-1])
        value = svm_primal(theta, self.signs * (scores + theta[-1]), self.lam)
        if value < self.primal:
            self.theta, self.primal = theta, value

    def consider_dual(self, alpha: np.ndarray) -> None:
        n = self.X.shape[0]
        alpha = project_dual(alpha, self.signs, 1.0 / n)
        value = svm_dual(alpha, self.X, self.signs, self.lam)
        if value > self.dual:
            self.alpha, self.dual = alpha, value
        self.consider_primal(np.append(self.X.T @ (alpha * self.signs) / self.lam, self.theta[-1]))


def svm_newton_stage(
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
        direction = solve_newton(hessian, gradient)
        slope = gradient @ direction
        if slope >= 0.0:  # gradient is zero to rounding
            return theta, used
        accepted = backtrack(smoothed, theta, direction, value, slope)
        if accepted is None:
            return theta, used  # no decrease representable in float64
        theta, value, step = accepted
        margins = rows @ theta
        history.append(svm_primal(theta, margins, lam))
        new_slack = 1.0 - margins
        if step == 1.0 and np.array_equal(zone, (new_slack > 0.0) & (new_slack < mu)):
            return theta, used + 1
    return theta, budget

def svm_accelerated_stage(
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
        history.append(svm_primal(x_new, margins_new, lam))
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


def logistic_loss(margins: np.ndarray) -> np.ndarray:
    """log(1 + exp(-m)) without overflow."""
    return np.logaddexp(0.0, -margins)


def sigmoid_of_minus(margins: np.ndarray) -> np.ndarray:
    """sigma(-m) = 1 / (1 + exp(m)), accurate in both tails."""
    return np.exp(-np.logaddexp(0.0, margins))


def logistic_newton(
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
        return logistic_objective(rows, point, lam)

    value = objective(theta)
    history = [value]
    for iteration in range(max_iter):
        margins = rows @ theta
        gradient = logistic_gradient(rows, theta, lam, mask)
        if original_gradient_norm(gradient, center) <= tol:
            return theta, iteration, history
        curvature = np.exp(-np.logaddexp(0.0, margins) - np.logaddexp(0.0, -margins))  # sigma(m) sigma(-m)
        hessian = (rows.T * curvature) @ rows / n + np.diag(lam * mask)
        # damping of the intercept's curvature that vanishes at the optimum: far from it,
        # when every sample is far from the boundary, the curvature in b underflows towards
        # 0 (w always has at least lam) and the undamped step in b would be astronomical
        hessian[-1, -1] += NEWTON_DAMPING * np.linalg.norm(gradient)
        direction = solve_newton(hessian, gradient)
        accepted = backtrack(objective, theta, direction, value, gradient @ direction)
        if accepted is None or accepted[2] < 1.0:
            # Far from the optimum, where most samples are saturated, the loss is nearly
            # linear and positively homogeneous in theta, a Newton model fits it badly,
            # and shrinking theta is often far better: try theta -> c theta.
            shrunk, shrunk_value = best_shrink(rows, theta, lam, margins)
            if shrunk_value < (value if accepted is None else accepted[1]):
                accepted = (shrunk, shrunk_value, 0.0)
        if accepted is None:
            return theta, iteration, history  # no decrease representable in float64
        theta, value, _ = accepted
        history.append(value)
    return theta, max_iter, history


def logistic_accelerated(
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
    history = [logistic_objective(rows, theta, lam)]
    x = point = theta
    t = 1.0
    for iteration in range(max_iter):
        gradient = logistic_gradient(rows, point, lam, mask)
        if original_gradient_norm(gradient, center) <= tol:
            history.append(logistic_objective(rows, point, lam))
            return point, iteration, history
        x_new = point - step * gradient
        history.append(logistic_objective(rows, x_new, lam))
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        if gradient @ (x_new - x) > 0.0:
            t_new, point = 1.0, x_new
        else:
            point = x_new + (t - 1.0) / t_new * (x_new - x)
        x, t = x_new, t_new
    return x, max_iter, history


def logistic_objective(rows: np.ndarray, theta: np.ndarray, lam: float) -> float:
    w = theta[:-1]
    return float(0.5 * lam * w @ w + np.mean(logistic_loss(rows @ theta)))


def best_shrink(rows: np.ndarray, theta: np.ndarray, lam: float, margins: np.ndarray) -> tuple[np.ndarray, float]:
    """The best of c theta over c = 2^0, 2^-1, ..., 2^-60 (margins scale with c), and its objective."""
    scales = 0.5 ** np.arange(61)
    w = theta[:-1]
    values = 0.5 * lam * scales**2 * (w @ w) + np.mean(logistic_loss(np.outer(scales, margins)), axis=1)
    best = int(np.argmin(values))
    return scales[best] * theta, float(values[best])


def original_gradient_norm(centred_gradient: np.ndarray, center: np.ndarray) -> float:
    """||grad F|| in the original (w, b) from the gradient in the centred coordinates.

    With b' = b + w . center, dF/dw = dF/dw' + dF/db' * center and dF/db = dF/db'.
    """
    gradient = centred_gradient.copy()
    gradient[:-1] += centred_gradient[-1] * center
    return float(np.linalg.norm(gradient))


def logistic_gradient(rows: np.ndarray, theta: np.ndarray, lam: float, mask: np.ndarray) -> np.ndarray:
    return lam * mask * theta - rows.T @ sigmoid_of_minus(rows @ theta) / rows.shape[0]
