"""Jacobians of a network's layers, and what happens to long products of them.

The chain rule turns the derivative of a composition into a product of Jacobians. For an MLP in
Nielsen's notation (``weights[l-1]`` is W^l),

    z^l = W^l a^{l-1} + b^l,        a^l = sigma(z^l),

the layer map a^{l-1} -> a^l has the Jacobian

    J^l = d a^l / d a^{l-1} = Sigma'(z^l) W^l                      # (n_l, n_{l-1})

and the whole network's input-output Jacobian is the product J^L J^{L-1} ... J^1. Backprop
multiplies the same factors, transposed, onto the output error:

    dC/dx = (J^1)^T (J^2)^T ... (J^L)^T dC/da^L.

A product of many matrices grows or shrinks geometrically. For square n x n matrices with
independent N(0, s^2) entries, log ||W_k ... W_1 u|| / k converges to the top Lyapunov
exponent (Cohen & Newman 1984; Newman 1986)

    mu_1 = log s + (log 2 + psi(n / 2)) / 2,

where psi is the digamma function; mu_1 = 0 at s = exp(-(log 2 + psi(n/2)) / 2), which is
1/sqrt(n) up to a relative correction of about 1/(2n). This module measures these things, and
one more fact of random matrices that the convexity chapter needs: how rarely a random symmetric
matrix (a stand-in for the Hessian at a critical point) has only positive eigenvalues
(:func:`positive_definite_fraction`).

References: J. E. Cohen and C. M. Newman, "The stability of large random matrices and their
products", *Annals of Probability* 12(2):283-310 (1984); C. M. Newman, "The distribution of
Lyapunov exponents: exact results for random matrices", *Communications in Mathematical
Physics* 103:121-126 (1986); Nielsen, *Neural Networks and Deep Learning*, ch. 2 and 5 (2015).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from lesson_code._checks import choice, finite_array, positive_int, positive_number, seed_value
from lesson_code.activations import get_activation
from lesson_code.network import MLP

EULER_GAMMA = 0.5772156649015329
"""The Euler-Mascheroni constant, -psi(1)."""

POSITIVELY_HOMOGENEOUS = ("linear", "relu", "leaky_relu")
"""Activations with phi(c z) = c phi(z) for c > 0: their slope depends on the sign of z only."""

DTYPES = ("float64", "float32")
"""Floating-point types :func:`repeated_linear_map` can compute in."""



def _check_net(net: object) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    return net


def _check_example(net: MLP, x: object) -> np.ndarray:
    x = finite_array(x, "x", ndim=1)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must be one example of shape ({net.sizes[0]},), got shape {x.shape}")
    return x


def gaussian_matrices(size: int, depth: int, *, scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """``depth`` independent ``size`` x ``size`` matrices with N(0, scale^2) entries.

    Parameters
    ----------
    size : int
        n, the number of rows and columns (>= 1).
    depth : int
        How many matrices (>= 1).
    scale : float
        Standard deviation s of every entry (> 0).
    seed : int
        Seed of ``numpy.random.default_rng``; the matrices are drawn in order, so a deeper stack
        with the same seed starts with the same matrices.

    Returns
    -------
    ndarray of shape (depth, size, size)
        ``matrices[k]`` is W_{k+1}, the (k+1)-th factor applied.

    Examples
    --------
    >>> w = gaussian_matrices(3, 2, scale=0.5, seed=1)
    >>> w.shape, bool(np.array_equal(w[0], gaussian_matrices(3, 1, scale=0.5, seed=1)[0]))
    ((2, 3, 3), True)
    """
    size = positive_int(size, "size")
    depth = positive_int(depth, "depth")
    scale = positive_number(scale, "scale")
    rng = np.random.default_rng(seed_value(seed))
    return scale * rng.standard_normal((depth, size, size))


def random_matrix_product(size: int, depth: int, *, scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """The product P = W_depth ... W_2 W_1 of :func:`gaussian_matrices`, in float64.

    Entries that leave the float64 range become inf or NaN silently (no warning).

    Examples
    --------
    >>> p = random_matrix_product(2, 3, seed=0)
    >>> w = gaussian_matrices(2, 3, seed=0)
    >>> bool(np.allclose(p, w[2] @ w[1] @ w[0]))
    True
    """
    matrices = gaussian_matrices(size, depth, scale=scale, seed=seed)
    product = np.eye(matrices.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        for w in matrices:
            product = w @ product
    return product


def singular_value_floor(largest: float, size: int, depth: int = 1) -> float:
    """The rounding floor of a product of ``depth`` float64 ``size`` x ``size`` matrices:
    eps * size * depth * s_1.

    Each of the ``depth`` products adds rounding errors of about ``eps * size`` relative to the
    largest singular value s_1 of what it computes, and later factors amplify them as much as the
    product itself. A singular value below this floor is rounding noise: another machine (another
    BLAS kernel) prints another number for it. Report it as "below the floor", never its digits.

    >>> print(f"{singular_value_floor(1e24, 4, 100):.1e}")
    8.9e+10
    """
    largest = positive_number(largest, "largest")
    return float(np.finfo(np.float64).eps * positive_int(size, "size") * positive_int(depth, "depth") * largest)


def repeated_linear_map(
    width: int, depth: int, *, scale: float = 1.0, dtype: str = "float64", seed: int = 0
) -> np.ndarray:
    """Push a random vector through ``depth`` random linear layers: x_k = W_k x_{k-1}.

    x_0 has N(0, 1) entries and each W_k has N(0, scale^2) entries (drawn in float64 from the
    same generator, x_0 first, so that float64 and float32 runs multiply the same numbers).
    Every product is then computed in ``dtype``; values that leave its range become inf, NaN
    or 0 the way the hardware makes them, without warnings.

    Parameters
    ----------
    width : int
        n, the size of every layer (>= 1).
    depth : int
        Number of layers (>= 1).
    scale : float
        Standard deviation of the weights (> 0); 1 / sqrt(width) keeps the length about constant.
    dtype : {"float64", "float32"}
        The arithmetic: float64 holds magnitudes up to about 1.8e308, float32 up to 3.4e38.
    seed : int

    Returns
    -------
    ndarray of shape (depth + 1, width) and type ``dtype``
        Row k is x_k; row 0 is the input.

    Examples
    --------
    >>> xs = repeated_linear_map(4, 3, scale=0.5, seed=0)
    >>> xs.shape, xs.dtype
    ((4, 4), dtype('float64'))
    """
    width = positive_int(width, "width")
    depth = positive_int(depth, "depth")
    scale = positive_number(scale, "scale")
    dtype = np.dtype(choice(dtype, "dtype", DTYPES))
    rng = np.random.default_rng(seed_value(seed))
    states = np.empty((depth + 1, width), dtype=dtype)
    states[0] = rng.standard_normal(width)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(1, depth + 1):
            w = (scale * rng.standard_normal((width, width))).astype(dtype)
            states[k] = w @ states[k - 1]
    return states


def log_norm_growth(
    width: int, depth: int, *, scale: float, activation: str = "linear", seed: int = 0
) -> np.ndarray:
    """log ||J_k ... J_1 u|| for k = 0..depth, computed so that it never overflows.

    u is a random unit vector. With ``activation="linear"`` the J_k are Gaussian matrices with
    N(0, scale^2) entries. With another activation phi they are the Jacobians of a random
    network x_k = phi(W_k x_{k-1}) along the path of a random input x_0 ~ N(0, I):
    J_k = Phi'(W_k x_{k-1}) W_k. After every layer the tracked vector is rescaled to length 1
    and the logarithm of the factor is added up, so the result is exact however far the
    product grows or shrinks (for linear and ReLU-like phi the input path is rescaled too,
    which leaves the slopes unchanged). The slope of the curve is the per-layer growth rate.

    Parameters
    ----------
    width, depth : int
        Layer size n and number of layers.
    scale : float
        Standard deviation of the weights, > 0.
    activation : str
        Name of phi (see :mod:`lesson_code.activations`); ``"linear"`` by default.
    seed : int

    Returns
    -------
    ndarray of shape (depth + 1,)
        0 at k = 0, then the log of the length after each layer.

    Examples
    --------
    >>> growth = log_norm_growth(50, 100, scale=2 / np.sqrt(50))
    >>> print(f"{growth[-1] / 100:.2f} per layer, log 2 = {np.log(2):.2f}")
    0.69 per layer, log 2 = 0.69
    """
    width = positive_int(width, "width")
    depth = positive_int(depth, "depth")
    scale = positive_number(scale, "scale")
    phi = get_activation(activation)
    rng = np.random.default_rng(seed_value(seed))
    u = rng.standard_normal(width)
    u /= np.linalg.norm(u)
    x = rng.standard_normal(width)  # the input whose path fixes the Jacobians
    logs = np.zeros(depth + 1)
    for k in range(1, depth + 1):
        w = scale * rng.standard_normal((width, width))
        z = w @ x
        x = phi.function(z)
        if phi.name in POSITIVELY_HOMOGENEOUS:
            x /= np.linalg.norm(x) or 1.0  # Phi'(W x) depends on the signs of W x only
        u = phi.derivative(z) * (w @ u)  # J_k u, with J_k = Phi'(z) W_k
        length = np.linalg.norm(u)
        if length == 0.0:  # every direction killed (e.g. all ReLUs off): log 0
            logs[k:] = -np.inf
            break
        logs[k] = logs[k - 1] + np.log(length)
        u /= length
    return logs


def lyapunov_exponent(
    width: int, scale: float, *, depth: int = 200, activation: str = "linear", seed: int = 0
) -> float:
    """The measured growth rate per layer, log ||J_depth ... J_1 u|| / depth.

    Examples
    --------
    >>> print(f"{lyapunov_exponent(100, 0.1):+.3f}")
    -0.008
    """
    depth = positive_int(depth, "depth")
    return float(log_norm_growth(width, depth, scale=scale, activation=activation, seed=seed)[-1] / depth)


def digamma_half_integer(m: int) -> float:
    """psi(m / 2), the digamma function at a positive half-integer or integer, exactly.

    Uses psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2 and psi(x + 1) = psi(x) + 1 / x.

    >>> print(f"{digamma_half_integer(2):.6f} {digamma_half_integer(1):.6f}")
    -0.577216 -1.963510
    """
    m = positive_int(m, "m")
    if m % 2 == 0:
        value, x = -EULER_GAMMA, 1.0
    else:
        value, x = -EULER_GAMMA - 2.0 * math.log(2.0), 0.5
    while x < m / 2:
        value += 1.0 / x
        x += 1.0
    return value


def gaussian_lyapunov_exponent(width: int, scale: float) -> float:
    """mu_1 = log s + (log 2 + psi(n / 2)) / 2 for n x n matrices with N(0, s^2) entries.

    This is the exact limit of log ||W_k ... W_1 u|| / k (Cohen & Newman 1984; Newman 1986). It
    follows from one step: ||W u||^2 / s^2 is chi-squared with n degrees of freedom for any unit
    u, whose log has mean log 2 + psi(n / 2), and the steps are independent.

    Examples
    --------
    >>> print(f"{gaussian_lyapunov_exponent(4, 1.0):.3f}")
    0.558
    """
    width = positive_int(width, "width")
    scale = positive_number(scale, "scale")
    return math.log(scale) + 0.5 * (math.log(2.0) + digamma_half_integer(width))


def critical_scale(width: int) -> float:
    """The weight standard deviation s at which :func:`gaussian_lyapunov_exponent` is 0.

    s* = exp(-(log 2 + psi(n / 2)) / 2), slightly above 1 / sqrt(n).

    >>> print(f"{critical_scale(100):.5f} vs 1/sqrt(100) = {1 / np.sqrt(100):.5f}")
    0.10050 vs 1/sqrt(100) = 0.10000
    """
    width = positive_int(width, "width")
    return math.exp(-0.5 * (math.log(2.0) + digamma_half_integer(width)))


def product_singular_values(matrices: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Singular values of every partial product P_k = M_k ... M_1, k = 1..len(matrices).

    Each P_k is formed explicitly in float64 and passed to ``numpy.linalg.svd``, so a singular
    value is only accurate when it is above about 1e-15 times the largest one; the smallest
    singular values of a long product are lost to rounding (use the largest or the median).

    Parameters
    ----------
    matrices : sequence of 2-D arrays
        M_1, M_2, ... in the order they are applied; shapes must chain (M_{k+1} has as many
        columns as M_k has rows).

    Returns
    -------
    ndarray of shape (len(matrices), r)
        Row k - 1 holds the singular values of P_k in decreasing order, r = min over the
        shapes of the products.

    Examples
    --------
    >>> sv = product_singular_values([np.diag([2.0, 0.5])] * 3)
    >>> print(sv.tolist())
    [[2.0, 0.5], [4.0, 0.25], [8.0, 0.125]]
    """
    if isinstance(matrices, np.ndarray):
        matrices = list(matrices)
    if not isinstance(matrices, (list, tuple)) or not matrices:
        raise TypeError("matrices must be a non-empty sequence of 2-D arrays")
    arrays = [finite_array(m, f"matrices[{i}]", ndim=2) for i, m in enumerate(matrices)]
    for i in range(1, len(arrays)):
        if arrays[i].shape[1] != arrays[i - 1].shape[0]:
            raise ValueError(
                f"matrices[{i}] has {arrays[i].shape[1]} columns but matrices[{i - 1}] has "
                f"{arrays[i - 1].shape[0]} rows; the product is not defined"
            )
    rank = min(min(a.shape) for a in arrays)
    values = np.empty((len(arrays), rank))
    product = np.eye(arrays[0].shape[1])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k, m in enumerate(arrays):
            product = m @ product
            values[k] = np.linalg.svd(product, compute_uv=False)[:rank]
    return values


