"""Figures of the chapter "Curvature: zig-zags, cliffs and valleys" (docs/curvature.md)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lesson_code.figures.registry import new_figure, panels, register
from lesson_code.landscapes import Landscape, get_landscape
from lesson_code.optim import (
    condition_number,
    gradient_descent,
    gradient_descent_rate,
    heavy_ball_parameters,
    heavy_ball_rate,
    optimal_fixed_learning_rate,
    stable_learning_rate,
)

BOWL_START = (-1.8, 0.9)
"""Where the bowl figures start descent (the chapter uses the same point)."""

STABILITY_START = (-1.8, 0.4)
"""Start of the runs at the edge of stability: the y coordinate decides, so it starts small."""

CLIFF_START = (0.0, 0.5)
"""On the cliff face, where the slope is steepest."""

CLIFF_LEARNING_RATE = 0.5
CLIFF_MAX_STEP = 0.5

VALLEY_START = (-4.5, -1.5)
"""Far up the valley from the minimum (4, 1), and 0.375 below its floor y = x / 4."""


def _contours(ax: Axes, landscape: Landscape, window=None, n_levels: int = 12, log_levels: bool = True,
              resolution: int = 90) -> None:
    """Contour lines of ``landscape`` over ``window`` (its bounds by default), minima marked."""
    (x_low, x_high), (y_low, y_high) = window or landscape.bounds
    x, y = np.meshgrid(np.linspace(x_low, x_high, resolution), np.linspace(y_low, y_high, resolution))
    z = landscape.value(x, y)
    if log_levels:
        low = max(float(np.min(z)), 0.0) + 1e-2 * (float(np.max(z)) - float(np.min(z)))
        levels = np.geomspace(low, float(np.max(z)), n_levels)
    else:
        levels = np.linspace(float(np.min(z)), float(np.max(z)), n_levels)
    ax.contour(x, y, z, levels=levels, colors="0.6", linewidths=0.7)
    for minimum in landscape.minima:
        ax.plot(*minimum, marker="*", color="k", markersize=9, label="_minimum")
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _distances(path: np.ndarray, point) -> np.ndarray:
    return np.linalg.norm(path - np.asarray(point, dtype=float), axis=1)


@register("bowl_descent_paths", curves=2, raster=True)
def bowl_descent_paths() -> Figure:
    """Gradient descent at the same step on x^2 + y^2 and x^2 + 4y^2: straight vs zig-zag."""
    figure, axes = panels(2, 9.0, 3.8)
    learning_rate = 0.2
    for ax, name, colour in zip(axes, ("round_bowl", "elliptic_bowl"), ("C0", "C1"), strict=True):
        bowl = get_landscape(name)
        _contours(ax, bowl)
        path = gradient_descent(bowl.gradient, BOWL_START, learning_rate, 12)
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=3, color=colour,
                label=f"descent, $\\eta$ = {learning_rate}")
        # The first step is perpendicular to the contour through the start.
        ax.set_title(f"$L = {bowl.tex}$")
        ax.set_aspect("equal")
        ax.legend(loc="lower right", fontsize=9)
    return figure


@register("step_size_stability", curves=4, raster=True)
def step_size_stability() -> Figure:
    """x^2 + 4y^2 at a step just below and just above 2 / lambda_max."""
    bowl = get_landscape("elliptic_bowl")
    hessian = bowl.hessian(np.zeros(2))
    edge = stable_learning_rate(hessian)
    lambda_max = float(np.max(np.linalg.eigvalsh(hessian)))
    rates = (round(0.96 * edge, 4), round(1.04 * edge, 4))
    figure, (left, right) = panels(2, 9.5, 3.8)
    steps = np.arange(40 + 1)
    n_shown = 20
    for learning_rate, colour in zip(rates, ("C0", "C3"), strict=True):
        side = "below" if learning_rate < edge else "above"
        path = gradient_descent(bowl.gradient, STABILITY_START, learning_rate, 40)
        left.plot(steps[: n_shown + 1], path[: n_shown + 1, 1], marker="o", markersize=3,
                  linewidth=1, color=colour, label="_y")
        right.semilogy(steps, _distances(path, (0.0, 0.0)), color=colour,
                       label=f"$\\eta$ = {learning_rate} ({side} 2/$\\lambda_{{max}}$)")
        factor = abs(1.0 - learning_rate * lambda_max)
        right.semilogy(steps, abs(STABILITY_START[1]) * factor**steps, linestyle="--", color=colour,
                       linewidth=1, label=f"$|1 - \\eta\\lambda_{{max}}|^k$ = {factor:.2f}$^k$")
    left.axhline(0.0, color="0.5", linewidth=0.8)
    left.set_title(f"the steep coordinate (2/$\\lambda_{{max}}$ = {edge})")
    left.set_xlabel("step k")
    left.set_ylabel("$y_k$")
    right.set_title("distance to the minimum")
    right.set_xlabel("step k")
    right.set_ylabel(r"$\Vert w_k - w^* \Vert$")
    right.legend(fontsize=9, loc="center right")
    return figure


@register("cliff_overshoot", curves=3, raster=True)
def cliff_overshoot() -> Figure:
    """One plain step from the cliff face flies past the minimum; a clipped step does not."""
    cliff = get_landscape("cliff")
    plain = gradient_descent(cliff.gradient, CLIFF_START, CLIFF_LEARNING_RATE, 30)
    clipped = gradient_descent(cliff.gradient, CLIFF_START, CLIFF_LEARNING_RATE, 30,
                               max_step_norm=CLIFF_MAX_STEP)
    x_high = float(np.ceil(plain[:, 0].max() + 1.0))
    figure, (left, right) = panels(2, 10.0, 3.8, width_ratios=(1, 1.5))
    x = np.linspace(-3.0, x_high, 600)
    left.plot(x, cliff.value(x, CLIFF_START[1]), color="0.3", label=f"L(x, y = {CLIFF_START[1]})")
    for path, colour, name in ((plain, "C3", "plain"), (clipped, "C0", "clipped")):
        left.plot(path[:2, 0], cliff.value(path[:2, 0], path[:2, 1]), marker="o", color=colour,
                  linestyle=":", label="_first step")
        left.annotate(f"after one {name} step", (path[1, 0], cliff.value(*path[1])),
                      xytext=(path[1, 0] - (5.0 if name == "plain" else -1.0),
                              cliff.value(*path[1]) + (0.8 if name == "plain" else 1.5)),
                      arrowprops={"arrowstyle": "->", "color": colour}, fontsize=9, color=colour)
    left.set_xlabel("x")
    left.set_ylabel("loss")
    left.set_title("a slice through the start")
    left.legend(loc="upper right", fontsize=9)
    _contours(right, cliff, window=((-3.0, x_high), (-2.0, 2.0)), n_levels=14, log_levels=False)
    right.plot(plain[:, 0], plain[:, 1], marker="o", markersize=3, color="C3",
               label=f"plain, $\\eta$ = {CLIFF_LEARNING_RATE}")
    right.plot(clipped[:, 0], clipped[:, 1], marker="o", markersize=3, color="C0",
               label=f"step clipped to length {CLIFF_MAX_STEP}")
    right.set_title("30 steps from the cliff face")
    right.legend(loc="lower right", fontsize=9)
    return figure


@register("valley_descent_paths", curves=2)
def valley_descent_paths() -> Figure:
    """Sloping valley: gradient descent bounces between the walls; heavy ball runs along."""
    valley = get_landscape("sloping_valley")
    hessian = valley.hessian(np.zeros(2))
    n_steps = 60
    plain = gradient_descent(valley.gradient, VALLEY_START, optimal_fixed_learning_rate(hessian), n_steps)
    learning_rate, momentum = heavy_ball_parameters(hessian)
    heavy = gradient_descent(valley.gradient, VALLEY_START, learning_rate, n_steps, momentum=momentum)
    figure = new_figure(9.0, 3.6)
    ax = figure.add_subplot()
    _contours(ax, valley, window=((-5.0, 5.0), (-2.2, 2.0)), n_levels=14)
    ax.plot(plain[:, 0], plain[:, 1], marker="o", markersize=2.5, linewidth=1, color="C1",
            label=f"gradient descent, best fixed $\\eta$ = {optimal_fixed_learning_rate(hessian):.3f}")
    ax.plot(heavy[:, 0], heavy[:, 1], marker="o", markersize=2.5, linewidth=1, color="C0",
            label=f"heavy ball, $\\eta$ = {learning_rate:.3f}, $\\beta$ = {momentum:.3f}")
    ax.set_title(f"$L = {valley.tex}$, first {n_steps} steps")
    ax.legend(loc="upper left", fontsize=9)
    return figure


@register("convergence_rates", curves=8, raster=True)
def convergence_rates() -> Figure:
    """Distance to the minimum per step, measured and predicted, for GD and heavy ball."""
    figure, axes = panels(2, 10.0, 3.8)
    cases = (("elliptic_bowl", BOWL_START, 40), ("sloping_valley", VALLEY_START, 200))
    for ax, (name, start, n_steps) in zip(axes, cases, strict=True):
        landscape = get_landscape(name)
        hessian = landscape.hessian(np.zeros(2))
        minimum = landscape.minima[0]
        learning_rate, momentum = heavy_ball_parameters(hessian)
        runs = (
            ("gradient descent", "C1", gradient_descent_rate(hessian),
             gradient_descent(landscape.gradient, start, optimal_fixed_learning_rate(hessian), n_steps)),
            ("heavy ball", "C0", heavy_ball_rate(hessian),
             gradient_descent(landscape.gradient, start, learning_rate, n_steps, momentum=momentum)),
        )
        steps = np.arange(n_steps + 1)
        for label, colour, rate, path in runs:
            distance = _distances(path, minimum)
            ax.semilogy(steps, distance, color=colour, label=label)
            ax.semilogy(steps, distance[0] * rate**steps, color=colour, linestyle="--", linewidth=1,
                        label=f"theory, rate {rate:.3f}")
        kappa = condition_number(hessian)
        ax.set_title(f"$L = {landscape.tex}$ ($\\kappa$ = {kappa:.0f})", fontsize=9)
        ax.set_xlabel("step k")
        ax.set_ylabel(r"$\Vert w_k - w^* \Vert$")
        ax.legend(fontsize=9, loc="lower left")
    return figure
