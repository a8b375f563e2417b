"""Activation functions and their derivatives, looked up by name.

Each activation sigma carries its derivative sigma' (written right under it, micrograd style)
and gamma = sup_z sigma'(z), the constant in the gradient bound of the vanishing-gradient
chapter: 0.25 for the sigmoid, 1 for tanh, ReLU, leaky ReLU and the identity.

References: Nielsen, *Neural Networks and Deep Learning*, ch. 5 (2015); Glorot & Bengio,
"Understanding the difficulty of training deep feedforward neural networks" (2010).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice

ArrayFunction = Callable[[np.ndarray], np.ndarray]

LEAKY_RELU_SLOPE = 0.01
"""Slope of leaky ReLU for z < 0 (the common default, Maas et al. 2013)."""


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity sigma with its derivative.

    Attributes
    ----------
    name : str
        The name it is looked up by.
    function : callable
        z -> sigma(z), elementwise.
    derivative : callable
        z -> sigma'(z), elementwise, taking the *pre-activation* z.
    derivative_sup : float
        gamma = sup_z |sigma'(z)|.
    derivative_from_output : callable
        a -> sigma'(z) written through the output a = sigma(z), e.g. a (1 - a) for the sigmoid.
        Backpropagation uses it so that it need not keep z or evaluate sigma a second time.
    """

    name: str
    function: ArrayFunction
    derivative: ArrayFunction
    derivative_sup: float
    derivative_from_output: ArrayFunction

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.function(z)


def _floating(z: np.ndarray) -> np.ndarray:
    """z as an array of its own floating type (float32 stays float32), or float64."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^{-z}), computed as (1 + tanh(z/2)) / 2, which never overflows.

    >>> print(sigmoid(np.array([0.0, 1000.0, -1000.0])))
    [0.5 1.  0. ]
    """
    return 0.5 * (1.0 + np.tanh(0.5 * _floating(z)))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z)); at most 0.25, reached at z = 0.

    >>> print(round(float(sigmoid_derivative(2.0)), 4))
    0.105
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def sigmoid_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """sigma'(z) = a (1 - a) for a = sigma(z)."""
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2; at most 1, reached at z = 0."""
    t = np.tanh(z)
    return 1.0 - t * t


def tanh_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - a^2 for a = tanh(z)."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 for z > 0 and 0 otherwise (the subgradient 0 is taken at z = 0)."""
    return (np.asarray(z) > 0).astype(float)


def relu_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 where a = relu(z) > 0, else 0 (a > 0 exactly when z > 0)."""
    return (a > 0).astype(a.dtype)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    """leaky_relu(z) = z for z > 0 and 0.01 z otherwise."""
    z = _floating(z)
    return np.where(z > 0, z, z.dtype.type(LEAKY_RELU_SLOPE) * z)


def leaky_relu_derivative(z: np.ndarray) -> np.ndarray:
    """leaky_relu'(z) = 1 for z > 0 and 0.01 otherwise."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_RELU_SLOPE)


def leaky_relu_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """leaky_relu'(z) = 1 where a > 0, else 0.01 (a > 0 exactly when z > 0)."""
    return np.where(a > 0, 1.0, LEAKY_RELU_SLOPE).astype(a.dtype)


def identity(z: np.ndarray) -> np.ndarray:
    """The identity, used for a linear output layer."""
    return _floating(z)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    """The derivative of the identity: 1 everywhere."""
    return np.ones_like(_floating(z))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_derivative, 0.25, sigmoid_derivative_from_output),
        Activation("tanh", tanh, tanh_derivative, 1.0, tanh_derivative_from_output),
        Activation("relu", relu, relu_derivative, 1.0, relu_derivative_from_output),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative, 1.0,
                   leaky_relu_derivative_from_output),
        Activation("linear", identity, identity_derivative, 1.0, identity_derivative),
    )
}
"""Every activation, by name."""


def get_activation(name: str) -> Activation:
    """The :class:`Activation` called ``name``, a key of :data:`ACTIVATIONS`.

    >>> sig = get_activation("sigmoid")
    >>> print(sig.derivative_sup, float(sig.derivative(0.0)))
    0.25 0.25
    >>> get_activation("swish")
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'; got 'swish'
    """
    return ACTIVATIONS[choice(name, "activation", ACTIVATIONS)]
