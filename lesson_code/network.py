"""Fully connected networks with hand-written backpropagation, in Nielsen's notation.

For layers l = 1, ..., L (``weights[l-1]`` is W^l, shape (n_l, n_{l-1})):

    z^l = W^l a^{l-1} + b^l,        a^l = sigma(z^l),        a^0 = x

The backward pass is the product the whole course is about:

    delta^L = Sigma'(z^L) dC/da^L
    delta^l = Sigma'(z^l) (W^{l+1})^T delta^{l+1}
    dC/db^l = delta^l,              dC/dW^l = delta^l (a^{l-1})^T

where Sigma'(z) is the diagonal matrix of sigma'(z). Arrays hold one example per row, so in
code a^l has shape (batch, n_l) and the products above are written transposed.

:class:`Network` is what every network of the course shares (:class:`MLP` here, the batch-norm
and residual networks of :mod:`lesson_code.remedies` and :mod:`lesson_code.residual`): the
constructor and its initial weights, the input and target checks, the output layer's cost and
delta^L, and :meth:`Network.forward_pass`, which returns a :class:`ForwardPass` (a subclass of
it where a network keeps more intermediates).

Validation, for every network: ``x`` must be a finite 2-D array of shape (batch, sizes[0])
with batch >= :attr:`Network.min_batch_size` (1, or 2 where batch statistics normalize), ``y``
a finite one of shape (batch, sizes[-1]), ``loss`` one of :data:`LOSSES`, and
``"cross_entropy"`` needs a sigmoid output layer; anything else raises ValueError (TypeError
for what is not an array of numbers) naming the argument.

>>> run = MLP([2, 3, 1], seed=0).forward_pass(np.ones((4, 2)))
>>> [z.shape for z in run.zs], [a.shape for a in run.activations]
([(4, 3), (4, 1)], [(4, 2), (4, 3), (4, 1)])

References: Rumelhart, Hinton & Williams (1986); Nielsen, *Neural Networks and Deep Learning*,
ch. 2 and 5 (2015); Glorot & Bengio (2010) for Xavier and He et al. (2015) for He
initialization.
"""

from __future__ import annotations

import itertools
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice, finite_array, flag, positive_int, seed_value
from lesson_code.activations import Activation, get_activation

INITS = ("normal", "xavier", "he", "nielsen")
"""Weight initializations, see :class:`Network`."""

LOSSES = ("mse", "cross_entropy")
"""Costs the networks' ``gradients`` know."""


@dataclass(frozen=True)
class ForwardPass:
    """The intermediates of a forward pass: ``zs[l]`` = z^{l+1} = W^{l+1} (input) + b^{l+1},
    shape (batch, sizes[l+1]), and ``activations[l]`` = a^l, from a^0 = x to a^L, shape
    (batch, sizes[l])."""

    zs: list[np.ndarray]
    activations: list[np.ndarray]


@dataclass(frozen=True)
class Gradients:
    """dC/dW^l and dC/db^l for every layer, with the cost C they differentiate.

    ``weights[l]`` has the shape of ``MLP.weights[l]``, ``biases[l]`` of ``MLP.biases[l]``.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    loss: float

    def parameters(self) -> list[np.ndarray]:
        """Every gradient, in the order of :meth:`Network.parameters`."""
        return [*self.weights, *self.biases]


@dataclass(frozen=True)
class LayerNorms:
    """Per-layer gradient norms: ``weights[l]`` = ||dC/dW^{l+1}||_F, ``biases[l]`` = ||dC/db^{l+1}||."""

    weights: np.ndarray
    biases: np.ndarray


@dataclass(frozen=True)
class BiasBound:
    """Per-example bias-gradient norms and their upper bound, both of shape (batch, n_layers)."""

    measured: np.ndarray
    bound: np.ndarray


def initial_weight_std(init: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the initial weights of a layer (see :class:`Network` for the schemes).

    >>> print(initial_weight_std("xavier", 100, 100), initial_weight_std("he", 50, 10))
    0.1 0.2
    """
    return float({
        "normal": 1.0,
        "xavier": np.sqrt(2.0 / (fan_in + fan_out)),
        "he": np.sqrt(2.0 / fan_in),
        "nielsen": np.sqrt(1.0 / fan_in),
    }[choice(init, "init", INITS)])


