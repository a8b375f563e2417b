"""Batch normalization and residual networks (lesson_code.remedies and lesson_code.residual):
backprop against central finite differences, and the properties the last chapter relies on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers import finite_difference_gradients, kink_free_inputs, relative_error
from lesson_code.activations import get_activation
from lesson_code.gradient_flow import layer_weight_gradient_norms, median_layer_weight_gradient_norms, probe_batch
from lesson_code.network import INITS, MLP
from lesson_code.remedies import (
    BN_EPS,
    REMEDIES,
    BatchNormMLP,
    ResidualMLP,
    batch_norm_backward,
    build_network,
    train_network,
)
from lesson_code.residual import BLOCKS, PreActResidualMLP, block_statistics, build_residual, stream
from lesson_code.training import train

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUTS = [None, "linear", "sigmoid"]
EPS = 1e-6


def _bn_pre_activations(net, x):
    """The arguments of every activation of a BatchNormMLP: u^l in the hidden layers, z^L."""
    run = net.forward_pass(x)
    return [*run.us, run.zs[-1]]


def _preact_pre_activations(net, x):
    """The arguments of every activation of a PreActResidualMLP: z^1, u^l of the blocks, z^L."""
    run = net.forward_pass(x)
    # without batch norm the first block's u is a^1 = sigma(z^1) itself, whose ReLU zeros sit
    # on the kink but stay there under small steps unless z^1 crosses 0 (checked via z^1)
    us = run.us if net.batchnorm else run.us[1:]
    return [run.zs[0], *us, run.zs[-1]]


def _check_against_differences(net, x, y, loss, zero_bias_layers=()):
    analytic = net.gradients(x, y, loss).parameters()
    numeric = finite_difference_gradients(net, x, y, loss)
    assert len(analytic) == len(numeric) == len(net.parameters())
    n_layers = net.n_layers
    for index, (got, want) in enumerate(zip(analytic, numeric, strict=True)):
        assert got.shape == want.shape
        is_bias = n_layers <= index < 2 * n_layers
        if is_bias and index - n_layers in zero_bias_layers:
            # the mean subtraction cancels a bias in front of batch norm: both must be ~0
            assert np.abs(got).max() < 1e-12 and np.abs(want).max() < 1e-8
            continue
        assert relative_error(got, want) < 1e-6, f"parameter array {index}"


@pytest.mark.parametrize("activation, init, output_activation", list(itertools.product(HIDDEN, INITS, OUTPUTS)))
def test_batchnorm_gradients_match_finite_differences(activation, init, output_activation):
    net = BatchNormMLP([3, 4, 3, 2], activation=activation, init=init, seed=7, output_activation=output_activation)
    rng = np.random.default_rng(11)
    # non-trivial gamma and beta, so their gradients are tested away from the starting values
    for gamma, beta in zip(net.gammas, net.betas, strict=True):
        gamma[:] = rng.uniform(0.5, 1.5, gamma.shape)
        beta[:] = rng.uniform(-0.5, 0.5, beta.shape)
    x = kink_free_inputs(net, rng, batch=6, pre_activations=_bn_pre_activations)
    y = rng.uniform(size=(6, 2))
    _check_against_differences(net, x, y, "mse", zero_bias_layers=(0, 1))


@pytest.mark.parametrize("activation", HIDDEN)
def test_batchnorm_cross_entropy_gradients_match_finite_differences(activation):
    net = BatchNormMLP([4, 5, 5, 3], activation=activation, init="he", seed=3, output_activation="sigmoid")
    rng = np.random.default_rng(5)
    x = kink_free_inputs(net, rng, batch=7, pre_activations=_bn_pre_activations)
    y = np.eye(3)[rng.integers(0, 3, size=7)]
    _check_against_differences(net, x, y, "cross_entropy", zero_bias_layers=(0, 1))


@pytest.mark.parametrize("activation, init, output_activation", list(itertools.product(HIDDEN, INITS, OUTPUTS)))
def test_residual_gradients_match_finite_differences(activation, init, output_activation):
    net = ResidualMLP([3, 4, 4, 4, 2], activation=activation, init=init, seed=7, output_activation=output_activation)
    rng = np.random.default_rng(11)
    x = kink_free_inputs(net, rng, batch=5)
    y = rng.uniform(size=(5, 2))
    _check_against_differences(net, x, y, "mse")


@pytest.mark.parametrize("activation", HIDDEN)
def test_residual_cross_entropy_gradients_match_finite_differences(activation):
    net = ResidualMLP([4, 5, 5, 5, 3], activation=activation, init="xavier", seed=3, output_activation="sigmoid")
    rng = np.random.default_rng(5)
    x = kink_free_inputs(net, rng, batch=6)
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    _check_against_differences(net, x, y, "cross_entropy")


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu"])
def test_residual_net_with_zero_branches_is_the_identity_through_its_hidden_layers(activation):
    net = ResidualMLP([3, 6, 6, 6, 6, 2], activation=activation, init="normal", seed=1)
    for layer in net.residual_layers:
        net.weights[layer - 1][:] = 0.0
        net.biases[layer - 1][:] = 0.0
    x = np.random.default_rng(2).standard_normal((10, 3))
    activations = net.forward_pass(x).activations
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
    activations = net.forward_pass(np.ones((3, 2))).activations
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
    for gamma, beta in zip(net.gammas, net.betas, strict=True):
        gamma[:] = rng.uniform(0.5, 3.0, gamma.shape)
        beta[:] = rng.uniform(-2.0, 2.0, beta.shape)
    run = net.forward_pass(3.0 + 5.0 * rng.standard_normal((32, 4)))
    for z, z_hat, u, variance, gamma, beta in zip(run.zs[:-1], run.z_hats, run.us, run.variances, net.gammas, net.betas, strict=True):
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
    assert relative_error(10.0 * after.weights[1], before.weights[1]) < 1e-4


def test_inference_mode_with_the_batch_statistics_reproduces_training_mode():
    net = BatchNormMLP([2, 5, 5, 1], activation="relu", init="he", seed=1, output_activation="sigmoid")
    x = np.random.default_rng(4).standard_normal((20, 2))
    statistics = net.batch_statistics(x)
    np.testing.assert_allclose(net.forward(x, statistics), net.forward(x), rtol=1e-14)
    one_at_a_time = np.vstack([net.forward(x[i : i + 1], statistics) for i in range(20)])
    np.testing.assert_allclose(one_at_a_time, net.forward(x), rtol=1e-12)
    with pytest.raises(ValueError, match="one \\(mean, variance\\) pair per hidden layer"):
        net.forward(x, statistics[:1])


NETWORKS_AND_SMALLEST_BATCH = [
    (lambda: MLP([3, 4, 4, 2], seed=1), 1),
    (lambda: BatchNormMLP([3, 4, 4, 2], seed=1), 2),
    (lambda: ResidualMLP([3, 4, 4, 2], seed=1), 1),
    (lambda: PreActResidualMLP([3, 4, 4, 2], seed=1, batchnorm=True), 2),
    (lambda: PreActResidualMLP([3, 4, 4, 2], seed=1, batchnorm=False), 1),
]


@pytest.mark.parametrize(
    ("make", "smallest"), NETWORKS_AND_SMALLEST_BATCH,
    ids=["MLP", "BatchNormMLP", "ResidualMLP", "PreActResidualMLP-bn", "PreActResidualMLP"],
)
def test_a_batch_below_min_batch_size_is_refused_naming_x_and_why(make, smallest):
    net = make()
    assert net.min_batch_size == smallest
    x, y = np.random.default_rng(2).standard_normal((3, 3)), np.ones((3, 2))
    assert net.forward(x[:smallest]).shape == (smallest, 2)
    assert np.isfinite(net.gradients(x[:smallest], y[:smallest]).loss)
    why = "mean and variance over the batch, and one example is its own mean" if smallest > 1 else "got 0"
    for call in (net.forward, net.forward_pass, lambda rows: net.gradients(rows, y[: rows.shape[0]])):
        with pytest.raises(ValueError, match=f"x must hold a batch of at least {smallest} example.*{why}"):
            call(x[: smallest - 1])


def test_batchnorm_given_statistics_takes_a_batch_of_one():
    net = BatchNormMLP([3, 4, 4, 2], seed=1)
    statistics = net.batch_statistics(np.random.default_rng(2).standard_normal((5, 3)))
    assert net.forward(np.ones((1, 3)), statistics).shape == (1, 2)
    with pytest.raises(ValueError, match="at least 2 examples"):
        net.batch_statistics(np.ones((1, 3)))


@pytest.mark.parametrize("kind", REMEDIES)
def test_all_kinds_start_from_the_weights_of_the_plain_mlp(kind):
    net = build_network(kind, [3, 4, 4, 2], activation="tanh", init="he", seed=9)
    plain = MLP([3, 4, 4, 2], activation="tanh", init="he", seed=9)
    for a, b in zip([*net.weights, *net.biases], [*plain.weights, *plain.biases], strict=True):
        np.testing.assert_array_equal(a, b)


def test_plain_profile_is_the_mlp_profile():
    net = MLP([100] * 7, activation="relu", init="he", seed=2)
    x, y = probe_batch(100, 64, 2)
    np.testing.assert_array_equal(
        layer_weight_gradient_norms("relu", "he", 6, seed=2, architecture="plain"),
        [np.linalg.norm(g) for g in net.gradients(x, y).weights],
    )


def test_fixes_stop_the_vanishing_of_sigmoid_xavier():
    plain = median_layer_weight_gradient_norms("sigmoid", "xavier", depth=20, seeds=3)
    for kind in ("batchnorm", "residual"):
        fixed = median_layer_weight_gradient_norms("sigmoid", "xavier", depth=20, seeds=3, architecture=kind)
        # through the hidden layers the plain net loses > 10 orders of magnitude; the fixes < 2
        assert plain[0] / plain[-2] < 1e-10
        assert fixed[0] / fixed[-2] > 1e-2


def test_batchnorm_profile_does_not_depend_on_the_weight_scale():
    """N(0, 1) and Xavier weights differ by a factor ~10; batch norm divides it out of z."""
    normal = layer_weight_gradient_norms("sigmoid", "normal", depth=8, architecture="batchnorm")
    xavier = layer_weight_gradient_norms("sigmoid", "xavier", depth=8, architecture="batchnorm")
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
    with pytest.raises(ValueError, match="depth must be an integer >= 2 for a residual network"):
        layer_weight_gradient_norms("relu", "he", depth=1, architecture="residual")
    with pytest.raises(ValueError, match="architecture must be one of"):
        layer_weight_gradient_norms("relu", "he", depth=3, architecture="dropout")
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


def test_batch_norm_backward_matches_finite_differences():
    """dC/dz, dC/dgamma, dC/dbeta of C = sum(g * u(z)), whose dC/du is g exactly."""
    rng = np.random.default_rng(3)
    z, g = rng.standard_normal((2, 9, 4))
    z[:, 1] *= 1e-2  # one unit with a batch variance near eps, where eps matters
    gamma, beta = rng.uniform(0.5, 2.0, 4), rng.uniform(-1.0, 1.0, 4)

    def cost(z, gamma, beta):
        return float(np.sum(g * (gamma * (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + BN_EPS) + beta)))

    def differences(array, f):
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            step = np.zeros_like(array)
            step[index] = EPS
            grad[index] = (f(array + step) - f(array - step)) / (2 * EPS)
        return grad

    z_hat = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + BN_EPS)
    dz, dgamma, dbeta = batch_norm_backward(g, z_hat, z.var(axis=0), gamma)
    assert relative_error(dz, differences(z, lambda v: cost(v, gamma, beta))) < 1e-7
    assert relative_error(dgamma, differences(gamma, lambda v: cost(z, v, beta))) < 1e-8
    assert relative_error(dbeta, differences(beta, lambda v: cost(z, gamma, v))) < 1e-8
    # the paths through the batch mean and variance are most of the answer, not a correction
    assert relative_error(dz, gamma * g / np.sqrt(z.var(axis=0) + BN_EPS)) > 0.05


@pytest.mark.parametrize(
    "batchnorm, activation, init, output_activation",
    list(itertools.product([True, False], HIDDEN, ["xavier", "he", "normal"], OUTPUTS)),
)
def test_preact_gradients_match_finite_differences(batchnorm, activation, init, output_activation):
    net = PreActResidualMLP(
        [3, 4, 4, 4, 2], activation=activation, init=init, seed=7, output_activation=output_activation,
        batchnorm=batchnorm,
    )
    rng = np.random.default_rng(11)
    for gamma, beta in zip(net.gammas, net.betas, strict=True):
        gamma[:] = rng.uniform(0.5, 1.5, gamma.shape)
        beta[:] = rng.uniform(-0.5, 0.5, beta.shape)
    for bias in net.biases:  # non-zero biases, so that the block's b^l is tested too
        bias[:] = rng.uniform(-0.5, 0.5, bias.shape)
    x = kink_free_inputs(net, rng, batch=6, pre_activations=_preact_pre_activations)
    _check_against_differences(net, x, rng.uniform(size=(6, 2)), "mse")


@pytest.mark.parametrize("batchnorm", [True, False])
def test_preact_cross_entropy_gradients_match_finite_differences(batchnorm):
    net = PreActResidualMLP([4, 5, 5, 5, 3], activation="tanh", init="xavier", seed=3,
                            output_activation="sigmoid", batchnorm=batchnorm)
    rng = np.random.default_rng(5)
    x = kink_free_inputs(net, rng, batch=6, pre_activations=_preact_pre_activations)
    _check_against_differences(net, x, np.eye(3)[rng.integers(0, 3, size=6)], "cross_entropy")


@pytest.mark.parametrize("block", BLOCKS)
def test_every_block_starts_from_the_weights_of_the_plain_mlp(block):
    net = build_residual(block, [3, 4, 4, 4, 2], "relu", "he", seed=9)
    plain = MLP([3, 4, 4, 4, 2], activation="relu", init="he", seed=9)
    for a, b in zip([*net.weights, *net.biases], [*plain.weights, *plain.biases], strict=True):
        np.testing.assert_array_equal(a, b)
    scaled = build_residual(block, [3, 4, 4, 4, 2], "relu", "he", seed=9, branch_scale=0.25)
    for layer in range(1, 5):
        factor = 0.25 if layer in scaled.residual_layers else 1.0
        np.testing.assert_array_equal(scaled.weights[layer - 1], factor * plain.weights[layer - 1])


@pytest.mark.parametrize("batchnorm", [True, False])
def test_preact_with_zero_branch_weights_is_the_identity_unlike_the_simplified_block(batchnorm):
    """Fixup's zero rule: a zero last layer makes a pre-activation branch vanish; a simplified
    sigmoid branch still adds sigma(0) = 1/2 per block."""
    x = np.random.default_rng(2).standard_normal((10, 3))
    for block, shift in (("preact_bn" if batchnorm else "preact", 0.0), ("simplified", 0.5)):
        net = build_residual(block, [3, 6, 6, 6, 6, 2], "sigmoid", "xavier", seed=1)
        for layer in net.residual_layers:
            net.weights[layer - 1][:] = 0.0
        layers = stream(net, x)
        for blocks, a in enumerate(layers):
            np.testing.assert_allclose(a, layers[0] + shift * blocks, rtol=1e-14, atol=0)


def test_preact_branch_sees_a_standardized_stream():
    net = PreActResidualMLP([4, 8, 8, 8, 1], activation="relu", init="he", seed=2)
    run = net.forward_pass(3.0 + 5.0 * np.random.default_rng(3).standard_normal((32, 4)))
    assert len(run.us) == len(run.z_hats) == 2
    for u, a_prev in zip(run.us, run.activations[1:-2], strict=True):
        np.testing.assert_allclose(u.mean(axis=0), 0.0, atol=1e-12)
        variance = a_prev.var(axis=0)
        np.testing.assert_allclose(u.var(axis=0), variance / (variance + BN_EPS), rtol=1e-12)


def test_preact_block_adds_a_weight_layer_output():
    """a^l - a^{l-1} = W^l sigma(u^l) + b^l, which takes both signs, unlike sigma(z) >= 0."""
    net = PreActResidualMLP([3, 6, 6, 2], activation="relu", init="he", seed=0, batchnorm=False)
    run = net.forward_pass(np.random.default_rng(0).standard_normal((20, 3)))
    step = run.activations[2] - run.activations[1]
    np.testing.assert_allclose(step, np.maximum(run.activations[1], 0.0) @ net.weights[1].T + net.biases[1])
    assert step.min() < 0 < step.max()


def test_the_simplified_block_drifts_and_the_preact_block_does_not():
    """The chapter's claims at a smaller depth: the simplified ReLU block multiplies E[a^2] by
    more than 2 per block and its stream is mostly one offset; the pre-activation block without
    batch norm doubles E[a^2], with batch norm it grows far slower, and neither drifts."""
    simplified = block_statistics("simplified", "relu", "he", depth=20, seeds=3)
    preact = block_statistics("preact", "relu", "he", depth=20, seeds=3)
    preact_bn = block_statistics("preact_bn", "relu", "he", depth=20, seeds=3)
    assert simplified.growth > 2.5 and simplified.drift > 0.6
    assert 1.8 < preact.growth < 2.2 and abs(preact.drift) < 0.3
    assert preact_bn.growth < 1.3 and abs(preact_bn.drift) < 0.3
    sigmoid = block_statistics("simplified", "sigmoid", "xavier", depth=20, seeds=3)
    assert sigmoid.drift > 0.9 and sigmoid.gain == pytest.approx(sigmoid.ratio ** (1 / 19))


def test_with_batch_norm_the_preact_stream_grows_by_about_one_per_block():
    """BN hands every branch a standardized input, so with He weights each block adds about
    n Var(w) E[relu(u)^2] = 1 to E[a^2] instead of multiplying it."""
    x, _ = probe_batch(100, 64, 0)
    net = build_residual("preact_bn", [100] * 51, "relu", "he", seed=0)
    q = np.array([np.mean(a**2) for a in stream(net, x)])
    assert 0.8 < q[0] < 1.2
    # linear, not geometric: each third of the blocks adds about 1 per block (a geometric
    # growth's increments would grow with q, the last third's far above the first's)
    thirds = [np.mean(part) for part in np.array_split(np.diff(q), 3)]
    assert all(0.7 < increment < 1.4 for increment in thirds)


def test_branches_scaled_by_one_over_root_depth_grow_only_without_the_drift():
    """(1 + k c^2)^L stays bounded for c = 1/sqrt(L); (1 + k c)^L does not."""
    depth = 30
    scale = (depth - 2) ** -0.5
    preact = block_statistics("preact", "relu", "he", depth=depth, branch_scale=scale, seeds=3)
    simplified = block_statistics("simplified", "relu", "he", depth=depth, branch_scale=scale, seeds=3)
    assert preact.growth ** (depth - 2) < np.e**2
    assert simplified.growth ** (depth - 2) > 10 * np.e**2


@pytest.mark.parametrize("block", BLOCKS)
def test_training_every_block_lowers_the_loss(block):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    net = build_residual(block, [2, 8, 8, 8, 1], "tanh", "xavier", seed=0)
    net.output_activation = get_activation("sigmoid")  # for the cross-entropy
    history = train_network(net, x, y, learning_rate=0.5, epochs=40, batch_size=16, loss="cross_entropy")
    assert not history.diverged and history.loss[-1] < 0.8 * history.loss[0]


def test_residual_module_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="block must be one of 'simplified', 'preact', 'preact_bn'"):
        build_residual("postact", [2, 3, 3, 1], "relu", "he")
    with pytest.raises(ValueError, match="branch_scale must be a finite number > 0"):
        build_residual("preact", [2, 3, 3, 1], "relu", "he", branch_scale=0.0)
    with pytest.raises(ValueError, match="depth must be an integer >= 3"):
        block_statistics("preact", "relu", "he", depth=2)
    with pytest.raises(ValueError, match="width must be an integer >= 1, got 0"):
        block_statistics("preact", "relu", "he", depth=3, width=0)
    with pytest.raises(ValueError, match="batch must be an integer >= 1, got 0"):
        block_statistics("preact", "relu", "he", depth=3, batch=0)
    with pytest.raises(ValueError, match="batch must be an integer >= 2 for block 'preact_bn'"):
        block_statistics("preact_bn", "relu", "he", depth=3, batch=1)
    with pytest.raises(TypeError, match="width must be an integer, got float"):
        block_statistics("preact", "relu", "he", depth=3, width=4.0)
    with pytest.raises(TypeError, match="net must be a ResidualMLP or PreActResidualMLP, got MLP"):
        stream(MLP([3, 4, 4, 1]), np.ones((2, 3)))
    with pytest.raises(TypeError, match="batchnorm must be True or False"):
        PreActResidualMLP([2, 3, 3, 1], batchnorm="yes")
    with pytest.raises(ValueError, match="same width"):
        PreActResidualMLP([2, 4, 5, 1])
    with pytest.raises(ValueError, match="x must have shape"):
        PreActResidualMLP([2, 3, 3, 1]).forward(np.ones((4, 3)))


@pytest.mark.parametrize("cls", [BatchNormMLP, ResidualMLP])
def test_batchnorm_and_residual_networks_compute_in_float64_only(cls):
    assert cls([2, 3, 3, 1]).weights[0].dtype == np.float64
    with pytest.raises(ValueError, match="dtype must be numpy.float64, got"):
        cls([2, 3, 3, 1], dtype=np.float32)
