"""Mini-batch stochastic gradient descent for an :class:`~lesson_code.network.MLP` (or any
network of :mod:`lesson_code.remedies`).

Each step takes a mini-batch, backpropagates, optionally clips the gradient (by global norm or
by value, see :mod:`lesson_code.clipping`) and moves every parameter against it:

    W^l <- W^l - eta dC/dW^l,        b^l <- b^l - eta dC/db^l

The history records what the chapters plot: the training loss after every epoch, the per-layer
gradient norms on the whole training set at the start of every epoch, and the global gradient
norm of every step before clipping (where exploding gradients show up as spikes). A loss that
becomes NaN or infinite stops training and sets ``diverged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from lesson_code._checks import choice, finite_array, positive_int, positive_number
from lesson_code.clipping import clip_by_global_norm, clip_by_value, global_norm
from lesson_code.network import LOSSES


class Trainable(Protocol):
    """What :func:`train` needs of a network: its gradients, and its parameters in their order."""

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = ...) -> Any: ...

    def parameters(self) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class TrainingHistory:
    """What happened during :func:`train`.

    Attributes
    ----------
    loss : ndarray of shape (epochs_run + 1,)
        Cost on the whole training set before training and after each epoch.
    weight_gradient_norms, bias_gradient_norms : ndarray of shape (epochs_run + 1, n_layers)
        ||dC/dW^l|| and ||dC/db^l|| on the whole training set, before training and after each epoch.
    step_gradient_norms : ndarray of shape (steps_run,)
        Global L2 norm of every mini-batch gradient, before clipping.
    diverged : bool
        True if the loss or a gradient stopped being finite; training stopped there.
    """

    loss: np.ndarray
    weight_gradient_norms: np.ndarray
    bias_gradient_norms: np.ndarray
    step_gradient_norms: np.ndarray
    diverged: bool


def train(
    net: Trainable,
    x: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int | None = None,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    loss: str = "mse",
    seed: int = 0,
) -> TrainingHistory:
    """Train ``net`` in place with mini-batch SGD and return its history.

    Parameters
    ----------
    net : MLP, BatchNormMLP or ResidualMLP
        The network; every array of ``net.parameters()`` is updated in place. Any object with
        ``gradients(x, y, loss)`` and ``parameters()`` in the same order works.
    x, y : ndarray of shape (n_samples, sizes[0]) and (n_samples, sizes[-1])
        The training set.
    learning_rate : float
        eta > 0.
    epochs : int
        Passes over the training set (>= 1).
    batch_size : int or None
        Examples per step; None means the whole set (full-batch gradient descent).
    clip_norm, clip_value : float or None
        Clip each step's gradient by global norm, or each entry by value (at most one of them).
    loss : {"mse", "cross_entropy"}
    seed : int
        Seeds the shuffling of the examples into mini-batches. A full batch is not shuffled: its
        step uses the full-set gradient recorded at the same parameters, computed once.

    Examples
    --------
    >>> from lesson_code.network import MLP
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((64, 2))
    >>> y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    >>> net = MLP([2, 8, 1], activation="tanh", init="xavier", output_activation="sigmoid")
    >>> history = train(net, x, y, learning_rate=0.5, epochs=50, batch_size=16)
    >>> bool(history.loss[-1] < history.loss[0]), history.weight_gradient_norms.shape
    (True, (51, 2))
    """
    if not (callable(getattr(net, "gradients", None)) and callable(getattr(net, "parameters", None))):
        raise TypeError(
            f"net must be a network with gradients() and parameters(), such as an MLP; "
            f"got {type(net).__name__}"
        )
    x = finite_array(x, "x", ndim=2)
    y = finite_array(y, "y", ndim=2)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows, got {x.shape[0]} and {y.shape[0]}")
    learning_rate = positive_number(learning_rate, "learning_rate")
    epochs = positive_int(epochs, "epochs")
    n_samples = x.shape[0]
    batch_size = n_samples if batch_size is None else positive_int(batch_size, "batch_size")
    if clip_norm is not None and clip_value is not None:
        raise ValueError("give at most one of clip_norm and clip_value")
    if clip_norm is not None:
        clip_norm = positive_number(clip_norm, "clip_norm")
    if clip_value is not None:
        clip_value = positive_number(clip_value, "clip_value")
    choice(loss, "loss", LOSSES)
    # batch normalization needs two examples to have a batch variance
    smallest_batch = net.min_batch_size
    net.gradients(x[:smallest_batch], y[:smallest_batch], loss)  # checks shapes before any update

    rng = np.random.default_rng(seed)
    losses, weight_norms, bias_norms, step_norms = [], [], [], []
    diverged = False

    full_batch = batch_size >= n_samples
    latest: list = []  # the full-set gradient recorded last, at the current parameters

    def record() -> bool:
        full = net.gradients(x, y, loss)
        latest[:] = [full]
        losses.append(full.loss)
        weight_norms.append([np.linalg.norm(g) for g in full.weights])
        bias_norms.append([np.linalg.norm(g) for g in full.biases])
        return bool(np.isfinite(full.loss) and np.all(np.isfinite(weight_norms[-1])))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if not record():
            diverged = True
        for _ in range(epochs if not diverged else 0):
            # Full batch: the step's gradient is the one just recorded (same parameters, same
            # examples), so it is not computed twice; shuffling would only change the rounding.
            order = np.arange(n_samples) if full_batch else rng.permutation(n_samples)
            for start in range(0, n_samples, batch_size):
                batch = order[start : start + batch_size]
                if batch.size < smallest_batch:
                    continue
                gradients = latest[0] if full_batch else net.gradients(x[batch], y[batch], loss)
                step = gradients.parameters()
                norm = global_norm(step)
                step_norms.append(norm)
                if not np.isfinite(norm):
                    diverged = True
                    break
                if clip_norm is not None:
                    step, _ = clip_by_global_norm(step, clip_norm)
                elif clip_value is not None:
                    step = clip_by_value(step, clip_value)
                for param, grad in zip(net.parameters(), step, strict=True):
                    param -= learning_rate * grad
            if diverged or not record():
                diverged = True
                break

    return TrainingHistory(
        loss=np.array(losses),
        weight_gradient_norms=np.array(weight_norms),
        bias_gradient_norms=np.array(bias_norms),
        step_gradient_norms=np.array(step_norms),
        diverged=diverged,
    )
