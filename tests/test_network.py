"""The MLP's backpropagation against central finite differences, the chain, and the norm bound."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers import finite_difference_gradients, kink_free_inputs, relative_error
from lesson_code.activations import ACTIVATIONS, get_activation
from lesson_code.network import (
    INITS,
    MLP,
    chain_gradients,
    gradient_norms_per_layer,
)

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [None, "linear", "sigmoid"]


@pytest.mark.parametrize(
    "activation, init, output_activation", list(itertools.product(HIDDEN, INITS, OUTPUTS))
)
def test_gradients_match_finite_differences(activation, init, output_activation):
    net = MLP([3, 4, 3, 2], activation=activation, init=init, seed=7,
              output_activation=output_activation)
    rng = np.random.default_rng(11)
    x = kink_free_inputs(net, rng, batch=5)
    y = rng.uniform(size=(5, 2))
    analytic = net.gradients(x, y)
    numeric = finite_difference_gradients(net, x, y, "mse")
    for got, want in zip([*analytic.weights, *analytic.biases], numeric, strict=True):
        assert got.shape == want.shape
        assert relative_error(got, want) < 1e-6


@pytest.mark.parametrize("activation", HIDDEN)
def test_cross_entropy_gradients_match_finite_differences(activation):
    net = MLP([4, 5, 3], activation=activation, init="nielsen", seed=3,
              output_activation="sigmoid")
    rng = np.random.default_rng(5)
    x = kink_free_inputs(net, rng, batch=6)
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    analytic = net.gradients(x, y, loss="cross_entropy")
    numeric = finite_difference_gradients(net, x, y, "cross_entropy")
    for got, want in zip([*analytic.weights, *analytic.biases], numeric, strict=True):
        assert relative_error(got, want) < 1e-6


def test_cross_entropy_output_delta_is_error():
    net = MLP([2, 3], init="nielsen", seed=0)
    x, y = np.ones((1, 2)), np.array([[1.0, 0.0, 1.0]])
    grads = net.gradients(x, y, loss="cross_entropy")
    np.testing.assert_allclose(grads.biases[-1], net.forward(x)[0] - y[0])


def test_cross_entropy_needs_sigmoid_output():
    net = MLP([2, 3], activation="tanh")
    with pytest.raises(ValueError, match="cross_entropy.*sigmoid"):
        net.gradients(np.ones((1, 2)), np.ones((1, 3)), loss="cross_entropy")


def test_loss_is_half_mean_squared_error():
    net = MLP([3, 4, 2], seed=1, output_activation="linear")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    expected = 0.5 * np.mean(np.sum((net.forward(x) - y) ** 2, axis=1))
    assert net.gradients(x, y).loss == pytest.approx(expected, rel=1e-12)


def test_same_seed_same_network_and_different_seed_differs():
    a, b, c = MLP([5, 6, 2], seed=3), MLP([5, 6, 2], seed=3), MLP([5, 6, 2], seed=4)
    for wa, wb, wc in zip(a.weights, b.weights, c.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)
        assert not np.array_equal(wa, wc)


@pytest.mark.parametrize(
    "init, weight_variance, biases_zero",
    [
        ("normal", lambda fin, fout: 1.0, False),
        ("xavier", lambda fin, fout: 2.0 / (fin + fout), True),
        ("he", lambda fin, fout: 2.0 / fin, True),
        ("nielsen", lambda fin, fout: 1.0 / fin, False),
    ],
)
def test_initialization_statistics(init, weight_variance, biases_zero):
    net = MLP([400, 300, 200], init=init, seed=0)
    for w, b, (fin, fout) in zip(net.weights, net.biases, [(400, 300), (300, 200)], strict=True):
        assert w.shape == (fout, fin) and w.dtype == np.float64
        assert abs(w.mean()) < 0.01 * np.sqrt(weight_variance(fin, fout)) * 10
        assert w.var() == pytest.approx(weight_variance(fin, fout), rel=0.03)
        assert np.all(b == 0) if biases_zero else b.std() == pytest.approx(1.0, rel=0.2)


def test_output_activation_applies_only_to_last_layer():
    net = MLP([2, 3, 1], activation="sigmoid", output_activation="linear", seed=0)
    run = net.forward_pass(np.array([[0.5, -0.2]]))
    zs, activations = run.zs, run.activations
    np.testing.assert_allclose(activations[1], get_activation("sigmoid")(zs[0]))
    np.testing.assert_allclose(activations[2], zs[1])


def test_gradient_norms_per_layer_are_frobenius_norms():
    net = MLP([3, 5, 4, 2], seed=0)
    grads = net.gradients(np.ones((2, 3)), np.zeros((2, 2)))
    norms = gradient_norms_per_layer(grads)
    np.testing.assert_allclose(norms.weights, [np.sqrt(np.sum(g**2)) for g in grads.weights])
    np.testing.assert_allclose(norms.biases, [np.sqrt(np.sum(g**2)) for g in grads.biases])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", range(5))
def test_bias_gradient_bound_holds_on_random_nets(activation, seed):
    net = MLP([6, 10, 10, 10, 10, 3], activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    check = net.bias_gradient_bound(rng.standard_normal((8, 6)), rng.uniform(size=(8, 3)))
    assert check.measured.shape == check.bound.shape == (8, 5)
    assert np.all(check.measured <= check.bound * (1 + 1e-12))
    # the bound is the product the chapter describes: exact at the last layer when the output
    # derivative sits at its supremum (a linear output: Sigma' = I, gamma = 1)...
    linear = MLP([6, 10, 10, 3], activation="linear", output_activation="linear", seed=seed)
    exact = linear.bias_gradient_bound(rng.standard_normal((8, 6)), rng.uniform(size=(8, 3)))
    np.testing.assert_allclose(exact.measured[:, -1], exact.bound[:, -1], rtol=1e-12)
    # ...and looser (relative) further back, where it multiplies worst cases layer by layer
    ratio = np.median(check.measured / check.bound, axis=0)
    assert ratio[0] < ratio[-1]


def test_bias_gradient_bound_measures_per_example_deltas():
    net = MLP([3, 4, 2], seed=1)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((3, 3)), rng.uniform(size=(3, 2))
    check = net.bias_gradient_bound(x, y)
    for i in range(3):
        single = net.gradients(x[i : i + 1], y[i : i + 1])
        np.testing.assert_allclose(check.measured[i], [np.linalg.norm(b) for b in single.biases])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "leaky_relu"])
def test_chain_equals_width_one_mlp(activation):
    rng = np.random.default_rng(4)
    depth = 8
    net = MLP([1] * (depth + 1), activation=activation, init="normal", seed=9)
    for b in net.biases:
        b[:] = 0.0
    w = [float(weight[0, 0]) for weight in net.weights]
    x, y = float(rng.standard_normal()), 0.3
    output = float(net.forward(np.array([[x]]))[0, 0])
    chain = chain_gradients(w, x, activation=activation, grad_output=output - y)
    grads = net.gradients(np.array([[x]]), np.array([[y]]))
    np.testing.assert_allclose(chain.h[-1], output)
    # delta^{t+1} = dL/dz_{t+1} and dL/dh_t = w_{t+1} delta^{t+1}
    for t in range(depth):
        np.testing.assert_allclose(chain.grad_h[t], w[t] * grads.biases[t][0], rtol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "leaky_relu", "relu"])
def test_chain_input_gradient_matches_finite_differences(activation):
    # a short chain with weights of size ~2 keeps dL/dh_0 large enough to difference accurately
    w, x, y = [1.5, 2.0, 0.8], 0.7, -0.3

    def cost(x0: float) -> float:
        output = chain_gradients(w, x0, activation=activation).h[-1]
        return 0.5 * (output - y) ** 2

    output = chain_gradients(w, x, activation=activation).h[-1]
    chain = chain_gradients(w, x, activation=activation, grad_output=output - y)
    numeric = (cost(x + 1e-6) - cost(x - 1e-6)) / 2e-6
    assert chain.grad_h[0] == pytest.approx(numeric, rel=1e-6)


def test_chain_sigmoid_gradient_shrinks_at_least_by_gamma_w_each_step():
    w = np.ones(10)
    chain = chain_gradients(w, x=0.0, activation="sigmoid")
    ratios = chain.grad_h[:-1] / chain.grad_h[1:]
    assert np.all(np.abs(ratios) <= 0.25 + 1e-15)


def test_activation_derivatives_match_finite_differences():
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-3]
    for act in ACTIVATIONS.values():
        numeric = (act(z + 1e-6) - act(z - 1e-6)) / 2e-6
        np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-9)
        grid = np.linspace(-20, 20, 400001)
        assert act.derivative(grid).max() == pytest.approx(act.derivative_sup, rel=1e-6)


def test_sigmoid_reference_values():
    sig = get_activation("sigmoid")
    assert float(sig.derivative(0.0)) == 0.25
    assert float(sig.derivative(2.0)) == pytest.approx(0.104993585, rel=1e-8)
    assert float(sig.derivative(-2.0)) == pytest.approx(float(sig.derivative(2.0)), rel=1e-15)


# ---- bad input: clear errors naming the argument -------------------------------------------

@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"sizes": [3]}, ValueError, "sizes must have at least 2 entries"),
        ({"sizes": [3, 0, 2]}, ValueError, "sizes must contain integers >= 1"),
        ({"sizes": [3, 2.5]}, ValueError, "sizes must contain integers"),
        ({"sizes": "32"}, TypeError, "sizes must be a sequence"),
        ({"sizes": [3, 2], "activation": "gelu"}, ValueError, "activation must be one of 'sigmoid'"),
        ({"sizes": [3, 2], "init": "glorot"}, ValueError, "init must be one of 'normal', 'xavier', 'he'"),
        ({"sizes": [3, 2], "output_activation": "softmax"}, ValueError, "activation must be one of"),
        ({"sizes": [3, 2], "seed": 1.5}, TypeError, "seed must be an integer"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        MLP(**kwargs)


def test_forward_and_gradients_reject_bad_inputs():
    net = MLP([3, 2])
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 3\)"):
        net.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="x must be 2-dimensional"):
        net.forward(np.ones(3))
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        net.forward(np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(ValueError, match=r"y must have shape \(batch, 2\)"):
        net.gradients(np.ones((4, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="loss must be one of 'mse', 'cross_entropy'"):
        net.gradients(np.ones((1, 3)), np.ones((1, 2)), loss="hinge")
    with pytest.raises(TypeError, match="gradients must be the Gradients"):
        gradient_norms_per_layer([np.ones(2)])


def test_chain_rejects_bad_inputs():
    with pytest.raises(ValueError, match="weights must hold at least one weight"):
        chain_gradients([], 1.0)
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        chain_gradients([1.0], float("inf"))
    with pytest.raises(ValueError, match="activation must be one of"):
        chain_gradients([1.0], 0.0, activation="softsign")


def test_cross_entropy_of_saturated_units_is_exact():
    net = MLP([1, 1], init="normal", seed=0)
    net.weights[0][:] = 1.0
    net.biases[0][:] = 0.0
    # a = sigmoid(-50) rounds to ~2e-22; the cost of target 1 must still be ln(1 + e^50) ~ 50
    grads = net.gradients(np.array([[-50.0]]), np.array([[1.0]]), loss="cross_entropy")
    assert grads.loss == pytest.approx(50.0, rel=1e-12)


@pytest.mark.parametrize("activation", HIDDEN)
def test_float32_network_matches_float64(activation):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 5)), rng.uniform(size=(8, 3))
    wide = MLP([5, 6, 6, 3], activation=activation, init="xavier", seed=2)
    narrow = MLP([5, 6, 6, 3], activation=activation, init="xavier", seed=2, dtype=np.float32)
    g64, g32 = wide.gradients(x, y), narrow.gradients(x, y)
    assert all(g.dtype == np.float32 for g in g32.weights + g32.biases)
    for a, b in zip(g64.weights + g64.biases, g32.weights + g32.biases, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-5)


def test_dtype_must_be_a_float_type():
    with pytest.raises(ValueError, match="dtype must be numpy.float64 or numpy.float32"):
        MLP([2, 2], dtype=np.int64)


def _textbook_weight_gradients(net: MLP, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """dC/dW^l for the MSE cost from forward_pass and sigma'(z), written out as in the chapters."""
    run = net.forward_pass(x)
    zs, activations = run.zs, run.activations
    delta = (activations[-1] - y) * net.output_activation.derivative(zs[-1]) / x.shape[0]
    grads = [np.empty(0)] * net.n_layers
    for layer in reversed(range(net.n_layers)):
        grads[layer] = delta.T @ activations[layer]
        if layer > 0:
            delta = (delta @ net.weights[layer]) * net.activation.derivative(zs[layer - 1])
    return grads


