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
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lesson_code._checks import finite_array, non_negative_number, positive_int, positive_number
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

    v_{k+1} = beta v_k + s_k,  x_{k+1} = x_k + v_{k+1},  with v_0 = 0 and the gradient step
    s_k = -eta grad L(x_k), rescaled to norm ``max_step_norm`` when it is longer (clipping the
    gradient by global norm at ``max_step_norm / eta``). Clipping acts on the fresh gradient
    step, before it joins the velocity, as it does in a training loop.

    Parameters
    ----------
    gradient : callable
        x -> grad L(x), taking and returning arrays of the shape of ``start``, such as
        :meth:`lesson_code.landscapes.Landscape.gradient`.
    start : array_like, shape (d,)
        The finite starting point x_0.
    learning_rate : float
        eta > 0.
    n_steps : int
        Number of updates, >= 1.
    momentum : float, optional
        beta in [0, 1); 0 (the default) is plain gradient descent.
    max_step_norm : float or None, optional
        If given (> 0), the largest length of a gradient step eta grad L.

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, d)
        The path x_0, x_1, ..., x_{n_steps}. If the run diverges so far that a gradient step
        or an iterate is no longer a finite float64, the path stops at the last finite
        iterate, so it has fewer than n_steps + 1 rows; no overflow warning is raised.

    Raises
    ------
    TypeError
        If ``gradient`` is not callable or returns something that is not numeric, or an
        argument is not a number of the right kind.
    ValueError
        If ``start`` is not a non-empty finite 1-D array, ``learning_rate`` or
        ``max_step_norm`` is not > 0, ``n_steps`` < 1, ``momentum`` is outside [0, 1), or
        ``gradient`` returns an array of another shape than ``start``.

    Examples
    --------
    On x^2 + 4y^2 the step eta = 0.25 = 2 / lambda_max is the edge of stability: the y
    coordinate flips sign forever instead of shrinking.

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
    matrix = finite_array(hessian, "hessian", ndim=2)
    if matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"hessian must be a non-empty square matrix, got shape {matrix.shape}")
    scale = float(np.max(np.abs(matrix)))
    if not np.allclose(matrix, matrix.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError("hessian must be symmetric (a Hessian of a smooth loss always is)")
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues[0] <= 0:
        raise ValueError(
            "hessian must be positive definite (all eigenvalues > 0), got eigenvalues "
            f"{eigenvalues.tolist()}"
        )
    return float(eigenvalues[0]), float(eigenvalues[-1])


def stable_learning_rate(hessian: np.ndarray) -> float:
    """The largest learning rate for which gradient descent converges on this quadratic: 2 / L.

    Along an eigenvector with eigenvalue lambda the error is multiplied by 1 - eta lambda per
    step, which has magnitude < 1 for every lambda exactly when eta < 2 / lambda_max.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    float
        2 / lambda_max; descent converges for every eta below it and diverges above it.

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> print(stable_learning_rate([[2.0, 0.0], [0.0, 8.0]]))
    0.25
    """
    return 2.0 / _extreme_eigenvalues(hessian)[1]


def optimal_fixed_learning_rate(hessian: np.ndarray) -> float:
    """The fixed learning rate that makes gradient descent fastest on this quadratic.

    eta* = 2 / (mu + L) balances the slowest direction, factor 1 - eta mu, against the
    most oscillating one, factor 1 - eta L, so that both shrink by (L - mu) / (L + mu).

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    float
        2 / (lambda_min + lambda_max).

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> print(optimal_fixed_learning_rate([[2.0, 0.0], [0.0, 8.0]]))
    0.2
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    return 2.0 / (mu + big_l)


def condition_number(hessian: np.ndarray) -> float:
    """kappa = lambda_max / lambda_min: how much more curved the steepest direction is.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    float
        kappa >= 1; 1 for a round bowl, large for a narrow valley.

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> print(condition_number([[2.0, 0.0], [0.0, 8.0]]))
    4.0
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    return big_l / mu


def gradient_descent_rate(hessian: np.ndarray) -> float:
    """Per-step contraction of the error of gradient descent at the optimal fixed step.

    ||x_{k+1} - x*|| <= r ||x_k - x*|| with r = (kappa - 1) / (kappa + 1), attained when the
    error has components along both extreme eigenvectors.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    float
        (kappa - 1) / (kappa + 1), in [0, 1).

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> print(round(gradient_descent_rate([[2.0, 0.0], [0.0, 8.0]]), 12))
    0.6
    """
    kappa = condition_number(hessian)
    return (kappa - 1.0) / (kappa + 1.0)


def heavy_ball_rate(hessian: np.ndarray) -> float:
    """Asymptotic per-step contraction of heavy ball at its optimal parameters.

    r = (sqrt(kappa) - 1) / (sqrt(kappa) + 1) = sqrt(beta*): with the parameters of
    :func:`heavy_ball_parameters`, every eigen-direction's 2x2 iteration matrix has spectral
    radius sqrt(beta*). The square root of kappa replaces kappa of plain descent, which is the
    whole gain from momentum in a narrow valley.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    float
        (sqrt(kappa) - 1) / (sqrt(kappa) + 1), in [0, 1).

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> print(round(heavy_ball_rate([[2.0, 0.0], [0.0, 8.0]]), 12))
    0.333333333333
    """
    root_kappa = np.sqrt(condition_number(hessian))
    return float((root_kappa - 1.0) / (root_kappa + 1.0))


def heavy_ball_parameters(hessian: np.ndarray) -> tuple[float, float]:
    """Polyak's optimal (learning_rate, momentum) for heavy ball on a quadratic.

    eta* = 4 / (sqrt(L) + sqrt(mu))^2 and beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2.

    Parameters
    ----------
    hessian : array_like, shape (d, d)
        A symmetric positive-definite Hessian.

    Returns
    -------
    learning_rate : float
    momentum : float

    Raises
    ------
    TypeError, ValueError
        If ``hessian`` is not a finite, square, symmetric, positive-definite matrix.

    Examples
    --------
    >>> learning_rate, momentum = heavy_ball_parameters([[2.0, 0.0], [0.0, 8.0]])
    >>> print(round(learning_rate, 12), round(momentum, 12))
    0.222222222222 0.111111111111
    """
    mu, big_l = _extreme_eigenvalues(hessian)
    learning_rate = 4.0 / (np.sqrt(big_l) + np.sqrt(mu)) ** 2
    return float(learning_rate), heavy_ball_rate(hessian) ** 2


def measured_rate(path: np.ndarray, minimum: np.ndarray, *, tail_fraction: float = 0.5) -> float:
    """The observed per-step contraction of the distance to ``minimum`` over the end of a path.

    With d_k = ||x_k - x*|| and the tail made of the last m = max(1, floor(tail_fraction (n -
    1))) steps of an n-point path, this is the geometric mean of the ratios d_{k+1} / d_k over
    the tail, which telescopes to (d_{n-1} / d_{n-1-m})^(1/m). Skipping the start leaves out
    the transient before the slowest direction dominates. Stop the run before the distance
    reaches rounding level (about 1e-16 relative to ||x*||), where the ratios are noise.

    Parameters
    ----------
    path : array_like, shape (n, d)
        Iterates x_0, ..., x_{n-1}, n >= 2, as returned by :func:`gradient_descent`.
    minimum : array_like, shape (d,)
        The point x* that the path approaches.
    tail_fraction : float, optional
        The fraction of the steps to average over, in (0, 1]; 0.5 by default.

    Returns
    -------
    float
        The contraction per step: < 1 when converging, > 1 when diverging, and 0 if the path
        was exactly at the minimum where the tail starts.

    Raises
    ------
    TypeError, ValueError
        If ``path`` is not a finite (n, d) array with n >= 2, ``minimum`` is not a finite
        array of shape (d,), or ``tail_fraction`` is not in (0, 1].

    Examples
    --------
    At the optimal fixed step on x^2 + 4y^2 the distance shrinks by exactly 0.6 per step:

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