class Network(ABC):
    """The fields, checks and output layer every network of the course shares.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input first: ``[784, 30, 10]`` is 784 inputs, one hidden layer of 30
        units and 10 outputs. At least two entries, each >= 1.
    activation : str
        Hidden activation (see :mod:`lesson_code.activations`); also used at the output unless
        ``output_activation`` says otherwise.
    init : str
        ``"normal"``: W and b from N(0, 1), the classic setting of the lesson material.
        ``"xavier"``: W from N(0, 2 / (fan_in + fan_out)), b = 0 (Glorot & Bengio 2010).
        ``"he"``: W from N(0, 2 / fan_in), b = 0 (He et al. 2015).
        ``"nielsen"``: W from N(0, 1 / fan_in), b from N(0, 1) (Nielsen 2015, ch. 3).
    seed : int
        Seed of the generator that draws the parameters: the same arguments give the same
        weights and biases in every subclass, so a comparison of two networks isolates their
        architecture.
    output_activation : str or None
        Activation of the last layer, e.g. ``"linear"`` for regression; None means ``activation``.
    dtype : numpy floating type
        Floating type of the parameters and of the computation, one of :attr:`dtypes` (float64
        unless you are timing an MLP).

    Examples
    --------
    >>> from lesson_code.remedies import BatchNormMLP
    >>> [np.array_equal(a, b) for a, b in zip(MLP([2, 3, 1]).weights, BatchNormMLP([2, 3, 1]).weights)]
    [True, True]
    """

    dtypes: tuple[type, ...] = (np.float64,)
    """The floating types the network computes in."""

    min_batch_size = 1
    """The fewest examples :meth:`forward_pass` and :meth:`gradients` accept: 2 for a network
    that normalizes with batch statistics (one example is its own mean: every unit would be 0)."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        init: str = "normal",
        seed: int = 0,
        output_activation: str | None = None,
        dtype: type = np.float64,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        if np.dtype(dtype) not in [np.dtype(d) for d in self.dtypes]:
            accepted = " or ".join(f"numpy.{np.dtype(d).name}" for d in self.dtypes)
            raise ValueError(f"dtype must be {accepted}, got {dtype!r}")
        self.dtype = np.dtype(dtype)
        self.activation: Activation = get_activation(activation)
        self.output_activation: Activation = (
            self.activation if output_activation is None else get_activation(output_activation)
        )
        self.init = choice(init, "init", INITS)
        self.seed = seed_value(seed)
        rng = np.random.default_rng(self.seed)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            std = initial_weight_std(self.init, fan_in, fan_out)
            # drawn in float64 whatever the dtype, so a float32 net is the same net, rounded
            weight = std * rng.standard_normal((fan_out, fan_in))
            bias = rng.standard_normal(fan_out) if self.init in ("normal", "nielsen") else np.zeros(fan_out)
            self.weights.append(weight.astype(self.dtype))
            self.biases.append(bias.astype(self.dtype))
        self._add_parameters()

    def _add_parameters(self) -> None:
        """What an architecture checks and adds once W and b are drawn (nothing for an MLP)."""

    def parameters(self) -> list[np.ndarray]:
        """The arrays training updates in place: the weights, then the biases."""
        return [*self.weights, *self.biases]

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers (hidden layers + the output layer)."""
        return len(self.weights)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.sizes}, activation={self.activation.name!r}, "
            f"init={self.init!r}, seed={self.seed}, output_activation={self.output_activation.name!r})"
        )

    @abstractmethod
    def forward_pass(self, x: np.ndarray) -> ForwardPass:
        """Run the network on the batch ``x`` and keep every intermediate."""

    @abstractmethod
    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> Gradients:
        """dC/dtheta for every array of :meth:`parameters`, and the batch cost C."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """a^L for a batch ``x`` of shape (batch, sizes[0])."""
        return self.forward_pass(x).activations[-1]

    def _layer_activation(self, layer: int) -> Activation:
        return self.output_activation if layer == self.n_layers - 1 else self.activation

    def _check_inputs(self, x: object, batch_statistics: bool = True) -> np.ndarray:
        """``x`` as an array of the network's dtype; ``batch_statistics=False`` for a pass that
        normalizes with given statistics, which one example is enough for."""
        x = finite_array(x, "x", ndim=2)
        if x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"x must have shape (batch, {self.sizes[0]}) for this network, got {x.shape}"
            )
        smallest = self.min_batch_size if batch_statistics else 1
        if x.shape[0] < smallest:
            why = (
                f": {type(self).__name__} normalizes each unit with its mean and variance over "
                "the batch, and one example is its own mean, so every unit would be normalized "
                "to zero whatever the input"
                if smallest > 1 else ""
            )
            raise ValueError(
                f"x must hold a batch of at least {smallest} example{'s' if smallest > 1 else ''} "
                f"(rows){why}; got {x.shape[0]}"
            )
        return x.astype(self.dtype, copy=False)

    def _check_targets(self, y: object, batch: int, loss: str) -> np.ndarray:
        y = finite_array(y, "y", ndim=2)
        if y.shape != (batch, self.sizes[-1]):
            raise ValueError(
                f"y must have shape (batch, {self.sizes[-1]}) = {(batch, self.sizes[-1])}, "
                f"got {y.shape}"
            )
        if choice(loss, "loss", LOSSES) == "cross_entropy" and self.output_activation.name != "sigmoid":
            raise ValueError(
                "loss='cross_entropy' needs a sigmoid output layer, got output activation "
                f"{self.output_activation.name!r}"
            )
        return y.astype(self.dtype, copy=False)

    def _output_delta(
        self, activations: list[np.ndarray], z_last: np.ndarray, y: object, loss: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The checked targets, per-example delta^L and per-example cost (not yet averaged)."""
        output = activations[-1]
        y = self._check_targets(y, output.shape[0], loss)
        error = output - y
        if loss == "mse":
            per_example_cost = 0.5 * np.einsum("ij,ij->i", error, error)
            return y, error * self.output_activation.derivative_from_output(output), per_example_cost
        # log(sigmoid(z)) = -logaddexp(0, -z): exact and finite even for saturated units.
        per_example_cost = np.sum(
            y * np.logaddexp(0.0, -z_last) + (1.0 - y) * np.logaddexp(0.0, z_last), axis=1
        )
        # The sigmoid's derivative cancels against the cost's: delta^L = a^L - y.
        return y, error, per_example_cost

    def _batch_output_delta(
        self, activations: list[np.ndarray], z_last: np.ndarray, y: object, loss: str
    ) -> tuple[np.ndarray, float]:
        """delta^L of the batch cost C (the 1/B included) and C."""
        _, delta, per_example_cost = self._output_delta(activations, z_last, y, loss)
        delta /= per_example_cost.shape[0]  # dividing once here scales every later delta^l
        return delta, float(per_example_cost.mean())


