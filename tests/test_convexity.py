"""Convexity checks against closed forms; descent endpoints on g and G."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.convexity import (
    convexity_gap,
    descend_from_starts,
    most_violated_chord,
    numerical_hessian,
)
from lesson_code.landscapes import get_landscape


def _value(name):
    landscape = get_landscape(name)
    return lambda w: landscape.value(w[0], w[1])


def test_gap_of_a_quadratic_is_the_closed_form():
    # For L(w) = w^T A w the gap is lambda (1 - lambda) (w1 - w2)^T A (w1 - w2).
    a = np.array([[2.0, 0.5], [0.5, 1.0]])
    rng = np.random.default_rng(0)
    for _ in range(20):
        w1, w2, lam = rng.standard_normal(2), rng.standard_normal(2), rng.uniform()
        expected = lam * (1 - lam) * (w1 - w2) @ a @ (w1 - w2)
        assert convexity_gap(lambda w: w @ a @ w, w1, w2, lam) == pytest.approx(expected, abs=1e-12)


def test_gap_is_zero_at_the_ends_and_for_linear_functions():
    f = _value("nonconvex_G")
    w1, w2 = np.array([0.3, -1.0]), np.array([2.0, 1.5])
    assert convexity_gap(f, w1, w2, 0.0) == pytest.approx(0.0, abs=1e-15)
    assert convexity_gap(f, w1, w2, 1.0) == pytest.approx(0.0, abs=1e-15)
    assert convexity_gap(lambda w: 3 * w[0] - w[1], w1, w2, 0.37) == pytest.approx(0.0, abs=1e-14)


def test_search_finds_violations_only_where_they_exist():
    g = get_landscape("convex_g")
    assert most_violated_chord(_value("convex_g"), g.bounds, n_pairs=300).gap >= -1e-12
    chord = most_violated_chord(_value("nonconvex_G"), get_landscape("nonconvex_G").bounds, n_pairs=300)
    assert chord.gap < 0
    assert convexity_gap(_value("nonconvex_G"), chord.w1, chord.w2, chord.lam) == pytest.approx(chord.gap)


@pytest.mark.parametrize("name", ["nonconvex_G", "cliff", "sloping_valley", "saddle"])
def test_numerical_hessian_matches_the_analytic_one(name):
    landscape = get_landscape(name)
    for point in ([0.3, -0.4], [1.1, 0.7]):
        np.testing.assert_allclose(
            numerical_hessian(_value(name), point), landscape.hessian(point), atol=2e-5
        )


def test_descent_reaches_the_basin_it_starts_in():
    G = get_landscape("nonconvex_G")
    runs = descend_from_starts(G, [m for m in G.minima] + [(3.0, 3.0)])
    for k, run in enumerate(runs[:3]):
        assert run.minimum == k
        assert run.value == pytest.approx(G.value(*G.minima[k]), abs=1e-9)
    assert runs[-1].minimum is not None
    # Too few steps to arrive: no minimum is claimed.
    (short,) = descend_from_starts(G, [(3.0, 3.0)], n_steps=2)
    assert short.minimum is None and short.path.shape == (3, 2)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="lam"):
        convexity_gap(lambda w: 0.0, [0.0], [1.0], 1.5)
    with pytest.raises(ValueError, match="same shape"):
        convexity_gap(lambda w: 0.0, [0.0], [1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="bounds"):
        most_violated_chord(lambda w: 0.0, [(1.0, 0.0)])
    with pytest.raises(TypeError, match="landscape"):
        descend_from_starts("G", [(0.0, 0.0)])
    with pytest.raises(ValueError, match="starts"):
        descend_from_starts(get_landscape("saddle"), [(0.0, 0.0, 1.0)])
