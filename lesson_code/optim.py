"""Gradient descent with momentum and step clipping, and what theory says about its speed.

The update, with learning rate eta and momentum beta (heavy ball; beta = 0 is plain descent):

    v_{k+1} = beta v_k - eta grad L(x_k),        x_{k+1} = x_k + v_{k+1},        v_0 = 0

On a quadratic L(x) = (x - x*)^T H (x - x*) / 2 whose Hessian H has eigenvalues
0 < mu = lambda_min <= lambda_max = L and condition number kappa = L / mu:

* plain descent converges if and only if 0 < eta < 2 / L;
* the best fixed step, eta = 2 / (L + mu), shrinks the error by (kappa - 1) / (kappa + 1) per
  step, which is close to 1 for an ill-conditioned (narrow-valley) Hessian;
* heavy ball with eta = 4 / (sqrt(L) + sqrt(mu))^2 and beta = ((sqrt(kappa) - 1) / (sqrt(kappa)
  + 1))^2 shrinks it by (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per step, asymptotically.

References: Polyak, "Some methods of speeding up the convergence of iteration methods", USSR
Computational Mathematics and Mathematical Physics 4(5) (1964); Nesterov, *Introductory
Lectures on Convex Optimization*, sec. 2.1 (2004); Goh, "Why Momentum Really Works", Distill
(2017).

Every function below that takes ``hessian`` wants a finite, square, symmetric, positive-definite
array of shape (d, d). Arguments are checked: a wrong type raises TypeError, a bad value
ValueError naming the argument and what it accepts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lesson_code._checks import finite_array, non_negative_number, positive_int, positive_number, symmetric_matrix
from lesson_code.clipping import clip_by_global_norm


def _gradient_at(gradient: Callable[[np.ndarray], np.ndarray], point: np.ndarray) -> np.ndarray:
    # A copy, so that a gradient function that writes into its argument cannot alter the path.
    result = gradient(point.copy())
    try:
        array = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"gradient must return an array of numbers, got {type(result).__name__}"
        ) from error
    if array.shape != point.shape:
        raise ValueError(
            f"gradient must return an array of shape {point.shape}, the shape of start; "
            f"got shape {array.shape}"
        )
    return array


def gradient_descent(
    gradient: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    learning_rate: float,
    n_steps: int,
    *,
    momentum: float = 0.0,
    max_step_norm: float | None = None,
) -> np.ndarray:
    """Run gradient descent, optionally with heavy-ball momentum and a clipped step.

    v_{k+1} = beta v_k + s_k,  x_{k+1} = x_k + v_{k+1},  v_0 = 0, with the gradient step
    s_k = -eta grad L(x_k) rescaled to norm ``max_step_norm`` when longer. Clipping acts on the
    fresh step, before it joins the velocity, as in a training loop.

    Parameters
    ----------
    gradient : callable
        x -> grad L(x), arrays of the shape of ``start`` (e.g. ``Landscape.gradient``).
    start : array_like, shape (d,)
        x_0, finite.
    learning_rate : float
        eta > 0.
    n_steps : int
        Number of updates, >= 1.
    momentum : float, optional
        beta in [0, 1); 0 is plain descent.
    max_step_norm : float or None, optional
        If given (> 0), the longest allowed step eta grad L.

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, d)
        x_0, ..., x_{n_steps}; shorter if the run diverges to a non-finite step or iterate
        (it stops at the last finite iterate, without an overflow warning).

    Examples
    --------
    eta = 0.25 = 2 / lambda_max on x^2 + 4y^2 is the edge of stability: y flips sign forever.

    >>> from lesson_code.landscapes import get_landscape
    >>> bowl = get_landscape("elliptic_bowl")
    >>> path = gradient_descent(bowl.gradient, [1.0, 1.0], learning_rate=0.25, n_steps=3)
    >>> print(path.tolist())
    [[1.0, 1.0], [0.5, -1.0], [0.25, 1.0], [0.125, -1.0]]
    """
    if not callable(gradient):
        raise TypeError(
            f"gradient must be a callable x -> grad L(x), got {type(gradient).__name__}"
        )
    point = finite_array(start, "start", ndim=1)
    if point.size == 0:
        raise ValueError("start must contain at least one coordinate")
    learning_rate = positive_number(learning_rate, "learning_rate")
    n_steps = positive_int(n_steps, "n_steps")
    momentum = non_negative_number(momentum, "momentum")
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if max_step_norm is not None:
        max_step_norm = positive_number(max_step_norm, "max_step_norm")

    path = np.empty((n_steps + 1, point.size))
    path[0] = point
    velocity = np.zeros_like(point)
    # Divergence is one of the things this code is meant to show, so overflow is detected
    # below rather than warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(n_steps):
            step = -learning_rate * _gradient_at(gradient, path[k])
            if not np.all(np.isfinite(step)):
                return path[: k + 1]
            if max_step_norm is not None:
                (step,), _ = clip_by_global_norm([step], max_step_norm)
            velocity = momentum * velocity + step
            following = path[k] + velocity
            if not np.all(np.isfinite(following)):
                return path[: k + 1]
            path[k + 1] = following
    return path


def _extreme_eigenvalues(hessian: object) -> tuple[float, float]:
    """(lambda_min, lambda_max) of a symmetric positive-definite matrix, or raise."""
    eigenvalues = np.linalg.eigvalsh(symmetric_matrix(hessian, "hessian", 1e-12))
    if eigenvalues[0] <= 0:
        raise ValueError(
            "hessian must be positive definite (all eigenvalues > 0), got eigenvalues "
            f"{eigenvalues.tolist()}"
        )
    return float(eigenvalues[0]), float(eigenvalues[-1])


def stable_learning_rate(hessian: np.ndarray) -> float:
    """2 / lambda_max: descent on this quadratic converges for eta below it, diverges above.

    Along an eigenvector the error is multiplied by 1 - eta lambda per step.

    >>> print(stable_learning_rate([[2.0, 0.0], [0.0, 8.0]]))
    0.25
    """
    return 2.0 / _extreme_eigenvalues(hessian)[1]


def optimal_fixed_learning_rate(hessian: np.ndarray) -> float:
    """eta* = 2 / (mu + L), the fastest fixed learning rate on this quadratic.

    It balances the slowest direction (factor 1 - eta mu) against the most oscillating one
    (1 - eta L), so that both shrink by (L - mu) / (L + mu).

    >>> print(optimal_fixed_learning_rate([[2.0, 0.0], [0.0, 8.0]]))
    0.2
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    return 2.0 / (mu + big_l)


