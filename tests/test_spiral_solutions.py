"""Long runs of the spiral network: unfinished training told apart from different solutions."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.comparisons import predict_labels, spiral_data, train_classifier
from lesson_code.network import MLP
from lesson_code.spiral_solutions import (
    CHECKPOINTS,
    PLANE,
    grid_labels,
    long_runs,
    pairwise_disagreement,
    train_with_checkpoints,
)


def test_checkpoints_take_the_steps_of_train_classifier():
    X, y = spiral_data(20)
    nets = train_with_checkpoints(X, y, seeds=[2, 3], learning_rate=0.4, checkpoints=[25, 0, 10],
                                  sizes=(2, 6, 6, 1), activation="tanh", init="xavier", nudge=1e-12)
    assert sorted(nets) == [0, 10, 25]
    for k, seed in enumerate((2, 3)):
        for epochs in (10, 25):
            run = train_classifier(X, y, sizes=(2, 6, 6, 1), activation="tanh", init="xavier",
                                   learning_rate=0.4, epochs=epochs, seed=seed, nudge=1e-12)
            for got, want in zip(nets[epochs][k].parameters(), run.net.parameters(), strict=True):
                np.testing.assert_array_equal(got, want)
    # each checkpoint is a copy: later steps did not move the earlier networks
    start = MLP((2, 6, 6, 1), "tanh", "xavier", 3, "sigmoid")
    assert np.allclose(nets[0][1].weights[0], start.weights[0], rtol=1e-11, atol=0)
    assert not np.allclose(nets[25][1].weights[0], start.weights[0])


def test_train_with_checkpoints_rejects_bad_arguments():
    X, y = spiral_data(10)
    good = {"seeds": [0], "learning_rate": 0.1, "checkpoints": [1], "sizes": (2, 3, 1)}
    for change, message in (
        ({"seeds": []}, "seeds must hold at least one seed"),
        ({"checkpoints": [-1, 2]}, "checkpoints must be an integer >= 0"),
        ({"checkpoints": []}, "checkpoints must hold at least one step count"),
        ({"learning_rate": 0.0}, "learning_rate must be"),
        ({"nudge": -1.0}, "nudge must be"),
    ):
        with pytest.raises(ValueError, match=message):
            train_with_checkpoints(X, y, **{**good, **change})
    with pytest.raises(ValueError, match="y must hold one label 0 or 1"):
        train_with_checkpoints(X, y + 1, **good)
    with pytest.raises(TypeError, match="checkpoints must be an integer"):  # not silently cut to 2
        train_with_checkpoints(X, y, **{**good, "checkpoints": [2.7]})


def test_grid_labels_and_pairwise_disagreement():
    right, up = (MLP((2, 1), "relu", "he", 0, "sigmoid") for _ in range(2))
    right.weights[0][:], up.weights[0][:] = [[1.0, 0.0]], [[0.0, 1.0]]
    right.biases[0][:] = up.biases[0][:] = 0.0
    axis = np.array([-1.0, -0.5, 0.5, 1.0])
    labels = grid_labels([right, up], axis)
    assert labels.shape == (2, 16) and labels.sum(axis=1).tolist() == [8, 8]
    # x_1 > 0 and x_2 > 0 disagree on the two quadrants where exactly one holds
    assert pairwise_disagreement(labels).tolist() == [0.5]
    assert pairwise_disagreement(np.vstack([labels, labels[:1]])).tolist() == [0.5, 0.0, 0.5]
    with pytest.raises(ValueError, match="labels must have shape"):
        pairwise_disagreement(labels[:1])


def test_long_runs_converge_and_still_disagree():
    runs = long_runs()
    last = max(CHECKPOINTS)
    assert sorted(runs.nets) == list(CHECKPOINTS) and all(len(nets) == 5 for nets in runs.nets.values())
    assert runs.accuracies(last).min() >= 0.98 and runs.accuracies(last, held_out=True).min() >= 0.95
    # the spread of the losses shrinks with training ...
    assert np.ptp(runs.losses(last)) < np.ptp(runs.losses(CHECKPOINTS[0])) / 10
    # ... the disagreement between seeds does not, and it is larger than what training still moves
    assert runs.disagreement(last) >= 0.8 * runs.disagreement(1000)
    assert runs.disagreement(last) > 2 * runs.drift(2000, last)
    assert runs.drift(last, last) == 0.0
    labels = grid_labels(runs.nets[last])
    assert runs.disagreement(last) == np.median(pairwise_disagreement(labels))
    assert runs.accuracies(last)[0] == np.mean(predict_labels(runs.nets[last][0], runs.X) == runs.y)
    assert len(runs.report().splitlines()) == 1 + len(CHECKPOINTS)
    with pytest.raises(ValueError, match="step must be one of the checkpoints"):
        runs.disagreement(5)


def test_long_runs_are_not_chaotic():
    """A start nudged by one rounding error ends at the same predictions on the whole grid, so the
    chapter's table of the long runs holds on every machine."""
    runs = long_runs()
    last = max(CHECKPOINTS)
    nudged = train_with_checkpoints(runs.X, runs.y, seeds=range(5), learning_rate=0.2, checkpoints=[last], nudge=1e-12)
    np.testing.assert_array_equal(grid_labels(nudged[last]), grid_labels(runs.nets[last]))
    for a, b in zip(nudged[last], runs.nets[last], strict=True):
        targets = runs.y[:, None].astype(float)
        assert abs(a.gradients(runs.X, targets, loss="cross_entropy").loss
                   - b.gradients(runs.X, targets, loss="cross_entropy").loss) < 1e-8
    assert PLANE.size ** 2 == grid_labels(runs.nets[last]).shape[1]
