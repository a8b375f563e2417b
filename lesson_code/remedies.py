"""Two of the fixes of the last chapter, with hand-written backpropagation: batch normalization
and residual connections.

Both networks use the notation and conventions of :mod:`lesson_code.network`: ``weights[l-1]``
is W^l of shape (n_l, n_{l-1}), arrays hold one example per row, the MSE cost of a batch of B
examples is C = 1/(2B) sum_i ||a^L_i - y_i||^2, and a network built with the same ``sizes``,
``activation``, ``init`` and ``seed`` as an :class:`~lesson_code.network.MLP` starts from exactly
the same weights and biases, so a comparison isolates the fix. Both are
:class:`~lesson_code.network.Network` subclasses: they share the MLP's constructor, its
validation of ``x``, ``y`` and ``loss`` (stated in :mod:`lesson_code.network`) and its output
layer's cost and delta^L.

**Batch normalization** (Ioffe & Szegedy 2015), before every hidden activation::

    z^l = W^l a^{l-1} + b^l                          (batch, n_l)
    zhat^l = (z^l - mu^l) / sqrt(v^l + eps)          mu^l, v^l: mean and variance over the batch
    u^l = gamma^l * zhat^l + beta^l                  learnable gamma^l, beta^l, shape (n_l,)
    a^l = sigma(u^l)

The output layer is plain: a^L = sigma_out(W^L a^{L-1} + b^L). Backwards, with
g^l = dC/du^l = sigma'(u^l) * (W^{l+1})^T delta^{l+1} (one row per example):

    dC/dgamma^l = sum_batch g^l * zhat^l,            dC/dbeta^l = sum_batch g^l
    delta^l = dC/dz^l = gamma^l / sqrt(v^l + eps) * (g^l - mean_batch(g^l)
                                                    - zhat^l * mean_batch(g^l * zhat^l))

The two subtracted terms are the paths through mu^l and v^l: every example's z moves the
batch statistics that every other example is normalized with. Because delta^l sums to zero
over the batch, dC/db^l = sum_batch delta^l = 0: a bias in front of batch normalization is
cancelled by the mean subtraction and never learns (beta^l takes its role).

**Residual connections** (He et al. 2016), for hidden layers of equal width n::

    a^1 = sigma(W^1 x + b^1)                          the input projection, plain
    a^l = a^{l-1} + sigma(W^l a^{l-1} + b^l)          l = 2, ..., L-1, the residual blocks
    a^L = sigma_out(W^L a^{L-1} + b^L)                the output layer, plain

so the Jacobian of a block is da^l/da^{l-1} = I + Sigma'(z^l) W^l, and backwards

    delta^l = sigma'(z^l) * dC/da^l,                 dC/da^{l-1} = dC/da^l + (W^l)^T delta^l.

The identity term carries dC/da^l back unchanged, whatever the branch does. This branch ends in
sigma, a simplification of He et al.'s blocks; their pre-activation block, whose branch ends in
a weight layer, is :class:`lesson_code.residual.PreActResidualMLP`.

References: Ioffe & Szegedy, "Batch normalization: accelerating deep network training by
reducing internal covariate shift", ICML 2015; He, Zhang, Ren & Sun, "Deep residual learning
for image recognition", CVPR 2016; Nielsen, *Neural Networks and Deep Learning*, ch. 2 (2015).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice
from lesson_code.network import MLP, ForwardPass, Gradients, Network
from lesson_code.training import TrainingHistory, train

BN_EPS = 1e-5
"""The eps of batch normalization's sqrt(v + eps) (the value of Ioffe & Szegedy's code)."""

REMEDIES = ("plain", "batchnorm", "residual")
"""Network kinds :func:`build_network` knows (and :func:`lesson_code.gradient_flow.layer_weight_gradient_norms` measures)."""


def batch_norm_backward(
    g: np.ndarray, z_hat: np.ndarray, variance: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The closed-form backward pass of u = gamma * (z - mu) / sqrt(v + eps) + beta over a batch.

    With g = dC/du (one row per example) and mu, v the batch mean and variance of z::

        dC/dz = gamma / sqrt(v + eps) * (g - mean_batch(g) - zhat * mean_batch(g * zhat))
        dC/dgamma = sum_batch g * zhat,        dC/dbeta = sum_batch g

    Parameters
    ----------
    g : array of shape (batch, n)
    z_hat : array of shape (batch, n), (z - mu) / sqrt(v + eps)
    variance : array of shape (n,), v
    gamma : array of shape (n,)

    Returns
    -------
    (dC/dz, dC/dgamma, dC/dbeta)

    Examples
    --------
    >>> z = np.array([[1.0], [0.0], [-1.0]])
    >>> v = z.var(axis=0)
    >>> g = z.copy()  # dC/du along zhat, a direction the normalized u cannot move in...
    >>> dz, _, _ = batch_norm_backward(g, z / np.sqrt(v + BN_EPS), v, np.ones(1))
    >>> print(bool(np.abs(dz).max() < 1e-4))  # ...so dC/dz vanishes, up to eps
    True
    """
    mean_g = g.mean(axis=0)
    mean_gz = np.mean(g * z_hat, axis=0)
    dz = gamma / np.sqrt(variance + BN_EPS) * (g - mean_g - z_hat * mean_gz)
    return dz, np.sum(g * z_hat, axis=0), np.sum(g, axis=0)