def condition_number(hessian: np.ndarray) -> float:
    """kappa = lambda_max / lambda_min >= 1: 1 for a round bowl, large for a narrow valley.

    >>> print(condition_number([[2.0, 0.0], [0.0, 8.0]]))
    4.0
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    return big_l / mu


def gradient_descent_rate(hessian: np.ndarray) -> float:
    """r = (kappa - 1) / (kappa + 1), the per-step contraction of descent at the optimal fixed step.

    ||x_{k+1} - x*|| <= r ||x_k - x*||, attained when the error has components along both
    extreme eigenvectors.

    >>> print(round(gradient_descent_rate([[2.0, 0.0], [0.0, 8.0]]), 12))
    0.6
    """
    kappa = condition_number(hessian)
    return (kappa - 1.0) / (kappa + 1.0)


def heavy_ball_rate(hessian: np.ndarray) -> float:
    """r = (sqrt(kappa) - 1) / (sqrt(kappa) + 1), heavy ball's asymptotic contraction per step.

    With the parameters of :func:`heavy_ball_parameters` every eigen-direction's 2x2 iteration
    matrix has spectral radius sqrt(beta*) = r: sqrt(kappa) replaces the kappa of plain descent.

    >>> print(round(heavy_ball_rate([[2.0, 0.0], [0.0, 8.0]]), 12))
    0.333333333333
    """
    root_kappa = np.sqrt(condition_number(hessian))
    return float((root_kappa - 1.0) / (root_kappa + 1.0))


def heavy_ball_parameters(hessian: np.ndarray) -> tuple[float, float]:
    """Polyak's optimal (learning_rate, momentum) for heavy ball on this quadratic.

    eta* = 4 / (sqrt(L) + sqrt(mu))^2 and beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2.

    >>> learning_rate, momentum = heavy_ball_parameters([[2.0, 0.0], [0.0, 8.0]])
    >>> print(round(learning_rate, 12), round(momentum, 12))
    0.222222222222 0.111111111111
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    learning_rate = 4.0 / (np.sqrt(big_l) + np.sqrt(mu)) ** 2
    return float(learning_rate), heavy_ball_rate(hessian) ** 2


def measured_rate(path: np.ndarray, minimum: np.ndarray, *, tail_fraction: float = 0.5) -> float:
    """The observed per-step contraction of ||x_k - x*|| over the end of a path.

    With d_k = ||x_k - x*|| and m = max(1, floor(tail_fraction (n - 1))), this is the geometric
    mean of d_{k+1} / d_k over the last m steps, (d_{n-1} / d_{n-1-m})^(1/m): < 1 converging,
    > 1 diverging, 0 if the path sat at x* where the tail starts. Skipping the start leaves out
    the transient; stop runs before d_k reaches rounding level, where the ratios are noise.

    Parameters
    ----------
    path : array_like, shape (n, d)
        Iterates x_0, ..., x_{n-1}, n >= 2, as from :func:`gradient_descent`.
    minimum : array_like, shape (d,)
        x*.
    tail_fraction : float, optional
        The fraction of the steps to average over, in (0, 1].

    Examples
    --------
    >>> from lesson_code.landscapes import get_landscape
    >>> bowl = get_landscape("elliptic_bowl")
    >>> path = gradient_descent(bowl.gradient, [1.0, 1.0], learning_rate=0.2, n_steps=40)
    >>> print(round(measured_rate(path, [0.0, 0.0]), 12))
    0.6
    """
    points = finite_array(path, "path", ndim=2)
    if points.shape[0] < 2:
        raise ValueError(f"path must have at least 2 points, got shape {points.shape}")
    target = finite_array(minimum, "minimum", ndim=1)
    if target.shape != points.shape[1:]:
        raise ValueError(
            f"minimum must have shape {points.shape[1:]} to match path, got {target.shape}"
        )
    tail_fraction = positive_number(tail_fraction, "tail_fraction")
    if tail_fraction > 1:
        raise ValueError(f"tail_fraction must be in (0, 1], got {tail_fraction!r}")
    errors = points - target
    # Scaling each row by its largest entry keeps squares of tiny errors (1e-170) from
    # underflowing to 0, so the rate stays measurable as long as the error is representable.
    largest = np.max(np.abs(errors), axis=1, keepdims=True)
    scaled = np.divide(errors, largest, out=np.zeros_like(errors), where=largest > 0)
    distances = largest[:, 0] * np.linalg.norm(scaled, axis=1)
    n_tail = max(1, int(tail_fraction * (len(points) - 1)))
    first, last = distances[-1 - n_tail], distances[-1]
    if first == 0.0:
        return 0.0
    return float((last / first) ** (1.0 / n_tail))
