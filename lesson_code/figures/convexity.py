"""Figures of the chapter "Convexity, local minima and saddle points"
(docs/convexity-and-saddle-points.md)."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from lesson_code.convexity import descend_from_starts
from lesson_code.critical_points import (
    TinyTanhNet,
    find_critical_points,
)
from lesson_code.figures.registry import is_narrow, new_figure, panels, register
from lesson_code.jacobians import positive_definite_fraction
from lesson_code.landscapes import get_landscape, landscape_critical_points
from lesson_code.optim import gradient_descent

G_STARTS = (
    (-2.5, 2.5), (2.5, 2.5), (-2.5, -2.5), (2.5, -2.5), (0.0, 0.0),
    (0.0, -2.5), (-2.5, 0.5), (2.5, 0.5), (1.0, 2.8), (-1.0, 2.8),
)
"""Starting points of gradient descent on G (the chapter uses the same ones)."""

SADDLE_START_X = 1.5
"""Descent on x^2 - y^2 starts at (SADDLE_START_X, epsilon): on the saddle's stable axis."""

SADDLE_PERTURBATIONS = (0.0, 1e-6, 1e-3)

CENSUS_HIDDEN = (2, 4, 6)
"""Network sizes in the index-versus-loss figure."""

CENSUS_STARTS = 100
"""Random starts per size (the chapter's census uses 200; each search finds a somewhat different
subset of the saddles, none finds them all)."""


# Both layouts of a figure are drawn in one process: their data are computed once.
_census = functools.cache(lambda hidden: find_critical_points(TinyTanhNet(hidden), n_starts=CENSUS_STARTS))
_positive_definite_fraction = functools.cache(positive_definite_fraction)


def _grid(landscape, n: int = 60):
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    x, y = np.meshgrid(np.linspace(x_low, x_high, n), np.linspace(y_low, y_high, n))
    return x, y, landscape.value(x, y)


@register("convex_vs_nonconvex", curves=0, raster=True)
def convex_vs_nonconvex() -> Figure:
    """The convex g (one bowl) next to the non-convex G (a bowl with three dips), as surfaces."""
    figure = new_figure(10.0, 4.4) if not is_narrow() else new_figure(4.6, 7.6)
    rows, columns = (2, 1) if is_narrow() else (1, 2)
    for position, name in ((1, "convex_g"), (2, "nonconvex_G")):
        landscape = get_landscape(name)
        ax = figure.add_subplot(rows, columns, position, projection="3d")
        x, y, z = _grid(landscape, 61)
        ax.plot_surface(x, y, z, cmap="viridis", linewidth=0, antialiased=False, rasterized=True,
                        alpha=0.9, rcount=x.shape[0], ccount=x.shape[1])
        ax.set_box_aspect(None, zoom=0.85)  # room inside the axes for the z label, not cut at the edge
        for minimum in landscape.minima:
            ax.scatter(*minimum, landscape.value(*minimum), color="red", s=25, depthshade=False,
                       label="_minimum")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.zaxis.set_major_locator(MaxNLocator(4))
        ax.set_zlabel("loss", labelpad=8)
        title = "(a) convex: " if name == "convex_g" else "(b) non-convex: "
        ax.set_title(title + ("$g(x, y)$, one minimum" if name == "convex_g"
                              else f"$G(x, y)$, {len(landscape.minima)} local minima"), fontsize=10)
        ax.view_init(elev=40, azim=-60)
    return figure


@register("descent_on_G", curves=3, raster=True)
def descent_on_G() -> Figure:
    """Gradient descent on G from ten starts, coloured by the local minimum it ends in."""
    G = get_landscape("nonconvex_G")
    runs = descend_from_starts(G, G_STARTS)
    figure = new_figure(6.4, 5.4)
    ax = figure.add_subplot()
    x, y, z = _grid(G, 70)
    filled = ax.contourf(x, y, z, levels=14, cmap="Greys_r", alpha=0.55)
    filled.set_rasterized(True)
    ax.contour(x, y, z, levels=14, colors="0.45", linewidths=0.5)
    colours = ("C0", "C1", "C2")
    labelled: set[int] = set()
    for run in runs:
        k = run.minimum
        label = "_run"
        if k is not None and k not in labelled:
            labelled.add(k)
            label = f"ends in minimum {k + 1}, G = {run.value:.3f}"
        ax.plot(run.path[:, 0], run.path[:, 1], color=colours[k] if k is not None else "k",
                linewidth=1.5, label=label)
        ax.plot(*run.start, marker="o", color=colours[k] if k is not None else "k", markersize=4,
                label="_start")
    markers = {"minimum": ("*", 12), "saddle": ("X", 8), "maximum": ("^", 8)}
    shown: set[str] = set()
    for point in landscape_critical_points(G):
        marker, size = markers.get(point.kind, ("s", 6))
        ax.plot(*point.point, marker=marker, color="k", markersize=size, linestyle="none",
                label="_" + point.kind)
        shown.add(point.kind)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("descent on G from 10 starts (stars: minima, crosses: saddles,\ntriangle: maximum)",
                 fontsize=9)
    ax.set_aspect("equal")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower left", fontsize=9,
              framealpha=0.8, frameon=True)
    return figure


