"""Figures of the recurrent-network section of "Exploding gradients and clipping"
(docs/exploding-gradients.md): how the gradient grows or shrinks backwards through time, and
training from a recurrent matrix above the edge with and without clipping."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from lesson_code.figures.registry import new_figure, panels, register
from lesson_code.recurrent import (
    CHAPTER_CLIP_NORM,
    CHAPTER_RADIUS,
    CHAPTER_SEEDS,
    RNNTraining,
    backward_growth,
    train_rnn,
)

GROWTH_STEPS = 50
GROWTH_SEEDS = range(8)
GROWTH_CASES = (
    ({"norm": 0.9}, r"$\sigma_{\max}(W) = 0.9$", "tab:green"),
    ({"radius": 0.9}, r"$\rho(W) = 0.9$", "tab:blue"),
    ({"radius": 1.5}, r"$\rho(W) = 1.5$", "tab:orange"),
    ({"radius": 3.0}, r"$\rho(W) = 3$", "tab:red"),
)
"""Scalings of W drawn by :func:`rnn_backward_growth`: keyword, legend label, colour."""


@register("rnn_backward_growth", curves=len(GROWTH_CASES) + 1)
def rnn_backward_growth() -> Figure:
    """||dL/dh_{T-k}|| / ||dL/dh_T|| against k: median and range over seeds, per scaling of W."""
    figure = new_figure(6.8, 4.2)
    ax = figure.add_subplot()
    k = np.arange(GROWTH_STEPS + 1)
    for keyword, label, color in GROWTH_CASES:
        rows = backward_growth(**keyword, steps=GROWTH_STEPS, seeds=GROWTH_SEEDS)
        ax.fill_between(k, rows.min(axis=0), rows.max(axis=0), color=color, alpha=0.18, linewidth=0)
        ax.semilogy(k, np.median(rows, axis=0), color=color, label=label)
    ax.semilogy(k, 0.9**k, color="tab:green", linestyle="--", label=r"bound $0.9^k$ for $\sigma_{\max} = 0.9$")
    ax.axhline(1.0, color="0.4", linewidth=0.8, label="_one")
    ax.set_xlabel("steps k back through time")
    ax.set_ylabel(r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    ax.set_title(f"tanh RNN, 16 units: median and range of {len(GROWTH_SEEDS)} W", fontsize=10)
    ax.legend(loc="lower left", fontsize=9)
    return figure


@functools.cache  # drawn twice, wide and narrow: train once
def _clipping_runs() -> tuple[RNNTraining, RNNTraining, int]:
    plain = train_rnn(CHAPTER_SEEDS, radius=CHAPTER_RADIUS)
    clipped = train_rnn(CHAPTER_SEEDS, radius=CHAPTER_RADIUS, clip_norm=CHAPTER_CLIP_NORM)
    # The seed shown is chosen by what it does, not by number, so that the figure tells the same
    # story wherever it is drawn (single runs are chaotic): of the seeds that fail without
    # clipping and learn with it, the one whose unclipped run came closest to learning before
    # its largest gradient spike. (Most of the others are wrecked by their very first steps.)
    rescued = np.flatnonzero((plain.test_accuracy < 0.6) & (clipped.test_accuracy > 0.9))
    best_before_spike = []
    for loss, norm in zip(plain.loss[rescued], plain.grad_norm[rescued], strict=True):
        spike = int(np.nanargmax(norm))
        best_before_spike.append(np.convolve(loss[:spike], np.ones(10) / 10, mode="valid").min()
                                 if spike >= 10 else np.inf)
    return plain, clipped, int(rescued[np.argmin(best_before_spike)])


@register("rnn_clipping", curves=4)
def rnn_clipping() -> Figure:
    """Loss and gradient norm per step of one rescued seed, with and without clipping."""
    plain, clipped, s = _clipping_runs()
    figure, (loss_ax, norm_ax) = panels(2, 9.6, 3.8)
    steps = np.arange(1, plain.loss.shape[1] + 1)
    for run, label, color in ((plain, "no clipping", "tab:red"),
                              (clipped, f"clipped to global norm {CHAPTER_CLIP_NORM:g}", "tab:blue")):
        loss_ax.plot(steps, run.loss[s], color=color, linewidth=0.9, label=label)
        norm_ax.semilogy(steps, run.grad_norm[s], color=color, linewidth=0.9, label=label)
    norm_ax.axhline(CHAPTER_CLIP_NORM, color="0.2", linestyle=":", linewidth=1.0, label="_threshold")
    norm_ax.text(steps[-1], CHAPTER_CLIP_NORM * 1.3, f"threshold {CHAPTER_CLIP_NORM:g}", ha="right",
                 va="bottom", fontsize=9)
    loss_ax.axhline(np.log(2.0), color="0.4", linewidth=0.8, label="_chance")
    loss_ax.set_xlabel("SGD step (batch of 16 sequences)")
    loss_ax.set_ylabel("training loss (cross-entropy)")
    norm_ax.set_xlabel("SGD step (batch of 16 sequences)")
    norm_ax.set_ylabel("gradient norm (before clipping)")
    loss_ax.legend(loc="upper right", fontsize=9)
    figure.suptitle(f"W starts at spectral radius {CHAPTER_RADIUS:g}; seed {s} of {len(CHAPTER_SEEDS)}",
                    fontsize=10)
    return figure
