"""The tiny network's derivatives against finite differences; the search and the classifier."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lesson_code.critical_points import (
    TinyTanhNet,
    add_idle_units,
    classify_hessian,
    critical_point_census,
    find_critical_points,
    hessian_index,
    toy_regression_data,
)
from lesson_code.jacobians import positive_definite_fraction
from lesson_code.landscapes import get_landscape, landscape_critical_points


@pytest.mark.parametrize("hidden", [1, 3])
def test_gradient_matches_central_differences(hidden):
    net = TinyTanhNet(hidden)
    theta = np.random.default_rng(hidden).standard_normal(net.n_parameters)
    eps = 1e-6
    numeric = np.array(
        [(net.loss(theta + eps * e) - net.loss(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)]
    )
    np.testing.assert_allclose(net.gradient(theta), numeric, atol=1e-8)


@pytest.mark.parametrize("hidden", [1, 4])
def test_hessian_matches_differences_of_the_gradient(hidden):
    net = TinyTanhNet(hidden, weight_decay=0.01)
    theta = np.random.default_rng(10 + hidden).standard_normal(net.n_parameters)
    eps = 1e-6
    numeric = np.array(
        [(net.gradient(theta + eps * e) - net.gradient(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)]
    )
    hessian = net.hessian(theta)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-14)
    np.testing.assert_allclose(hessian, numeric, atol=1e-7)


def test_batch_matches_single_evaluations():
    net = TinyTanhNet(2)
    thetas = np.random.default_rng(3).standard_normal((4, net.n_parameters))
    loss, gradient, hessian = net.evaluate(thetas)
    for k, theta in enumerate(thetas):
        assert loss[k] == pytest.approx(net.loss(theta), rel=1e-14)
        np.testing.assert_allclose(gradient[k], net.gradient(theta), rtol=1e-13)
        np.testing.assert_allclose(hessian[k], net.hessian(theta), rtol=1e-13, atol=1e-15)


def test_predict_is_the_formula():
    net = TinyTanhNet(2)
    theta = np.array([1.0, -2.0, 0.5, 0.1, 3.0, -1.0, 0.25])  # W1, b1, W2, b2
    x = np.array([-1.0, 0.3])
    expected = 3.0 * np.tanh(1.0 * x + 0.5) - 1.0 * np.tanh(-2.0 * x + 0.1) + 0.25
    np.testing.assert_allclose(net.predict(theta, x), expected, rtol=1e-14)
    residual = net.predict(theta) - net.y
    assert net.loss(theta) == pytest.approx(0.5 * np.mean(residual**2) + 0.5e-3 * theta @ theta)


def test_weight_decay_only_adds_alpha_identity():
    theta = np.random.default_rng(0).standard_normal(10)
    plain, decayed = TinyTanhNet(3, weight_decay=0.0), TinyTanhNet(3, weight_decay=0.2)
    np.testing.assert_allclose(decayed.hessian(theta) - plain.hessian(theta), 0.2 * np.eye(10), atol=1e-13)
    np.testing.assert_allclose(decayed.gradient(theta) - plain.gradient(theta), 0.2 * theta, atol=1e-13)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="hidden"):
        TinyTanhNet(0)
    with pytest.raises(ValueError, match="x and y"):
        TinyTanhNet(1, x=[0.0, 1.0], y=[1.0])
    with pytest.raises(ValueError, match=r"theta must have shape \(4,\)"):
        TinyTanhNet(1).loss(np.zeros(5))
    with pytest.raises(TypeError, match="net"):
        find_critical_points("net")
    with pytest.raises(ValueError, match="n_samples"):
        toy_regression_data(1)


def test_classifier_and_index():
    assert classify_hessian(np.diag([1.0, 2.0])) == "minimum"
    assert classify_hessian(np.diag([-1.0, -2.0])) == "maximum"
    assert classify_hessian(np.diag([1.0, -2.0, 0.0])) == "saddle"
    assert classify_hessian(np.diag([1.0, 0.0])) == "degenerate"
    rotation = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    assert classify_hessian(rotation @ np.diag([3.0, -1.0]) @ rotation.T) == "saddle"
    assert hessian_index([-1.0, -1e-12, 2.0, 3.0]) == 0.25
    with pytest.raises(ValueError, match="symmetric"):
        classify_hessian([[1.0, 2.0], [0.0, 1.0]])


def test_found_points_are_critical_and_correctly_classified():
    net = TinyTanhNet(2)
    search = find_critical_points(net, n_starts=30, seed=1)
    assert search.points and search.n_converged <= search.n_runs == 60
    keys = set()
    for point in search.points:
        assert np.linalg.norm(net.gradient(point.theta)) < 1e-9
        eigenvalues = np.linalg.eigvalsh(net.hessian(point.theta))
        np.testing.assert_allclose(point.eigenvalues, eigenvalues, atol=1e-12)
        assert point.kind == ("minimum" if eigenvalues[0] > 0 else "saddle")
        assert point.n_negative == int(np.sum(eigenvalues < 0))
        keys.add((round(point.loss, 9), point.n_negative))
    assert len(keys) == len(search.points)  # no duplicates
    assert [p.loss for p in search.points] == sorted(p.loss for p in search.points)


def test_all_dead_units_is_a_saddle_with_one_negative_direction_per_unit():
    # With every hidden weight 0 and b^2 near mean(y), the only fit is the mean: each unit
    # offers one way down (its W^2 paired with its b^1), so the index is h / (3h + 1).
    for hidden in (1, 2, 3):
        search = find_critical_points(TinyTanhNet(hidden), n_starts=40)
        top = search.points[-1]
        assert top.kind == "saddle" and top.n_negative == hidden
        assert top.loss == pytest.approx(0.5 * np.var(toy_regression_data()[1]), rel=1e-2)


def test_census_counts_match_the_search():
    rows = critical_point_census([1, 2], n_starts=20, seed=0)
    assert [r.n_parameters for r in rows] == [4, 7]
    for row in rows:
        search = find_critical_points(TinyTanhNet(row.hidden), n_starts=20, seed=0)
        assert (row.n_minima, row.n_saddles) == (search.count("minimum"), search.count("saddle"))
        minima = [p.loss for p in search.points if p.kind == "minimum"]
        saddles = [p.loss for p in search.points if p.kind == "saddle"]
        assert (row.lowest_minimum_loss, row.highest_minimum_loss) == (min(minima), max(minima))
        assert (row.lowest_saddle_loss, row.highest_saddle_loss) == (min(saddles), max(saddles))
        assert 0 < row.minimum_fraction <= 1


def test_positive_definite_fraction_small_dimensions():
    # d = 1: P(N(0,1) > 0) = 1/2. d = 2: for the GOE, P(both eigenvalues > 0) = (2 - sqrt 2)/4.
    assert positive_definite_fraction(1, n_matrices=40_000, seed=1) == pytest.approx(0.5, abs=0.01)
    assert positive_definite_fraction(2, n_matrices=40_000, seed=2) == pytest.approx(
        (2 - np.sqrt(2)) / 4, abs=0.01
    )
    fractions = [positive_definite_fraction(d, n_matrices=20_000) for d in (1, 2, 3, 4)]
    assert all(b < a * 0.5 for a, b in itertools.pairwise(fractions))


def test_landscape_critical_points_of_G():
    G = get_landscape("nonconvex_G")
    points = landscape_critical_points(G)
    kinds = [p.kind for p in points]
    assert kinds.count("minimum") == 3
    # On a loss that rises at infinity, #minima - #saddles + #maxima = 1 (Morse theory).
    assert kinds.count("minimum") - kinds.count("saddle") + kinds.count("maximum") == 1
    minima = sorted(tuple(np.round(p.point, 6)) for p in points if p.kind == "minimum")
    assert minima == sorted(tuple(np.round(m, 6)) for m in G.minima)


def test_idle_units_keep_the_cost_and_the_critical_point():
    small = TinyTanhNet(1)
    minimum = find_critical_points(small, n_starts=20).points[0]
    assert minimum.kind == "minimum"
    for extra in (1, 3):
        big = TinyTanhNet(1 + extra)
        theta = add_idle_units(minimum.theta, hidden=1, extra=extra)
        assert big.loss(theta) == pytest.approx(minimum.loss, rel=1e-13)
        np.testing.assert_allclose(big.predict(theta), small.predict(minimum.theta), rtol=1e-13)
        assert np.linalg.norm(big.gradient(theta)) < 1e-9
        # Each idle unit adds exactly one direction of descent here (its W^2 with its W^1, b^1).
        assert int(np.sum(np.linalg.eigvalsh(big.hessian(theta)) < 0)) == extra
    with pytest.raises(ValueError, match="3 \\* hidden \\+ 1"):
        add_idle_units(np.zeros(5), hidden=1, extra=1)
