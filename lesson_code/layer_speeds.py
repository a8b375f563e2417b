"""Nielsen's experiment: in a deep sigmoid network, the layers learn at different speeds.

Nielsen (2015, ch. 5) builds networks [784, 30, ..., 30, 10] with sigmoid units, weights from
N(0, 1/n_in) and biases from N(0, 1) (``init="nielsen"``), uses the cross-entropy cost (so the
output error is delta^L = a^L - y), and measures, for every *hidden* layer l, the length of the
bias gradient ||dC/db^l|| averaged over the first 1000 MNIST training images. Since
dC/db^l = delta^l, this is the "speed" at which layer l learns. We repeat it on inputs that need
no download: uniform random images with one-hot targets, and scikit-learn's 8x8 digits.
"""

from __future__ import annotations

import functools

import numpy as np

from lesson_code._checks import choice, positive_int
from lesson_code.network import MLP, gradient_norms_per_layer
from lesson_code.training import TrainingHistory, train

NIELSEN_REPORTED: dict[int, tuple[float, ...]] = {
    2: (0.07, 0.31),
    3: (0.012, 0.060, 0.283),
    4: (0.003, 0.017, 0.070, 0.285),
}
"""||dC/db^l|| per hidden layer as printed in Nielsen's book (MNIST, first 1000 images), quoted
for comparison; our own numbers are always computed."""

HIDDEN_WIDTH = 30
INPUTS = ("uniform", "digits")


def load_digit_images(n_examples: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n_examples`` of scikit-learn's 8x8 digits, pixels scaled to [0, 1], one-hot targets.

    The images ship inside scikit-learn, so nothing is downloaded.

    Returns
    -------
    x : ndarray of shape (n_examples, 64)
    y : ndarray of shape (n_examples, 10)

    >>> x, y = load_digit_images(5)
    >>> x.shape, y.shape, float(x.max()) <= 1.0, y.sum(axis=1).tolist()
    ((5, 64), (5, 10), True, [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    n_examples = positive_int(n_examples, "n_examples")
    pixels, labels = _digits()
    if n_examples > len(labels):
        raise ValueError(f"n_examples must be at most {len(labels)}, got {n_examples}")
    x = pixels[:n_examples] / 16.0
    y = np.eye(10)[labels[:n_examples]]
    return x, y


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    # read once per process: the studies ask for the digits 30 times, 30 ms of CSV parsing each
    from sklearn.datasets import load_digits

    digits = load_digits()
    for array in (digits.data, digits.target):
        array.setflags(write=False)
    return digits.data, digits.target


def uniform_images(n_examples: int = 1000, n_pixels: int = 784, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random "images" with pixels from U[0, 1] and random one-hot targets over 10 classes.

    >>> x, y = uniform_images(3, n_pixels=4)
    >>> x.shape, y.shape
    ((3, 4), (3, 10))
    """
    n_examples = positive_int(n_examples, "n_examples")
    n_pixels = positive_int(n_pixels, "n_pixels")
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n_examples, n_pixels)), np.eye(10)[rng.integers(0, 10, n_examples)]


def _data(inputs: str, n_examples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if choice(inputs, "inputs", INPUTS) == "digits":
        return load_digit_images(n_examples)
    return uniform_images(n_examples, seed=seed)


def _network(n_inputs: int, hidden_layers: int, seed: int) -> MLP:
    hidden_layers = positive_int(hidden_layers, "hidden_layers")
    return MLP([n_inputs, *[HIDDEN_WIDTH] * hidden_layers, 10], activation="sigmoid",
               init="nielsen", seed=seed)


def hidden_bias_gradient_norms(
    hidden_layers: int, inputs: str = "uniform", n_examples: int = 1000, seed: int = 0, seeds: int = 1
) -> np.ndarray:
    """||dC/db^l|| for every hidden layer of a freshly initialized Nielsen network.

    The cost is the cross-entropy averaged over ``n_examples`` examples, so the gradient is the
    mean of the per-example gradients, as in the book. With ``seeds`` > 1 the result is the
    median over that many networks (seeds ``seed, seed + 1, ...``), which steadies the numbers.

    Returns
    -------
    ndarray of shape (hidden_layers,), input side first.

    >>> norms = hidden_bias_gradient_norms(3, inputs="uniform", n_examples=200)
    >>> norms.shape, bool(norms[0] < norms[-1])
    ((3,), True)
    """
    seeds = positive_int(seeds, "seeds")
    runs = []
    for offset in range(seeds):
        x, y = _data(inputs, n_examples, seed + offset)
        net = _network(x.shape[1], hidden_layers, seed + offset)
        norms = gradient_norms_per_layer(net.gradients(x, y, loss="cross_entropy"))
        runs.append(norms.biases[:-1])
    return np.median(np.array(runs), axis=0)


def train_and_track(
    hidden_layers: int = 4,
    inputs: str = "digits",
    n_examples: int = 1000,
    epochs: int = 30,
    learning_rate: float = 0.1,
    batch_size: int = 10,
    seed: int = 0,
) -> TrainingHistory:
    """Train a Nielsen network with mini-batch SGD and record every layer's gradient norms per epoch.

    ``history.bias_gradient_norms[:, :-1]`` is the speed of each hidden layer over training.

    >>> history = train_and_track(hidden_layers=2, n_examples=50, epochs=2)
    >>> history.bias_gradient_norms.shape
    (3, 3)
    """
    x, y = _data(inputs, n_examples, seed)
    net = _network(x.shape[1], hidden_layers, seed)
    return train(net, x, y, learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                 loss="cross_entropy", seed=seed)
