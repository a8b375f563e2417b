"""Two of the fixes of the last chapter, with hand-written backpropagation: batch normalization
and residual connections.

Both networks use the notation and conventions of :mod:`lesson_code.network`: ``weights[l-1]``
is W^l of shape (n_l, n_{l-1}), arrays hold one example per row, the MSE cost of a batch of B
examples is C = 1/(2B) sum_i ||a^L_i - y_i||^2, and a network built with the same ``sizes``,
``activation``, ``init`` and ``seed`` as an :class:`~lesson_code.network.MLP` starts from exactly
the same weights and biases, so a comparison isolates the fix.

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

from lesson_code._checks import choice, finite_array
from lesson_code.activations import Activation
from lesson_code.network import LOSSES, MLP
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
class NetworkGradients:
    """dC/dW^l, dC/db^l (l = 1..L), dC/dgamma^l, dC/dbeta^l (hidden l; empty without batch norm) and C.

    Like :class:`lesson_code.network.Gradients`, with the batch-norm parameters added.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    gammas: list[np.ndarray]
    betas: list[np.ndarray]
    loss: float

    def parameters(self) -> list[np.ndarray]:
        """Every gradient, in the order of :meth:`BatchNormMLP.parameters`."""
        return [*self.weights, *self.biases, *self.gammas, *self.betas]


@dataclass(frozen=True)
class BatchNormPass:
    """Every intermediate of :meth:`BatchNormMLP.forward_pass`.

    ``zs[l]`` is z^{l+1} (all layers); ``z_hats[l]``, ``us[l]``, ``means[l]`` and
    ``variances[l]`` belong to hidden layer l + 1; ``activations[l]`` is a^l, a^0 = x.
    """

    zs: list[np.ndarray]
    z_hats: list[np.ndarray]
    us: list[np.ndarray]
    means: list[np.ndarray]
    variances: list[np.ndarray]
    activations: list[np.ndarray]


