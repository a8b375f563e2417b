"""The pre-activation residual block of He et al. (2016b), next to the course's simplified block.

The simplified block of :class:`lesson_code.remedies.ResidualMLP` ends its branch in the
activation, a^l = a^{l-1} + sigma(W^l a^{l-1} + b^l), so for the sigmoid and ReLU every branch
adds a non-negative vector to the stream. He et al.'s pre-activation unit puts the
normalization and the activation *first* and ends the branch in a weight layer, which can add
values of either sign. :class:`PreActResidualMLP` uses one such unit per block:

    a^1 = sigma(W^1 x + b^1)                                   the input projection, as in ResidualMLP
    zhat^l = (a^{l-1} - mu^l) / sqrt(v^l + eps)                batch norm of the stream (optional)
    u^l = gamma^l * zhat^l + beta^l,  h^l = sigma(u^l)
    a^l = a^{l-1} + W^l h^l + b^l                              l = 2, ..., L-1, the residual blocks
    a^L = sigma_out(W^L a^{L-1} + b^L)                         the output layer, as in ResidualMLP

With ``batchnorm=False`` the normalization is left out (u^l = a^{l-1}): the branch is
"activation, then weight layer", the ordering without its normalization. He et al.'s blocks
hold two such units per branch (three in their bottleneck form) and end the network with one
more batch norm and activation before the classifier; here a branch holds one unit and the
output layer reads the stream directly, so that the network has exactly the weight matrices of
a ResidualMLP of the same ``sizes`` and ``seed`` and a comparison isolates the block.

Backwards, with G = dC/da^l (one row per example):

    dC/dW^l = G^T h^l,   dC/db^l = sum_batch G,   dC/du^l = sigma'(u^l) * (G W^l)
    dC/da^{l-1} = G + dC/da^{l-1}|branch

where the branch's share is dC/du^l itself without batch norm and otherwise goes through
:func:`lesson_code.remedies.batch_norm_backward`.

``x``, ``y`` and ``loss`` are validated as for every network (see :mod:`lesson_code.network`).
Every other argument below is checked too, and the error names it: ValueError for a value
outside its accepted values (an unknown ``block``, ``activation`` or ``init``, ``depth`` < 3, a
``width``, ``batch`` or ``seeds`` < 1, a ``batch`` of one example with batch norm, a negative
``seed``, ``branch_scale`` <= 0), TypeError for an argument of the wrong type (a ``batchnorm``
that is not True or False; a ``depth``, ``seed``, ``seeds``, ``width`` or ``batch`` that is not
an integer; a ``branch_scale`` that is not a real number; ``sizes`` that are not a sequence; a
``net`` that is not a residual network).

Reference: He, Zhang, Ren & Sun, "Identity mappings in deep residual networks", ECCV 2016.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from lesson_code._checks import choice, flag, positive_int, positive_number
from lesson_code.gradient_flow import BATCH, WIDTH, per_layer_gain, probe_batch
from lesson_code.network import ForwardPass
from lesson_code.remedies import BN_EPS, NetworkGradients, ResidualMLP, batch_norm_backward

BLOCKS = ("simplified", "preact", "preact_bn")
"""Residual blocks :func:`build_residual` knows: ResidualMLP's, and the pre-activation block
without and with batch norm."""


@dataclass(frozen=True)
class PreActPass(ForwardPass):
    """:class:`~lesson_code.network.ForwardPass` of a :class:`PreActResidualMLP`, where a block's
    z^l is its branch output W^l h^l + b^l; plus, for the residual blocks 2..L-1 in order,
    ``z_hats`` and ``variances`` (empty without batch norm), ``us`` and ``branch_inputs`` (h)."""

    z_hats: list[np.ndarray]
    variances: list[np.ndarray]
    us: list[np.ndarray]
    branch_inputs: list[np.ndarray]


class PreActResidualMLP(ResidualMLP):
    """A residual MLP whose blocks are pre-activation units: a^l = a^{l-1} + W^l sigma(BN(a^{l-1})) + b^l.

    Parameters as for :class:`lesson_code.remedies.ResidualMLP`, plus ``batchnorm``: normalize
    the stream over the batch at the start of every branch (gamma^l = 1 and beta^l = 0 at the
    start, learnable); False leaves the normalization out.

    Examples
    --------
    >>> net = PreActResidualMLP([2, 4, 4, 4, 1], activation="relu", init="he", seed=0)
    >>> net.residual_layers, [g.shape for g in net.gammas]
    ([2, 3], [(4,), (4,)])
    >>> net.forward(np.random.default_rng(0).standard_normal((5, 2))).shape
    (5, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        init: str = "normal",
        seed: int = 0,
        output_activation: str | None = None,
        batchnorm: bool = True,
    ) -> None:
        self.batchnorm = flag(batchnorm, "batchnorm")
        super().__init__(sizes, activation, init, seed, output_activation)

    def _add_parameters(self) -> None:
        super()._add_parameters()
        widths = [self.sizes[1]] * len(self.residual_layers) if self.batchnorm else []
        self.gammas: list[np.ndarray] = [np.ones(n) for n in widths]
        self.betas: list[np.ndarray] = [np.zeros(n) for n in widths]
        # batch statistics need two examples; without batch norm one is enough
        self.min_batch_size = 2 if self.batchnorm else 1

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, batchnorm={self.batchnorm})"

    def parameters(self) -> list[np.ndarray]:
        """The arrays training updates in place: weights, biases, gammas, betas."""
        return [*super().parameters(), *self.gammas, *self.betas]

    def forward_pass(self, x: np.ndarray) -> PreActPass:
        """Run the network on the batch ``x`` and keep every intermediate."""
        x = self._check_inputs(x)
        z = x @ self.weights[0].T + self.biases[0]
        a = self.activation.function(z)
        zs, activations, z_hats, variances, us, hs = [z], [x, a], [], [], [], []
        for block, layer in enumerate(self.residual_layers):
            u = a
            if self.batchnorm:
                variance = a.var(axis=0)
                z_hat = (a - a.mean(axis=0)) / np.sqrt(variance + BN_EPS)
                u = self.gammas[block] * z_hat + self.betas[block]
                z_hats.append(z_hat)
                variances.append(variance)
            h = self.activation.function(u)
            z = h @ self.weights[layer - 1].T + self.biases[layer - 1]  # the branch ends in W^l
            a = a + z
            zs.append(z)
            us.append(u)
            hs.append(h)
            activations.append(a)
        z = a @ self.weights[-1].T + self.biases[-1]
        zs.append(z)
        activations.append(self.output_activation.function(z))
        return PreActPass(zs, activations, z_hats, variances, us, hs)

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> NetworkGradients:
        """Backpropagate the batch cost through every block (see the module docstring);
        batch >= 2 with batch norm."""
        run = self.forward_pass(x)
        delta, cost = self._batch_output_delta(run.activations, run.zs[-1], y, loss)
        weight_grads = [delta.T @ run.activations[-2]]
        bias_grads = [delta.sum(axis=0)]
        gamma_grads, beta_grads = [], []
        grad_a = delta @ self.weights[-1]  # dC/da^{L-1}
        for block in range(len(self.residual_layers) - 1, -1, -1):
            w = self.weights[block + 1]
            weight_grads.append(grad_a.T @ run.branch_inputs[block])
            bias_grads.append(grad_a.sum(axis=0))
            g = (grad_a @ w) * self.activation.derivative(run.us[block])  # dC/du
            if self.batchnorm:
                g, gamma_grad, beta_grad = batch_norm_backward(
                    g, run.z_hats[block], run.variances[block], self.gammas[block]
                )
                gamma_grads.append(gamma_grad)
                beta_grads.append(beta_grad)
            grad_a = grad_a + g  # identity path + branch
        delta = grad_a * self.activation.derivative(run.zs[0])
        weight_grads.append(delta.T @ run.activations[0])
        bias_grads.append(delta.sum(axis=0))
        return NetworkGradients.output_first(weight_grads, bias_grads, cost, gamma_grads, beta_grads)


