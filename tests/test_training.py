"""Mini-batch SGD: it learns, it records what the chapters plot, clipping acts, divergence stops it."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.clipping import global_norm
from lesson_code.network import MLP, gradient_norms_per_layer
from lesson_code.training import train


def _xor_like(n: int = 128, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    return x, y


def test_training_lowers_the_loss_and_records_history():
    x, y = _xor_like()
    net = MLP([2, 16, 1], activation="tanh", init="xavier", output_activation="sigmoid", seed=1)
    history = train(net, x, y, learning_rate=1.0, epochs=200, batch_size=32)
    assert not history.diverged
    assert history.loss.shape == (201,)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert history.weight_gradient_norms.shape == history.bias_gradient_norms.shape == (201, 2)
    assert history.step_gradient_norms.shape == (200 * 4,)
    # the recorded loss and norms are those of the final network on the whole set
    final = net.gradients(x, y)
    assert history.loss[-1] == pytest.approx(final.loss, rel=1e-12)
    np.testing.assert_allclose(history.weight_gradient_norms[-1], gradient_norms_per_layer(final).weights)


def test_full_batch_step_is_plain_gradient_descent():
    x, y = _xor_like(16)
    net = MLP([2, 3, 1], seed=0)
    expected = MLP([2, 3, 1], seed=0)
    grads = expected.gradients(x, y)
    for param, grad in zip([*expected.weights, *expected.biases], [*grads.weights, *grads.biases], strict=True):
        param -= 0.1 * grad
    train(net, x, y, learning_rate=0.1, epochs=1)
    for got, want in zip(net.weights + net.biases, expected.weights + expected.biases, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_full_batch_computes_one_gradient_per_epoch_and_steps_with_it():
    """Full batch: the gradient recorded after an epoch is the next step's, not computed again."""
    x, y = _xor_like(16)
    net, expected = MLP([2, 3, 1], seed=0), MLP([2, 3, 1], seed=0)
    calls = []
    original = net.gradients
    net.gradients = lambda *args: calls.append(args[0].shape[0]) or original(*args)
    history = train(net, x, y, learning_rate=0.1, epochs=5)
    assert calls == [1] + [16] * 6  # the shape check, then the record before and after each epoch
    for _ in range(5):
        grads = expected.gradients(x, y)
        for param, grad in zip(expected.parameters(), grads.parameters(), strict=True):
            param -= 0.1 * grad
    for got, want in zip(net.parameters(), expected.parameters(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert history.step_gradient_norms.shape == (5,)


def test_clip_norm_bounds_every_step():
    x, y = _xor_like(32)
    net = MLP([2, 8, 1], seed=0, output_activation="linear")
    before = [p.copy() for p in net.weights + net.biases]
    train(net, x, 100.0 * y, learning_rate=0.01, epochs=1, clip_norm=0.5)
    moved = [after - start for after, start in zip(net.weights + net.biases, before, strict=True)]
    assert global_norm(moved) <= 0.01 * 0.5 * (1 + 1e-12)


def test_clip_value_bounds_every_entry():
    x, y = _xor_like(32)
    net = MLP([2, 8, 1], seed=0, output_activation="linear")
    before = [p.copy() for p in net.weights + net.biases]
    train(net, x, 100.0 * y, learning_rate=0.01, epochs=1, clip_value=0.2)
    for after, start in zip(net.weights + net.biases, before, strict=True):
        assert np.abs(after - start).max() <= 0.01 * 0.2 * (1 + 1e-12)


def test_divergence_stops_training_and_is_reported():
    x, y = _xor_like(32)
    net = MLP([2, 8, 1], activation="relu", init="he", output_activation="linear", seed=0)
    history = train(net, x, 1e4 * y, learning_rate=10.0, epochs=50)
    assert history.diverged
    assert len(history.loss) < 51
    assert not np.isfinite(history.loss[-1]) or not np.isfinite(history.step_gradient_norms[-1])


def test_same_seed_same_training():
    x, y = _xor_like(64)
    a, b = MLP([2, 6, 1], seed=3), MLP([2, 6, 1], seed=3)
    history_a = train(a, x, y, learning_rate=0.5, epochs=5, batch_size=8, seed=9)
    history_b = train(b, x, y, learning_rate=0.5, epochs=5, batch_size=8, seed=9)
    np.testing.assert_array_equal(history_a.loss, history_b.loss)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be a finite number > 0"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be a finite number > 0"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
        ({"clip_norm": 0.0}, ValueError, "clip_norm must be a finite number > 0"),
        ({"clip_value": -2.0}, ValueError, "clip_value must be a finite number > 0"),
        ({"clip_norm": 1.0, "clip_value": 1.0}, ValueError, "at most one of clip_norm and clip_value"),
        ({"loss": "hinge"}, ValueError, "loss must be one of"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    x, y = _xor_like(8)
    arguments = {"learning_rate": 0.1, "epochs": 1, **kwargs}
    with pytest.raises(error, match=message):
        train(MLP([2, 3, 1]), x, y, **arguments)


def test_bad_data_is_named():
    net = MLP([2, 3, 1])
    with pytest.raises(TypeError, match="net must be a network with gradients"):
        train("net", np.ones((2, 2)), np.ones((2, 1)), learning_rate=0.1, epochs=1)
    with pytest.raises(ValueError, match="same number of rows"):
        train(net, np.ones((3, 2)), np.ones((2, 1)), learning_rate=0.1, epochs=1)
    with pytest.raises(ValueError, match=r"y must have shape \(batch, 1\)"):
        train(net, np.ones((2, 2)), np.ones((2, 3)), learning_rate=0.1, epochs=1)
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        train(net, np.full((2, 2), np.nan), np.ones((2, 1)), learning_rate=0.1, epochs=1)
