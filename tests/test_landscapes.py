"""Landscapes: formulas as stated, derivatives against finite differences, minima, convexity."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from lesson_code.landscapes import LANDSCAPES, Landscape, get_landscape, landscape_critical_points

NAMES = [
    "round_bowl",
    "elliptic_bowl",
    "convex_g",
    "nonconvex_G",
    "cliff",
    "sloping_valley",
    "saddle",
]

# The formulas as the lessons state them, typed in again from the text rather than imported.
REFERENCE_FORMULAS = {
    "round_bowl": lambda x, y: x**2 + y**2,
    "elliptic_bowl": lambda x, y: x**2 + 4 * y**2,
    "convex_g": lambda x, y: x**2 + y**2 - 2 * x - 2 * y + 6,
    "nonconvex_G": lambda x, y: 0.25 * (x**2 + y**2)
    - 2.0 * np.exp(-((x + 1.5) ** 2) - (y + 1.0) ** 2)
    - 1.4 * np.exp(-((x - 1.6) ** 2) - (y + 0.8) ** 2)
    - 1.0 * np.exp(-((x - 0.2) ** 2) - (y - 1.6) ** 2),
    "cliff": lambda x, y: 2 * (1 - np.tanh(10 * x)) + 0.05 * (x - 1) ** 2 + 0.5 * y**2,
    "sloping_valley": lambda x, y: 0.05 * (x - 4) ** 2 + 5 * (y - x / 4) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
}

STEP = 1e-4


def _five_point(f, point: np.ndarray, axis: int) -> np.ndarray:
    """Central difference of order h^4 along ``axis``: accurate to ~1e-11 for these surfaces."""
    e = np.zeros(2)
    e[axis] = STEP
    return (-f(point + 2 * e) + 8 * f(point + e) - 8 * f(point - e) + f(point - 2 * e)) / (
        12 * STEP
    )


def _sample_points(landscape: Landscape, rng: np.random.Generator, n: int = 25) -> np.ndarray:
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    points = np.column_stack([rng.uniform(x_low, x_high, n), rng.uniform(y_low, y_high, n)])
    if landscape.name == "cliff":
        # The face of the cliff, where the derivatives are largest and most likely to be wrong.
        face = np.column_stack([rng.uniform(-0.3, 0.3, n), rng.uniform(y_low, y_high, n)])
        points = np.concatenate([points, face])
    return points


def test_registry_holds_exactly_the_named_landscapes() -> None:
    assert list(LANDSCAPES) == NAMES
    for name in NAMES:
        landscape = get_landscape(name)
        assert landscape.name == name
        assert landscape.tex and landscape.description


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="round_bowl.*saddle.*got 'bowl'"):
        get_landscape("bowl")


def test_landscapes_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_landscape("saddle").name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", NAMES)
def test_value_is_the_stated_formula_elementwise(name: str) -> None:
    landscape = get_landscape(name)
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    x, y = np.meshgrid(np.linspace(x_low, x_high, 7), np.linspace(y_low, y_high, 5))
    values = landscape.value(x, y)
    assert values.shape == (5, 7)
    np.testing.assert_allclose(values, REFERENCE_FORMULAS[name](x, y), rtol=1e-13, atol=1e-13)
    assert isinstance(landscape.value(0.5, -0.25), float)
    assert landscape.value(np.linspace(0, 1, 3), 0.5).shape == (3,)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name: str) -> None:
    landscape = get_landscape(name)
    rng = np.random.default_rng(0)

    def value(p: np.ndarray) -> float:
        return landscape.value(p[0], p[1])

    for point in _sample_points(landscape, rng):
        analytic = landscape.gradient(point)
        assert analytic.shape == (2,)
        numeric = np.array([_five_point(value, point, axis) for axis in range(2)])
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_finite_differences_of_the_gradient(name: str) -> None:
    landscape = get_landscape(name)
    rng = np.random.default_rng(1)
    for point in _sample_points(landscape, rng):
        analytic = landscape.hessian(point)
        assert analytic.shape == (2, 2)
        assert analytic[0, 1] == analytic[1, 0]
        numeric = np.column_stack(
            [_five_point(landscape.gradient, point, axis) for axis in range(2)]
        )
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def _grid_local_minima(landscape: Landscape, n: int = 401) -> list[tuple[float, float]]:
    """Grid points strictly lower than their 8 neighbours, away from the window's edge."""
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    xs, ys = np.linspace(x_low, x_high, n), np.linspace(y_low, y_high, n)
    z = landscape.value(*np.meshgrid(xs, ys))
    centre = z[1:-1, 1:-1]
    lowest = np.ones_like(centre, dtype=bool)
    for dy, dx in itertools.product((-1, 0, 1), repeat=2):
        if dx or dy:
            lowest &= centre < z[1 + dy : n - 1 + dy, 1 + dx : n - 1 + dx]
    rows, cols = np.nonzero(lowest)
    return [(xs[c + 1], ys[r + 1]) for r, c in zip(rows, cols, strict=True)]


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_are_minima_and_the_only_ones_in_the_window(name: str) -> None:
    landscape = get_landscape(name)
    for minimum in landscape.minima:
        assert np.linalg.norm(landscape.gradient(minimum)) < 1e-12
        assert np.all(np.linalg.eigvalsh(landscape.hessian(minimum)) > 0)
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        around = landscape.value(
            minimum[0] + 1e-3 * np.cos(angles), minimum[1] + 1e-3 * np.sin(angles)
        )
        assert np.all(around > landscape.value(*minimum))
    found = _grid_local_minima(landscape)
    assert len(found) == len(landscape.minima)
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    spacing = max(x_high - x_low, y_high - y_low) / 400
    for point in found:
        distances = [np.hypot(point[0] - m[0], point[1] - m[1]) for m in landscape.minima]
        assert min(distances) < 2 * spacing


