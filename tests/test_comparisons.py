"""The experiments behind "Convex baselines vs deep nets" and "What fixed it"."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.comparisons import (
    FIX_CONFIGURATIONS,
    WORKS_FRACTION,
    LearningRateScan,
    convex_restarts,
    epochs_to_reach,
    fix_profiles,
    fix_table,
    format_fix_table,
    interpolated,
    learning_rate_scan,
    permuted_hidden_units,
    predict_labels,
    rbf_features,
    spiral_data,
    spiral_study,
    train_classifier,
)
from lesson_code.datasets import two_spirals
from lesson_code.gradient_flow import per_layer_gain
from lesson_code.network import MLP
from lesson_code.remedies import BatchNormMLP, median_remedy_gradient_norms


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
    assert len(fits.histories) == 4 and all(h[-1] == pytest.approx(f) for h, f in zip(fits.histories, fits.objectives))
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
        for got, want in zip(mixed.weights, expected.weights):
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
    np.testing.assert_array_equal(first.history.loss, second.history.loss)
    assert first.final_loss == first.history.loss[-1]
    with pytest.raises(ValueError, match="y must hold one label 0 or 1"):
        train_classifier(X, y + 1, sizes=(2, 3, 1), epochs=1)


def test_epochs_to_reach():
    assert epochs_to_reach(np.array([1.0, 0.8, 0.5, 0.6]), 0.5) == 2
    assert epochs_to_reach(np.array([1.0, np.nan]), 0.5) is None


def test_scan_measures_the_unexplained_variance_and_flags_overflow():
    scan = learning_rate_scan(standardize_inputs=True, standardize_targets=True,
                              learning_rates=[1e-5, 0.1, 100.0], epochs=50)
    assert scan.fvu.shape == (3, 51)
    # same network and data at epoch 0, whatever the rate; targets standardized: FVU = 2 C
    np.testing.assert_allclose(scan.fvu[:, 0], scan.fvu[0, 0])
    np.testing.assert_allclose(scan.fvu[0], 2 * scan.histories[0].loss)
    assert np.isnan(scan.final_fvu[2]) and scan.histories[2].diverged
    assert scan.works().tolist() == [False, True, False]
    assert scan.largest_working_rate() == 0.1 and scan.best_rate() == 0.1


def test_raw_targets_give_the_same_fraction_of_variance_as_their_loss():
    scan = learning_rate_scan(standardize_inputs=False, standardize_targets=False, learning_rates=[1e-3], epochs=3)
    from lesson_code.datasets import polynomial_regression

    _, Y = polynomial_regression(100, seed=0)
    np.testing.assert_allclose(scan.fvu[0], 2 * scan.histories[0].loss / Y.var())


def test_largest_working_rate_on_a_hand_made_scan():
    fvu = np.array([[1.0, 0.95], [1.0, WORKS_FRACTION], [1.0, 0.3], [1.0, np.nan]])
    scan = LearningRateScan(np.array([0.01, 0.1, 0.3, 1.0]), (), fvu)
    assert scan.works().tolist() == [False, True, True, False]
    assert scan.largest_working_rate() == 0.3 and scan.best_rate() == 0.3
    none = LearningRateScan(np.array([1.0]), (), np.array([[1.0, 2.0]]))
    assert np.isnan(none.largest_working_rate())


def test_fix_table_is_built_from_the_profiles():
    rows = fix_table(depths=(3, 4), seeds=2)
    assert [(r.activation, r.init, r.kind) for r in rows] == list(FIX_CONFIGURATIONS)
    profiles = fix_profiles(4, 2)
    for row in rows:
        key = (row.activation, row.init, row.kind)
        np.testing.assert_allclose(profiles[key], median_remedy_gradient_norms(row.kind, row.activation, row.init, 4, seeds=2))
        assert row.ratios[4] == pytest.approx(profiles[key][0] / profiles[key][-1])
        assert row.gain == pytest.approx(per_layer_gain(profiles[key]))
    text = format_fix_table(rows)
    assert text.splitlines()[0].split()[:3] == ["configuration", "L=3", "L=4"]
    assert len(text.splitlines()) == 1 + len(FIX_CONFIGURATIONS)


def test_spiral_study_convex_models_agree_and_deep_nets_do_not():
    study = spiral_study()
    assert study.svm.objective_spread <= 1e-9 * study.svm.objectives.min()
    assert study.logistic.objective_spread <= 1e-9 * study.logistic.objectives.min()
    assert len(set(np.round(study.seed_losses, 6))) == len(study.seeds)  # ten different answers
    assert study.recipe_runs["relu_he"] is study.seeds[0]
    assert np.median(study.seed_accuracies) > study.svm.accuracies[0] + 0.2