def layer_jacobians(net: MLP, x: np.ndarray) -> list[np.ndarray]:
    """J^l = d a^l / d a^{l-1} = Sigma'(z^l) W^l for every layer, at one input ``x``.

    Parameters
    ----------
    net : MLP
    x : ndarray of shape (sizes[0],)
        One example (not a batch).

    Returns
    -------
    list of ndarray
        ``jacobians[l-1]`` is J^l, of shape (sizes[l], sizes[l-1]).

    Examples
    --------
    >>> net = MLP([3, 4, 2], activation="tanh", init="xavier", seed=0)
    >>> [j.shape for j in layer_jacobians(net, np.ones(3))]
    [(4, 3), (2, 4)]
    """
    net = _check_net(net)
    x = _check_example(net, x)
    zs = net.forward_pass(x[None, :]).zs
    jacobians = []
    for layer, (z, w) in enumerate(zip(zs, net.weights, strict=True)):
        slope = net._layer_activation(layer).derivative(z[0])  # diagonal of Sigma'(z^l)
        jacobians.append(slope[:, None] * w)  # Sigma'(z^l) W^l without forming the diagonal
    return jacobians


def network_jacobian(net: MLP, x: np.ndarray) -> np.ndarray:
    """d a^L / d x = J^L J^{L-1} ... J^1 at one input ``x``, shape (sizes[-1], sizes[0]).

    Examples
    --------
    >>> net = MLP([2, 3, 1], activation="linear", seed=0)
    >>> bool(np.allclose(network_jacobian(net, np.zeros(2)), net.weights[1] @ net.weights[0]))
    True
    """
    jacobians = layer_jacobians(net, x)
    product = jacobians[0]
    for j in jacobians[1:]:
        product = j @ product
    return product


