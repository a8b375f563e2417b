"""lesson_code.explorer, the Python twin of the in-page gradient-flow explorer."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.explorer import (
    explorer_network,
    frobenius_norm,
    layer_profile,
)
from lesson_code.gradient_flow import layer_weight_gradient_norms


@pytest.mark.parametrize("architecture", ["plain", "batchnorm", "residual"])
def test_at_scale_one_it_is_the_chapters_measurement(architecture):
    profile = layer_profile(architecture, "tanh", "xavier", depth=6, width=20, seed=4)
    expected = layer_weight_gradient_norms("tanh", "xavier", 6, width=20, seed=4, architecture=architecture)
    np.testing.assert_allclose(profile.gradient_norms, expected, rtol=1e-12)


def test_the_weight_scale_multiplies_weights_and_leaves_biases():
    plain = explorer_network("plain", "relu", "normal", depth=3, width=5, seed=2)
    scaled = explorer_network("plain", "relu", "normal", depth=3, width=5, weight_scale=3.0, seed=2)
    for w, w3 in zip(plain.weights, scaled.weights, strict=True):
        np.testing.assert_allclose(w3, 3 * w)
    for b, b3 in zip(plain.biases, scaled.biases, strict=True):
        np.testing.assert_array_equal(b3, b)


def test_a_linear_regime_scales_gradients_by_the_weight_scale_to_the_depth():
    # relu with zero biases is positively homogeneous: scaling every W by s scales a^l by s^l,
    # so in the first layer's gradient the factor s^(L-1) of the backward pass shows up.
    base = layer_profile("plain", "relu", "he", depth=4, width=16, seed=1)
    doubled = layer_profile("plain", "relu", "he", depth=4, width=16, weight_scale=2.0, seed=1)
    np.testing.assert_allclose(doubled.activation_stds / base.activation_stds, [2, 4, 8, 16], rtol=1e-12)


def test_one_layer_is_plain_whatever_the_architecture():
    profiles = [layer_profile(a, "sigmoid", "he", depth=1, width=8) for a in ("plain", "batchnorm", "residual")]
    for p in profiles[1:]:
        np.testing.assert_allclose(p.gradient_norms, profiles[0].gradient_norms)
    np.testing.assert_allclose(profiles[0].gradient_norms, layer_weight_gradient_norms("sigmoid", "he", 1, width=8, seed=0))


def test_activation_statistics_are_over_batch_and_units():
    profile = layer_profile("plain", "sigmoid", "normal", depth=2, width=8)
    assert np.all((profile.activation_means > 0) & (profile.activation_means < 1))
    assert np.all(profile.activation_stds > 0)


def test_frobenius_norm_neither_overflows_nor_underflows():
    for scale in (1e-200, 1.0, 1e200):
        assert frobenius_norm(np.array([[3.0, 0.0], [0.0, 4.0]]) * scale) == pytest.approx(5 * scale, rel=1e-15)
    assert frobenius_norm(np.zeros((2, 2))) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"architecture": "dense"}, "architecture must be one of"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"init": "nielsen"}, "init must be one of"),
    ({"depth": 101}, "depth must be an integer between 1 and 100"),
    ({"depth": 0}, "depth must be an integer >= 1"),
    ({"weight_scale": 0.0}, "weight_scale must be a finite number > 0"),
])
def test_bad_settings_name_the_argument(kwargs, message):
    settings = {"architecture": "plain", "activation": "tanh", "init": "he", "depth": 3, "width": 4} | kwargs
    with pytest.raises(ValueError, match=message):
        explorer_network(**settings)
