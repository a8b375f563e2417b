"""Layer Jacobians agree with finite differences and with backprop; random products grow as predicted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lesson_code.jacobians import (
    critical_scale,
    digamma_half_integer,
    gaussian_lyapunov_exponent,
    gaussian_matrices,
    layer_jacobians,
    log_norm_growth,
    lyapunov_exponent,
    network_jacobian,
    numerical_jacobian,
    product_singular_values,
    random_matrix_product,
    repeated_linear_map,
)
from lesson_code.network import MLP


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_network_jacobian_matches_central_differences(activation):
    net = MLP([5, 7, 6, 3], activation=activation, init="xavier", seed=3)
    x = np.random.default_rng(4).standard_normal(5)
    exact = network_jacobian(net, x)
    numeric = numerical_jacobian(lambda v: net.forward(v[None, :])[0], x)
    assert exact.shape == (3, 5)
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-8)


def test_network_jacobian_is_the_product_of_layer_jacobians_with_a_linear_output():
    net = MLP([4, 6, 2], activation="tanh", init="xavier", seed=1, output_activation="linear")
    x = np.array([0.3, -1.0, 0.5, 2.0])
    j1, j2 = layer_jacobians(net, x)
    z1 = net.weights[0] @ x + net.biases[0]
    np.testing.assert_allclose(j1, np.diag(1 - np.tanh(z1) ** 2) @ net.weights[0])
    np.testing.assert_allclose(j2, net.weights[1])  # the identity's slope is 1
    np.testing.assert_allclose(network_jacobian(net, x), j2 @ j1)


def test_backprop_input_gradient_is_the_transposed_jacobian_times_the_error():
    net = MLP([4, 5, 5, 3], activation="sigmoid", init="normal", seed=2)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(4), rng.uniform(size=3)
    delta_1 = net.gradients(x[None, :], y[None, :]).biases[0]  # dC/db^1 = delta^1 for one example
    backprop = net.weights[0].T @ delta_1
    error = net.forward(x[None, :])[0] - y
    np.testing.assert_allclose(backprop, network_jacobian(net, x).T @ error, rtol=1e-12)

    def cost(v):
        return 0.5 * np.sum((net.forward(v[None, :])[0] - y) ** 2)

    np.testing.assert_allclose(backprop, numerical_jacobian(cost, x)[0], rtol=1e-6, atol=1e-10)


def test_numerical_jacobian_of_a_linear_map_is_the_matrix():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_jacobian(lambda v: a @ v, np.ones(3)), a, atol=1e-9)


def test_random_matrix_product_is_the_product_in_application_order():
    w = gaussian_matrices(3, 4, scale=0.7, seed=9)
    np.testing.assert_allclose(random_matrix_product(3, 4, scale=0.7, seed=9), w[3] @ w[2] @ w[1] @ w[0])


def test_product_singular_values_match_a_direct_svd():
    matrices = list(gaussian_matrices(6, 5, scale=0.4, seed=1))
    values = product_singular_values(matrices)
    assert values.shape == (5, 6)
    product = np.eye(6)
    for k, m in enumerate(matrices):
        product = m @ product
        np.testing.assert_allclose(values[k], np.linalg.svd(product, compute_uv=False))


def test_product_singular_values_of_rectangular_chain():
    values = product_singular_values([np.ones((2, 3)), np.ones((4, 2))])
    assert values.shape == (2, 2)
    np.testing.assert_allclose(values[1], [np.sqrt(4 * 3) * 2, 0.0], atol=1e-12)


def test_product_singular_values_rejects_shapes_that_do_not_chain():
    with pytest.raises(ValueError, match=r"matrices\[1\] has 3 columns"):
        product_singular_values([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(TypeError, match="non-empty sequence"):
        product_singular_values([])


def test_repeated_linear_map_is_linear_in_the_scale():
    # Same draws, weights times c: x_k scales by c^k exactly up to rounding.
    big = repeated_linear_map(20, 6, scale=1.0, seed=2)
    small = repeated_linear_map(20, 6, scale=0.01, seed=2)
    for k in range(7):
        np.testing.assert_allclose(small[k], big[k] * 0.01**k, rtol=1e-12)


def test_float32_overflows_where_float64_does_not():
    x64 = repeated_linear_map(100, 50, seed=0)
    x32 = repeated_linear_map(100, 50, seed=0, dtype="float32")
    assert x32.dtype == np.float32
    assert np.all(np.isfinite(x64)) and not np.all(np.isfinite(x32[-1]))
    under32 = repeated_linear_map(100, 50, scale=0.01, seed=0, dtype="float32")
    assert np.all(under32[-1] == 0) and np.all(repeated_linear_map(100, 50, scale=0.01, seed=0)[-1] != 0)


def test_log_norm_growth_equals_the_log_length_of_the_explicit_product():
    width, depth, scale = 6, 8, 0.9
    growth = log_norm_growth(width, depth, scale=scale, seed=4)
    rng = np.random.default_rng(4)  # replay the draws: u, then the input x, then the weights
    u = rng.standard_normal(width)
    u /= np.linalg.norm(u)
    rng.standard_normal(width)
    vector = u
    for k in range(1, depth + 1):
        vector = scale * rng.standard_normal((width, width)) @ vector
        assert growth[k] == pytest.approx(np.log(np.linalg.norm(vector)), rel=1e-10)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_log_norm_growth_does_not_overflow(activation):
    growth = log_norm_growth(10, 2000, scale=10.0 if activation == "linear" else 15.0, activation=activation)
    assert np.all(np.isfinite(growth)) and growth[-1] > 3 * 2000  # far past log(1.8e308) = 709


def test_tanh_jacobians_grow_no_faster_than_the_weights():
    # |tanh'| <= 1 can only shorten a vector, so the tanh path's rate is below the linear one
    linear = lyapunov_exponent(50, 0.3, depth=100, seed=1)
    tanh = lyapunov_exponent(50, 0.3, depth=100, seed=1, activation="tanh")
    assert tanh < linear


@pytest.mark.parametrize("width,scale", [(4, 1.0), (20, 0.3), (100, 0.1), (100, 0.2)])
def test_measured_growth_rate_matches_the_closed_form(width, scale):
    measured = np.mean([lyapunov_exponent(width, scale, depth=300, seed=s) for s in range(4)])
    assert measured == pytest.approx(gaussian_lyapunov_exponent(width, scale), abs=0.03)


def test_digamma_half_integer_known_values():
    assert digamma_half_integer(1) == pytest.approx(-0.5772156649015329 - 2 * math.log(2), abs=1e-12)
    assert digamma_half_integer(3) == pytest.approx(digamma_half_integer(1) + 2, abs=1e-12)
    assert digamma_half_integer(10) == pytest.approx(-0.5772156649015329 + 1 + 1 / 2 + 1 / 3 + 1 / 4, abs=1e-10)
    # derivative of log Gamma by central differences
    for m in (7, 40):
        h = 1e-5
        numeric = (math.lgamma(m / 2 + h) - math.lgamma(m / 2 - h)) / (2 * h)
        assert digamma_half_integer(m) == pytest.approx(numeric, abs=1e-8)


@pytest.mark.parametrize("width", [2, 10, 100, 1000])
def test_critical_scale_zeroes_the_exponent_and_is_close_to_one_over_sqrt_n(width):
    s = critical_scale(width)
    assert gaussian_lyapunov_exponent(width, s) == pytest.approx(0.0, abs=1e-12)
    if width >= 10:
        assert s * math.sqrt(width) == pytest.approx(math.exp(1 / (2 * width)), rel=2e-3)


def test_bad_arguments_are_named():
    net = MLP([3, 2], seed=0)
    with pytest.raises(ValueError, match=r"x must be one example of shape \(3,\)"):
        layer_jacobians(net, np.ones(4))
    with pytest.raises(TypeError, match="net must be an MLP"):
        network_jacobian("net", np.ones(3))
    with pytest.raises(ValueError, match="dtype must be one of 'float64', 'float32'"):
        repeated_linear_map(3, 2, dtype="float16")
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        gaussian_matrices(3, 2, scale=-1.0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        gaussian_matrices(3, 2, seed=-1)
    with pytest.raises(TypeError, match="function must be callable"):
        numerical_jacobian(3.0, np.ones(2))
