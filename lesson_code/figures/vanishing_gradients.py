"""Figures of the chapter "Vanishing gradients" (docs/vanishing-gradients.md)."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from lesson_code.activations import get_activation
from lesson_code.figures.registry import new_figure, panels, register
from lesson_code.gradient_flow import DEPTHS, median_layer_weight_gradient_norms
from lesson_code.layer_speeds import train_and_track

PROFILE_CONFIGURATIONS = (
    ("sigmoid", "normal", "sigmoid, N(0, 1)"),
    ("sigmoid", "xavier", "sigmoid, Xavier"),
    ("relu", "he", "ReLU, He"),
)

# Both layouts of a figure are drawn in one process: their data are computed once.
_median_layer_weight_gradient_norms = functools.cache(median_layer_weight_gradient_norms)
_train_and_track = functools.cache(train_and_track)


@register("activation_derivatives", curves=3)
def activation_derivatives() -> Figure:
    """sigma'(z) for sigmoid, tanh and ReLU, with the sigmoid's ceiling of 0.25 marked."""
    figure = new_figure(6.4, 3.6)
    ax = figure.add_subplot()
    z = np.linspace(-6, 6, 601)
    for name, label in (("sigmoid", "sigmoid'"), ("tanh", "tanh'"), ("relu", "ReLU'")):
        activation = get_activation(name)
        ax.plot(z, activation.derivative(z), label=label, drawstyle="steps-mid" if name == "relu" else "default")
    sigmoid_sup = get_activation("sigmoid").derivative_sup
    ax.axhline(sigmoid_sup, color="0.5", linestyle=":", linewidth=1, label="_sup")
    ax.annotate(f"sigmoid' never exceeds {sigmoid_sup}", (2.2, sigmoid_sup), xytext=(2.2, 0.42),
                arrowprops={"arrowstyle": "->", "color": "0.4"}, fontsize=9)
    ax.set_xlabel("pre-activation z")
    ax.set_ylabel(r"derivative $\sigma'(z)$")
    ax.set_ylim(-0.05, 1.1)
    ax.legend(loc="upper left")
    return figure


@register("gradient_norms_by_layer", curves=3 * len(DEPTHS), raster=True)
def gradient_norms_by_layer() -> Figure:
    """Per-layer weight-gradient norm versus layer index at initialization, for several depths."""
    figure, axes = panels(len(PROFILE_CONFIGURATIONS), 10.0, 3.6)
    for ax, (activation, init, title) in zip(axes, PROFILE_CONFIGURATIONS, strict=True):
        for depth in DEPTHS:
            profile = _median_layer_weight_gradient_norms(activation, init, depth)
            ax.semilogy(np.arange(1, depth + 1), profile, marker="o", markersize=2.5, label=f"L = {depth}")
        ax.set_title(title)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel(r"$\Vert\partial C / \partial W^l\Vert$ (median of 10 nets)")
    axes[0].legend(title="depth", fontsize=9, loc="lower right")
    return figure


@register("layer_speeds_during_training", curves=4)
def layer_speeds_during_training() -> Figure:
    """Nielsen's 'layers learn at different speeds', tracked over training on the 8x8 digits."""
    history = _train_and_track(hidden_layers=4, inputs="digits", epochs=20)
    figure = new_figure(6.4, 3.8)
    ax = figure.add_subplot()
    epochs = np.arange(history.bias_gradient_norms.shape[0])
    for layer in range(history.bias_gradient_norms.shape[1] - 1):
        ax.semilogy(epochs, history.bias_gradient_norms[:, layer], label=f"hidden layer {layer + 1}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\Vert\partial C / \partial b^l\Vert$ on the training set")
    ax.legend(loc="upper right", fontsize=9, ncols=2)
    return figure
