"""The experiments behind "Convex baselines vs deep nets" and "What fixed it"."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.comparisons import (
    SPIRAL_RECIPES,
    convex_restarts,
    interpolated,
    permuted_hidden_units,
    predict_labels,
    rbf_features,
    spiral_data,
    spiral_study,
    spread_text,
    train_classifier,
)
from lesson_code.datasets import two_spirals
from lesson_code.network import MLP
from lesson_code.remedies import BatchNormMLP, build_network, train_network


def test_spiral_data_is_a_shuffle_of_two_spirals():
    X, y = spiral_data(30, seed=4)
    X0, y0 = two_spirals(30, seed=4)
    assert not np.array_equal(y, y0)
    order = np.lexsort(X.T)
    order0 = np.lexsort(X0.T)
    np.testing.assert_array_equal(X[order], X0[order0])
    np.testing.assert_array_equal(y[order], y0[order0])


@pytest.mark.parametrize("model", ["svm", "logistic"])
def test_convex_models_reach_one_optimum_from_far_apart_starts(model):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 3))
    y = (X @ [1.0, -1.0, 0.5] + 0.5 * rng.standard_normal(80) > 0).astype(int)
    fits = convex_restarts(model, X, y, n_starts=4, scale=20.0, seed=1)
    assert fits.start_spread > 10
    assert fits.objective_spread <= 1e-9 * fits.objectives.min()
    assert fits.parameter_spread < 1e-6
    assert len(fits.histories) == 4
    assert all(h[-1] == pytest.approx(f) for h, f in zip(fits.histories, fits.objectives, strict=True))
    assert np.all(fits.accuracies == fits.accuracies[0])


def test_convex_restarts_rejects_unknown_models_and_bad_arguments():
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="model must be one of 'svm', 'logistic'"):
        convex_restarts("forest", X, y)
    with pytest.raises(ValueError, match="n_starts must be an integer >= 1"):
        convex_restarts("svm", X, y, n_starts=0)


def test_rbf_features_closed_form():
    X = np.array([[0.0, 0.0], [0.3, 0.4]])
    features = rbf_features(X, centers=X, width=0.5)
    np.testing.assert_allclose(np.diag(features), 1.0)
    np.testing.assert_allclose(features[0, 1], np.exp(-0.25 / (2 * 0.25)))
    np.testing.assert_allclose(features, features.T)
    assert rbf_features(X, centers=X[:1]).shape == (2, 1)
    with pytest.raises(ValueError, match="centers must have 2 columns"):
        rbf_features(X, centers=np.ones((3, 3)))
    with pytest.raises(ValueError, match="width must be a finite number > 0"):
        rbf_features(X, centers=X, width=0.0)


@pytest.mark.parametrize("layer", [1, 2])
def test_permuting_hidden_units_keeps_the_function_but_not_the_parameters(layer):
    net = MLP([3, 6, 5, 2], activation="tanh", init="normal", seed=2)
    swapped = permuted_hidden_units(net, layer=layer, seed=1)
    x = np.random.default_rng(0).standard_normal((7, 3))
    np.testing.assert_allclose(swapped.forward(x), net.forward(x), rtol=1e-12)
    assert not np.array_equal(swapped.weights[layer - 1], net.weights[layer - 1])
    # the original is untouched
    np.testing.assert_array_equal(net.weights[0], MLP([3, 6, 5, 2], activation="tanh", init="normal", seed=2).weights[0])
    with pytest.raises(ValueError, match="layer must be a hidden layer, 1..2"):
        permuted_hidden_units(net, layer=3)


def test_interpolation_end_points_and_midpoint():
    a = MLP([2, 4, 1], seed=0)
    b = MLP([2, 4, 1], seed=1)
    for t, expected in ((0.0, a), (1.0, b)):
        mixed = interpolated(a, b, t)
        for got, want in zip(mixed.weights, expected.weights, strict=True):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(interpolated(a, b).biases[0], (a.biases[0] + b.biases[0]) / 2)
    with pytest.raises(ValueError, match="same sizes"):
        interpolated(a, MLP([2, 3, 1]))


def test_batchnorm_predictions_use_the_reference_statistics():
    net = BatchNormMLP([2, 6, 6, 1], activation="tanh", init="xavier", seed=0, output_activation="sigmoid")
    X = np.random.default_rng(1).standard_normal((30, 2))
    together = predict_labels(net, X, X)
    one_by_one = np.concatenate([predict_labels(net, X[i : i + 1], X) for i in range(30)])
    np.testing.assert_array_equal(together, one_by_one)
    assert set(together.tolist()) <= {0, 1}


def test_train_classifier_is_deterministic_and_checks_labels():
    X, y = spiral_data(20)
    first = train_classifier(X, y, sizes=(2, 6, 6, 1), epochs=10, seed=3)
    second = train_classifier(X, y, sizes=(2, 6, 6, 1), epochs=10, seed=3)
    np.testing.assert_array_equal(first.losses, second.losses)
    assert first.final_loss == first.losses[-1] and not first.diverged
    with pytest.raises(ValueError, match="y must hold one label 0 or 1"):
        train_classifier(X, y + 1, sizes=(2, 3, 1), epochs=1)
    with pytest.raises(ValueError, match="nudge must be"):
        train_classifier(X, y, sizes=(2, 3, 1), epochs=1, nudge=-1.0)


@pytest.mark.parametrize("kind", ["plain", "batchnorm"])
def test_train_classifier_takes_the_steps_of_train_network(kind):
    """The lean full-batch loop is the same arithmetic as lesson_code.training.train."""
    X, y = spiral_data(20)
    run = train_classifier(X, y, kind=kind, sizes=(2, 6, 6, 1), activation="tanh", init="xavier",
                           learning_rate=0.7, epochs=25, seed=1)
    net = build_network(kind, [2, 6, 6, 1], "tanh", "xavier", 1, "sigmoid")
    history = train_network(net, X, y[:, None].astype(float), learning_rate=0.7, epochs=25, loss="cross_entropy")
    np.testing.assert_array_equal(run.losses, history.loss)
    for got, want in zip(run.net.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_nudge_of_one_rounding_error_moves_the_start_by_that_much():
    X, y = spiral_data(20)
    plain = train_classifier(X, y, sizes=(2, 6, 1), epochs=1, learning_rate=1e-300)
    nudged = train_classifier(X, y, sizes=(2, 6, 1), epochs=1, learning_rate=1e-300, nudge=1e-12)
    same = train_classifier(X, y, sizes=(2, 6, 1), epochs=1, learning_rate=1e-300, nudge=0.0)
    for a, b, c in zip(plain.net.weights, nudged.net.weights, same.net.weights, strict=True):
        np.testing.assert_array_equal(a, c)
        relative = np.abs(b - a)[a != 0] / np.abs(a[a != 0])
        assert np.all((relative > 0.5e-12) & (relative < 2e-12))


def test_spread_text_names_the_rounding_floor():
    eps = np.finfo(float).eps
    assert spread_text(0.0, 1.0) == "at the rounding floor"
    assert spread_text(4 * eps * 0.5, 0.5) == "at the rounding floor"
    assert spread_text(1e-13, 0.5) == "1e-13"
    assert spread_text(2.4e-9, 3.0) == "2e-09"


def test_spiral_study_convex_models_agree_and_deep_nets_do_not():
    study = spiral_study()
    assert study.svm.objective_spread <= 1e-9 * study.svm.objectives.min()
    assert study.logistic.objective_spread <= 1e-9 * study.logistic.objectives.min()
    assert len(set(np.round(study.seed_losses, 6))) == len(study.seeds)  # ten different answers
    assert study.run("relu_he") is study.seeds[0]  # trained once, whoever asks first
    assert all(len(study.runs(name)) == 10 for name in SPIRAL_RECIPES)
    assert np.median(study.seed_accuracies) > study.svm.accuracies[0] + 0.2
    np.testing.assert_array_equal(study.accuracies("relu_he"), study.seed_accuracies)
    with pytest.raises(ValueError, match="recipe must be one of"):
        study.accuracies("relu")


def test_spiral_study_tells_the_chaotic_recipe_from_the_stable_ones():
    study = spiral_study()
    for name in ("sigmoid_normal", "tanh_xavier", "relu_he"):
        assert not study.chaotic(name)
        assert abs(study.run(name, nudged=True).final_loss - study.run(name).final_loss) < 1e-8
    assert study.chaotic("sigmoid_normal_batchnorm")
    assert abs(study.run("sigmoid_normal_batchnorm", nudged=True).final_loss
               - study.run("sigmoid_normal_batchnorm").final_loss) > 1e-4


def test_convex_summary_prints_the_objective_and_both_spreads():
    X, y = spiral_data(30)
    fits = convex_restarts("svm", X, y, n_starts=3)
    text = fits.summary(decimals=4)
    assert text.startswith(f"svm: F = {fits.objectives.min():.4f}, spread of F ")
    assert text.endswith(f"of (w, b) {spread_text(fits.parameter_spread, fits.parameter_size)}")


def test_spiral_study_holds_out_a_second_draw_of_the_same_arms():
    study = spiral_study()
    clean, _ = two_spirals(100, noise=0.0)
    for points in (study.X, study.X_test):
        # every point lies within 5 noise deviations of its clean position on the arms
        nearest = np.min(np.linalg.norm(points[:, None] - clean[None], axis=-1), axis=1)
        assert nearest.max() < 5 * 0.05 * np.sqrt(2)
    assert not np.any(np.all(np.isclose(study.X[:, None], study.X_test[None]), axis=-1))
    run = study.run("relu_he")
    assert study.test_accuracies()[0] == np.mean(predict_labels(run.net, study.X_test) == study.y_test)
    held_out = study.test_accuracies("relu_he")
    assert held_out.shape == (10,) and np.median(held_out) > study.svm.fitted.score(study.X_test, study.y_test) + 0.2
    with pytest.raises(ValueError, match="recipe must be one of"):
        study.test_accuracies("relu")


def test_spiral_table_has_one_row_per_model_and_no_median_for_a_chaotic_recipe():
    study = spiral_study()
    lines = study.table().splitlines()
    assert lines[0].split() == ["model", "training", "held-out", "final", "loss", "nudged"]
    assert len(lines) == 1 + 2 + len(SPIRAL_RECIPES)
    assert lines[1].startswith("linear SVM") and f"{study.svm.accuracies[0]:.1%}" in lines[1]
    (chaotic,) = [line for line in lines if line.endswith("chaotic")]
    assert chaotic.startswith("sigmoid, N(0, 1), batch norm") and "%" not in chaotic
    assert sum(line.endswith("stable") for line in lines) == len(SPIRAL_RECIPES) - 1
