"""Clipping by global norm keeps the direction, clipping by value does not; bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.clipping import (
    angle_between,
    clip_by_global_norm,
    clip_by_value,
    cosine_similarity,
    global_norm,
)

SHAPES = [(3, 4), (4,), (2, 2, 2), ()]


def _random_gradients(rng: np.random.Generator, scale: float = 1.0) -> list[np.ndarray]:
    return [scale * rng.standard_normal(shape) for shape in SHAPES]


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays])


def test_global_norm_is_the_norm_of_the_concatenated_vector() -> None:
    rng = np.random.default_rng(0)
    gradients = _random_gradients(rng)
    assert global_norm(gradients) == pytest.approx(np.linalg.norm(_flat(gradients)), rel=1e-14)


def test_global_norm_does_not_overflow_for_large_finite_entries() -> None:
    # sum of squares would be 2e400 = inf in float64; the norm itself is representable.
    assert global_norm([np.array([1e200]), np.array([[1e200]])]) == pytest.approx(
        np.sqrt(2.0) * 1e200, rel=1e-14
    )


def test_global_norm_reports_non_finite_gradients() -> None:
    assert global_norm([np.array([1.0, np.inf])]) == np.inf
    assert np.isnan(global_norm([np.array([np.inf]), np.array([np.nan])]))
    assert global_norm([np.zeros(3)]) == 0.0


@pytest.mark.parametrize("max_norm", [1e-3, 0.5, 3.0])
def test_clip_by_global_norm_caps_the_norm_and_keeps_the_direction(max_norm: float) -> None:
    rng = np.random.default_rng(1)
    gradients = _random_gradients(rng, scale=10.0)
    clipped, norm_before = clip_by_global_norm(gradients, max_norm)

    assert norm_before == pytest.approx(np.linalg.norm(_flat(gradients)), rel=1e-14)
    assert norm_before > max_norm
    norm_after = np.linalg.norm(_flat(clipped))
    assert norm_after <= max_norm * (1 + 1e-12)
    assert norm_after == pytest.approx(max_norm, rel=1e-12)
    assert cosine_similarity(gradients, clipped) == pytest.approx(1.0, abs=1e-14)
    assert [c.shape for c in clipped] == [np.shape(g) for g in gradients]


def test_clip_by_global_norm_leaves_small_gradients_exactly_unchanged() -> None:
    rng = np.random.default_rng(2)
    gradients = _random_gradients(rng)
    norm = float(np.linalg.norm(_flat(gradients)))
    clipped, norm_before = clip_by_global_norm(gradients, max_norm=2 * norm)
    for original, copy in zip(gradients, clipped, strict=True):
        assert np.array_equal(original, copy)
        assert copy is not original
    clipped[0][...] = 0.0
    assert np.any(gradients[0] != 0.0), "the caller's arrays must not be modified"
    assert norm_before == pytest.approx(norm, rel=1e-14)


def test_clip_by_global_norm_does_not_modify_its_input_when_clipping() -> None:
    gradients = [np.array([30.0, 40.0])]
    clipped, _ = clip_by_global_norm(gradients, max_norm=5.0)
    assert gradients[0].tolist() == [30.0, 40.0]
    np.testing.assert_allclose(clipped[0], [3.0, 4.0], rtol=1e-15)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_clip_by_global_norm_refuses_a_non_finite_gradient(bad: float) -> None:
    with pytest.raises(ValueError, match="not finite"):
        clip_by_global_norm([np.array([1.0, 2.0]), np.array([bad])], max_norm=1.0)


def test_clip_by_value_bounds_every_entry_and_keeps_small_ones() -> None:
    rng = np.random.default_rng(3)
    gradients = _random_gradients(rng, scale=3.0)
    limit = 1.0
    clipped = clip_by_value(gradients, limit)
    for original, result in zip(gradients, clipped, strict=True):
        assert np.all(np.abs(result) <= limit)
        inside = np.abs(original) <= limit
        assert np.array_equal(result[inside], np.asarray(original)[inside])
        assert np.array_equal(np.sign(result), np.sign(original))
        assert np.all(np.abs(result[~inside]) == limit)


def test_value_clipping_turns_a_gradient_with_one_dominant_entry() -> None:
    gradients = [np.array([100.0, 1.0, -2.0]), np.array([[0.5]])]
    clipped = clip_by_value(gradients, limit=1.0)
    assert angle_between(gradients, clipped) > 30.0
    norm_clipped, _ = clip_by_global_norm(gradients, max_norm=1.0)
    assert angle_between(gradients, norm_clipped) < 1e-6


def test_angle_between_known_angles() -> None:
    e1, e2 = [np.array([1.0, 0.0])], [np.array([0.0, 3.0])]
    assert angle_between(e1, e2) == pytest.approx(90.0, rel=1e-14)
    assert angle_between(e1, [np.array([-2.0, 0.0])]) == pytest.approx(180.0, rel=1e-14)
    assert angle_between(e1, [np.array([5.0, 5.0])]) == pytest.approx(45.0, rel=1e-14)
    assert angle_between(e1, e1) == 0.0


def test_angle_between_agrees_with_arccos_and_is_accurate_for_tiny_angles() -> None:
    rng = np.random.default_rng(4)
    a, b = _random_gradients(rng), _random_gradients(rng)
    cosine = _flat(a) @ _flat(b) / (np.linalg.norm(_flat(a)) * np.linalg.norm(_flat(b)))
    assert cosine_similarity(a, b) == pytest.approx(cosine, rel=1e-12)
    assert angle_between(a, b) == pytest.approx(np.degrees(np.arccos(cosine)), rel=1e-10)
    # arccos(1 - 5e-17) rounds to 0 here; the true angle is atan(1e-8) ~ 1e-8 radians.
    tiny = angle_between([np.array([1.0, 0.0])], [np.array([1.0, 1e-8])])
    assert tiny == pytest.approx(np.degrees(np.arctan(1e-8)), rel=1e-9)


@pytest.mark.parametrize("limit", [0, 0.0, -1.0, np.inf, np.nan])
def test_bad_limits_raise_value_error(limit: float) -> None:
    gradients = [np.ones(3)]
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(gradients, limit)
    with pytest.raises(ValueError, match="limit"):
        clip_by_value(gradients, limit)


def test_non_numeric_limits_raise_type_error() -> None:
    with pytest.raises(TypeError, match="max_norm"):
        clip_by_global_norm([np.ones(2)], "1.0")
    with pytest.raises(TypeError, match="limit"):
        clip_by_value([np.ones(2)], None)


def test_gradients_must_be_a_non_empty_list_of_arrays() -> None:
    with pytest.raises(TypeError, match="list or tuple"):
        global_norm(np.ones(3))
    with pytest.raises(ValueError, match="at least one"):
        clip_by_global_norm([], 1.0)
    with pytest.raises(TypeError, match=r"gradients\[1\]"):
        global_norm([np.ones(2), "abc"])
    with pytest.raises(ValueError, match=r"gradients\[0\]"):
        clip_by_value([np.array([np.nan])], 1.0)


def test_angle_needs_matching_shapes_and_non_zero_gradients() -> None:
    with pytest.raises(ValueError, match="same array shapes"):
        angle_between([np.ones(3)], [np.ones(4)])
    with pytest.raises(ValueError, match="zero everywhere"):
        cosine_similarity([np.ones(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="finite"):
        angle_between([np.array([np.inf, 1.0])], [np.ones(2)])
