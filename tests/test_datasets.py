"""Spirals and polynomial regression: shapes, determinism, geometry, scale; standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.datasets import Standardizer, polynomial_regression, standardize, two_spirals


def test_two_spirals_shapes_dtypes_and_balance() -> None:
    X, y = two_spirals(150)
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert y.shape == (300,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1}
    assert np.bincount(y).tolist() == [150, 150]
    assert np.all(np.isfinite(X))


def test_two_spirals_is_deterministic_per_seed() -> None:
    X1, y1 = two_spirals(seed=7)
    X2, y2 = two_spirals(seed=7)
    X3, _ = two_spirals(seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_class_one_is_class_zero_rotated_by_half_a_turn() -> None:
    X, y = two_spirals(100, noise=0.0)
    rotation = np.array([[np.cos(np.pi), -np.sin(np.pi)], [np.sin(np.pi), np.cos(np.pi)]])
    np.testing.assert_allclose(X[y == 1], X[y == 0] @ rotation.T, atol=1e-15)


def test_noiseless_arm_winds_outwards_through_the_requested_turns() -> None:
    turns = 1.5
    X, y = two_spirals(301, turns=turns, noise=0.0)
    arm = X[y == 0]
    radius = np.hypot(arm[:, 0], arm[:, 1])
    assert np.all(np.diff(radius) > 0)
    assert radius[0] == 0.0 and radius[-1] == pytest.approx(1.0)
    # From t = 1/300 (the centre, t = 0, has no angle) to t = 1 the arm turns 299/300 of the way.
    total_angle = np.sum(np.diff(np.unwrap(np.arctan2(arm[1:, 1], arm[1:, 0]))))
    assert total_angle == pytest.approx(2 * np.pi * turns * 299 / 300)


@pytest.mark.parametrize("angle", np.linspace(-np.pi, np.pi, 12, endpoint=False))
def test_classes_alternate_along_a_ray(angle: float) -> None:
    X, y = two_spirals(2000, noise=0.0)
    point_angle = np.arctan2(X[:, 1], X[:, 0])
    near_ray = np.abs(np.angle(np.exp(1j * (point_angle - angle)))) < 0.05
    near_ray &= np.hypot(X[:, 0], X[:, 1]) > 0.05  # the centre has every angle
    labels_by_radius = y[near_ray][np.argsort(np.hypot(X[near_ray, 0], X[near_ray, 1]))]
    runs = 1 + np.count_nonzero(np.diff(labels_by_radius))
    # 1.5 turns per arm: a ray crosses the two arms 3 times in all, in alternating classes.
    assert runs == 3


def test_default_noise_leaves_the_arms_apart() -> None:
    X, _ = two_spirals()
    clean, _ = two_spirals(noise=0.0)
    displacement = np.hypot(*(X - clean).T)
    # Arms of different classes are 1/3 apart in radius; the noise rarely moves a point 1/6.
    assert np.mean(displacement > 1 / 6) < 0.01
    assert 0.02 < np.std(X - clean) < 0.08


def test_polynomial_regression_shapes_determinism_and_order() -> None:
    X, y = polynomial_regression(80)
    assert X.shape == (80, 1) and y.shape == (80, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.all(np.diff(X[:, 0]) >= 0)
    assert np.all((X >= 0.0) & (X <= 5.0))
    X2, y2 = polynomial_regression(80)
    _, y3 = polynomial_regression(80, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.allclose(y, y3)


@pytest.mark.parametrize("degree", [1, 2, 3, 5])
def test_noiseless_targets_are_a_polynomial_of_the_requested_degree_and_scale(degree: int) -> None:
    X, y = polynomial_regression(200, degree=degree, target_scale=500.0, noise=0.0)
    fit = np.polyfit(X[:, 0], y[:, 0], degree)
    np.testing.assert_allclose(np.polyval(fit, X[:, 0]), y[:, 0], atol=1e-6 * 500)
    lower = np.polyfit(X[:, 0], y[:, 0], degree - 1) if degree > 1 else None
    if lower is not None:
        assert np.max(np.abs(np.polyval(lower, X[:, 0]) - y[:, 0])) > 1.0
    assert np.max(np.abs(y)) <= 500.0 * (1 + 1e-9)
    assert np.max(np.abs(y)) > 0.8 * 500.0


def test_targets_are_large_and_noise_has_the_requested_size() -> None:
    _, y = polynomial_regression(2000, noise=0.05)
    _, clean = polynomial_regression(2000, noise=0.0)
    assert np.std(y) > 100
    assert np.std(y - clean) == pytest.approx(0.05 * 1000, rel=0.1)


def test_standardize_gives_mean_zero_std_one_and_is_undone_exactly() -> None:
    X, y = polynomial_regression()
    for data in (X, y, np.column_stack([X[:, 0], 3 * X[:, 0] ** 2, y[:, 0]])):
        z, scaler = standardize(data)
        assert z.shape == data.shape
        np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-12)
        np.testing.assert_allclose(scaler.inverse_transform(z), data, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(scaler.mean, np.mean(data, axis=0), rtol=1e-12)


def test_standardizer_applies_the_training_statistics_to_new_data() -> None:
    scaler = Standardizer.fit(np.array([[0.0, 10.0], [2.0, 30.0]]))
    assert scaler.transform(np.array([[1.0, 40.0], [3.0, 0.0]])).tolist() == [
        [0.0, 2.0],
        [2.0, -2.0],
    ]
    one_d = Standardizer.fit(np.array([1.0, 2.0, 3.0, 4.0]))
    assert one_d.transform([2.5]).tolist() == [0.0]


def test_standardizer_refuses_constant_columns_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"zero standard deviation in column\(s\) \[1\]"):
        Standardizer.fit(np.array([[1.0, 5.0], [2.0, 5.0]]))
    with pytest.raises(ValueError, match="zero standard deviation"):
        standardize(np.ones(4))
    scaler = Standardizer.fit(np.array([[1.0, 5.0], [2.0, 6.0]]))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        scaler.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        scaler.inverse_transform(np.ones(2))
    with pytest.raises(ValueError, match="finite"):
        standardize(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="at least one row"):
        standardize(np.ones((2, 2, 2)))


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n_per_class": 1}, ValueError, "n_per_class"),
        ({"n_per_class": 10.0}, TypeError, "n_per_class"),
        ({"turns": 0.0}, ValueError, "turns"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"noise": np.nan}, ValueError, "noise"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_two_spirals_rejects_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        two_spirals(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n_samples": 1}, ValueError, "n_samples"),
        ({"degree": 0}, ValueError, "degree"),
        ({"degree": "3"}, TypeError, "degree"),
        ({"target_scale": 0.0}, ValueError, "target_scale"),
        ({"target_scale": np.inf}, ValueError, "target_scale"),
        ({"noise": -1.0}, ValueError, "noise"),
        ({"seed": None}, TypeError, "seed"),
    ],
)
def test_polynomial_regression_rejects_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        polynomial_regression(**kwargs)