@register("saddle_escape", curves=4, raster=True)
def saddle_escape() -> Figure:
    """Descent on x^2 - y^2 from the stable axis: it approaches the saddle, then leaves it."""
    saddle = get_landscape("saddle")
    learning_rate, n_steps = 0.1, 80
    figure, (left, right) = panels(2, 10.0, 4.0)
    x, y, z = _grid(saddle, 80)
    left.contour(x, y, z, levels=np.linspace(-3.5, 3.5, 15), colors="0.6", linewidths=0.7)
    left.plot(0.0, 0.0, marker="X", color="k", markersize=8, label="_saddle")
    steps = np.arange(n_steps + 1)
    for epsilon, colour in zip(SADDLE_PERTURBATIONS, ("0.3", "C3", "C0"), strict=True):
        path = gradient_descent(saddle.gradient, (SADDLE_START_X, epsilon), learning_rate, n_steps)
        inside = np.all(np.abs(path) <= 2.0, axis=1)
        if epsilon == SADDLE_PERTURBATIONS[1]:
            left.plot(path[inside, 0], path[inside, 1], marker="o", markersize=2.5, linewidth=1,
                      color=colour, label=f"start ({SADDLE_START_X}, {epsilon:g})")
        distance = np.linalg.norm(path, axis=1)
        right.semilogy(steps[: len(distance)], distance, color=colour,
                       label="start exactly on the axis" if epsilon == 0 else f"perturbation {epsilon:g}")
    left.set_xlim(-2, 2)
    left.set_ylim(-2, 2)
    left.set_aspect("equal")
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    left.set_title(f"$x_1^2 - x_2^2$, $\\eta$ = {learning_rate}", fontsize=10)
    left.legend(loc="lower left", fontsize=9)
    right.set_xlabel("step k")
    right.set_ylabel("distance to the saddle (0, 0)")
    right.set_title("closer along $x_1$, then away along $x_2$", fontsize=10)
    right.legend(fontsize=9, loc="upper left")
    return figure


@register("critical_point_index", curves=len(CENSUS_HIDDEN), raster=True)
def critical_point_index() -> Figure:
    """Loss against index (fraction of negative Hessian eigenvalues) of found critical points."""
    figure = new_figure(6.4, 4.2)
    ax = figure.add_subplot()
    for hidden, marker in zip(CENSUS_HIDDEN, ("o", "s", "^"), strict=True):
        search = _census(hidden)
        index = np.array([p.index for p in search.points])
        loss = np.array([p.loss for p in search.points])
        ax.plot(index, loss, marker=marker, linestyle="none", markersize=6, alpha=0.8,
                label=f"h = {hidden} hidden units, P = {3 * hidden + 1}")
    ax.set_yscale("log")
    ax.set_xlabel("index (fraction of negative Hessian eigenvalues)")
    ax.set_ylabel("cost C at the critical point")
    ax.set_title("critical points of a tiny tanh network", fontsize=10)
    ax.legend(fontsize=9, loc="lower right")
    return figure


@register("positive_definite_fraction", curves=2, raster=True)
def positive_definite_fraction_figure() -> Figure:
    """Share of random symmetric matrices with only positive eigenvalues, against dimension."""
    dimensions = np.arange(1, 6)
    fractions = [_positive_definite_fraction(int(d), n_matrices=60_000) for d in dimensions]
    figure = new_figure(6.0, 3.8)
    ax = figure.add_subplot()
    ax.semilogy(dimensions, fractions, marker="o", label="measured, random symmetric (GOE) matrices")
    ax.semilogy(dimensions, 0.5**dimensions, linestyle="--", color="0.4",
                label="$2^{-d}$: independent coin flips for the signs")
    ax.set_xticks(dimensions)
    ax.set_xlabel("dimension d")
    ax.set_ylabel("fraction positive definite")
    ax.legend(fontsize=9, loc="lower left")
    return figure