@dataclass(frozen=True)
class NetworkGradients(Gradients):
    """:class:`lesson_code.network.Gradients` with dC/dgamma^l and dC/dbeta^l of the hidden
    layers added (empty lists for a network without batch norm)."""

    gammas: list[np.ndarray]
    betas: list[np.ndarray]

    def parameters(self) -> list[np.ndarray]:
        """Every gradient, in the order of :meth:`BatchNormMLP.parameters`."""
        return [*self.weights, *self.biases, *self.gammas, *self.betas]

    @classmethod
    def output_first(
        cls, weights: list[np.ndarray], biases: list[np.ndarray], loss: float,
        gammas: list[np.ndarray], betas: list[np.ndarray],
    ) -> NetworkGradients:
        """The gradients from lists that backpropagation filled from the output layer down."""
        return cls(weights[::-1], biases[::-1], loss, gammas[::-1], betas[::-1])


@dataclass(frozen=True)
class BatchNormPass(ForwardPass):
    """:class:`~lesson_code.network.ForwardPass` of a :class:`BatchNormMLP`, plus, for hidden
    layer l + 1, ``z_hats[l]``, ``us[l]``, ``means[l]`` and ``variances[l]``."""

    z_hats: list[np.ndarray]
    us: list[np.ndarray]
    means: list[np.ndarray]
    variances: list[np.ndarray]


