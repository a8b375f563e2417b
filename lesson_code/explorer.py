"""The Python twin of the in-page gradient-flow explorer.

The vanishing- and exploding-gradient chapters embed an explorer
(``docs/javascripts/gradient-flow-explorer.js``) that builds a random square network in the
reader's browser and plots, layer by layer, the weight-gradient norm ||dC/dW^l||_F and the mean
and standard deviation of the activations a^l. This module computes the same numbers with
:mod:`lesson_code`'s networks, so a test can hold the page to them:

* the network is :func:`lesson_code.remedies.build_network` of the chosen ``architecture`` with
  sizes ``[width] * (depth + 1)``, every weight multiplied by ``weight_scale`` (the explorer's
  scale slider; biases are left alone);
* the batch is :func:`lesson_code.gradient_flow.probe_batch` (N(0, 1) inputs, U[0, 1] targets)
  and the cost the MSE, C = 1/(2B) sum_i ||a^L_i - y_i||^2, as in every gradient-flow measurement
  of the course.

With one weight layer there is no hidden layer to normalize or to wrap in a residual block, so
every architecture is the plain network there.

Every function checks its settings: a value outside the explorer's choices or ranges raises
ValueError naming the argument and what it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lesson_code._checks import choice, positive_int, positive_number, seed_value
from lesson_code.activations import LEAKY_RELU_SLOPE
from lesson_code.clipping import global_norm
from lesson_code.gradient_flow import BATCH, probe_batch
from lesson_code.network import MLP, Network
from lesson_code.remedies import BN_EPS, REMEDIES, build_network

ARCHITECTURES: tuple[str, ...] = REMEDIES
"""``"plain"``, ``"batchnorm"`` (batch normalization before every hidden activation) and
``"residual"`` (hidden layers after the first add their input back)."""

EXPLORER_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu")
EXPLORER_INITS: tuple[str, ...] = ("normal", "xavier", "he")
EXPLORER_BATCH = BATCH
"""The explorer's batch size, fixed in the page: the course's probe batch of 64."""

MAX_DEPTH = 100
"""The deepest network the explorer's depth slider offers."""


def page_constants() -> dict[str, object]:
    """The numbers and choices the in-page explorer shares with this module, as the build writes
    them for the page (``javascripts/explorer-constants.js``, from ``hooks/explorer_constants.py``):
    one source, so the page and its Python twin cannot disagree.

    >>> constants = page_constants()
    >>> constants["BATCH"], constants["MAX_DEPTH"], constants["LEAKY_RELU_SLOPE"], constants["BN_EPS"]
    (64, 100, 0.01, 1e-05)
    >>> ", ".join(constants["ARCHITECTURES"])
    'plain, batchnorm, residual'
    """
    return {
        "BATCH": EXPLORER_BATCH,
        "MAX_DEPTH": MAX_DEPTH,
        "LEAKY_RELU_SLOPE": LEAKY_RELU_SLOPE,
        "BN_EPS": BN_EPS,
        "ACTIVATIONS": list(EXPLORER_ACTIVATIONS),
        "INITS": list(EXPLORER_INITS),
        "ARCHITECTURES": list(ARCHITECTURES),
    }


@dataclass(frozen=True)
class LayerProfile:
    """Per-layer statistics of one network on one batch, input side first.

    Attributes
    ----------
    gradient_norms : ndarray of shape (depth,)
        ||dC/dW^l||_F for l = 1..depth.
    activation_means, activation_stds : ndarray of shape (depth,)
        Mean and (population) standard deviation of every entry of a^l, l = 1..depth, over the
        whole batch and all units.
    """

    gradient_norms: np.ndarray
    activation_means: np.ndarray
    activation_stds: np.ndarray


def explorer_network(
    architecture: str,
    activation: str,
    init: str,
    depth: int,
    width: int,
    weight_scale: float = 1.0,
    seed: int = 0,
) -> Network:
    """The random network the explorer's settings describe (see the module docstring).

    >>> net = explorer_network("residual", "tanh", "xavier", depth=3, width=4, weight_scale=2.0)
    >>> type(net).__name__, net.sizes
    ('ResidualMLP', [4, 4, 4, 4])
    """
    architecture = choice(architecture, "architecture", ARCHITECTURES)
    activation = choice(activation, "activation", EXPLORER_ACTIVATIONS)
    init = choice(init, "init", EXPLORER_INITS)
    depth = positive_int(depth, "depth")
    if depth > MAX_DEPTH:
        raise ValueError(f"depth must be an integer between 1 and {MAX_DEPTH}, got {depth}")
    width = positive_int(width, "width")
    weight_scale = positive_number(weight_scale, "weight_scale")
    seed = seed_value(seed)
    sizes = [width] * (depth + 1)
    if depth == 1:
        net: Network = MLP(sizes, activation=activation, init=init, seed=seed)
    else:
        net = build_network(architecture, sizes, activation=activation, init=init, seed=seed)
    for weight in net.weights:
        weight *= weight_scale
    return net


def frobenius_norm(matrix: np.ndarray) -> float:
    """||M||_F = sqrt(sum of squares): the global norm of M alone
    (:func:`lesson_code.clipping.global_norm`), which divides by m = max |M_ij| first.

    The rescaling keeps the squares inside float64 where the plain formula would overflow
    (entries above about 1e154, as in a deep ReLU network with N(0, 1) weights) or underflow.

    >>> big = np.array([[3e200, 4e200]])
    >>> with np.errstate(over="ignore"):
    ...     print(f"{frobenius_norm(big):.3g} against {np.linalg.norm(big)}")
    5e+200 against inf
    """
    return global_norm([matrix])


def network_profile(net: Network, x: np.ndarray, y: np.ndarray) -> LayerProfile:
    """:class:`LayerProfile` of any network of :mod:`lesson_code.remedies` on the batch (x, y).

    >>> net = explorer_network("plain", "relu", "he", depth=2, width=3)
    >>> profile = network_profile(net, *probe_batch(width=3, batch=5))
    >>> profile.gradient_norms.shape, profile.activation_stds.shape
    ((2,), (2,))
    """
    hidden_and_output = np.array([a.ravel() for a in net.forward_pass(x).activations[1:]])
    return LayerProfile(
        gradient_norms=np.array([frobenius_norm(g) for g in net.gradients(x, y).weights]),
        activation_means=hidden_and_output.mean(axis=1),
        activation_stds=hidden_and_output.std(axis=1),
    )


def layer_profile(*settings: object, batch: int = EXPLORER_BATCH, **named: object) -> LayerProfile:
    """The explorer's numbers for ``explorer_network(*settings, **named)`` on its probe batch
    (``probe_batch(width, batch, seed)``).

    Examples
    --------
    >>> p = layer_profile("plain", "sigmoid", "xavier", depth=10, width=100)
    >>> print(f"{p.gradient_norms[0] / p.gradient_norms[-1]:.1e}")
    1.4e-06
    """
    net = explorer_network(*settings, **named)
    return network_profile(net, *probe_batch(net.sizes[0], positive_int(batch, "batch"), net.seed))
