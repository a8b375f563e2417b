"""Argument checks shared by the public API.

Every public function validates its input here so that a reader who passes the wrong thing
gets a ``ValueError`` or ``TypeError`` that names the argument and says what is accepted,
instead of a numpy traceback from deep inside a matrix product.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np


def finite_array(value: object, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise if it is not numeric, finite and ``ndim``-D.

    >>> finite_array([1, 2], "x").dtype
    dtype('float64')
    >>> finite_array([1.0, float("nan")], "x")
    Traceback (most recent call last):
    ...
    ValueError: x must contain only finite numbers (no NaN or inf)
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from error
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return array


def symmetric_matrix(value: object, name: str, tolerance: float) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise unless it is square, non-empty, finite and
    symmetric: |A_ij - A_ji| <= tolerance max |A|.

    >>> symmetric_matrix([[1.0, 2.0], [0.0, 1.0]], "hessian", 1e-12)
    Traceback (most recent call last):
    ...
    ValueError: hessian must be symmetric (a Hessian of a smooth loss always is)
    """
    matrix = finite_array(value, name, ndim=2)
    if matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {matrix.shape}")
    scale = float(np.max(np.abs(matrix)))
    if not np.allclose(matrix, matrix.T, rtol=0.0, atol=tolerance * scale):
        raise ValueError(f"{name} must be symmetric (a Hessian of a smooth loss always is)")
    return matrix


def positive_number(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is a finite number > 0.

    >>> positive_number(0.5, "learning_rate")
    0.5
    >>> positive_number(0, "learning_rate")
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def non_negative_number(value: object, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, or raise unless it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def seed_value(value: object, name: str = "seed") -> int:
    """Return ``value`` as an int, or raise unless it is an integer >= 0 (a valid random seed).

    >>> seed_value(3)
    3
    >>> seed_value(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an integer >= 0, got -1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value}")
    return int(value)


def binary_labels(value: object, n_rows: int, name: str = "y") -> np.ndarray:
    """Return ``value`` as an array, or raise unless it holds one label 0 or 1 for each of
    ``n_rows`` rows.

    >>> binary_labels([0, 1, 1], 3).tolist()
    [0, 1, 1]
    """
    labels = np.asarray(value)
    if labels.shape != (n_rows,) or not np.all(np.isin(labels, (0, 1))):
        raise ValueError(f"{name} must hold one label 0 or 1 per row of X, got shape {labels.shape}")
    return labels


def choice(value: object, name: str, accepted: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``accepted``, else raise naming the accepted values.

    >>> choice("relu", "activation", ["relu", "tanh"])
    'relu'
    >>> choice("gelu", "activation", ["relu", "tanh"])
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'relu', 'tanh'; got 'gelu'
    """
    accepted = list(accepted)
    if value not in accepted:
        listed = ", ".join(repr(a) for a in accepted)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return str(value)


def flag(value: object, name: str) -> bool:
    """Return ``value`` as a bool, or raise unless it is True or False.

    >>> flag(True, "bias")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
