"""Train one small network from many seeds (and learning rates) at once, to report what is stable.

A single training run of a deep network can be *chaotic*: a change of one rounding error in the
initial weights (another CPU's BLAS kernel, or ``LESSON_CODE_PERTURB``, see
:mod:`lesson_code.perturbation`) grows during training until the run ends elsewhere. One such run
is not a property of the method, but the distribution over seeds is: its median and spread, or
the fraction of seeds that reach a threshold, change little when one run flips.

For a tiny network, most of the time of one training run goes into numpy's per-call overhead,
so :func:`train_ensemble` stacks networks of the same sizes into arrays with a leading axis, one
entry per network, and runs full-batch gradient descent on all of them together, one batched
matrix product per layer (in blocks of a few networks, see :data:`BLOCK_BYTES`)::

    z^l_k = a^{l-1}_k (W^l_k)^T + b^l_k,     W^l_k <- W^l_k - eta_k dC_k/dW^l_k,   k = 1..N

Network k starts from exactly the weights of ``MLP(sizes, activation, init, seed_k)`` and takes
the same steps as :func:`lesson_code.training.train` with ``batch_size=None``, up to rounding; its
history is a :class:`~lesson_code.training.TrainingHistory` like the one ``train`` returns, cut
where its loss or gradient stopped being finite. (For the wider spiral networks the arithmetic
dominates and stacking saves nothing, so :mod:`lesson_code.comparisons` trains them one by one.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from lesson_code._checks import choice, finite_array, non_negative_number, positive_int, positive_number
from lesson_code.network import LOSSES, MLP
from lesson_code.training import TrainingHistory

NUDGE = 1e-12
"""The relative change of the initial parameters that tells a stable run from a chaotic one."""

BLOCK_BYTES = 64 * 1024
"""Largest array of activations :func:`train_ensemble` lets one block of networks allocate."""

CHAOS_TOLERANCE = 1e-6
"""A result is *chaotic* if a start nudged by :data:`NUDGE` moves it further than this: a gap
between how far the course's stable results move and how far its chaotic ones do."""


def nudge_parameters(parameters: Sequence[np.ndarray], relative: float, seed: int) -> None:
    """Multiply every entry of ``parameters`` in place by 1 + relative * s, s = +-1 at random
    (from ``seed`` + 1, a stream apart from the one that drew the weights).

    ``relative=1e-12`` moves a network's start by about one rounding error, as another machine's
    arithmetic would; ``relative=0`` changes nothing.

    >>> w = np.ones((2, 2))
    >>> nudge_parameters([w], 1e-12, seed=0)
    >>> bool(np.allclose(np.abs(w - 1), 1e-12, rtol=1e-3, atol=0))
    True
    """
    relative = non_negative_number(relative, "relative")
    sizes = [p.size for p in parameters]
    signs = np.random.default_rng(seed + 1).integers(0, 2, size=sum(sizes)) * 2.0 - 1.0
    for parameter, block in zip(parameters, np.split(signs, np.cumsum(sizes)[:-1]), strict=True):
        parameter *= 1.0 + relative * block.reshape(parameter.shape)


@dataclass(frozen=True)
class EnsembleRun:
    """N networks trained together: entry k of ``seeds``, ``learning_rates`` (arrays of shape
    (N,)), ``histories`` and ``nets`` (the trained MLPs; do not modify them) is network k's."""

    seeds: np.ndarray
    learning_rates: np.ndarray
    histories: tuple[TrainingHistory, ...]
    nets: tuple[MLP, ...]

    @property
    def final_losses(self) -> np.ndarray:
        """The last recorded loss of every network (NaN or inf where training diverged)."""
        return np.array([h.loss[-1] if not h.diverged else np.nan for h in self.histories])


