"""Batch normalization and residual networks: backprop against central finite differences, and
the properties the last chapter relies on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lesson_code.gradient_flow import layer_weight_gradient_norms
from lesson_code.network import INITS, MLP
from lesson_code.remedies import (
    BN_EPS,
    REMEDIES,
    BatchNormMLP,
    ResidualMLP,
    build_network,
    median_remedy_gradient_norms,
    remedy_layer_weight_gradient_norms,
    train_network,
)
from lesson_code.training import train

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUTS = [None, "linear", "sigmoid"]
EPS = 1e-6


def _pre_activations(net, x):
    if isinstance(net, BatchNormMLP):
        run = net.forward_pass(x)
        return [*run.us, run.zs[-1]]
    return net.forward_pass(x)[0]


def _kink_free_inputs(net, rng: np.random.Generator, batch: int) -> np.ndarray:
    """Inputs whose pre-activations stay away from ReLU's kink, so that differences are smooth."""
    for _ in range(500):
        x = rng.standard_normal((batch, net.sizes[0]))
        if min(np.abs(z).min() for z in _pre_activations(net, x)) > 1e-3:
            return x
    raise AssertionError("could not draw inputs away from the kinks")


def _numerical_gradients(net, x, y, loss):
    numeric = []
    for param in net.parameters():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + EPS
            up = net.gradients(x, y, loss).loss
            param[index] = saved - EPS
            down = net.gradients(x, y, loss).loss
            param[index] = saved
            grad[index] = (up - down) / (2 * EPS)
        numeric.append(grad)
    return numeric


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def _check_against_differences(net, x, y, loss, zero_bias_layers=()):
    analytic = net.gradients(x, y, loss).parameters()
    numeric = _numerical_gradients(net, x, y, loss)
    assert len(analytic) == len(numeric) == len(net.parameters())
    n_layers = net.n_layers
    for index, (got, want) in enumerate(zip(analytic, numeric)):
        assert got.shape == want.shape
        is_bias = n_layers <= index < 2 * n_layers
        if is_bias and index - n_layers in zero_bias_layers:
            # the mean subtraction cancels a bias in front of batch norm: both must be ~0
            assert np.abs(got).max() < 1e-12 and np.abs(want).max() < 1e-8
            continue
        assert _relative_error(got, want) < 1e-6, f"parameter array {index}"


@pytest.mark.parametrize("activation, init, output_activation", list(itertools.product(HIDDEN, INITS, OUTPUTS)))
def test_batchnorm_gradients_match_finite_differences(activation, init, output_activation):
    net = BatchNormMLP([3, 4, 3, 2], activation=activation, init=init, seed=7, output_activation=output_activation)
    rng = np.random.default_rng(11)
    # non-trivial gamma and beta, so their gradients are tested away from the starting values
    for gamma, beta in zip(net.gammas, net.betas):
        gamma[:] = rng.uniform(0.5, 1.5, gamma.shape)
        beta[:] = rng.uniform(-0.5, 0.5, beta.shape)
    x = _kink_free_inputs(net, rng, batch=6)
    y = rng.uniform(size=(6, 2))
    _check_against_differences(net, x, y, "mse", zero_bias_layers=(0, 1))


@pytest.mark.parametrize("activation", HIDDEN)
def test_batchnorm_cross_entropy_gradients_match_finite_differences(activation):
    net = BatchNormMLP([4, 5, 5, 3], activation=activation, init="he", seed=3, output_activation="sigmoid")
    rng = np.random.default_rng(5)
    x = _kink_free_inputs(net, rng, batch=7)
    y = np.eye(3)[rng.integers(0, 3, size=7)]
    _check_against_differences(net, x, y, "cross_entropy", zero_bias_layers=(0, 1))


@pytest.mark.parametrize("activation, init, output_activation", list(itertools.product(HIDDEN, INITS, OUTPUTS)))
def test_residual_gradients_match_finite_differences(activation, init, output_activation):
    net = ResidualMLP([3, 4, 4, 4, 2], activation=activation, init=init, seed=7, output_activation=output_activation)
    rng = np.random.default_rng(11)
    x = _kink_free_inputs(net, rng, batch=5)
    y = rng.uniform(size=(5, 2))
    _check_against_differences(net, x, y, "mse")


