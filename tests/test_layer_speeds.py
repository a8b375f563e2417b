"""Nielsen's layer-speed measurement: what it computes, and the pattern it must show."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.layer_speeds import (
    NIELSEN_REPORTED,
    hidden_bias_gradient_norms,
    load_digit_images,
    train_and_track,
    uniform_images,
)
from lesson_code.network import MLP


def test_norms_are_the_hidden_bias_gradients_of_a_nielsen_network():
    x, y = uniform_images(100, seed=4)
    net = MLP([784, 30, 30, 10], activation="sigmoid", init="nielsen", seed=4)
    grads = net.gradients(x, y, loss="cross_entropy")
    expected = [np.linalg.norm(b) for b in grads.biases[:-1]]
    np.testing.assert_allclose(hidden_bias_gradient_norms(2, n_examples=100, seed=4), expected)


@pytest.mark.parametrize("inputs", ["uniform", "digits"])
def test_each_hidden_layer_is_slower_than_the_next(inputs):
    norms = hidden_bias_gradient_norms(4, inputs=inputs, n_examples=300, seeds=3)
    assert np.all(norms[:-1] < norms[1:])
    assert norms[0] < norms[-1] / 20


def test_quoted_numbers_have_one_value_per_hidden_layer():
    assert all(len(values) == layers for layers, values in NIELSEN_REPORTED.items())


def test_digits_are_real_scaled_images_with_one_hot_labels():
    x, y = load_digit_images(200)
    assert x.shape == (200, 64) and y.shape == (200, 10)
    assert 0.0 <= x.min() and x.max() == 1.0
    np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    assert len(set(y.argmax(axis=1))) == 10


def test_training_records_every_layer_every_epoch():
    history = train_and_track(hidden_layers=3, n_examples=60, epochs=3, batch_size=20)
    assert history.bias_gradient_norms.shape == (4, 4)
    assert history.loss[-1] < history.loss[0]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="inputs must be one of 'uniform', 'digits'"):
        hidden_bias_gradient_norms(2, inputs="mnist")
    with pytest.raises(ValueError, match="n_examples must be at most 1797"):
        load_digit_images(5000)
    with pytest.raises(ValueError, match="hidden_layers must be an integer >= 1"):
        hidden_bias_gradient_norms(0)