@pytest.mark.parametrize("activation", HIDDEN)
def test_gradients_are_the_textbook_ones_and_new_each_call(activation):
    """gradients() must give the results of the textbook equations, bit for bit those of a
    network that has never run, whatever the batch sizes before, and a result handed out earlier
    must neither change nor share memory with a later one."""
    rng = np.random.default_rng(3)
    sizes = [4, 6, 5, 3]
    used = MLP(sizes, activation=activation, init="xavier", seed=2)
    batches = [(rng.standard_normal((n, 4)), rng.standard_normal((n, 3))) for n in (7, 2, 7, 7)]
    earlier = used.gradients(*batches[0])
    kept = [w.copy() for w in earlier.weights]
    for x, y in batches[1:]:
        result = used.gradients(x, y)
        for mine, textbook in zip(result.weights, _textbook_weight_gradients(used, x, y), strict=True):
            np.testing.assert_allclose(mine, textbook, rtol=1e-10, atol=1e-14)
        fresh = MLP(sizes, activation=activation, init="xavier", seed=2).gradients(x, y)
        for mine, reference in zip([*result.weights, *result.biases], [*fresh.weights, *fresh.biases], strict=True):
            assert np.array_equal(mine, reference)
        assert result.loss == fresh.loss
        assert not any(np.shares_memory(a, b) for a in earlier.weights for b in result.weights)
    assert all(np.array_equal(w, k) for w, k in zip(earlier.weights, kept, strict=True))


def test_gradients_of_a_network_without_hidden_layers():
    """No hidden layer: the one weight gradient is still right."""
    net = MLP([3, 2], activation="tanh", seed=0)
    x, y = np.random.default_rng(1).standard_normal((4, 3)), np.zeros((4, 2))
    (result,), (textbook,) = net.gradients(x, y).weights, _textbook_weight_gradients(net, x, y)
    assert result.shape == (2, 3)
    np.testing.assert_allclose(result, textbook, rtol=1e-12)