@pytest.mark.parametrize("activation", HIDDEN)
def test_residual_cross_entropy_gradients_match_finite_differences(activation):
    net = ResidualMLP([4, 5, 5, 5, 3], activation=activation, init="xavier", seed=3, output_activation="sigmoid")
    rng = np.random.default_rng(5)
    x = _kink_free_inputs(net, rng, batch=6)
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    _check_against_differences(net, x, y, "cross_entropy")


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu"])
def test_residual_net_with_zero_branches_is_the_identity_through_its_hidden_layers(activation):
    net = ResidualMLP([3, 6, 6, 6, 6, 2], activation=activation, init="normal", seed=1)
    for layer in net.residual_layers:
        net.weights[layer - 1][:] = 0.0
        net.biases[layer - 1][:] = 0.0
    x = np.random.default_rng(2).standard_normal((10, 3))
    _, activations = net.forward_pass(x)
    for layer in net.residual_layers:
        np.testing.assert_array_equal(activations[layer], activations[1])
    # and the output is the plain two-layer network made of the first and last layer
    plain = MLP([3, 6, 2], activation=activation, init="normal", seed=1)
    plain.weights = [net.weights[0], net.weights[-1]]
    plain.biases = [net.biases[0], net.biases[-1]]
    np.testing.assert_allclose(net.forward(x), plain.forward(x), rtol=1e-14)


def test_residual_with_zero_sigmoid_branches_adds_one_half_per_block():
    net = ResidualMLP([2, 4, 4, 4, 1], activation="sigmoid", seed=0)
    for layer in net.residual_layers:
        net.weights[layer - 1][:] = 0.0
        net.biases[layer - 1][:] = 0.0
    _, activations = net.forward_pass(np.ones((3, 2)))
    np.testing.assert_allclose(activations[3] - activations[1], 1.0)


def test_residual_block_jacobian_is_identity_plus_branch():
    """da^l/da^{l-1} = I + Sigma'(z^l) W^l, checked by differences on the block's input."""
    net = ResidualMLP([3, 5, 5, 2], activation="tanh", init="normal", seed=4)
    a_prev = np.random.default_rng(0).standard_normal(5)
    w, b = net.weights[1], net.biases[1]

    def block(a):
        return a + np.tanh(w @ a + b)

    numeric = np.column_stack(
        [(block(a_prev + EPS * e) - block(a_prev - EPS * e)) / (2 * EPS) for e in np.eye(5)]
    )
    z = w @ a_prev + b
    np.testing.assert_allclose(numeric, np.eye(5) + np.diag(1 - np.tanh(z) ** 2) @ w, atol=1e-8)