class BatchNormMLP(Network):
    """An MLP with batch normalization before every hidden activation (training mode).

    Parameters as for :class:`lesson_code.network.Network` (float64 only); gamma^l starts at 1
    and beta^l at 0 for every hidden layer.

    Examples
    --------
    >>> net = BatchNormMLP([3, 5, 5, 2], activation="sigmoid", init="xavier", seed=0)
    >>> [g.shape for g in net.gammas], len(net.parameters())
    ([(5,), (5,)], 10)
    >>> grads = net.gradients(np.random.default_rng(0).standard_normal((8, 3)), np.ones((8, 2)))
    >>> print(bool(np.abs(grads.biases[0]).max() < 1e-15))  # a bias before batch norm gets no gradient
    True
    """

    min_batch_size = 2
    """One example has no batch variance to normalize with: the forward pass refuses such a
    batch unless it is given ``statistics``, and training skips it."""

    def _add_parameters(self) -> None:
        self.gammas: list[np.ndarray] = [np.ones(n) for n in self.sizes[1:-1]]
        self.betas: list[np.ndarray] = [np.zeros(n) for n in self.sizes[1:-1]]

    def parameters(self) -> list[np.ndarray]:
        """The arrays training updates in place: weights, biases, gammas, betas."""
        return [*super().parameters(), *self.gammas, *self.betas]

    def forward_pass(
        self, x: np.ndarray, statistics: Sequence[tuple[np.ndarray, np.ndarray]] | None = None
    ) -> BatchNormPass:
        """Run the network and keep every intermediate.

        ``statistics``, one (mean, variance) pair per hidden layer, normalizes with these
        instead of the batch's own, e.g. with :meth:`batch_statistics` of the training set to
        classify new points one at a time (inference mode). None: training mode, each batch
        normalizes itself.
        """
        a = self._check_inputs(x, batch_statistics=statistics is None)
        if statistics is not None and len(statistics) != self.n_layers - 1:
            raise ValueError(
                f"statistics must hold one (mean, variance) pair per hidden layer ({self.n_layers - 1}), "
                f"got {len(statistics)}"
            )
        zs, z_hats, us, means, variances, activations = [], [], [], [], [], [a]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w.T + b  # (batch, n_l)
            zs.append(z)
            if layer == self.n_layers - 1:
                a = self.output_activation.function(z)
            else:
                if statistics is None:
                    mean, variance = z.mean(axis=0), z.var(axis=0)
                else:
                    mean, variance = (np.asarray(s, dtype=float) for s in statistics[layer])
                z_hat = (z - mean) / np.sqrt(variance + BN_EPS)
                u = self.gammas[layer] * z_hat + self.betas[layer]
                a = self.activation.function(u)
                z_hats.append(z_hat)
                us.append(u)
                means.append(mean)
                variances.append(variance)
            activations.append(a)
        return BatchNormPass(zs, activations, z_hats, us, means, variances)

    def forward(
        self, x: np.ndarray, statistics: Sequence[tuple[np.ndarray, np.ndarray]] | None = None
    ) -> np.ndarray:
        """a^L for a batch ``x``; see :meth:`forward_pass` for ``statistics``."""
        return self.forward_pass(x, statistics).activations[-1]

    def batch_statistics(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(mu^l, v^l) of every hidden layer on the batch ``x``, for :meth:`forward` on other inputs."""
        run = self.forward_pass(x)
        return list(zip(run.means, run.variances, strict=True))

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> NetworkGradients:
        """Backpropagate the batch cost (as :meth:`lesson_code.network.MLP.gradients` defines it)
        through the normalization, its mean and its variance; batch >= 2."""
        run = self.forward_pass(x)
        delta, cost = self._batch_output_delta(run.activations, run.zs[-1], y, loss)
        weight_grads = [delta.T @ run.activations[-2]]
        bias_grads = [delta.sum(axis=0)]
        gamma_grads, beta_grads = [], []
        for layer in range(self.n_layers - 2, -1, -1):
            # dC/du; sigma'(u) from a = sigma(u), without evaluating sigma a second time
            g = (delta @ self.weights[layer + 1]) * self.activation.derivative_from_output(run.activations[layer + 1])
            delta, gamma_grad, beta_grad = batch_norm_backward(
                g, run.z_hats[layer], run.variances[layer], self.gammas[layer]
            )
            gamma_grads.append(gamma_grad)
            beta_grads.append(beta_grad)
            weight_grads.append(delta.T @ run.activations[layer])
            bias_grads.append(delta.sum(axis=0))
        return NetworkGradients.output_first(weight_grads, bias_grads, cost, gamma_grads, beta_grads)


class ResidualMLP(Network):
    """An MLP whose hidden layers after the first add their input back: a^l = a^{l-1} + sigma(z^l).

    Parameters as for :class:`lesson_code.network.Network` (float64 only); ``sizes`` is
    ``[n_in, n, n, ..., n, n_out]``: every hidden layer has the same width n, at least one.
    Layer 1 (n_in -> n) and the output layer (n -> n_out) are plain; the hidden-to-hidden
    layers 2..L-1 are residual blocks.

    Examples
    --------
    >>> net = ResidualMLP([2, 4, 4, 4, 1], activation="tanh", init="xavier", seed=0)
    >>> net.n_layers, net.residual_layers
    (4, [2, 3])
    >>> net.forward(np.zeros((3, 2))).shape
    (3, 1)
    """

    def _add_parameters(self) -> None:
        hidden = self.sizes[1:-1]
        if not hidden or len(set(hidden)) != 1:
            raise ValueError(
                "sizes must have at least one hidden layer and all hidden layers of the same width, "
                f"such as [2, 16, 16, 16, 1]; got {self.sizes}"
            )

    @property
    def residual_layers(self) -> list[int]:
        """The layers l (1-based, as in W^l) that are residual blocks: 2, ..., L-1."""
        return list(range(2, self.n_layers))

    def forward_pass(self, x: np.ndarray) -> ForwardPass:
        """Run the network on the batch ``x`` and keep every z^l and a^l."""
        a = self._check_inputs(x)
        zs, activations = [], [a]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w.T + b  # (batch, n_out)
            if layer == self.n_layers - 1:
                a = self.output_activation.function(z)
            elif layer == 0:
                a = self.activation.function(z)
            else:
                a = a + self.activation.function(z)  # the identity path plus the branch
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations)

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> NetworkGradients:
        """Backpropagate the batch cost (as :meth:`lesson_code.network.MLP.gradients` defines
        it); the result's ``gammas`` and ``betas`` are empty lists."""
        run = self.forward_pass(x)
        zs, activations = run.zs, run.activations
        delta, cost = self._batch_output_delta(activations, zs[-1], y, loss)
        weight_grads = [delta.T @ activations[-2]]
        bias_grads = [delta.sum(axis=0)]
        grad_a = delta @ self.weights[-1]  # dC/da^{L-1}
        for layer in range(self.n_layers - 2, -1, -1):
            delta = grad_a * self.activation.derivative(zs[layer])  # delta^{layer+1}
            weight_grads.append(delta.T @ activations[layer])
            bias_grads.append(delta.sum(axis=0))
            if layer > 0:
                grad_a = grad_a + delta @ self.weights[layer]  # identity path + branch
        return NetworkGradients.output_first(weight_grads, bias_grads, cost, [], [])


def build_network(
    kind: str,
    sizes: Sequence[int],
    activation: str = "sigmoid",
    init: str = "normal",
    seed: int = 0,
    output_activation: str | None = None,
) -> Network:
    """An :class:`~lesson_code.network.MLP` (``"plain"``), :class:`BatchNormMLP` or :class:`ResidualMLP`.

    All three draw the same weights and biases for the same arguments.

    Examples
    --------
    >>> [type(build_network(k, [2, 3, 3, 1])).__name__ for k in REMEDIES]
    ['MLP', 'BatchNormMLP', 'ResidualMLP']
    """
    kind = choice(kind, "kind", REMEDIES)
    cls = {"plain": MLP, "batchnorm": BatchNormMLP, "residual": ResidualMLP}[kind]
    return cls(sizes, activation=activation, init=init, seed=seed, output_activation=output_activation)


def train_network(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int | None = None,
    loss: str = "mse",
    seed: int = 0,
) -> TrainingHistory:
    """Mini-batch SGD for any network: theta <- theta - eta dC/dtheta over all its parameters,
    gamma and beta included, through :func:`lesson_code.training.train` (whose
    :class:`~lesson_code.training.TrainingHistory` it returns).

    A batch-norm network skips a final batch of one example and runs in training mode, each
    batch with its own statistics; the recorded full-set loss normalizes with the whole set's.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((64, 2))
    >>> y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    >>> net = BatchNormMLP([2, 8, 8, 1], activation="relu", init="he", output_activation="sigmoid")
    >>> history = train_network(net, x, y, learning_rate=0.5, epochs=30, batch_size=16)
    >>> bool(history.loss[-1] < history.loss[0]), history.loss.shape
    (True, (31,))
    """
    if not isinstance(net, Network):
        raise TypeError(
            f"net must be an MLP, BatchNormMLP or ResidualMLP (a lesson_code.network.Network), "
            f"got {type(net).__name__}"
        )
    return train(net, x, y, learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                 loss=loss, seed=seed)