def numerical_jacobian(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central-difference Jacobian: column j is (f(x + eps e_j) - f(x - eps e_j)) / (2 eps).

    The error is O(eps^2) from truncation plus O(machine epsilon / eps) from rounding, about
    1e-10 relative for eps = 1e-6 and smooth f.

    Parameters
    ----------
    function : callable
        Maps a 1-D array of shape (n,) to a 1-D array of shape (m,) (a scalar counts as m = 1).
    x : ndarray of shape (n,)
    eps : float
        Step, > 0.

    Returns
    -------
    ndarray of shape (m, n)

    Examples
    --------
    >>> jac = numerical_jacobian(lambda v: np.array([v[0] * v[1], np.sin(v[0])]), np.array([1.0, 2.0]))
    >>> print(np.round(jac, 6).tolist())
    [[2.0, 1.0], [0.540302, 0.0]]
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    x = finite_array(x, "x", ndim=1)
    eps = positive_number(eps, "eps")
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        forward = np.atleast_1d(np.asarray(function(x + step), dtype=float))
        backward = np.atleast_1d(np.asarray(function(x - step), dtype=float))
        columns.append((forward - backward) / (2.0 * eps))
    return np.stack(columns, axis=1)


def positive_definite_fraction(
    dimension: int, *, n_matrices: int = 100_000, seed: int = 0
) -> float:
    """Fraction of random symmetric d x d matrices whose eigenvalues are all positive.

    The matrices are from the Gaussian orthogonal ensemble: A = (G + G^T) / 2 with G of
    independent N(0, 1) entries. If each eigenvalue's sign were an independent coin flip the
    fraction would be 2^-d; the eigenvalues repel each other, so it falls faster, like
    exp(-c d^2) for large d (Dean & Majumdar 2006). A critical point of a random high-dimensional
    function is, by the same token, very rarely a minimum (Bray & Dean 2007).

    Parameters
    ----------
    dimension : int
        d >= 1.
    n_matrices : int, optional
        Sample size (100 000 by default); fractions below about 1 / n_matrices read as 0.
    seed : int, optional

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    A 1 x 1 "matrix" is positive half of the time:

    >>> print(round(positive_definite_fraction(1, n_matrices=100_000), 2))
    0.5
    """
    dimension = positive_int(dimension, "dimension")
    n_matrices = positive_int(n_matrices, "n_matrices")
    seed = seed_value(seed)
    rng = np.random.default_rng(seed)
    positive = 0
    chunk = max(1, 2_000_000 // (dimension * dimension))
    for start in range(0, n_matrices, chunk):
        size = min(chunk, n_matrices - start)
        g = rng.standard_normal((size, dimension, dimension))
        smallest = np.linalg.eigvalsh(0.5 * (g + np.swapaxes(g, 1, 2)))[:, 0]
        positive += int(np.sum(smallest > 0))
    return positive / n_matrices
