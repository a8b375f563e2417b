"""The two small data sets of the unstable-gradients chapter, and standardisation, its fix.

* :func:`two_spirals`: two interleaved spiral arms, a classic hard case for a small network,
  whose training is sensitive to initialisation and learning rate;
* :func:`polynomial_regression`: a polynomial curve with targets in the thousands. Left as they
  are, such targets make the mean squared error and its gradients huge, so gradient descent
  diverges unless the learning rate is tiny;
* :class:`Standardizer` and :func:`standardize`: (z - mean) / std per column, which brings
  inputs and targets to mean 0 and standard deviation 1 and lets a normal learning rate work.

Every generator draws from ``numpy.random.default_rng(seed)``, so a seed gives the same data.
Arguments are checked: a wrong type raises TypeError, a bad value (a count below its minimum, a
negative noise, non-finite or mis-shaped data, a constant column) ValueError naming it.

References: Lang & Witbrock, "Learning to tell two spirals apart", Proceedings of the 1988
Connectionist Models Summer School (1988), for the spirals; LeCun, Bottou, Orr & Mueller,
"Efficient BackProp", in *Neural Networks: Tricks of the Trade* (1998), sec. 4.3, for
standardising inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lesson_code._checks import finite_array, non_negative_number, positive_int, positive_number, seed_value

SPIRAL_NOISE = 0.05
"""Default noise of :func:`two_spirals`: with 1.5 turns the arms are 1/3 apart in radius, so
points rarely cross into the other arm (3 standard deviations is 0.15 < 1/6)."""

POLYNOMIAL_INTERVAL = (0.0, 5.0)
"""The interval the regression inputs x are drawn from: positive and wider than [-1, 1], so
the inputs are not standardised either."""


def two_spirals(
    n_per_class: int = 200,
    *,
    turns: float = 1.5,
    noise: float = SPIRAL_NOISE,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, class 1 being class 0 rotated by 180 degrees.

    Point i of class 0 lies at t_i = i / (n - 1) along the arm: angle theta = 2 pi turns t_i,
    radius r = t_i, so (r cos theta, r sin theta); class 1 is -(r cos theta, r sin theta). The
    arms alternate 1 / (2 turns) apart in radius along any ray. Gaussian noise of standard
    deviation ``noise`` (units of the outer radius 1) is added to every coordinate.

    Parameters
    ----------
    n_per_class : int, optional
        Points per class, >= 2.
    turns : float, optional
        Windings of each arm around the origin, > 0.
    noise : float, optional
        Noise standard deviation, >= 0.
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    X : numpy.ndarray, shape (2 n_per_class, 2), float64
        Class 0 in order along its arm, then class 1: shuffle before splitting.
    y : numpy.ndarray, shape (2 n_per_class,), int64
        0 then 1.

    Examples
    --------
    >>> X, y = two_spirals(100, noise=0.0)
    >>> print(X.shape, y.shape, y.dtype, np.bincount(y).tolist())
    (200, 2) (200,) int64 [100, 100]
    >>> print(bool(np.array_equal(X[y == 1], -X[y == 0])))
    True
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    if n_per_class < 2:
        raise ValueError(f"n_per_class must be an integer >= 2, got {n_per_class}")
    turns = positive_number(turns, "turns")
    noise = non_negative_number(noise, "noise")
    rng = np.random.default_rng(seed_value(seed))

    t = np.linspace(0.0, 1.0, n_per_class)
    angle = 2.0 * np.pi * turns * t
    arm = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    points = np.concatenate([arm, -arm]) + noise * rng.standard_normal((2 * n_per_class, 2))
    labels = np.repeat(np.array([0, 1], dtype=np.int64), n_per_class)
    return points, labels


def polynomial_regression(
    n_samples: int = 100,
    *,
    degree: int = 3,
    target_scale: float = 1000.0,
    noise: float = 0.05,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of a polynomial curve whose values run into the thousands.

    x ~ U[0, 5], sorted. p(x) = c prod_j (x - x_j) has its ``degree`` roots at the midpoints of
    equal cells of the interval, so it wiggles across it, and c > 0 makes max |p| on the
    interval ``target_scale``. y = p(x) + Gaussian noise of standard deviation
    ``noise * target_scale``.

    Parameters
    ----------
    n_samples : int, optional
        Number of points, >= 2.
    degree : int, optional
        Degree of p, >= 1.
    target_scale : float, optional
        max |p| on the interval, > 0.
    noise : float, optional
        Noise standard deviation as a fraction of ``target_scale``, >= 0.
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    X, y : numpy.ndarray, shape (n_samples, 1), float64
        Inputs (sorted, so the curve draws as a line) and targets.

    Examples
    --------
    >>> X, y = polynomial_regression(50, noise=0.0)
    >>> print(X.shape, y.shape, bool(np.abs(y).max() <= 1000.0), bool(y.std() > 100))
    (50, 1) (50, 1) True True
    """
    n_samples = positive_int(n_samples, "n_samples")
    if n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples}")
    degree = positive_int(degree, "degree")
    target_scale = positive_number(target_scale, "target_scale")
    noise = non_negative_number(noise, "noise")
    rng = np.random.default_rng(seed_value(seed))

    low, high = POLYNOMIAL_INTERVAL
    roots = low + (high - low) * (np.arange(degree) + 0.5) / degree
    coefficients = np.poly(roots)
    # A dense grid finds max |p| closely enough; the factor only sets the units of y.
    peak = np.max(np.abs(np.polyval(coefficients, np.linspace(low, high, 10_001))))
    coefficients = coefficients * (target_scale / peak)

    x = np.sort(rng.uniform(low, high, n_samples))
    y = np.polyval(coefficients, x) + noise * target_scale * rng.standard_normal(n_samples)
    return x[:, None], y[:, None]


