"""Figures of the chapters "Convex baselines vs deep nets" (docs/convex-baselines-vs-deep-nets.md)
and "What fixed it" (docs/what-fixed-it.md). The data come from :mod:`lesson_code.comparisons`,
whose cached runs the chapters print from."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from lesson_code.comparisons import SPIRAL_RECIPES, predict_labels, spiral_study
from lesson_code.figures.registry import is_narrow, new_figure, panels, register
from lesson_code.gradient_flow import fix_profiles
from lesson_code.standardization import regression_study

BOUNDARY_PANELS = ("sigmoid_normal", "relu_he", "sigmoid_normal_batchnorm")
CLASS_COLOURS = ("#1f77b4", "#d62728")
GRID = 100
EVERY = 3
BLEW_UP = 10.0
PROFILE_DEPTH = 50
PROFILE_PANELS = (("sigmoid", "normal", "sigmoid, N(0, 1)"), ("sigmoid", "xavier", "sigmoid, Xavier"),
                  ("relu", "he", "ReLU, He"))
KIND_LABELS = {"plain": "plain", "batchnorm": "batch norm", "residual": "residual"}


def _boundary_panel(ax, X, y, labels_on_grid, xs, ys, title):
    ax.contourf(xs, ys, labels_on_grid, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fcbba1"], rasterized=True)
    for label, colour in enumerate(CLASS_COLOURS):
        points = X[y == label]
        ax.plot(points[:, 0], points[:, 1], "o", markersize=2.5, color=colour, label=f"class {label}",
                rasterized=True)
    ax.set_title(textwrap.fill(title, 24) if is_narrow() else title, fontsize=9)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")


@register("spiral_decision_boundaries", curves=2 * (1 + len(BOUNDARY_PANELS)))
def spiral_decision_boundaries() -> Figure:
    """Predicted class over the plane for the linear SVM and three deep networks on the spirals."""
    study = spiral_study()
    X, y = study.X, study.y
    xs = np.linspace(X[:, 0].min() - 0.15, X[:, 0].max() + 0.15, GRID)
    ys = np.linspace(X[:, 1].min() - 0.15, X[:, 1].max() + 0.15, GRID)
    grid = np.column_stack([g.ravel() for g in np.meshgrid(xs, ys)])
    figure = new_figure(7.0, 6.6)
    axes = figure.subplots(2, 2).ravel()
    svm = study.svm.fitted
    svm_labels = (svm.predict(grid) == svm.classes_[1]).astype(int).reshape(GRID, GRID)
    _boundary_panel(axes[0], X, y, svm_labels, xs, ys, f"linear SVM: {study.svm.accuracies[-1]:.0%}")
    for ax, name in zip(axes[1:], BOUNDARY_PANELS, strict=True):
        run = study.run(name)
        labels = predict_labels(run.net, grid, run.reference).reshape(GRID, GRID)
        # a chaotic recipe's seed-0 accuracy differs from machine to machine: not printed
        outcome = "chaotic" if study.chaotic(name) else f"{run.accuracy:.0%}"
        _boundary_panel(ax, X, y, labels, xs, ys, f"{SPIRAL_RECIPES[name].label}\nseed 0: {outcome}")
    # below the panels: inside one, the legend would hide points of the spirals
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2, markerscale=2)
    return figure


@register("restart_spread", curves=4)
def restart_spread() -> Figure:
    """Objective against iteration from ten starts: convex models converge to one value, deep
    nets from ten seeds to different ones."""
    study = spiral_study()
    figure, (left, right) = panels(2, 10.0, 3.6)
    for fits, colour, label in ((study.svm, "C0", "linear SVM (hinge)"),
                                (study.logistic, "C1", "logistic regression")):
        for index, history in enumerate(fits.histories):
            steps = np.arange(1, history.size + 1)
            left.plot(steps, history, color=colour, alpha=0.7, linewidth=1.2,
                      label=f"{label}, 10 starts" if index == 0 else "_nolegend_")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("iteration + 1")
    left.set_ylabel("objective F(w, b)")
    left.set_title("convex: every start ends at the same value", fontsize=9)
    left.legend(fontsize=9, loc="upper right")

    losses = study.seed_losses
    best, worst = int(np.argmin(losses)), int(np.argmax(losses))
    for seed, run in enumerate(study.seeds):
        label = {best: f"seed {best} (lowest final loss)", worst: f"seed {worst} (highest)"}.get(seed, "_nolegend_")
        epochs = np.arange(run.losses.size)[::EVERY]  # every third epoch keeps the file small
        right.plot(epochs, run.losses[::EVERY], linewidth=1.2,
                   color="C3" if seed == worst else "C2" if seed == best else "0.6", label=label)
    right.set_yscale("log")
    right.set_xlabel("epoch (full-batch gradient step)")
    right.set_ylabel("cross-entropy on the training set")
    right.set_title("deep ReLU net, 10 seeds: each ends somewhere else", fontsize=9)
    right.legend(fontsize=9, loc="lower left")
    return figure


@register("gradient_profiles_with_fixes", curves=3 * len(PROFILE_PANELS))
def gradient_profiles_with_fixes() -> Figure:
    """Per-layer weight-gradient norm of depth-50 networks, plain, with batch norm, residual."""
    profiles = fix_profiles(PROFILE_DEPTH)
    figure, axes = panels(len(PROFILE_PANELS), 10.5, 3.6)
    layers = np.arange(1, PROFILE_DEPTH + 1)
    for ax, (activation, init, title) in zip(axes, PROFILE_PANELS, strict=True):
        for kind, label in KIND_LABELS.items():
            ax.semilogy(layers, profiles[(activation, init, kind)], label=label)
        ax.set_title(f"{title}, L = {PROFILE_DEPTH}", fontsize=9)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel(r"$\Vert\partial C / \partial W^l\Vert$ (median of 5 nets)")
    axes[0].legend(fontsize=9, loc="upper left")
    return figure


@register("standardization_learning_rates", curves=4)
def standardization_learning_rates() -> Figure:
    """Polynomial regression: final error against learning rate, and error against epoch at the
    best rate, with and without standardized inputs and targets."""
    study = regression_study(check_chaos=False)
    figure, (left, right) = panels(2, 10.0, 3.6)
    for scan, colour, label in ((study.raw, "C3", "raw inputs and targets"),
                                (study.standardized, "C0", "standardized")):
        final = scan.median_final_fvu()
        keep = final < BLEW_UP  # False for a median run that blew up
        left.loglog(scan.learning_rates[keep], final[keep], "o-", color=colour, label=label)
    left.set_ylim(1e-2, 10)
    left.axhline(1.0, color="0.5", linestyle=":", linewidth=1, label="_predict the mean")
    left.set_xlabel("learning rate")
    left.set_ylabel("unexplained variance after 200 epochs\n(median over seeds)")
    left.set_title(f"missing points: the loss blew up (FVU above {BLEW_UP:g} or overflow)", fontsize=9)
    left.legend(fontsize=9, loc="upper right")

    raw_rate = study.raw_long.learning_rates[0]
    raw_curve = np.median(study.raw_long.fvu[0], axis=0)
    std_rate = study.standardized.best_rate()
    std_curve = np.median(study.standardized.fvu[study.standardized.at_rate(std_rate)], axis=0)
    right.semilogy(np.arange(raw_curve.size), raw_curve, color="C3", label=f"raw, learning rate {raw_rate:g}")
    right.semilogy(np.arange(std_curve.size), std_curve, color="C0", label=f"standardized, learning rate {std_rate:g}")
    right.set_xlabel("epoch (full-batch gradient step)")
    right.set_ylabel("unexplained variance (median over seeds)")
    right.set_title("raw at its largest working rate, standardized at its best", fontsize=9)
    right.legend(fontsize=9, loc="upper right")
    return figure