class MLP(Network):
    """A multilayer perceptron with manual, batch-vectorised backpropagation (the module's
    equations); parameters as for :class:`Network`.

    Examples
    --------
    >>> net = MLP([3, 4, 2], activation="tanh", init="xavier", seed=1)
    >>> [w.shape for w in net.weights], [b.shape for b in net.biases]
    ([(4, 3), (2, 4)], [(4,), (2,)])
    >>> net.forward(np.zeros((5, 3))).shape
    (5, 2)
    """

    dtypes = (np.float64, np.float32)

    def forward_pass(self, x: np.ndarray) -> ForwardPass:
        """Run the network on the batch ``x`` and keep every z^l and a^l."""
        a = self._check_inputs(x)
        zs, activations = [], [a]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w.T + b  # (batch, n_out)
            a = self._layer_activation(layer).function(z)
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """a^L for a batch ``x`` of shape (batch, sizes[0])."""
        return self._activations(x)[0][-1]

    def _activations(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """a^0, ..., a^L and z^L. Unlike :meth:`forward_pass` it keeps no other z^l:
        backpropagation gets sigma'(z^l) from a^l (see ``Activation.derivative_from_output``)."""
        a = self._check_inputs(x)
        activations = [a]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w.T + b  # (batch, n_out)
            a = self._layer_activation(layer).function(z)
            activations.append(a)
        return activations, z

    def gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "mse") -> Gradients:
        """Backpropagate the batch cost and return dC/dW^l, dC/db^l and C.

        ``loss="mse"``:  C = 1/(2B) sum_i ||a^L_i - y_i||^2, delta^L = (a^L - y) * sigma'(z^L) / B.
        ``loss="cross_entropy"`` (sigmoid output only):
        C = -1/B sum_i sum_j [y_ij ln a_ij + (1 - y_ij) ln(1 - a_ij)], delta^L = (a^L - y) / B.

        Examples
        --------
        >>> net = MLP([2, 3, 1], seed=0)
        >>> grads = net.gradients(np.ones((4, 2)), np.ones((4, 1)))
        >>> [g.shape for g in grads.weights], round(grads.loss, 4)
        ([(3, 2), (1, 3)], 0.479)
        """
        activations, z_last = self._activations(x)
        delta, cost = self._batch_output_delta(activations, z_last, y, loss)
        weight_grads: list[np.ndarray] = [np.empty(0)] * self.n_layers
        bias_grads: list[np.ndarray] = [np.empty(0)] * self.n_layers
        for layer in range(self.n_layers - 1, -1, -1):
            weight_grads[layer] = delta.T @ activations[layer]  # (n_out, n_in)
            bias_grads[layer] = delta.sum(axis=0)
            if layer > 0:
                delta = delta @ self.weights[layer]  # (batch, n_in)
                delta *= self.activation.derivative_from_output(activations[layer])
        return Gradients(weight_grads, bias_grads, cost)

    def bias_gradient_bound(self, x: np.ndarray, y: np.ndarray) -> BiasBound:
        """Measure ||dC/db^l|| per example and the bound it must obey (MSE cost).

        For one example with cost C = ||a^L - y||^2 / 2, taking norms of the product form of
        delta^l and using ||Sigma'(z^r)||_2 <= gamma_r = sup sigma_r':

            ||dC/db^l|| <= (prod_{r=l}^{L} gamma_r) * (prod_{r=l+1}^{L} ||W^r||_2) * ||a^L - y||

        which is gamma^{L-l+1} prod_{r>l} ||W^r||_2 ||a^L - y|| when every layer uses the same
        activation. ``measured[i, l]`` and ``bound[i, l]`` belong to example i and layer l + 1.

        Examples
        --------
        >>> net = MLP([5, 8, 8, 3], seed=2)
        >>> check = net.bias_gradient_bound(np.ones((4, 5)), np.zeros((4, 3)))
        >>> bool(np.all(check.measured <= check.bound))
        True
        """
        activations, z_last = self._activations(x)
        y, delta, _ = self._output_delta(activations, z_last, y, "mse")
        measured = np.empty((delta.shape[0], self.n_layers))
        measured[:, -1] = np.linalg.norm(delta, axis=1)
        for layer in range(self.n_layers - 2, -1, -1):
            delta = delta @ self.weights[layer + 1]
            delta *= self.activation.derivative_from_output(activations[layer + 1])
            measured[:, layer] = np.linalg.norm(delta, axis=1)
        gammas = np.array([self._layer_activation(l).derivative_sup for l in range(self.n_layers)])
        spectral = np.array([np.linalg.norm(w, ord=2) for w in self.weights])
        # factor[l] = prod_{r >= l} gamma_r * prod_{r > l} ||W^r||_2, built from the output down.
        factor = np.empty(self.n_layers)
        running = gammas[-1]
        factor[-1] = running
        for layer in range(self.n_layers - 2, -1, -1):
            running *= gammas[layer] * spectral[layer + 1]
            factor[layer] = running
        bound = np.linalg.norm(activations[-1] - y, axis=1)[:, None] * factor[None, :]
        return BiasBound(measured, bound)


