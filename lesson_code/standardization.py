"""The standardization experiment of "What fixed it": a regression with targets in the hundreds,
trained from ten seeds at each learning rate, with and without standardized inputs and targets.

The network has two tanh hidden layers of 16 units (Xavier initialization) and a linear output,
and is trained with full-batch gradient descent on C = 1/(2n) sum_i (a^L_i - y_i)^2. Its error is
reported as the fraction of variance unexplained, FVU = mean((a^L - y)^2) / var(y) = 2 C / var(y),
which does not depend on the units of y.

Some of these runs are chaotic: the raw network at learning rate 0.01 ends at FVU 0.55 from one
start and at 0.60 from the same start nudged by one rounding error. So every learning rate is
trained from :data:`REGRESSION_SEEDS` seeds (all ten at once, :func:`lesson_code.seed_ensembles.train_ensemble`)
and the chapter reports medians and counts over seeds rather than one run.

Reference: LeCun, Bottou, Orr & Mueller, "Efficient BackProp" (1998).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import flag, positive_int, positive_number
from lesson_code.datasets import polynomial_regression, standardize
from lesson_code.exploding import REGRESSION_SIZES
from lesson_code.network import MLP
from lesson_code.seed_ensembles import CHAOS_TOLERANCE, NUDGE, train_ensemble

REGRESSION_LEARNING_RATES = tuple(float(10.0**k) for k in np.arange(-4.0, 0.75, 0.5))
"""1e-4, 3.2e-4, 1e-3, ..., 1, 3.2: half-decade steps."""

REGRESSION_SEEDS = 10
"""Initializations trained at every learning rate (the data stay those of seed 0)."""

WORKS_FRACTION = 0.9
"""A run *works* if its loss ends finite and at most this fraction of its start."""

BLOW_UP = 10.0
"""A run whose FVU ends above this (or overflows) *blew up*."""


@dataclass(frozen=True)
class SeedScan:
    """Full-batch training of the regression network at ``learning_rates`` (shape (n_rates,)) from
    ``seeds`` (shape (n_seeds,)).

    Attributes
    ----------
    fvu : ndarray of shape (n_rates, n_seeds, epochs + 1)
        Fraction of variance unexplained after every epoch, in the units training saw
        (standardization does not change it); NaN after the loss stopped being finite.
    nudged_final_fvu : ndarray of shape (n_rates, n_seeds)
        The final FVU of the same runs started from parameters nudged by a relative
        :data:`~lesson_code.seed_ensembles.NUDGE` (see :meth:`chaotic`).
    nets : tuple of tuples of MLP
        ``nets[i][k]``: the network trained at rate i from seed k (empty for a hand-made scan).
    inputs : ndarray or None
        The inputs they were trained on (standardized or not).
    """

    learning_rates: np.ndarray
    seeds: np.ndarray
    fvu: np.ndarray
    nudged_final_fvu: np.ndarray
    nets: tuple[tuple[MLP, ...], ...] = ()
    inputs: np.ndarray | None = None

    @property
    def final_fvu(self) -> np.ndarray:
        """FVU after the last epoch, shape (n_rates, n_seeds); NaN where training overflowed."""
        return self.fvu[:, :, -1]

    def blew_up(self) -> np.ndarray:
        """Which runs (n_rates, n_seeds) ended above :data:`BLOW_UP` or overflowed."""
        return ~(self.final_fvu <= BLOW_UP)

    def chaotic(self) -> np.ndarray:
        """Which learning rates (n_rates,) print another median on another machine: the median
        final FVU of the seeds that did not blow up moves by more than
        :data:`~lesson_code.seed_ensembles.CHAOS_TOLERANCE` when every start is nudged, or
        another number of seeds blows up. (One chaotic seed among stalled ones moves no median.)"""
        if np.all(np.isnan(self.nudged_final_fvu)):
            raise ValueError("this scan has no nudged runs: make it with check_chaos=True")
        nudged_blew_up = ~(self.nudged_final_fvu <= BLOW_UP)
        chaotic = np.sum(nudged_blew_up, axis=1) != np.sum(self.blew_up(), axis=1)
        for row, (plain, nudged) in enumerate(zip(self.final_fvu, self.nudged_final_fvu, strict=True)):
            if not chaotic[row] and not nudged_blew_up[row].all():
                keep, keep_nudged = plain[~self.blew_up()[row]], nudged[~nudged_blew_up[row]]
                chaotic[row] = abs(np.median(keep) - np.median(keep_nudged)) > CHAOS_TOLERANCE
        return chaotic

    def works(self) -> np.ndarray:
        """Which runs end finite, at most :data:`WORKS_FRACTION` of their starting FVU."""
        return np.isfinite(self.final_fvu) & (self.final_fvu <= WORKS_FRACTION * self.fvu[:, :, 0])

    def median_final_fvu(self) -> np.ndarray:
        """The median over seeds of the final FVU at each rate, a run that blew up counting as inf."""
        return np.median(np.where(self.blew_up(), np.inf, self.final_fvu), axis=1)

    def largest_working_rate(self) -> float:
        """The largest learning rate at which more than half of the seeds work (NaN if none)."""
        working = self.learning_rates[np.mean(self.works(), axis=1) > 0.5]
        return float(working.max()) if working.size else float("nan")

    def best_rate(self) -> float:
        """The learning rate with the lowest median final FVU.

        Where two rates end close together it is a matter of chance which one wins (on the raw
        data 0.0032 and 0.01 do), so the chapter names the rates it studies itself.
        """
        return float(self.learning_rates[int(np.argmin(self.median_final_fvu()))])

    def at_rate(self, rate: float) -> int:
        """The row of ``rate`` in :attr:`learning_rates`."""
        rows = np.flatnonzero(np.isclose(self.learning_rates, rate, rtol=1e-9, atol=0.0))
        if rows.size != 1:
            rates = self.learning_rates.tolist()
            raise ValueError(f"rate must be one of the scan's learning rates {rates}, got {rate}")
        return int(rows[0])


def epochs_to_reach(fvu: np.ndarray, threshold: float) -> int | None:
    """The first epoch at which ``fvu`` is at most ``threshold``; None if it never is.

    >>> epochs_to_reach(np.array([1.0, 0.7, 0.4, 0.2]), 0.5), epochs_to_reach(np.array([1.0]), 0.5)
    (2, None)
    """
    hit = np.flatnonzero(np.asarray(fvu) <= threshold)
    return int(hit[0]) if hit.size else None


def seed_scan(
    *,
    standardize_inputs: bool,
    standardize_targets: bool,
    learning_rates: Sequence[float] = REGRESSION_LEARNING_RATES,
    seeds: int = REGRESSION_SEEDS,
    epochs: int = 200,
    check_chaos: bool = True,
) -> SeedScan:
    """Train the regression network of :data:`~lesson_code.exploding.REGRESSION_SIZES` from seeds 0..seeds-1 at each rate.

    The data are :func:`~lesson_code.datasets.polynomial_regression` (100 points, targets up
    to 1000, seed 0), with inputs and/or targets standardized to mean 0 and standard deviation 1.
    With ``check_chaos`` every run is made twice, the second time from a start nudged by a
    relative 1e-12 (to tell chaotic rates, :meth:`SeedScan.chaotic`); without it the
    nudged results are NaN. All runs train together (:func:`~lesson_code.seed_ensembles.train_ensemble`).

    Examples
    --------
    >>> scan = seed_scan(standardize_inputs=True, standardize_targets=True,
    ...                           learning_rates=[0.01, 0.1], seeds=3, epochs=20)
    >>> print(np.round(scan.final_fvu, 2))
    [[0.74 0.71 0.69]
     [0.64 0.64 0.65]]
    """
    epochs = positive_int(epochs, "epochs")
    seeds = positive_int(seeds, "seeds")
    rates = np.array([positive_number(lr, "learning_rates") for lr in learning_rates])
    X, Y = polynomial_regression(100, seed=0)
    x = standardize(X)[0] if standardize_inputs else X
    y = standardize(Y)[0] if standardize_targets else Y
    count = rates.size * seeds
    copies = 2 if check_chaos else 1  # as drawn, and nudged
    run = train_ensemble(x, y, sizes=REGRESSION_SIZES, seeds=np.tile(np.arange(seeds), copies * rates.size),
                         learning_rates=np.tile(np.repeat(rates, seeds), copies), epochs=epochs,
                         activation="tanh", init="xavier", output_activation="linear",
                         nudges=np.repeat([0.0, NUDGE][:copies], count))
    fvu = np.full((2 * count, epochs + 1), np.nan)
    for row, history in enumerate(run.histories):  # rows of the nudged copies stay NaN without them
        values = 2.0 * history.loss / float(y.var())
        fvu[row, : values.size] = np.where(np.isfinite(values), values, np.nan)
    nets = tuple(run.nets[i * seeds : (i + 1) * seeds] for i in range(rates.size))
    return SeedScan(rates, np.arange(seeds), fvu[:count].reshape(rates.size, seeds, epochs + 1),
                            fvu[count:, -1].reshape(rates.size, seeds), nets, x)


@dataclass(frozen=True)
class RegressionStudy:
    """Raw and standardized scans, and long runs of the raw network at its largest working rate."""

    raw: SeedScan
    standardized: SeedScan
    raw_long: SeedScan


@functools.cache
def regression_study(epochs: int = 200, long_epochs: int = 1000, check_chaos: bool = True) -> RegressionStudy:
    """:func:`seed_scan` without and with standardization of inputs and targets, and
    the raw network trained for ``long_epochs`` at its largest working rate (cached: the chapter
    and its figure share one run; treat it as read-only). ``check_chaos`` (see :func:`seed_scan`)
    doubles the work; the figure, which prints no median, does without."""
    check_chaos = flag(check_chaos, "check_chaos")
    raw = seed_scan(standardize_inputs=False, standardize_targets=False, epochs=epochs, check_chaos=check_chaos)
    standardized = seed_scan(standardize_inputs=True, standardize_targets=True, epochs=epochs,
                             check_chaos=check_chaos)
    raw_long = seed_scan(standardize_inputs=False, standardize_targets=False,
                                  learning_rates=[raw.largest_working_rate()], epochs=long_epochs,
                                  check_chaos=False)
    return RegressionStudy(raw, standardized, raw_long)