def _gradients(activation, output_activation, loss, weights, biases, x, y):
    """Per-network cost (N,) and gradients dC/dW^l, dC/db^l, each with a leading axis of length N."""
    a, activations = x, [x]
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = np.matmul(a, np.swapaxes(w, 1, 2)) + b[:, None, :]  # (N, batch, n_l); x broadcasts
        a = (output_activation if layer == len(weights) - 1 else activation).function(z)
        activations.append(a)
    batch, error = x.shape[0], a - y
    if loss == "mse":
        cost = 0.5 * np.sum(error * error, axis=(1, 2)) / batch
        delta = error * output_activation.derivative(z) / batch
    else:  # sigmoid output: delta^L = a^L - y, and ln sigma(z) = -logaddexp(0, -z) stays finite
        cost = np.sum(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z), axis=(1, 2)) / batch
        delta = error / batch
    grad_w, grad_b = [np.empty(0)] * len(weights), [np.empty(0)] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        grad_w[layer] = np.matmul(np.swapaxes(delta, 1, 2), activations[layer])  # (N, n_out, n_in)
        grad_b[layer] = delta.sum(axis=1)
        if layer > 0:
            delta = np.matmul(delta, weights[layer]) * activation.derivative_from_output(activations[layer])
    return cost, grad_w, grad_b


def train_ensemble(
    x: np.ndarray,
    y: np.ndarray,
    *,
    sizes: Sequence[int],
    seeds: Sequence[int],
    learning_rates: float | Sequence[float],
    epochs: int,
    activation: str = "relu",
    init: str = "he",
    output_activation: str | None = None,
    loss: str = "mse",
    nudges: float | Sequence[float] = 0.0,
) -> EnsembleRun:
    """Full-batch gradient descent on N = len(seeds) MLPs at once.

    Network k is ``MLP(sizes, activation, init, seeds[k], output_activation)`` (a seed may
    repeat), its start moved by :func:`nudge_parameters` with ``nudges[k]``, trained at
    ``learning_rates[k]`` > 0 (a single float or nudge: the same for all). ``x``, ``y``,
    ``epochs`` and ``loss`` are as for :func:`lesson_code.training.train`, whose steps network k
    takes:

    >>> from lesson_code.datasets import two_spirals
    >>> from lesson_code.training import train
    >>> x, labels = two_spirals(16)
    >>> y = labels[:, None].astype(float)
    >>> runs = train_ensemble(x, y, sizes=[2, 8, 1], seeds=[3, 4], learning_rates=[0.5, 2.0],
    ...                       epochs=20, activation="tanh", init="xavier", output_activation="sigmoid")
    >>> alone = train(MLP([2, 8, 1], "tanh", "xavier", 4, "sigmoid"), x, y, learning_rate=2.0, epochs=20)
    >>> bool(np.allclose(runs.histories[1].loss, alone.loss, rtol=1e-12, atol=0))
    True
    """
    choice(loss, "loss", LOSSES)
    epochs = positive_int(epochs, "epochs")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    count = len(seeds)
    rates = np.broadcast_to(np.asarray(learning_rates, dtype=float), (count,)).copy()
    for rate in rates:
        positive_number(float(rate), "learning_rates")
    nets = [MLP(sizes, activation=activation, init=init, seed=seed, output_activation=output_activation)
            for seed in seeds]
    relatives = np.broadcast_to(np.asarray(nudges, dtype=float), (count,))
    for net, seed, relative in zip(nets, seeds, relatives, strict=True):
        nudge_parameters(net.parameters(), float(relative), seed)
    x = finite_array(x, "x", ndim=2)
    y = finite_array(y, "y", ndim=2)
    if x.shape[1] != nets[0].sizes[0] or y.shape != (x.shape[0], nets[0].sizes[-1]):
        raise ValueError(f"x and y must have shapes (n, {nets[0].sizes[0]}) and (n, {nets[0].sizes[-1]}), "
                         f"got {x.shape} and {y.shape}")
    if loss == "cross_entropy" and nets[0].output_activation.name != "sigmoid":
        raise ValueError("loss='cross_entropy' needs output_activation='sigmoid'")
    # Blocks small enough that every (block, n_samples, width) array stays below glibc's mmap
    # threshold: larger ones are mapped and unmapped at every use, and the page faults cost more
    # system time than the arithmetic (seen: 1.9 s of 3.3 s for 200 networks).
    block = max(1, BLOCK_BYTES // (8 * x.shape[0] * max(nets[0].sizes)))
    histories: list[TrainingHistory] = []
    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, count, block):
            histories += _train_block(nets[start : start + block], rates[start : start + block], x, y, epochs, loss)
    return EnsembleRun(np.array(seeds), rates, tuple(histories), tuple(nets))


