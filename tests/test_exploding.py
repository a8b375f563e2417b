"""The exploding-gradient experiments measure what the chapter says they measure."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.clipping import global_norm
from lesson_code.datasets import polynomial_regression, standardize
from lesson_code.exploding import (
    CLIP_NORM,
    LearningRateScan,
    clipping_comparison,
    learning_rate_scan,
    output_layer_stable_learning_rate,
    regression_net,
    rounding_sensitivity,
)
from lesson_code.network import MLP


def test_regression_net_has_a_linear_output_and_is_seeded():
    net = regression_net(3)
    assert net.output_activation.name == "linear" and net.activation.name == "tanh"
    np.testing.assert_array_equal(net.weights[0], regression_net(3).weights[0])


def test_scan_runs_start_from_the_same_network():
    x, y = polynomial_regression(30)
    y, _ = standardize(y)
    scan = learning_rate_scan(x, y, [1e-9, 1e-9], epochs=2)
    # a vanishing learning rate leaves the loss where it started, for both runs identically
    np.testing.assert_allclose(scan.final_ratio, [1.0, 1.0], atol=1e-6)
    np.testing.assert_array_equal(scan.peak_ratio[0], scan.peak_ratio[1])


def test_scan_separates_learning_from_blowing_up():
    x, y = polynomial_regression(50)
    y, _ = standardize(y)
    scan = learning_rate_scan(x, y, [0.05, 4.0], epochs=30)
    assert scan.final_ratio[0] < 0.9 and scan.peak_ratio[0] <= 1.0
    assert scan.peak_ratio[1] > 1e6 or scan.diverged[1]
    assert scan.largest_learning_rate() == 0.05


def test_largest_learning_rate_is_nan_when_nothing_qualifies():
    scan = LearningRateScan(np.array([1.0]), np.array([2.0]), np.array([2.0]), np.array([False]))
    assert np.isnan(scan.largest_learning_rate())
    with pytest.raises(ValueError, match="max_final_ratio"):
        scan.largest_learning_rate(max_final_ratio=0)


def _train_output_layer_only(net, x, y, rate, steps):
    for _ in range(steps):
        grads = net.gradients(x, y)
        net.weights[-1] -= rate * grads.weights[-1]
        net.biases[-1] -= rate * grads.biases[-1]
    return net.gradients(x, y).loss


@pytest.mark.parametrize("factor,converges", [(0.95, True), (1.05, False)])
def test_output_layer_limit_is_where_gradient_descent_on_that_layer_turns_unstable(factor, converges):
    x, y = polynomial_regression(40)
    net = regression_net(1)
    limit = output_layer_stable_learning_rate(net, x)
    start = net.gradients(x, y).loss
    with np.errstate(over="ignore", invalid="ignore"):
        end = _train_output_layer_only(net, x, y, factor * limit, 400)
    if converges:
        assert end < start
    else:
        assert not np.isfinite(end) or end > 1e6 * start


def test_output_layer_limit_needs_a_linear_output():
    with pytest.raises(ValueError, match="linear output layer"):
        output_layer_stable_learning_rate(MLP([1, 2, 1], seed=0), np.ones((3, 1)))
    with pytest.raises(TypeError, match="net must be an MLP"):
        output_layer_stable_learning_rate(None, np.ones((3, 1)))


def test_clipping_rescues_the_run_that_blows_up():
    runs = clipping_comparison()
    unclipped, clipped = runs.unclipped, runs.clipped
    assert unclipped.loss[-1] > 1e6 * unclipped.loss[0]
    assert clipped.loss[-1] < 0.8 * clipped.loss[0]
    # the history records norms before clipping: they exceed the threshold, so clipping fired
    assert np.mean(clipped.step_gradient_norms > CLIP_NORM) > 0.9
    # the first step is identical in both runs (same network, same data)
    assert unclipped.step_gradient_norms[0] == clipped.step_gradient_norms[0]
    assert clipping_comparison() is runs  # cached: chapter and figures share one pair of runs


def test_first_step_gradient_is_larger_with_raw_targets():
    x, y = polynomial_regression()
    z, _ = standardize(y)
    raw = regression_net().gradients(x, y)
    std = regression_net().gradients(x, z)
    assert global_norm([*raw.weights, *raw.biases]) > 50 * global_norm([*std.weights, *std.biases])


def test_bad_arguments_are_named():
    x, y = polynomial_regression(10)
    with pytest.raises(ValueError, match="learning_rates"):
        learning_rate_scan(x, y, [0.1, -1.0])
    with pytest.raises(TypeError, match="learning_rates must be a non-empty sequence"):
        learning_rate_scan(x, y, [])
    with pytest.raises(ValueError, match="clip_norm must be a finite number > 0"):
        clipping_comparison(clip_norm=0.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        clipping_comparison(seed=1.5)


def test_standardized_runs_are_reproducible_and_raw_ones_in_the_learning_regime_are_chaotic():
    x, y = polynomial_regression()
    z, _ = standardize(y)
    # one part in 1e13 of the targets: a non-chaotic run moves by about as much
    assert rounding_sensitivity(x, z, 2**-4) < 1e-9
    assert rounding_sensitivity(x, y, 2**-10) < 1e-9
    # raw targets at 2^-6: hidden units flirt with saturation and the trajectory amplifies it
    assert rounding_sensitivity(x, y, 2**-6) > 1e-6


def test_clipping_comparison_is_reproducible_to_rounding():
    # the chapter prints this run's numbers, so they must not depend on the last bits
    x, y = polynomial_regression()
    from lesson_code.training import train

    runs = clipping_comparison()
    nudged = train(regression_net(), x, y * (1 + 1e-13), learning_rate=runs.learning_rate,
                   epochs=runs.clipped.loss.size - 1, clip_norm=runs.clip_norm)
    np.testing.assert_allclose(nudged.loss[-1], runs.clipped.loss[-1], rtol=1e-6)