def gradient_norms_per_layer(gradients: Gradients) -> LayerNorms:
    """||dC/dW^l||_F and ||dC/db^l||_2 for every layer l = 1..L.

    Examples
    --------
    >>> net = MLP([4, 6, 6, 2], seed=0)
    >>> norms = gradient_norms_per_layer(net.gradients(np.ones((3, 4)), np.zeros((3, 2))))
    >>> norms.weights.shape, norms.biases.shape
    ((3,), (3,))
    """
    if not isinstance(gradients, Gradients):
        raise TypeError(
            f"gradients must be the Gradients returned by MLP.gradients, got {type(gradients).__name__}"
        )
    return LayerNorms(
        weights=np.array([np.linalg.norm(g) for g in gradients.weights]),
        biases=np.array([np.linalg.norm(g) for g in gradients.biases]),
    )


@dataclass(frozen=True)
class Chain:
    """The one-node-per-layer chain: ``h[t]`` = h_t (``h[0]`` = x, ``h[-1]`` = o) and
    ``grad_h[t]`` = dL/dh_t."""

    h: np.ndarray
    grad_h: np.ndarray


def chain_gradients(
    weights: Sequence[float], x: float, activation: str = "sigmoid", grad_output: float = 1.0
) -> Chain:
    """Forward and backward through the chain x = h_0 -> h_1 -> ... -> h_m = o.

    Forward: h_{t+1} = phi(w_{t+1} h_t). Backward, from dL/dh_m = ``grad_output``:

        dL/dh_t = phi'(w_{t+1} h_t) * w_{t+1} * dL/dh_{t+1}

    so dL/dh_0 is the product of m factors phi'(.) w, each at most gamma |w| in size.

    Parameters
    ----------
    weights : sequence of float
        w_1, ..., w_m (at least one).
    x : float
        The input h_0.
    activation : str
        phi, by name.
    grad_output : float
        dL/do, e.g. (o - y) for L = (o - y)^2 / 2.

    Examples
    --------
    >>> chain = chain_gradients([1.0] * 3, x=0.0)
    >>> print(np.round(chain.grad_h, 4))
    [0.0134 0.0534 0.2273 1.    ]
    """
    w = finite_array(weights, "weights", ndim=1)
    if w.size == 0:
        raise ValueError("weights must hold at least one weight, got an empty sequence")
    h0 = finite_array(x, "x", ndim=0)
    upstream = finite_array(grad_output, "grad_output", ndim=0)
    phi = get_activation(activation)
    h = np.empty(w.size + 1)
    h[0] = h0
    for t in range(w.size):
        h[t + 1] = phi.function(w[t] * h[t])
    grad_h = np.empty(w.size + 1)
    grad_h[-1] = upstream
    for t in range(w.size - 1, -1, -1):
        grad_h[t] = phi.derivative(w[t] * h[t]) * w[t] * grad_h[t + 1]
    return Chain(h, grad_h)