def build_residual(
    block: str, sizes: Sequence[int], activation: str, init: str, seed: int = 0, branch_scale: float = 1.0
) -> ResidualMLP:
    """A residual network with the given ``block``, its branch weights W^2..W^{L-1} times ``branch_scale``.

    Every block draws the same weights and biases for the same arguments, before the scaling.

    >>> net = build_residual("preact", [3, 4, 4, 1], "relu", "he", branch_scale=0.5)
    >>> type(net).__name__, net.batchnorm
    ('PreActResidualMLP', False)
    """
    block = choice(block, "block", BLOCKS)
    branch_scale = positive_number(branch_scale, "branch_scale")
    if block == "simplified":
        net = ResidualMLP(sizes, activation=activation, init=init, seed=seed)
    else:
        net = PreActResidualMLP(sizes, activation=activation, init=init, seed=seed, batchnorm=block == "preact_bn")
    for layer in net.residual_layers:
        net.weights[layer - 1] *= branch_scale
    return net


def stream(net: ResidualMLP, x: np.ndarray) -> list[np.ndarray]:
    """The residual stream a^1, ..., a^{L-1} of either kind of residual network on the batch ``x``.

    >>> len(stream(build_residual("simplified", [3, 4, 4, 4, 1], "tanh", "xavier"), np.ones((2, 3))))
    3
    """
    if not isinstance(net, ResidualMLP):
        raise TypeError(f"net must be a ResidualMLP or PreActResidualMLP, got {type(net).__name__}")
    return net.forward_pass(x).activations[1:-1]