@dataclass(frozen=True, eq=False)
class Standardizer:
    """Per-column standardisation z = (a - mean) / std, remembered so it can be undone.

    Fit it on the training data, transform inputs and targets before training, and map the
    network's predictions back with :meth:`inverse_transform`.

    Attributes
    ----------
    mean : numpy.ndarray
        Column means, shape (n_features,) (shape () for 1-D data).
    std : numpy.ndarray
        Column standard deviations (population, ddof = 0), all > 0.

    Examples
    --------
    >>> scaler = Standardizer.fit(np.array([[1.0], [3.0]]))
    >>> print(scaler.mean.tolist(), scaler.std.tolist())
    [2.0] [1.0]
    >>> print(scaler.transform([[5.0]]).tolist(), scaler.inverse_transform([[3.0]]).tolist())
    [[3.0]] [[5.0]]
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, data: np.ndarray) -> Standardizer:
        """Learn the mean and std of each column of ``data``, shape (n,) or (n, n_features), n >= 1.

    >>> print(Standardizer.fit([2.0, 4.0, 6.0]).mean)
    4.0
    """
        array = finite_array(data, "data")
        if array.ndim not in (1, 2) or array.shape[0] == 0:
            raise ValueError(
                f"data must be a 1-D or 2-D array with at least one row, got shape {array.shape}"
            )
        mean, std = array.mean(axis=0), array.std(axis=0)
        constant = np.flatnonzero(np.atleast_1d(std) == 0)
        if constant.size:
            raise ValueError(
                f"data has zero standard deviation in column(s) {constant.tolist()}; a constant "
                "column cannot be standardised"
            )
        return cls(mean=np.asarray(mean), std=np.asarray(std))

    def transform(self, data: np.ndarray) -> np.ndarray:
        """(data - mean) / std, column by column, for data with the fitted column layout.

    >>> print(Standardizer.fit([2.0, 4.0]).transform([2.0, 4.0]).tolist())
    [-1.0, 1.0]
    """
        return (self._check(data) - self.mean) / self.std

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """data * std + mean: standardised data back in the original units.

    >>> print(Standardizer.fit([2.0, 4.0]).inverse_transform([0.0]).tolist())
    [3.0]
    """
        return self._check(data) * self.std + self.mean

    def _check(self, data: object) -> np.ndarray:
        array = finite_array(data, "data")
        if array.ndim != self.mean.ndim + 1 or array.shape[1:] != self.mean.shape:
            expected = "(n,)" if self.mean.ndim == 0 else f"(n, {self.mean.shape[0]})"
            raise ValueError(f"data must have shape {expected} to match the fit, got {array.shape}")
        return array


def standardize(data: np.ndarray) -> tuple[np.ndarray, Standardizer]:
    """Standardise ``data`` (shape (n,) or (n, n_features)) by column; return it and the scaler.

    Returns
    -------
    standardized : numpy.ndarray
        (data - mean) / std: each column has mean 0 and standard deviation 1.
    standardizer : Standardizer
        For new data and for :meth:`Standardizer.inverse_transform`.

    Examples
    --------
    >>> z, scaler = standardize(np.array([[10.0], [20.0], [30.0]]))
    >>> print(np.round(z.ravel(), 4).tolist(), scaler.mean.tolist())
    [-1.2247, 0.0, 1.2247] [20.0]
    """
    standardizer = Standardizer.fit(data)
    return standardizer.transform(data), standardizer