def dense_parameters(n_inputs: int, n_units: int, *, bias: bool = True) -> int:
    """Parameters of a fully connected layer: n_inputs * n_units weights (+ n_units biases).

    >>> dense_parameters(784, 1000, bias=False)
    784000
    >>> dense_parameters(784, 1000)
    785000
    """
    n_inputs = positive_int(n_inputs, "n_inputs")
    n_units = positive_int(n_units, "n_units")
    return n_inputs * n_units + (n_units if flag(bias, "bias") else 0)


def conv_parameters(kernel_size: int, in_channels: int, filters: int, *, bias: bool = True) -> int:
    """Parameters of a 2-D convolution: kernel_size^2 * in_channels * filters weights (+ filters
    biases). The image size does not appear: every position shares the same kernels.

    >>> conv_parameters(5, 1, 32, bias=False)
    800
    >>> conv_parameters(5, 1, 32)
    832
    """
    kernel_size = positive_int(kernel_size, "kernel_size")
    in_channels = positive_int(in_channels, "in_channels")
    filters = positive_int(filters, "filters")
    return kernel_size * kernel_size * in_channels * filters + (filters if flag(bias, "bias") else 0)


def mlp_parameters(sizes: Sequence[int], *, bias: bool = True) -> int:
    """Parameters of ``MLP(sizes)``: the sum of :func:`dense_parameters` over its layers.

    >>> mlp_parameters([784, 1000, 10])
    795010
    """
    sizes = _check_sizes(sizes)
    with_bias = flag(bias, "bias")
    return sum(dense_parameters(n, m, bias=with_bias) for n, m in itertools.pairwise(sizes))


def _check_sizes(sizes: object) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a sequence of integers such as [784, 30, 10], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must have at least 2 entries (inputs and outputs), got {list(sizes)}"
        )
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"sizes must contain integers >= 1, got {list(sizes)}")
    return [int(s) for s in sizes]