class _Network:
    """What the two networks share: construction from an MLP, inputs, the output layer's cost."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str,
        init: str,
        seed: int,
        output_activation: str | None,
    ) -> None:
        base = MLP(sizes, activation=activation, init=init, seed=seed, output_activation=output_activation)
        self.sizes = base.sizes
        self.activation: Activation = base.activation
        self.output_activation: Activation = base.output_activation
        self.init = base.init
        self.seed = base.seed
        self.weights: list[np.ndarray] = base.weights
        self.biases: list[np.ndarray] = base.biases

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.weights)

    def _check_inputs(self, x: object) -> np.ndarray:
        x = finite_array(x, "x", ndim=2)
        if x.shape[1] != self.sizes[0]:
            raise ValueError(f"x must have shape (batch, {self.sizes[0]}) for this network, got {x.shape}")
        return x

    def _check_targets(self, x: np.ndarray, y: object, loss: str) -> np.ndarray:
        y = finite_array(y, "y", ndim=2)
        if y.shape != (x.shape[0], self.sizes[-1]):
            raise ValueError(
                f"y must have shape (batch, {self.sizes[-1]}) = {(x.shape[0], self.sizes[-1])}, got {y.shape}"
            )
        choice(loss, "loss", LOSSES)
        if loss == "cross_entropy" and self.output_activation.name != "sigmoid":
            raise ValueError(
                "loss='cross_entropy' needs a sigmoid output layer, got output activation "
                f"{self.output_activation.name!r}"
            )
        return y

    def _output_delta(self, z_last: np.ndarray, output: np.ndarray, y: np.ndarray, loss: str) -> tuple[np.ndarray, float]:
        """delta^L of the batch cost (the 1/B included) and the cost itself."""
        batch = y.shape[0]
        if loss == "mse":
            error = output - y
            cost = 0.5 * float(np.sum(error * error)) / batch
            return error * self.output_activation.derivative(z_last) / batch, cost
        cost = float(np.sum(y * np.logaddexp(0.0, -z_last) + (1.0 - y) * np.logaddexp(0.0, z_last))) / batch
        return (output - y) / batch, cost


class BatchNormMLP(_Network):
    """An MLP with batch normalization before every hidden activation (training mode).

    Parameters
    ----------
    sizes, activation, init, seed, output_activation
        As for :class:`lesson_code.network.MLP`, whose weights and biases it starts from.
        gamma^l starts at 1 and beta^l at 0 for every hidden layer.

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
    """One example has no batch variance to normalize with; training skips such a batch."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        init: str = "normal",
        seed: int = 0,
        output_activation: str | None = None,
    ) -> None:
        super().__init__(sizes, activation, init, seed, output_activation)
        self.gammas: list[np.ndarray] = [np.ones(n) for n in self.sizes[1:-1]]
        self.betas: list[np.ndarray] = [np.zeros(n) for n in self.sizes[1:-1]]

    def __repr__(self) -> str:
        return (
            f"BatchNormMLP({self.sizes}, activation={self.activation.name!r}, init={self.init!r}, "
            f"seed={self.seed}, output_activation={self.output_activation.name!r})"
        )

    def parameters(self) -> list[np.ndarray]:
        """The arrays training updates in place: weights, biases, gammas, betas."""
        return [*self.weights, *self.biases, *self.gammas, *self.betas]

    def forward_pass(
        self, x: np.ndarray, statistics: Sequence[tuple[np.ndarray, np.ndarray]] | None = None
    ) -> BatchNormPass:
        """Run the network and keep every intermediate.

        Parameters
        ----------
        x : array of shape (batch, sizes[0])
        statistics : list of (mean, variance) per hidden layer, optional
            Normalize with these instead of the batch's own statistics, e.g. with
            :meth:`batch_statistics` of the training set to classify new points one at a
            time (inference mode). None: training mode, each batch normalizes itself.
        """
        a = self._check_inputs(x)
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
        return BatchNormPass(zs, z_hats, us, means, variances, activations)

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
        """Backpropagate the batch cost through the normalization, its mean and its variance.

        Parameters
        ----------
        x : array of shape (batch, sizes[0]); batch >= 2 for non-degenerate statistics
        y : array of shape (batch, sizes[-1])
        loss : {"mse", "cross_entropy"}
            As for :meth:`lesson_code.network.MLP.gradients`.
        """
        x = self._check_inputs(x)
        y = self._check_targets(x, y, loss)
        run = self.forward_pass(x)
        delta, cost = self._output_delta(run.zs[-1], run.activations[-1], y, loss)
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
        weight_grads.reverse()
        bias_grads.reverse()
        gamma_grads.reverse()
        beta_grads.reverse()
        return NetworkGradients(weight_grads, bias_grads, gamma_grads, beta_grads, cost)


class ResidualMLP(_Network):
    """An MLP whose hidden layers after the first add their input back: a^l = a^{l-1} + sigma(z^l).

    Parameters
    ----------
    sizes : sequence of int
        ``[n_in, n, n, ..., n, n_out]``: every hidden layer has the same width n, at least one.
        Layer 1 (n_in -> n) and the output layer (n -> n_out) are plain; the hidden-to-hidden
        layers 2..L-1 are residual blocks.
    activation, init, seed, output_activation
        As for :class:`lesson_code.network.MLP`, whose weights and biases it starts from.

    Examples
    --------
    >>> net = ResidualMLP([2, 4, 4, 4, 1], activation="tanh", init="xavier", seed=0)
    >>> net.n_layers, net.residual_layers
    (4, [2, 3])
    >>> net.forward(np.zeros((3, 2))).shape
    (3, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        init: str = "normal",
        seed: int = 0,
        output_activation: str | None = None,
    ) -> None:
        super().__init__(sizes, activation, init, seed, output_activation)
        hidden = self.sizes[1:-1]
        if not hidden or len(set(hidden)) != 1:
            raise ValueError(
                "sizes must have at least one hidden layer and all hidden layers of the same width, "
                f"such as [2, 16, 16, 16, 1]; got {self.sizes}"
            )

    def __repr__(self) -> str:
        return (
            f"ResidualMLP({self.sizes}, activation={self.activation.name!r}, init={self.init!r}, "
            f"seed={self.seed}, output_activation={self.output_activation.name!r})"
        )

    @property
    def residual_layers(self) -> list[int]:
        """The layers l (1-based, as in W^l) that are residual blocks: 2, ..., L-1."""
        return list(range(2, self.n_layers))

    def parameters(self) -> list[np.ndarray]:
        """The arrays training updates in place: weights, then biases."""
        return [*self.weights, *self.biases]

    def forward_pass(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``zs[l]`` = z^{l+1} and ``activations[l]`` = a^l (a^0 = x), as for the MLP."""
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
        return zs, activations

    def forward(self, x: np.ndarray) -> np.ndarray:
        """a^L for a batch ``x`` of shape (batch, sizes[0])."""
        return self.forward_pass(x)[1][-1]

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> NetworkGradients:
        """Backpropagate the batch cost; the result's ``gammas`` and ``betas`` are empty lists.

        Parameters
        ----------
        x : array of shape (batch, sizes[0])
        y : array of shape (batch, sizes[-1])
        loss : {"mse", "cross_entropy"}
        """
        x = self._check_inputs(x)
        y = self._check_targets(x, y, loss)
        zs, activations = self.forward_pass(x)
        delta, cost = self._output_delta(zs[-1], activations[-1], y, loss)
        weight_grads = [delta.T @ activations[-2]]
        bias_grads = [delta.sum(axis=0)]
        grad_a = delta @ self.weights[-1]  # dC/da^{L-1}
        for layer in range(self.n_layers - 2, -1, -1):
            delta = grad_a * self.activation.derivative(zs[layer])  # delta^{layer+1}
            weight_grads.append(delta.T @ activations[layer])
            bias_grads.append(delta.sum(axis=0))
            if layer > 0:
                grad_a = grad_a + delta @ self.weights[layer]  # identity path + branch
        weight_grads.reverse()
        bias_grads.reverse()
        return NetworkGradients(weight_grads, bias_grads, [], [], cost)


Network = MLP | BatchNormMLP | ResidualMLP


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
    """Mini-batch SGD for any of the three networks: theta <- theta - eta dC/dtheta.

    All three go through :func:`lesson_code.training.train` (same shuffling for the same
    ``seed``, the full-set loss before training and after every epoch, a stop when a loss or
    gradient stops being finite), over all their parameters, gamma and beta included. A
    batch-norm network skips a final batch of one example, and is
    evaluated in training mode, each batch with its own statistics; the recorded full-set loss
    normalizes with the whole set's statistics.

    Returns
    -------
    TrainingHistory
        As :func:`lesson_code.training.train` returns it (gradient norms of W^l and b^l only).

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
    if not isinstance(net, (MLP, BatchNormMLP, ResidualMLP)):
        raise TypeError(f"net must be an MLP, BatchNormMLP or ResidualMLP, got {type(net).__name__}")
    return train(net, x, y, learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                 loss=loss, seed=seed)