@pytest.mark.parametrize("name", NAMES)
def test_the_grid_search_finds_exactly_the_listed_minima(name: str) -> None:
    """The listed minima are polished by the same Newton iteration the grid search runs."""
    landscape = get_landscape(name)
    found = sorted(tuple(p.point) for p in landscape_critical_points(landscape) if p.kind == "minimum")
    assert len(found) == len(landscape.minima)
    for got, listed in zip(found, sorted(landscape.minima), strict=True):
        np.testing.assert_allclose(got, listed, rtol=0, atol=1e-12)


def test_convex_g_has_its_unique_minimum_4_at_1_1() -> None:
    g = get_landscape("convex_g")
    assert g.minima == ((1.0, 1.0),)
    assert g.value(1.0, 1.0) == 4.0
    assert g.gradient([1.0, 1.0]).tolist() == [0.0, 0.0]
    x, y = np.meshgrid(np.linspace(-2, 4, 61), np.linspace(-2, 4, 61))
    assert np.all(g.value(x, y) >= 4.0)


def test_nonconvex_G_has_three_minima_of_distinct_depths_and_the_deepest_is_global() -> None:
    big_g = get_landscape("nonconvex_G")
    assert len(big_g.minima) >= 3
    depths = sorted(big_g.value(*m) for m in big_g.minima)
    assert np.all(np.diff(depths) > 0.1)
    (x_low, x_high), (y_low, y_high) = big_g.bounds
    x, y = np.meshgrid(np.linspace(x_low, x_high, 301), np.linspace(y_low, y_high, 301))
    assert np.min(big_g.value(x, y)) >= depths[0]
    assert np.min(big_g.value(x, y)) == pytest.approx(depths[0], abs=1e-3)


