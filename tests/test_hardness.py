"""Parameter counts, convexity checks, the perceptron, the stripe problem and batched restarts."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.convexity import convexity_gap, network_loss, random_segment_gaps, segment_gap
from lesson_code.hardness import (
    novikoff_bound,
    perceptron,
    stripe_problem,
    stripe_restarts,
    threshold_unit,
    train_restarts,
)
from lesson_code.network import MLP, conv_parameters, dense_parameters, mlp_parameters
from lesson_code.training import train

# ----------------------------------------------------------------------------- counts


def test_counts_match_the_shapes_of_the_arrays():
    sizes = [7, 5, 3, 2]
    net = MLP(sizes, seed=0)
    n_arrays = sum(w.size + b.size for w, b in zip(net.weights, net.biases, strict=True))
    assert mlp_parameters(sizes) == n_arrays
    assert mlp_parameters(sizes, bias=False) == sum(w.size for w in net.weights)


def test_dense_and_conv_counts_of_the_chapter():
    assert dense_parameters(784, 1000, bias=False) == 784 * 1000
    assert conv_parameters(5, 1, 32, bias=False) == 5 * 5 * 32
    assert conv_parameters(3, 16, 8) == 3 * 3 * 16 * 8 + 8


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: dense_parameters(0, 3), ValueError, "n_inputs must be an integer >= 1"),
        (lambda: dense_parameters(2.5, 3), TypeError, "n_inputs must be an integer"),
        (lambda: conv_parameters(5, 1, -1), ValueError, "filters must be an integer >= 1"),
        (lambda: dense_parameters(3, 3, bias="yes"), TypeError, "bias must be True or False"),
        (lambda: mlp_parameters([3]), ValueError, "sizes must have at least 2 entries"),
    ],
)
def test_counts_reject_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----------------------------------------------------------------------------- convexity


def test_network_loss_is_the_cost_of_the_network_it_unflattens():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 3)), rng.uniform(size=(6, 2))
    sizes = [3, 4, 2]
    net = MLP(sizes, activation="tanh", seed=5, output_activation="sigmoid")
    theta = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(net.weights, net.biases, strict=True)])
    for loss in ("mse", "cross_entropy"):
        cost = network_loss(sizes, x, y, activation="tanh", output_activation="sigmoid", loss=loss)
        assert cost(theta) == pytest.approx(net.gradients(x, y, loss).loss, rel=1e-12)
    with pytest.raises(ValueError, match="parameters"):
        cost(theta[:-1])


def test_segment_gap_on_known_functions():
    a, b = np.array([-2.0, 1.0]), np.array([3.0, -1.0])
    assert segment_gap(lambda v: float(v @ v), a, b) > 0  # strictly convex: chord strictly above
    assert segment_gap(lambda v: float(np.sum(v)), a, b) == pytest.approx(0.0, abs=1e-12)  # linear
    # concave: at the midpoint the graph -|m|^2 is above the chord by |a - b|^2 / 4
    gap = segment_gap(lambda v: -float(v @ v), a, b, n_points=1)
    assert gap == pytest.approx(-float((a - b) @ (a - b)) / 4)
    with pytest.raises(ValueError, match="same shape"):
        segment_gap(lambda v: 0.0, a, np.zeros(3))


def test_segment_gap_has_the_sign_of_convexity_gap():
    """One sign across the package: chord minus graph, negative proves non-convexity."""
    def f(v):
        return float(np.sin(3 * v[0]) + v[1] ** 2)

    a, b = np.array([0.1, -0.4]), np.array([1.3, 0.8])
    gaps = [convexity_gap(f, a, b, lam) for lam in np.linspace(0, 1, 7)[1:-1]]
    assert segment_gap(f, a, b, n_points=5) == pytest.approx(min(gaps), rel=1e-12)


def test_logistic_unit_is_convex_and_squared_error_unit_is_not():
    problem = stripe_problem()
    logistic = network_loss([2, 1], problem.x, problem.y, loss="cross_entropy")
    squared = network_loss([2, 1], problem.x, problem.y, loss="mse")
    assert random_segment_gaps(logistic, 3, segments=40, seed=1).min() >= -1e-12
    assert random_segment_gaps(squared, 3, segments=40, seed=1).min() < -1e-3


# ----------------------------------------------------------------------------- perceptron


def test_perceptron_separates_separable_data_within_novikoff_bound():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 3))
    w_true, b_true = np.array([1.0, -2.0, 0.5]), 0.1
    score = x @ w_true + b_true
    keep = np.abs(score) > 0.2  # a margin, so that the bound is finite
    x, labels = x[keep], (score[keep] > 0).astype(int)
    result = perceptron(x, labels)
    assert result.converged
    assert np.array_equal(threshold_unit(x, result.weights, result.bias), labels)
    assert result.mistakes <= novikoff_bound(x, labels, w_true, b_true)


def test_perceptron_cannot_fit_xor():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    result = perceptron(x, np.array([0, 1, 1, 0]), max_epochs=50)
    assert not result.converged and result.epochs == 50


def test_novikoff_bound_rejects_a_non_separator():
    x = np.array([[0.0], [1.0]])
    with pytest.raises(ValueError, match="separate"):
        novikoff_bound(x, np.array([0, 1]), np.array([-1.0]), 0.5)


def test_perceptron_rejects_non_binary_labels():
    with pytest.raises(ValueError, match="0 and 1"):
        perceptron(np.zeros((2, 1)), np.array([0, 2]))


# ----------------------------------------------------------------------------- stripe problem


@pytest.mark.parametrize("n_features", [2, 5])
def test_stripe_is_fitted_exactly_by_its_three_node_network(n_features):
    problem = stripe_problem(200, n_features=n_features, seed=4)
    assert problem.x.shape == (200, n_features) and problem.y.shape == (200, 1)
    assert np.array_equal(problem.threshold_predictions(), problem.y[:, 0].astype(int))
    assert 0 < problem.y.mean() < 1  # both classes present
    # the margin: no point closer than 0.05 to either edge of the stripe
    u = problem.hidden_weights[0]
    assert np.min(np.abs(np.abs(problem.x @ u) - problem.hidden_biases[0])) >= 0.05


def test_stripe_is_not_linearly_separable_but_xor_like():
    problem = stripe_problem()
    corners = np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])
    assert problem.threshold_predictions(corners).tolist() == [1, 1, 0, 0]
    assert not perceptron(problem.x, problem.y, max_epochs=200).converged


def test_stripe_is_deterministic_per_seed_and_validates():
    a, b, c = stripe_problem(seed=2), stripe_problem(seed=2), stripe_problem(seed=3)
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    with pytest.raises(ValueError, match="margin must be smaller than half_width"):
        stripe_problem(margin=0.3, half_width=0.2)
    with pytest.raises(ValueError, match="half_width"):
        stripe_problem(half_width=2.0)


# ----------------------------------------------------------------------------- restarts


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_batched_restarts_equal_lesson_code_training(activation):
    problem = stripe_problem(12, seed=5)
    seeds = [3, 11]
    batched = train_restarts(problem.x, problem.y, hidden=3, seeds=seeds, epochs=40,
                             learning_rate=2.0, activation=activation)
    for i, seed in enumerate(seeds):
        net = MLP([2, 3, 1], activation=activation, init="xavier", seed=seed, output_activation="sigmoid")
        history = train(net, problem.x, problem.y, learning_rate=2.0, epochs=40, loss="cross_entropy")
        assert batched.final_loss[i] == pytest.approx(history.loss[-1], rel=1e-10)
        predictions = net.forward(problem.x)[:, 0] > 0.5
        assert batched.accuracy[i] == pytest.approx(np.mean(predictions == (problem.y[:, 0] > 0.5)))


def test_restarts_are_deterministic_and_independent_of_their_batch():
    problem = stripe_problem(20)
    together = train_restarts(problem.x, problem.y, hidden=2, seeds=range(4), epochs=100, learning_rate=3.0)
    again = train_restarts(problem.x, problem.y, hidden=2, seeds=range(4), epochs=100, learning_rate=3.0)
    alone = train_restarts(problem.x, problem.y, hidden=2, seeds=[2], epochs=100, learning_rate=3.0)
    np.testing.assert_array_equal(together.final_loss, again.final_loss)
    assert alone.final_loss[0] == pytest.approx(together.final_loss[2], rel=1e-12)


def test_nudge_moves_the_start_by_the_relative_amount_asked_and_per_seed():
    problem = stripe_problem(20)
    arguments = {"hidden": 2, "epochs": 1, "learning_rate": 3.0}
    plain = train_restarts(problem.x, problem.y, seeds=range(4), **arguments)
    nudged = train_restarts(problem.x, problem.y, seeds=range(4), nudge=1e-9, **arguments)
    change = np.abs(nudged.final_loss / plain.final_loss - 1)
    assert np.all(change > 0) and np.all(change < 1e-7)  # moved, by about the nudge
    alone = train_restarts(problem.x, problem.y, seeds=[2], nudge=1e-9, **arguments)
    assert alone.final_loss[0] == pytest.approx(nudged.final_loss[2], rel=1e-12)  # signs follow the seed
    zero = train_restarts(problem.x, problem.y, seeds=range(4), nudge=0.0, **arguments)
    np.testing.assert_array_equal(zero.final_loss, plain.final_loss)


def test_a_nudge_changes_no_verdict_and_no_fitted_cost():
    """The chapter's reproducibility check: fit or stuck, and the cost of a fitted restart, do not
    depend on rounding; only the cost of a stuck one does."""
    plain = stripe_restarts(2, restarts=40)
    nudged = stripe_restarts(2, restarts=40, nudge=1e-12)
    np.testing.assert_array_equal(nudged.fit_all, plain.fit_all)
    fit = plain.fit_all
    assert 0 < fit.sum() < 40
    np.testing.assert_allclose(nudged.final_loss[fit], plain.final_loss[fit], rtol=1e-9)
    moved = np.abs(nudged.final_loss[~fit] / plain.final_loss[~fit] - 1) > 1e-9
    assert np.mean(moved) > 0.5


def test_wider_network_succeeds_at_least_as_often():
    narrow = stripe_restarts(2, restarts=30, epochs=600)
    wide = stripe_restarts(8, restarts=30, epochs=600)
    assert wide.success_rate >= narrow.success_rate
    assert wide.success_rate == 1.0 and narrow.success_rate < 0.8  # the chapter's contrast
    assert np.all(narrow.final_loss[~narrow.fit_all] > 0.1)  # failures are stuck, not nearly done


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"hidden": 0}, ValueError, "hidden must be an integer >= 1"),
        ({"seeds": []}, ValueError, "seeds must hold at least one seed"),
        ({"seeds": [1.5]}, TypeError, "seed must be an integer"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be a finite number > 0"),
        ({"activation": "relu"}, ValueError, "activation must be one of 'tanh', 'sigmoid'"),
        ({"init": "uniform"}, ValueError, "init must be one of"),
        ({"nudge": -1e-12}, ValueError, "nudge must be a finite number >= 0"),
    ],
)
def test_train_restarts_validates(kwargs, error, message):
    problem = stripe_problem(10)
    arguments = {"hidden": 2, "seeds": [0], "epochs": 5, "learning_rate": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        train_restarts(problem.x, problem.y, **arguments)


def test_train_restarts_checks_targets():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        train_restarts(np.zeros((3, 2)), np.full((3, 1), 2.0), hidden=2, seeds=[0], epochs=1,
                       learning_rate=1.0)


def test_network_loss_refuses_cross_entropy_without_a_sigmoid_output_when_it_is_built():
    x, y = np.zeros((3, 2)), np.zeros((3, 1))
    with pytest.raises(ValueError, match="loss='cross_entropy' needs a sigmoid output layer"):
        network_loss([2, 1], x, y, activation="relu", output_activation="relu", loss="cross_entropy")