def _train_block(nets: Sequence[MLP], rates: np.ndarray, x: np.ndarray, y: np.ndarray, epochs: int,
                 loss: str) -> list[TrainingHistory]:
    """Train ``nets`` together in place (see :func:`train_ensemble`) and return their histories."""
    count = len(nets)
    weights = [np.stack(layer) for layer in zip(*(net.weights for net in nets), strict=True)]
    biases = [np.stack(layer) for layer in zip(*(net.biases for net in nets), strict=True)]
    n_layers = len(weights)
    losses = np.full((epochs + 1, count), np.nan)
    weight_norms = np.full((epochs + 1, count, n_layers), np.nan)
    bias_norms = np.full((epochs + 1, count, n_layers), np.nan)
    step_norms = np.full((epochs, count), np.nan)
    alive = np.ones(count, dtype=bool)
    recorded = np.zeros(count, dtype=int)  # full-set records made (the one before training included)
    stepped = np.zeros(count, dtype=int)
    act, out = nets[0].activation, nets[0].output_activation
    # As in lesson_code.training.train: record the full-set cost and gradient, stop a network whose
    # record or step is not finite (its last record kept), else step with the recorded gradient.
    for epoch in range(epochs + 1):
        cost, grad_w, grad_b = _gradients(act, out, loss, weights, biases, x, y)
        w_norms = np.sqrt(np.stack([np.sum(g * g, axis=(1, 2)) for g in grad_w], axis=1))
        b_norms = np.sqrt(np.stack([np.sum(g * g, axis=1) for g in grad_b], axis=1))
        losses[epoch, alive] = cost[alive]
        weight_norms[epoch, alive], bias_norms[epoch, alive] = w_norms[alive], b_norms[alive]
        recorded += alive
        alive &= np.isfinite(cost) & np.all(np.isfinite(w_norms), axis=1)
        if epoch == epochs or not alive.any():
            break
        total = np.sqrt(np.sum(w_norms**2, axis=1) + np.sum(b_norms**2, axis=1))
        step_norms[epoch, alive] = total[alive]
        stepped += alive
        alive &= np.isfinite(total)
        for param, grad in zip(weights + biases, grad_w + grad_b, strict=True):
            shape = (count,) + (1,) * (grad.ndim - 1)
            param -= np.where(alive.reshape(shape), rates.reshape(shape) * grad, 0.0)
    for k, net in enumerate(nets):
        net.weights = [w[k].copy() for w in weights]
        net.biases = [b[k].copy() for b in biases]
    return [
        TrainingHistory(losses[: recorded[k], k], weight_norms[: recorded[k], k], bias_norms[: recorded[k], k],
                        step_norms[: stepped[k], k], bool(not alive[k]))
        for k in range(count)
    ]


def median_text(values: Sequence[float], decimals: int = 2, scale: float = 1.0) -> str:
    """The median of ``values`` (one per seed) times ``scale``, printed with the digits its spread
    supports: at most ``decimals`` decimals, and no digit finer than the median's standard error
    (rounded to tens, hundreds ... when that error is larger than 1), but always one significant
    digit.

    The standard error of the median of n draws is about 1.25 sigma / sqrt(n) (for a normal
    sample), with sigma estimated robustly as IQR / 1.349 (IQR: the interquartile range). A digit
    finer than that error is a property of the ten seeds, not of the method, and is left out.

    >>> median_text([0.61, 0.612, 0.615, 0.609, 0.611, 0.613, 0.61, 0.614, 0.612, 0.611])
    '0.61'
    >>> median_text([0.55, 0.56, 1.0, 0.57, 0.81, 0.56, 0.68, 0.56, 0.6, 0.55])
    '0.6'
    >>> median_text([78, 90, 59, 98, 77, 90, 75, 118])
    '80'
    """
    values = finite_array(values, "values", ndim=1) * float(scale)
    if values.size == 0:
        raise ValueError("values must hold at least one number")
    decimals = int(decimals)
    q25, median, q75 = np.percentile(values, [25, 50, 75])
    error = 1.2533 * (q75 - q25) / 1.349 / np.sqrt(values.size)
    if error > 0:
        decimals = min(decimals, int(np.floor(-np.log10(error))))
    if median != 0:  # but keep one significant digit: 0.8 with an error of 0.2 is not "1"
        decimals = max(decimals, -int(np.floor(np.log10(abs(median)))))
    return f"{round(float(median), decimals):.{max(decimals, 0)}f}"
