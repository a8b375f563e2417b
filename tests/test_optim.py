"""Gradient descent against closed forms; stability edge, convergence rates, valley and cliff."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lesson_code.landscapes import get_landscape
from lesson_code.optim import (
    condition_number,
    gradient_descent,
    gradient_descent_rate,
    heavy_ball_parameters,
    heavy_ball_rate,
    measured_rate,
    optimal_fixed_learning_rate,
    stable_learning_rate,
)

ELLIPTIC_HESSIAN = np.diag([2.0, 8.0])


def _heavy_ball_closed_form(
    curvatures: np.ndarray, start: np.ndarray, learning_rate: float, momentum: float, n: int
) -> np.ndarray:
    """Heavy ball on sum_i c_i x_i^2 / 2, coordinate by coordinate, as a 2x2 matrix power.

    (x_{k+1}, x_k) = [[1 + beta - eta c, -beta], [1, 0]] (x_k, x_{k-1}), with x_{-1} = x_0
    because the velocity starts at 0.
    """
    path = np.empty((n + 1, len(start)))
    for i, (c, x0) in enumerate(zip(curvatures, start, strict=True)):
        transition = np.array([[1 + momentum - learning_rate * c, -momentum], [1.0, 0.0]])
        for k in range(n + 1):
            path[k, i] = (np.linalg.matrix_power(transition, k) @ [x0, x0])[0]
    return path


def test_plain_descent_on_the_elliptic_bowl_is_the_closed_form() -> None:
    bowl = get_landscape("elliptic_bowl")
    learning_rate, n = 0.1, 30
    path = gradient_descent(bowl.gradient, [1.5, -0.7], learning_rate, n)
    k = np.arange(n + 1)
    # Each coordinate of x^2 + 4y^2 is multiplied by 1 - eta * curvature per step.
    expected = np.column_stack(
        [1.5 * (1 - 2 * learning_rate) ** k, -0.7 * (1 - 8 * learning_rate) ** k]
    )
    assert path.shape == (n + 1, 2)
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-300)


def test_heavy_ball_matches_its_closed_form_in_five_dimensions() -> None:
    curvatures = np.array([0.5, 1.0, 2.0, 3.0, 4.0])
    start = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    path = gradient_descent(lambda x: curvatures * x, start, 0.3, 40, momentum=0.7)
    expected = _heavy_ball_closed_form(curvatures, start, 0.3, 0.7, 40)
    np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-12)


def test_elliptic_bowl_edge_of_stability_is_one_quarter() -> None:
    bowl = get_landscape("elliptic_bowl")
    hessian = bowl.hessian([0.3, -0.2])
    edge = stable_learning_rate(hessian)
    assert edge == pytest.approx(0.25, rel=1e-15)  # 2 / lambda_max with lambda_max = 8
    start = np.array([1.0, 1.0])

    below = gradient_descent(bowl.gradient, start, 0.99 * edge, 2000)
    above = gradient_descent(bowl.gradient, start, 1.01 * edge, 2000)
    assert np.linalg.norm(below[-1]) < 1e-6 * np.linalg.norm(start)
    assert np.linalg.norm(above[-1]) > 1e6 * np.linalg.norm(start)
    # Divergence is an oscillation of growing amplitude along the steep axis y.
    signs = np.sign(above[-10:, 1])
    assert np.all(signs[1:] == -signs[:-1])


def test_quadratic_theory_on_the_elliptic_bowl() -> None:
    # Eigenvalues 2 and 8 give kappa = 4 and these values by hand.
    assert condition_number(ELLIPTIC_HESSIAN) == pytest.approx(4.0)
    assert optimal_fixed_learning_rate(ELLIPTIC_HESSIAN) == pytest.approx(2 / 10)
    assert gradient_descent_rate(ELLIPTIC_HESSIAN) == pytest.approx(3 / 5)
    assert heavy_ball_rate(ELLIPTIC_HESSIAN) == pytest.approx(1 / 3)
    learning_rate, momentum = heavy_ball_parameters(ELLIPTIC_HESSIAN)
    assert learning_rate == pytest.approx(4 / (np.sqrt(8) + np.sqrt(2)) ** 2)
    assert learning_rate == pytest.approx(2 / 9)
    assert momentum == pytest.approx(1 / 9)


def test_rates_do_not_depend_on_the_basis() -> None:
    rotation = np.array([[np.cos(0.4), -np.sin(0.4)], [np.sin(0.4), np.cos(0.4)]])
    rotated = rotation @ ELLIPTIC_HESSIAN @ rotation.T
    assert condition_number(rotated) == pytest.approx(4.0, rel=1e-12)
    assert stable_learning_rate(rotated) == pytest.approx(0.25, rel=1e-12)


@pytest.mark.parametrize("name", ["elliptic_bowl", "sloping_valley"])
def test_optimal_fixed_step_contracts_at_the_predicted_rate(name: str) -> None:
    landscape = get_landscape(name)
    minimum = np.array(landscape.minima[0])
    hessian = landscape.hessian(minimum)
    learning_rate = optimal_fixed_learning_rate(hessian)
    path = gradient_descent(landscape.gradient, minimum + [-3.0, 0.8], learning_rate, 60)
    # With two eigenvalues, both error components shrink by exactly (kappa - 1) / (kappa + 1)
    # at this step, so the measured rate is exact, not just asymptotic.
    assert measured_rate(path, minimum) == pytest.approx(gradient_descent_rate(hessian), rel=1e-6)


@pytest.mark.parametrize(("name", "n_steps"), [("elliptic_bowl", 400), ("sloping_valley", 150)])
def test_heavy_ball_contracts_at_the_predicted_rate(name: str, n_steps: int) -> None:
    landscape = get_landscape(name)
    minimum = np.array(landscape.minima[0])
    hessian = landscape.hessian(minimum)
    learning_rate, momentum = heavy_ball_parameters(hessian)
    path = gradient_descent(
        landscape.gradient, minimum + [-3.0, 0.8], learning_rate, n_steps, momentum=momentum
    )
    # At the optimal parameters both extreme eigen-directions have a repeated eigenvalue
    # sqrt(beta), so the error behaves like (a + b k) sqrt(beta)^k. Over the tail k = n/2 .. n
    # the polynomial factor adds 2^(2/n) to the measured rate: 0.3% at n = 400, 0.9% at 150.
    # n_steps keeps the distance well above rounding level (1e-16 |x*| for the valley).
    rate = measured_rate(path, minimum)
    expected = heavy_ball_rate(hessian)
    assert rate == pytest.approx(expected, rel=0.02)
    assert expected <= rate <= expected * 2 ** (2 / n_steps) * (1 + 1e-3)


def _steps_to_reach(losses: np.ndarray, threshold: float) -> int:
    below = np.flatnonzero(losses < threshold)
    assert below.size, "never reached the threshold"
    return int(below[0])


def test_momentum_crosses_the_sloping_valley_faster_than_plain_descent() -> None:
    valley = get_landscape("sloping_valley")
    hessian = valley.hessian([0.0, 0.0])
    start = [-4.0, 0.5]
    threshold = 1e-4 * valley.value(*start)

    def steps(learning_rate: float, momentum: float) -> int:
        path = gradient_descent(valley.gradient, start, learning_rate, 3000, momentum=momentum)
        return _steps_to_reach(valley.value(path[:, 0], path[:, 1]), threshold)

    best_plain = steps(optimal_fixed_learning_rate(hessian), 0.0)
    best_heavy_ball = steps(*heavy_ball_parameters(hessian))
    assert best_heavy_ball < best_plain / 3
    # The everyday recipe, same learning rate with momentum 0.9, also wins.
    assert steps(0.1, 0.9) < steps(0.1, 0.0) / 3


def test_plain_descent_bounces_between_the_valley_walls() -> None:
    valley = get_landscape("sloping_valley")
    minimum = np.array(valley.minima[0])
    path = gradient_descent(valley.gradient, [-4.0, 0.5], 0.18, 50)
    across = path[:, 1] - path[:, 0] / 4  # signed height above the valley floor y = x / 4
    assert np.all(np.sign(across[1:]) == -np.sign(across[:-1]))
    # Along the gently curved eigen-direction the error only creeps down, by 1 - 0.18 mu.
    _, eigenvectors = np.linalg.eigh(valley.hessian(minimum))
    along_floor = np.abs((path - minimum) @ eigenvectors[:, 0])
    assert np.all(np.diff(along_floor) < 0)
    assert along_floor[-1] > 0.4 * along_floor[0]


def test_a_step_on_the_cliff_face_is_catapulted_unless_clipped() -> None:
    cliff = get_landscape("cliff")
    minimum = np.array(cliff.minima[0])
    on_face = np.array([0.0, 0.5])
    plain = gradient_descent(cliff.gradient, on_face, 0.5, 1)[-1]
    clipped = gradient_descent(cliff.gradient, on_face, 0.5, 1, max_step_norm=0.5)[-1]
    before = np.linalg.norm(on_face - minimum)
    assert np.linalg.norm(plain - minimum) > 5 * before
    assert np.linalg.norm(clipped - on_face) == pytest.approx(0.5, rel=1e-12)
    assert np.linalg.norm(clipped - minimum) < before


def test_clipped_descent_never_overshoots_the_cliff_far() -> None:
    cliff = get_landscape("cliff")
    minimum_x = cliff.minima[0][0]
    max_step_norm = 0.3
    overshoot_plain, overshoot_clipped = [], []
    for start_x in np.linspace(-2.5, -1.5, 21):
        start = [start_x, 1.0]
        plain = gradient_descent(cliff.gradient, start, 0.5, 300)
        clipped = gradient_descent(cliff.gradient, start, 0.5, 300, max_step_norm=max_step_norm)
        step_lengths = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
        assert np.all(step_lengths <= max_step_norm * (1 + 1e-12))
        overshoot_plain.append(plain[:, 0].max() - minimum_x)
        overshoot_clipped.append(clipped[:, 0].max() - minimum_x)
        assert np.linalg.norm(clipped[-1] - cliff.minima[0]) < 1e-3
    # Whether a plain run lands on the face depends on where its steps fall; from some starts
    # it is thrown several units past the minimum. Clipped runs never overshoot by a full step.
    assert max(overshoot_plain) > 5.0
    assert max(overshoot_clipped) < max_step_norm


def test_divergence_returns_the_finite_part_of_the_path_without_warnings() -> None:
    bowl = get_landscape("elliptic_bowl")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gradient_descent(bowl.gradient, [1.0, 1.0], 1.0, 2000)
    # y is multiplied by 1 - 8 = -7 per step, so it passes float64's 1.8e308 after ~365 steps.
    assert 300 < len(path) < 2001
    assert np.all(np.isfinite(path))
    assert abs(path[-1, 1]) > 1e300


def test_a_non_finite_gradient_ends_the_path() -> None:
    def gradient(x: np.ndarray) -> np.ndarray:
        return np.array([np.nan]) if x[0] < 0.5 else np.array([1.0])

    path = gradient_descent(gradient, [1.0], 0.3, 10)
    np.testing.assert_allclose(path, [[1.0], [0.7], [0.4]], rtol=1e-15)


def test_the_gradient_function_cannot_alter_the_path() -> None:
    def meddling_gradient(x: np.ndarray) -> np.ndarray:
        x[...] = 100.0
        return np.ones_like(x)

    path = gradient_descent(meddling_gradient, [0.0, 0.0], 0.5, 2)
    assert path.tolist() == [[0.0, 0.0], [-0.5, -0.5], [-1.0, -1.0]]


def test_measured_rate_of_an_exact_geometric_path() -> None:
    k = np.arange(21)[:, None]
    path = np.array([2.0, -1.0]) + 0.7**k * np.array([3.0, 4.0])
    assert measured_rate(path, [2.0, -1.0]) == pytest.approx(0.7, rel=1e-12)
    assert measured_rate(path, [2.0, -1.0], tail_fraction=1.0) == pytest.approx(0.7, rel=1e-12)
    growing = 1.5**k * np.array([1.0, 0.0])
    assert measured_rate(growing, [0.0, 0.0]) == pytest.approx(1.5, rel=1e-12)
    assert measured_rate(np.zeros((5, 2)), [0.0, 0.0]) == 0.0


def test_measured_rate_uses_only_the_tail() -> None:
    # Fast for 10 steps, then a steady 0.9: the default half tail sees only 0.9.
    distances = np.concatenate([0.1 ** np.arange(10), 0.1**9 * 0.9 ** np.arange(1, 21)])
    path = distances[:, None]
    assert measured_rate(path, [0.0]) == pytest.approx(0.9, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"gradient": "not callable"}, TypeError, "gradient must be a callable"),
        ({"start": [[1.0, 2.0]]}, ValueError, "start must be 1-dimensional"),
        ({"start": []}, ValueError, "start must contain at least one"),
        ({"start": [np.nan, 1.0]}, ValueError, "start must contain only finite"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate"),
        ({"learning_rate": np.inf}, ValueError, "learning_rate"),
        ({"n_steps": 0}, ValueError, "n_steps"),
        ({"n_steps": 2.5}, TypeError, "n_steps"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"momentum": -0.1}, ValueError, "momentum"),
        ({"max_step_norm": 0.0}, ValueError, "max_step_norm"),
        ({"gradient": lambda x: np.ones(3)}, ValueError, r"shape \(2,\)"),
        ({"gradient": lambda x: "downhill"}, TypeError, "array of numbers"),
    ],
)
def test_gradient_descent_rejects_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    arguments = {
        "gradient": get_landscape("round_bowl").gradient,
        "start": [1.0, 1.0],
        "learning_rate": 0.1,
        "n_steps": 5,
    } | kwargs
    with pytest.raises(error, match=message):
        gradient_descent(**arguments)


@pytest.mark.parametrize(
    ("hessian", "message"),
    [
        ([[1.0, 2.0], [0.0, 1.0]], "symmetric"),
        ([[2.0, 0.0], [0.0, -2.0]], "positive definite"),
        ([[1.0, 0.0], [0.0, 0.0]], "positive definite"),
        ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "square"),
        ([1.0, 2.0], "2-dimensional"),
        ([[np.nan, 0.0], [0.0, 1.0]], "finite"),
    ],
)
def test_theory_functions_reject_matrices_that_are_not_spd(hessian: object, message: str) -> None:
    for function in (
        stable_learning_rate,
        optimal_fixed_learning_rate,
        condition_number,
        gradient_descent_rate,
        heavy_ball_rate,
        heavy_ball_parameters,
    ):
        with pytest.raises(ValueError, match=message):
            function(hessian)


def test_saddle_hessian_is_rejected_as_not_positive_definite() -> None:
    with pytest.raises(ValueError, match=r"-2\.0, 2\.0"):
        stable_learning_rate(get_landscape("saddle").hessian([0.0, 0.0]))


@pytest.mark.parametrize(
    ("path", "minimum", "tail_fraction", "message"),
    [
        ([[1.0, 2.0]], [0.0, 0.0], 0.5, "at least 2 points"),
        ([1.0, 2.0], [0.0], 0.5, "2-dimensional"),
        ([[1.0, 2.0], [0.5, 1.0]], [0.0, 0.0, 0.0], 0.5, "shape"),
        ([[1.0, 2.0], [0.5, 1.0]], [0.0, 0.0], 0.0, "tail_fraction"),
        ([[1.0, 2.0], [0.5, 1.0]], [0.0, 0.0], 1.5, "tail_fraction"),
        ([[1.0, np.inf], [0.5, 1.0]], [0.0, 0.0], 0.5, "finite"),
    ],
)
def test_measured_rate_rejects_bad_arguments(
    path: object, minimum: object, tail_fraction: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        measured_rate(path, minimum, tail_fraction=tail_fraction)