def test_saddle_is_a_critical_point_with_eigenvalues_plus_and_minus_two() -> None:
    saddle = get_landscape("saddle")
    assert saddle.minima == ()
    assert saddle.saddle_points == ((0.0, 0.0),)
    assert saddle.gradient([0.0, 0.0]).tolist() == [0.0, 0.0]
    eigenvalues = np.linalg.eigvalsh(saddle.hessian([0.0, 0.0]))
    np.testing.assert_allclose(eigenvalues, [-2.0, 2.0], rtol=0, atol=1e-15)
    assert saddle.value(0.0, 0.1) < saddle.value(0.0, 0.0) < saddle.value(0.1, 0.0)


def _convexity_gaps(landscape: Landscape, rng: np.random.Generator, n: int = 2000) -> np.ndarray:
    """lambda L(a) + (1 - lambda) L(b) - L(lambda a + (1 - lambda) b) for random a, b, lambda."""
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    a = np.column_stack([rng.uniform(x_low, x_high, n), rng.uniform(y_low, y_high, n)])
    b = np.column_stack([rng.uniform(x_low, x_high, n), rng.uniform(y_low, y_high, n)])
    t = rng.uniform(0, 1, n)[:, None]
    mix = t * a + (1 - t) * b
    chord = t[:, 0] * landscape.value(a[:, 0], a[:, 1]) + (1 - t[:, 0]) * landscape.value(
        b[:, 0], b[:, 1]
    )
    return chord - landscape.value(mix[:, 0], mix[:, 1])


@pytest.mark.parametrize("name", ["round_bowl", "elliptic_bowl", "convex_g", "sloping_valley"])
def test_convexity_inequality_holds_for_convex_landscapes(name: str) -> None:
    gaps = _convexity_gaps(get_landscape(name), np.random.default_rng(2))
    assert np.all(gaps >= -1e-12)


@pytest.mark.parametrize("name", ["nonconvex_G", "saddle", "cliff"])
def test_convexity_inequality_fails_for_some_pair_on_non_convex_landscapes(name: str) -> None:
    gaps = _convexity_gaps(get_landscape(name), np.random.default_rng(3))
    assert np.min(gaps) < -0.1


def test_cliff_is_a_gentle_slope_ending_in_a_steep_drop() -> None:
    cliff = get_landscape("cliff")
    plateau = [abs(cliff.gradient([x, 0.0])[0]) for x in np.linspace(-3.0, -0.5, 26)]
    face = max(abs(cliff.gradient([x, 0.0])[0]) for x in np.linspace(-0.2, 0.2, 41))
    assert max(plateau) < 0.5
    assert face > 40 * max(plateau)
    assert cliff.value(-0.3, 0.0) - cliff.value(0.3, 0.0) > 3.0


def test_sloping_valley_is_narrow_and_its_floor_descends() -> None:
    valley = get_landscape("sloping_valley")
    eigenvalues = np.linalg.eigvalsh(valley.hessian([0.0, 0.0]))
    assert eigenvalues[1] / eigenvalues[0] > 100
    floor = np.linspace(-4.0, 4.0, 9)
    assert np.all(np.diff(valley.value(floor, floor / 4)) < 0)


@pytest.mark.parametrize(
    ("point", "error"),
    [
        ([1.0, 2.0, 3.0], ValueError),
        ([[1.0, 2.0]], ValueError),
        ([np.nan, 0.0], ValueError),
        ([np.inf, 0.0], ValueError),
        (["a", "b"], TypeError),
    ],
)
def test_bad_points_raise(point: object, error: type[Exception]) -> None:
    landscape = get_landscape("round_bowl")
    with pytest.raises(error, match="point"):
        landscape.gradient(point)
    with pytest.raises(error, match="point"):
        landscape.hessian(point)


def test_bad_value_arguments_raise() -> None:
    bowl = get_landscape("round_bowl")
    with pytest.raises(ValueError, match="broadcastable"):
        bowl.value(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="y must contain only finite"):
        bowl.value(1.0, np.nan)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        bowl.value("one", 1.0)