@dataclass(frozen=True)
class BlockStatistics:
    """Medians over random networks of :func:`block_statistics`.

    ``ratio``: ||dC/dW^1|| / ||dC/dW^L|| of the median profile; ``gain``: its (L-1)-th root, as
    :func:`lesson_code.gradient_flow.per_layer_gain`; ``drift``: mean(a^{L-1}) / rms(a^{L-1}),
    1 when the last stream is one common positive offset, about 0 when it is centred; ``growth``:
    (E[(a^{L-1})^2] / E[(a^1)^2])^(1/(L-2)), the average factor by which a block multiplies
    the stream's mean square (E over examples and units).
    """

    ratio: float
    gain: float
    drift: float
    growth: float

    def __str__(self) -> str:
        return (
            f"first/last {self.ratio:.1e}  gain {self.gain:.3f}  drift {self.drift:.2f}  "
            f"E[a^2] x{self.growth:.2f} per block"
        )


def block_statistics(
    block: str,
    activation: str,
    init: str,
    depth: int = 50,
    branch_scale: float = 1.0,
    seeds: int = 5,
    width: int = WIDTH,
    batch: int = BATCH,
) -> BlockStatistics:
    """Gradient profile and stream statistics of random residual networks at initialization.

    Each network is ``build_residual(block, [width] * (depth + 1), ...)`` on
    :func:`lesson_code.gradient_flow.probe_batch` with the MSE cost, for seeds 0..seeds-1: the
    same weights and the same batch as the plain and residual rows of the last chapter's table.

    Parameters
    ----------
    block : {"simplified", "preact", "preact_bn"}
    activation, init : str
        As for :class:`lesson_code.network.MLP`.
    depth : int
        Weight layers L, >= 3 (at least one residual block).
    branch_scale : float
        Factor on every branch weight matrix W^2..W^{L-1}.
    seeds, width : int
        Random networks (seeds 0..seeds-1) and hidden width, each >= 1.
    batch : int
        Examples in the probe batch, >= 1 (>= 2 for ``"preact_bn"``).

    Examples
    --------
    >>> print(block_statistics("preact", "relu", "he", depth=10, seeds=3))
    first/last 4.5e-01  gain 0.916  drift -0.04  E[a^2] x2.22 per block
    """
    depth = positive_int(depth, "depth")
    if depth < 3:
        raise ValueError(f"depth must be an integer >= 3 (one residual block), got {depth}")
    seeds = positive_int(seeds, "seeds")
    width = positive_int(width, "width")
    batch = positive_int(batch, "batch")
    profiles, streams = [], []
    # one BLAS thread: for matrices this small, threads cost more than they save on a shared machine
    with threadpool_limits(1):
        for seed in range(seeds):
            net = build_residual(block, [width] * (depth + 1), activation, init, seed, branch_scale)
            if batch < net.min_batch_size:
                raise ValueError(
                    f"batch must be an integer >= {net.min_batch_size} for block {block!r}: batch "
                    f"norm needs the mean and variance of two examples at least, got {batch}"
                )
            x, y = probe_batch(width, batch, seed)
            profiles.append([np.linalg.norm(g) for g in net.gradients(x, y).weights])
            layers = stream(net, x)
            first, last = layers[0], layers[-1]
            growth = (np.mean(last**2) / np.mean(first**2)) ** (1.0 / (depth - 2))
            streams.append([last.mean() / np.sqrt(np.mean(last**2)), growth])
    # the median profile first, then its ratio, as the chapter's table (fix_table) does
    norms = np.median(np.array(profiles), axis=0)
    drift, growth = np.median(np.array(streams), axis=0)
    return BlockStatistics(float(norms[0] / norms[-1]), per_layer_gain(norms), float(drift), float(growth))