@pytest.mark.parametrize("init", INITS)
def test_batchnorm_normalizes_every_unit_before_gamma_and_beta(init):
    net = BatchNormMLP([4, 7, 7, 7, 2], activation="sigmoid", init=init, seed=2)
    rng = np.random.default_rng(3)
    for gamma, beta in zip(net.gammas, net.betas):
        gamma[:] = rng.uniform(0.5, 3.0, gamma.shape)
        beta[:] = rng.uniform(-2.0, 2.0, beta.shape)
    run = net.forward_pass(3.0 + 5.0 * rng.standard_normal((32, 4)))
    for z, z_hat, u, variance, gamma, beta in zip(run.zs, run.z_hats, run.us, run.variances, net.gammas, net.betas):
        np.testing.assert_allclose(z_hat.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(z_hat.var(axis=0), variance / (variance + BN_EPS), rtol=1e-12)
        # eps only matters when the batch variance of z is itself tiny (small sigmoid outputs)
        np.testing.assert_allclose(z_hat.var(axis=0), 1.0, atol=1e-2)
        np.testing.assert_allclose(u.mean(axis=0), beta, atol=1e-12)
        np.testing.assert_allclose(u.std(axis=0), gamma * np.sqrt(variance / (variance + BN_EPS)), rtol=1e-12)
        np.testing.assert_allclose(variance, z.var(axis=0))


def test_batchnorm_undoes_the_scale_of_the_weights():
    """Scaling W^l by c leaves the output (almost, up to eps) unchanged and divides dC/dW^l by c."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 5)), rng.uniform(size=(16, 2))
    net = BatchNormMLP([5, 6, 6, 2], activation="tanh", init="normal", seed=0)  # var(z) >> eps
    before = net.gradients(x, y)
    output = net.forward(x)
    net.weights[1] *= 10.0
    after = net.gradients(x, y)
    np.testing.assert_allclose(net.forward(x), output, rtol=1e-3)  # eps breaks exactness slightly
    assert _relative_error(10.0 * after.weights[1], before.weights[1]) < 1e-4


def test_inference_mode_with_the_batch_statistics_reproduces_training_mode():
    net = BatchNormMLP([2, 5, 5, 1], activation="relu", init="he", seed=1, output_activation="sigmoid")
    x = np.random.default_rng(4).standard_normal((20, 2))
    statistics = net.batch_statistics(x)
    np.testing.assert_allclose(net.forward(x, statistics), net.forward(x), rtol=1e-14)
    one_at_a_time = np.vstack([net.forward(x[i : i + 1], statistics) for i in range(20)])
    np.testing.assert_allclose(one_at_a_time, net.forward(x), rtol=1e-12)
    with pytest.raises(ValueError, match="one \\(mean, variance\\) pair per hidden layer"):
        net.forward(x, statistics[:1])


@pytest.mark.parametrize("kind", REMEDIES)
def test_all_kinds_start_from_the_weights_of_the_plain_mlp(kind):
    net = build_network(kind, [3, 4, 4, 2], activation="tanh", init="he", seed=9)
    plain = MLP([3, 4, 4, 2], activation="tanh", init="he", seed=9)
    for a, b in zip([*net.weights, *net.biases], [*plain.weights, *plain.biases]):
        np.testing.assert_array_equal(a, b)


def test_plain_profile_is_the_gradient_flow_profile():
    np.testing.assert_array_equal(
        remedy_layer_weight_gradient_norms("plain", "relu", "he", 6, seed=2),
        layer_weight_gradient_norms("relu", "he", 6, seed=2),
    )


def test_fixes_stop_the_vanishing_of_sigmoid_xavier():
    plain = median_remedy_gradient_norms("plain", "sigmoid", "xavier", depth=20, seeds=3)
    for kind in ("batchnorm", "residual"):
        fixed = median_remedy_gradient_norms(kind, "sigmoid", "xavier", depth=20, seeds=3)
        # through the hidden layers the plain net loses > 10 orders of magnitude; the fixes < 2
        assert plain[0] / plain[-2] < 1e-10
        assert fixed[0] / fixed[-2] > 1e-2


def test_batchnorm_profile_does_not_depend_on_the_weight_scale():
    """N(0, 1) and Xavier weights differ by a factor ~10; batch norm divides it out of z."""
    normal = remedy_layer_weight_gradient_norms("batchnorm", "sigmoid", "normal", depth=8)
    xavier = remedy_layer_weight_gradient_norms("batchnorm", "sigmoid", "xavier", depth=8)
    assert np.all(np.abs(np.log10(normal[1:-1] / normal[-2]) - np.log10(xavier[1:-1] / xavier[-2])) < 0.3)


@pytest.mark.parametrize("kind", REMEDIES)
def test_training_lowers_the_loss(kind):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    net = build_network(kind, [2, 8, 8, 8, 1], activation="tanh", init="xavier", seed=0, output_activation="sigmoid")
    history = train_network(net, x, y, learning_rate=0.5, epochs=40, batch_size=16, loss="cross_entropy")
    assert not history.diverged
    assert history.loss.shape == (41,)
    assert history.loss[-1] < 0.8 * history.loss[0]
    assert history.step_gradient_norms.shape == (40 * 4,)


def test_training_a_plain_mlp_is_lesson_code_training():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((32, 3)), rng.uniform(size=(32, 1))
    first = MLP([3, 5, 1], seed=0)
    second = MLP([3, 5, 1], seed=0)
    np.testing.assert_array_equal(
        train_network(first, x, y, learning_rate=0.3, epochs=5, batch_size=8).loss,
        train(second, x, y, learning_rate=0.3, epochs=5, batch_size=8).loss,
    )


def test_training_stops_when_it_diverges():
    rng = np.random.default_rng(1)
    x, y = 100.0 * rng.standard_normal((32, 3)), 1e3 * rng.uniform(size=(32, 1))
    net = ResidualMLP([3, 5, 5, 1], activation="relu", init="normal", seed=0, output_activation="linear")
    history = train_network(net, x, y, learning_rate=10.0, epochs=50)
    assert history.diverged and history.loss.size < 51


def test_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="same width"):
        ResidualMLP([2, 4, 5, 1])
    with pytest.raises(ValueError, match="at least one hidden layer"):
        ResidualMLP([2, 1])
    with pytest.raises(ValueError, match="kind must be one of 'plain', 'batchnorm', 'residual'"):
        build_network("dropout", [2, 3, 1])
    with pytest.raises(ValueError, match="depth must be an integer >= 2"):
        remedy_layer_weight_gradient_norms("residual", "relu", "he", depth=1)
    with pytest.raises(ValueError, match="cross_entropy' needs a sigmoid output"):
        BatchNormMLP([2, 3, 1], output_activation="linear").gradients(np.ones((4, 2)), np.ones((4, 1)), "cross_entropy")
    with pytest.raises(ValueError, match="x must have shape"):
        ResidualMLP([2, 3, 1]).forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="y must have shape"):
        ResidualMLP([2, 3, 1]).gradients(np.ones((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        train_network(ResidualMLP([2, 3, 1]), np.ones((4, 2)), np.ones((4, 1)), learning_rate=0, epochs=1)
    with pytest.raises(TypeError, match="net must be an MLP, BatchNormMLP or ResidualMLP"):
        train_network("net", np.ones((4, 2)), np.ones((4, 1)), learning_rate=0.1, epochs=1)
