"""Figures of the chapters "Why deep was hard" (docs/why-deep-was-hard.md) and "How hard is
training, in theory" (docs/hardness-of-training.md)."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from lesson_code.activations import get_activation
from lesson_code.figures.registry import new_figure, panels, register
from lesson_code.gradient_flow import DEPTHS, summarize_gradient_flow
from lesson_code.hardness import RESTARTS, stripe_restarts
from lesson_code.network import conv_parameters, dense_parameters

DENSE_UNITS = 1000
"""Hidden units of the dense layer compared with a convolution (the chapter's 784 x 1000)."""

CONV_SHAPE = (5, 1, 32)
"""(kernel size, input channels, filters) of the convolution the chapter compares."""

FLOW_CONFIGURATIONS = (("sigmoid", "xavier", "sigmoid, Xavier"), ("relu", "he", "ReLU, He"))
FLOW_SEEDS = 3

RESTART_WIDTHS = (2, 8)

# Both layouts of a figure are drawn in one process: their data are computed once.
_summarize_gradient_flow = functools.cache(summarize_gradient_flow)
_stripe_restarts = functools.cache(stripe_restarts)


@register("dense_vs_conv_and_depth", curves=5)
def dense_vs_conv_and_depth() -> Figure:
    """Left: weights and multiply-adds of a dense layer and of a 5x5 convolution against image
    size. Right: the sigmoid ceiling 0.25^k and measured first/last gradient ratios against depth."""
    figure, (left, right) = panels(2, 10.0, 3.8)

    sides = np.arange(8, 257, 8)  # image side n: n x n pixels, one channel
    kernel, channels, filters = CONV_SHAPE
    dense = np.array([dense_parameters(int(n * n), DENSE_UNITS, bias=False) for n in sides])
    conv = conv_parameters(kernel, channels, filters, bias=False)
    left.loglog(sides, dense, label=f"dense to {DENSE_UNITS} units: weights (= multiply-adds)")
    left.loglog(sides, conv * sides.astype(float) ** 2, linestyle="--",
                label=f"{kernel}x{kernel} conv, {filters} filters: multiply-adds")
    left.loglog(sides, np.full(sides.shape, float(conv)), color="0.3", linestyle=":", label="_conv weights")
    left.annotate(f"conv weights: {conv} at every image size", (sides[2], conv), xytext=(sides[2], conv * 8),
                  fontsize=9, arrowprops={"arrowstyle": "->", "color": "0.4"})
    left.axvline(28, color="0.6", linewidth=0.8, label="_mnist")
    left.text(30, conv * 25, "28 x 28", fontsize=9, color="0.4")
    left.set_xlabel("image side n (n x n pixels, one channel)")
    left.set_ylabel("count per image")
    left.set_title("weight sharing: few parameters, similar work")
    left.legend(fontsize=9, loc="upper left")

    gamma = get_activation("sigmoid").derivative_sup
    crossed = np.array([depth - 1 for depth in DEPTHS])  # layers between W^1 and W^L
    ks = np.arange(1, crossed.max() + 1)
    right.semilogy(ks, gamma ** ks, color="0.3", linestyle=":", label=f"{gamma}^k (sigmoid' ceiling)")
    for activation, init, name in FLOW_CONFIGURATIONS:
        ratios = [_summarize_gradient_flow(activation, init, depth, seeds=FLOW_SEEDS).ratio for depth in DEPTHS]
        right.semilogy(crossed, ratios, marker="o", label=f"measured, {name}")
    right.set_xlabel("layers the gradient crosses, k = L - 1")
    right.set_ylabel(r"$\Vert\partial C/\partial W^1\Vert \,/\, \Vert\partial C/\partial W^L\Vert$")
    right.set_title(f"first/last gradient ratio (median of {FLOW_SEEDS} nets)")
    right.legend(fontsize=9, loc="lower left")
    return figure


@register("restart_final_losses", curves=len(RESTART_WIDTHS))
def restart_final_losses() -> Figure:
    """Empirical distribution of the final training cost of random restarts, narrow vs wide."""
    figure = new_figure(6.4, 3.8)
    ax = figure.add_subplot()
    for hidden in RESTART_WIDTHS:
        run = _stripe_restarts(hidden)
        losses = np.sort(run.final_loss)
        fraction = np.arange(1, losses.size + 1) / losses.size
        label = f"{hidden} hidden units ({run.success_rate:.0%} fit all points)"
        ax.step(losses, fraction, where="post", linewidth=1.8, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("final training cost C (cross-entropy, log scale)")
    ax.set_ylabel("fraction of restarts\nwith final cost <= C")
    ax.set_ylim(0, 1.04)
    ax.set_title(f"{RESTARTS} restarts: 3-node network vs a wider one\non the stripe problem")
    # under the plot: inside it, the legend covered the steps of the narrow network
    figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center")
    return figure
