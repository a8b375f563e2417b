"""The standardization experiment of "What fixed it": seeds, medians, working rates and chaos."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.datasets import polynomial_regression
from lesson_code.network import MLP
from lesson_code.seed_ensembles import CHAOS_TOLERANCE
from lesson_code.standardization import (
    BLOW_UP,
    REGRESSION_SIZES,
    WORKS_FRACTION,
    SeedScan,
    epochs_to_reach,
    seed_scan,
)
from lesson_code.training import train


def test_scan_measures_the_unexplained_variance_and_flags_overflow():
    scan = seed_scan(standardize_inputs=True, standardize_targets=True,
                              learning_rates=[1e-5, 0.1, 100.0], seeds=2, epochs=50)
    assert scan.fvu.shape == (3, 2, 51) and scan.nudged_final_fvu.shape == (3, 2)
    # the same network and data at epoch 0, whatever the rate
    np.testing.assert_allclose(scan.fvu[:, :, 0], np.broadcast_to(scan.fvu[0, :, 0], (3, 2)))
    assert np.all(np.isnan(scan.final_fvu[2])) and scan.blew_up()[2].all()
    assert scan.works().tolist() == [[False, False], [True, True], [False, False]]
    assert scan.largest_working_rate() == 0.1 and scan.best_rate() == 0.1
    assert len(scan.nets) == 3 and len(scan.nets[1]) == 2
    assert scan.at_rate(0.1) == 1
    with pytest.raises(ValueError, match="rate must be one of the scan's learning rates"):
        scan.at_rate(0.3)


def test_every_run_is_the_run_train_makes_from_its_seed():
    """Raw targets: FVU = 2 C / var(y), C the loss lesson_code.training.train records."""
    scan = seed_scan(standardize_inputs=False, standardize_targets=False,
                              learning_rates=[1e-3], seeds=3, epochs=5)
    X, Y = polynomial_regression(100, seed=0)
    for seed in range(3):
        net = MLP(list(REGRESSION_SIZES), activation="tanh", init="xavier", seed=seed, output_activation="linear")
        history = train(net, X, Y, learning_rate=1e-3, epochs=5)
        np.testing.assert_allclose(scan.fvu[0, seed], 2 * history.loss / Y.var(), rtol=1e-12)


def _hand_made(final, nudged, start=1.0):
    final, nudged = np.atleast_2d(final).astype(float), np.atleast_2d(nudged).astype(float)
    fvu = np.stack([np.full_like(final, start), final], axis=-1)
    return SeedScan(np.geomspace(0.01, 1.0, final.shape[0]), np.arange(final.shape[1]), fvu, nudged)


def test_working_means_more_than_half_of_the_seeds():
    edge = WORKS_FRACTION
    scan = _hand_made([[0.5, 0.5, 0.95, 0.95], [0.5, 0.5, 0.5, edge], [0.2, 0.2, np.nan, np.nan]],
                      np.zeros((3, 4)))
    assert np.mean(scan.works(), axis=1).tolist() == [0.5, 1.0, 0.5]
    assert scan.largest_working_rate() == scan.learning_rates[1]
    none = _hand_made([[2.0, 2.0]], [[2.0, 2.0]])
    assert np.isnan(none.largest_working_rate())


def test_best_rate_compares_medians_and_a_blow_up_counts_as_infinite():
    scan = _hand_made([[0.6, 0.6, 0.6], [0.1, np.nan, 0.1e3], [0.3, 0.3, 0.4]], np.zeros((3, 3)))
    assert scan.blew_up().tolist() == [[False] * 3, [False, True, True], [False] * 3]
    assert np.isinf(scan.median_final_fvu()[1])
    assert scan.best_rate() == scan.learning_rates[2]


def test_chaos_is_a_median_that_moves_under_the_nudge():
    base = np.array([0.5, 0.6, 0.7, 1.0, 1.0])
    small = base + CHAOS_TOLERANCE / 10
    one_flip = np.array([0.5, 1.0, 1.0, 1.0, 1.0])
    scan = _hand_made(
        [base, base, one_flip, base, [0.5, 0.5, 0.5, np.nan, np.nan]],
        [small, base + [0, 0.2, 0, 0, 0], [0.9, 1.0, 1.0, 1.0, 1.0], base + 3 * CHAOS_TOLERANCE,
         [0.5, 0.5, np.nan, np.nan, np.nan]],
    )
    # rounding-level change: stable; the median moves: chaotic; one flipping seed among stalled
    # ones moves no median: stable; another number of blow-ups: chaotic
    assert scan.chaotic().tolist() == [False, True, False, True, True]


def test_epochs_to_reach():
    assert epochs_to_reach(np.array([1.0, 0.8, 0.5, 0.6]), 0.5) == 2
    assert epochs_to_reach(np.array([1.0, np.nan]), 0.5) is None


def test_scan_rejects_bad_arguments():
    with pytest.raises(ValueError, match="seeds must be an integer >= 1"):
        seed_scan(standardize_inputs=True, standardize_targets=True, seeds=0)
    with pytest.raises(ValueError, match="learning_rates must be a finite number > 0"):
        seed_scan(standardize_inputs=True, standardize_targets=True, learning_rates=[0.1, -1.0])
    assert BLOW_UP == 10.0


def test_a_scan_without_nudged_runs_cannot_tell_chaos():
    scan = seed_scan(standardize_inputs=True, standardize_targets=True, learning_rates=[0.1],
                              seeds=2, epochs=3, check_chaos=False)
    assert np.all(np.isnan(scan.nudged_final_fvu)) and np.all(np.isfinite(scan.final_fvu))
    with pytest.raises(ValueError, match="check_chaos=True"):
        scan.chaotic()
