"""Unfinished training or a different solution? Long runs of the convex-baselines chapter's spiral
network.

After 300 full-batch steps at learning rate 0.5, the ten seeds of
:func:`lesson_code.comparisons.spiral_study` end at losses more than a factor of four apart. Two
things mix in that spread: training that has not finished (a slow seed may still catch up), and
non-convexity (seeds that have finished sit at different solutions). To tell them apart,
:func:`long_runs` trains the same network (ReLU, He) from a few seeds for ten times as many steps
at a smaller rate, keeps every network at a few checkpoints, and compares decision boundaries on a
grid of the plane around the data:

* :meth:`LongRuns.disagreement`: the fraction of the grid where two seeds predict different
  classes (median over pairs of seeds): different solutions, if it stays put as training goes on;
* :meth:`LongRuns.drift`: the fraction where one seed's own prediction changes between two
  checkpoints: what training still changes.

A convex model has no such disagreement: every start ends at the same parameters.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import (
    binary_labels,
    finite_array,
    non_negative_number,
    positive_int,
    positive_number,
    seed_value,
)
from lesson_code.comparisons import SPIRAL_SIZES, SPIRAL_TEST_SEED, descend, predict_labels, spiral_data
from lesson_code.network import MLP
from lesson_code.remedies import Network
from lesson_code.seed_ensembles import nudge_parameters
from lesson_code.tables import table

LONG_RATE = 0.2
"""A learning rate at which every seed keeps improving for 3000 steps (at 0.5, the rate of the
300-step runs, spikes knock some seeds back to 50-90% by step 3000), and a nudged start ends
where it did: the runs are not chaotic."""

CHECKPOINTS = (300, 1000, 2000, 3000)
"""Steps at which :func:`long_runs` keeps the networks; the last is the length of the runs."""

PLANE = np.linspace(-1.2, 1.2, 100)
"""Each axis of the grid the boundaries are compared on: the square around the spirals."""


def train_with_checkpoints(
    X: np.ndarray,
    y: np.ndarray,
    *,
    seeds: Sequence[int],
    learning_rate: float,
    checkpoints: Sequence[int],
    sizes: Sequence[int] = SPIRAL_SIZES,
    activation: str = "relu",
    init: str = "he",
    nudge: float = 0.0,
) -> dict[int, tuple[MLP, ...]]:
    """Full-batch gradient descent on the cross-entropy from every seed; returns a copy of every
    network after each of ``checkpoints`` steps.

    Network k starts from ``MLP(sizes, activation, init, seeds[k], "sigmoid")``, moved by
    ``nudge`` as in :func:`~lesson_code.comparisons.train_classifier`, and takes
    the steps of :func:`~lesson_code.comparisons.descend`, as ``train_classifier`` with
    ``kind="plain"`` does (which keeps only the last network). A diverging run stops at its first
    non-finite loss.

    Examples
    --------
    >>> X, y = spiral_data(20)
    >>> nets = train_with_checkpoints(X, y, seeds=[0, 1], learning_rate=0.2, checkpoints=[0, 5],
    ...                               sizes=(2, 8, 1))
    >>> sorted(nets), len(nets[5])
    ([0, 5], 2)
    >>> bool(np.array_equal(nets[0][1].weights[0], MLP((2, 8, 1), "relu", "he", 1).weights[0]))
    True
    """
    X = finite_array(X, "X", ndim=2)
    y = binary_labels(y, X.shape[0])
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed")
    learning_rate = positive_number(learning_rate, "learning_rate")
    nudge = non_negative_number(nudge, "nudge")
    steps = sorted({seed_value(step, "checkpoints") for step in checkpoints})  # step counts >= 0
    if not steps:
        raise ValueError("checkpoints must hold at least one step count")
    kept: dict[int, list[MLP]] = {step: [] for step in steps}
    for seed in seeds:
        net = MLP(sizes, activation=activation, init=init, seed=seed, output_activation="sigmoid")
        nudge_parameters(net.parameters(), nudge, seed)
        for previous, step in itertools.pairwise([0, *steps]):
            descend(net, X, y, learning_rate, step - previous)
            kept[step].append(copy.deepcopy(net))
    return {step: tuple(nets) for step, nets in kept.items()}


def grid_labels(nets: Sequence[Network], axis: np.ndarray = PLANE, reference: np.ndarray | None = None) -> np.ndarray:
    """Predicted class (0/1) of every network at every point of the grid ``axis`` x ``axis``.

    ``reference`` is passed to :func:`~lesson_code.comparisons.predict_labels`: the training
    inputs, which a batch-norm network normalizes with. Returns an array of shape
    (len(nets), axis.size ** 2).

    >>> net = MLP((2, 1), "relu", "he", 0, "sigmoid")
    >>> net.weights, net.biases = [np.array([[1.0, 0.0]])], [np.zeros(1)]
    >>> grid_labels([net], np.array([-1.0, 1.0])).tolist()  # 1 where x_1 > 0
    [[0, 1, 0, 1]]
    """
    axis = finite_array(axis, "axis", ndim=1)
    points = np.column_stack([g.ravel() for g in np.meshgrid(axis, axis)])
    return np.array([predict_labels(net, points, reference) for net in nets])


def pairwise_disagreement(labels: np.ndarray) -> np.ndarray:
    """For every pair i < j of rows of ``labels``, the fraction of columns where they differ.

    >>> pairwise_disagreement(np.array([[0, 0, 1, 1], [0, 1, 1, 1], [1, 1, 0, 0]])).tolist()
    [0.25, 1.0, 0.75]
    """
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.shape[0] < 2:
        raise ValueError(f"labels must have shape (n_nets >= 2, n_points), got {labels.shape}")
    return np.array([np.mean(labels[i] != labels[j]) for i, j in itertools.combinations(range(labels.shape[0]), 2)])


@dataclass(frozen=True)
class LongRuns:
    """Networks from :func:`long_runs`: ``nets[step][k]`` is seed k after ``step`` steps."""

    nets: dict[int, tuple[MLP, ...]]
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def accuracies(self, step: int, held_out: bool = False) -> np.ndarray:
        """Training (or held-out) accuracy of every seed after ``step`` steps."""
        X, y = (self.X_test, self.y_test) if held_out else (self.X, self.y)
        return np.array([np.mean(predict_labels(net, X) == y) for net in self._at(step)])

    def losses(self, step: int) -> np.ndarray:
        """Training cross-entropy of every seed after ``step`` steps."""
        targets = self.y[:, None].astype(float)
        return np.array([net.gradients(self.X, targets, loss="cross_entropy").loss for net in self._at(step)])

    def disagreement(self, step: int, points: np.ndarray | None = None) -> float:
        """Median over pairs of seeds of the fraction of the grid over :data:`PLANE` (or of
        ``points``, shape (n, 2)) where they predict different classes."""
        nets = self._at(step)
        if points is None:
            labels = grid_labels(nets)
        else:
            points = finite_array(points, "points", ndim=2)
            labels = np.array([predict_labels(net, points) for net in nets])
        return float(np.median(pairwise_disagreement(labels)))

    def drift(self, start: int, stop: int) -> float:
        """Median over seeds of the fraction of :data:`PLANE` where a seed's own prediction
        changed between steps ``start`` and ``stop``."""
        before, after = grid_labels(self._at(start)), grid_labels(self._at(stop))
        return float(np.median(np.mean(before != after, axis=1)))

    def report(self) -> str:
        """One line per checkpoint: the range over seeds of the training accuracy, the held-out
        accuracy and the training loss, and the median disagreement between seeds."""
        rows = {}
        for step in sorted(self.nets):
            measured = {"training": self.accuracies(step), "held-out": self.accuracies(step, held_out=True),
                        "loss": self.losses(step)}
            rows[str(step)] = {column: f"{values.min():{form}}-{values.max():{form}}"
                               for (column, values), form in zip(measured.items(), (".1%", ".1%", ".3f"), strict=True)}
            rows[str(step)]["seeds disagree"] = self.disagreement(step)
        return table(rows, number=".1%", index="steps")

    def _at(self, step: int) -> tuple[MLP, ...]:
        if step not in self.nets:
            raise ValueError(f"step must be one of the checkpoints {sorted(self.nets)}, got {step}")
        return self.nets[step]


def long_runs(
    n_seeds: int = 5, learning_rate: float = LONG_RATE, checkpoints: tuple[int, ...] = CHECKPOINTS
) -> LongRuns:
    """The chapter's ReLU + He spiral network from seeds 0..n_seeds-1, trained for
    ``max(checkpoints)`` full-batch steps at ``learning_rate`` (cached; treat it as read-only).
    Held-out points: the draw of :data:`~lesson_code.comparisons.SPIRAL_TEST_SEED`."""
    # one cache entry per set of values, however they are passed (long_runs() is long_runs(5))
    return _long_runs(n_seeds, learning_rate, tuple(checkpoints))


@functools.cache
def _long_runs(n_seeds: int, learning_rate: float, checkpoints: tuple[int, ...]) -> LongRuns:
    X, y = spiral_data()
    X_test, y_test = spiral_data(seed=SPIRAL_TEST_SEED)
    nets = train_with_checkpoints(X, y, seeds=range(positive_int(n_seeds, "n_seeds")),
                                  learning_rate=learning_rate, checkpoints=checkpoints)
    return LongRuns(nets, X, y, X_test, y_test)
