"""A vanilla recurrent network trained by backpropagation through time (BPTT).

The network reads a sequence x_1, ..., x_T and keeps a hidden state, h_0 = 0,

    a_t = W h_{t-1} + U x_t + b,        h_t = tanh(a_t),        t = 1, ..., T,

and reads out one logit at the last step, z = v . h_T + c, scored by the cross-entropy of a
binary label y in {0, 1}, averaged over a batch of B sequences:

    L = (1/B) sum_i [ log(1 + exp(z_i)) - y_i z_i ],        dL/dz_i = (sigmoid(z_i) - y_i) / B.

BPTT is the chain rule run backwards through the T copies of the same layer. With
dL/dh_T = (dL/dz) v,

    dL/da_t = (1 - h_t^2) * dL/dh_t,            dL/dh_{t-1} = W^T dL/da_t = W^T diag(1 - h_t^2) dL/dh_t,
    dL/dW = sum_t dL/da_t h_{t-1}^T,   dL/dU = sum_t dL/da_t x_t^T,   dL/db = sum_t dL/da_t.

So dL/dh_0 is dL/dh_T multiplied by T factors W^T diag(tanh'(a_t)). Since 0 < tanh' <= 1
(gamma = 1 in Pascanu, Mikolov & Bengio 2013), each factor has 2-norm at most sigma_max(W), the
largest singular value, so ||dL/dh_{T-k}|| <= sigma_max(W)^k ||dL/dh_T||: sigma_max(W) < 1 is
*sufficient* for the gradient to vanish, and sigma_max(W) > 1 is *necessary* for it to explode.
For a linear network (no tanh) the factors are all W^T and the growth rate of ||(W^T)^k|| is the
spectral radius rho(W) <= sigma_max(W); for tanh, saturated units (tanh' < 1) can stop even a W
with rho > 1 from exploding.

The task, :func:`sign_memory_batch`, needs memory: the label is the sign of x_1, followed by
T - 1 steps of noise. Every array may carry leading axes for independent networks (one per
seed): numpy's matmul broadcasts over them, so :func:`train_rnn` trains several seeds at once.

References: Bengio, Simard & Frasconi, "Learning long-term dependencies with gradient descent is
difficult", IEEE TNN (1994); Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent
neural networks", ICML (2013); Hochreiter & Schmidhuber, "Long short-term memory" (1997).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lesson_code._checks import finite_array, positive_int, positive_number, seed_value
from lesson_code.clipping import clip_by_global_norm

INPUT_SCALE = 0.3
"""Standard deviation of the input weights U. Small enough that the inputs do not saturate the
tanh units on their own, so the recurrent matrix W decides whether gradients grow."""

CHAPTER_RADIUS = 3.0
"""Spectral radius of W at the start of the chapter's training runs: well above the edge rho = 1."""

CHAPTER_CLIP_NORM = 5.0
"""Clipping threshold of the chapter: about ten times a typical gradient norm, so it fires only on
the spikes (a few percent of the steps)."""

CHAPTER_SEEDS: tuple[int, ...] = tuple(range(24))
"""Seeds of the chapter's training runs; single runs are chaotic, so it reports shares of seeds."""


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


@dataclass
class RNN:
    """Parameters W (n x n), U (n x d), b (n), v (n), c (scalar), each with optional leading
    axes (one network per seed)."""

    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray

    def parameters(self) -> list[np.ndarray]:
        """[W, U, b, v, c], the order of :meth:`gradients`."""
        return [self.W, self.U, self.b, self.v, self.c]

    def states(self, x: np.ndarray) -> list[np.ndarray]:
        """Hidden states [h_0, ..., h_T] for inputs ``x`` of shape (T, ..., B, d)."""
        x = finite_array(x, "x")
        if x.ndim < 3 or x.shape[-1] != self.U.shape[-1]:
            raise ValueError(f"x must have shape (T, ..., B, {self.U.shape[-1]}), got {x.shape}")
        h = [np.zeros(x.shape[1:-1] + (self.W.shape[-1],))]
        for x_t in x:
            h.append(np.tanh(h[-1] @ _t(self.W) + x_t @ _t(self.U) + self.b[..., None, :]))
        return h

    def logits(self, x: np.ndarray) -> np.ndarray:
        """z = v . h_T + c, shape (..., B)."""
        return (self.states(x)[-1] @ self.v[..., :, None])[..., 0] + self.c[..., None]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """Loss, gradients by BPTT and ||dL/dh_t|| for t = 0, ..., T.

        Parameters
        ----------
        x : array of shape (T, ..., B, d)
            Input sequences.
        y : array of shape (..., B)
            Labels, 0 or 1.

        Returns
        -------
        loss : numpy.ndarray
            The mean cross-entropy, one per network (shape ``(...)``).
        gradients : list of numpy.ndarray
            dL/dW, dL/dU, dL/db, dL/dv, dL/dc, shaped like the parameters.
        grad_h_norms : numpy.ndarray of shape (T + 1, ...)
            ||dL/dh_t|| over the whole batch (Frobenius norm of the B x n matrix).

        Raises
        ------
        ValueError
            If ``x`` is not finite or not of shape (T, ..., B, d), or ``y`` is not 0/1 labels of
            the logits' shape (..., B).
        """
        y = finite_array(y, "y")
        h = self.states(x)
        z = (h[-1] @ self.v[..., :, None])[..., 0] + self.c[..., None]
        if y.shape != z.shape or not np.all((y == 0) | (y == 1)):
            raise ValueError(f"y must hold labels 0 or 1 in shape {z.shape}, got shape {y.shape}")
        batch = z.shape[-1]
        loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)
        dz = (0.5 * (1.0 + np.tanh(0.5 * z)) - y) / batch  # sigmoid(z) - y, without overflow
        grad_v, grad_c = (_t(h[-1]) @ dz[..., None])[..., 0], dz.sum(axis=-1)
        grad_h = dz[..., None] * self.v[..., None, :]
        norms = [np.linalg.norm(grad_h, axis=(-2, -1))]
        grad_W, grad_U, grad_b = np.zeros_like(self.W), np.zeros_like(self.U), np.zeros_like(self.b)
        x = np.asarray(x, dtype=np.float64)
        for t in range(len(x), 0, -1):
            grad_a = grad_h * (1.0 - h[t] ** 2)
            grad_W += _t(grad_a) @ h[t - 1]
            grad_U += _t(grad_a) @ x[t - 1]
            grad_b += grad_a.sum(axis=-2)
            grad_h = grad_a @ self.W
            norms.append(np.linalg.norm(grad_h, axis=(-2, -1)))
        return loss, [grad_W, grad_U, grad_b, grad_v, grad_c], np.array(norms[::-1])

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Share of sequences whose logit has the label's sign, one per network."""
        return np.mean((self.logits(x) > 0) == (np.asarray(y) > 0.5), axis=-1)


def recurrent_matrix(n: int, *, radius: float | None = None, norm: float | None = None,
                     seed: int = 0) -> np.ndarray:
    """A Gaussian n x n matrix rescaled to spectral radius ``radius`` or largest singular value
    ``norm`` (give exactly one).

    For large n a Gaussian matrix's largest singular value is about twice its spectral radius,
    so a matrix at radius 0.9 is far from satisfying sigma_max < 1.

    >>> W = recurrent_matrix(50, radius=0.9, seed=0)
    >>> print(f"{max(abs(np.linalg.eigvals(W))):.3f}, {np.linalg.norm(W, 2) > 1.5}")
    0.900, True
    """
    n, seed = positive_int(n, "n"), seed_value(seed)
    if (radius is None) == (norm is None):
        raise ValueError("give exactly one of radius and norm")
    W = np.random.default_rng(seed).standard_normal((n, n))
    if radius is not None:
        return W * positive_number(radius, "radius") / float(np.max(np.abs(np.linalg.eigvals(W))))
    return W * positive_number(norm, "norm") / float(np.linalg.norm(W, 2))


def init_rnn(n: int, W: np.ndarray, seed: int = 0, d: int = 1) -> RNN:
    """An RNN with recurrent matrix ``W`` (shape (..., n, n)), U ~ N(0, INPUT_SCALE^2),
    v ~ N(0, 1/n), b = 0, c = 0, drawn from ``seed``."""
    n, d, seed = positive_int(n, "n"), positive_int(d, "d"), seed_value(seed)
    W = finite_array(W, "W")
    if W.shape[-2:] != (n, n):
        raise ValueError(f"W must have shape (..., {n}, {n}), got {W.shape}")
    rng = np.random.default_rng(seed)
    lead = W.shape[:-2]
    return RNN(W.copy(), INPUT_SCALE * rng.standard_normal(lead + (n, d)), np.zeros(lead + (n,)),
               rng.standard_normal(lead + (n,)) / np.sqrt(n), np.zeros(lead))


def backward_growth(*, radius: float | None = None, norm: float | None = None, steps: int = 50,
                    hidden: int = 16, seeds: Sequence[int] = range(5)) -> np.ndarray:
    """||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0, ..., T: how the gradient grows or shrinks on its
    way back k steps, one row per seed, for W scaled to spectral radius ``radius`` or largest
    singular value ``norm``, on a batch of 16 :func:`sign_memory_batch` sequences.

    >>> rows = backward_growth(norm=0.9, steps=10, seeds=[0])
    >>> bool(np.all(rows[0] <= 0.9 ** np.arange(11) * (1 + 1e-12)))
    True
    """
    steps, hidden = positive_int(steps, "steps"), positive_int(hidden, "hidden")
    rows = []
    for seed in (seed_value(s, "seeds") for s in seeds):
        net = init_rnn(hidden, recurrent_matrix(hidden, radius=radius, norm=norm, seed=seed), seed=seed)
        x, y = sign_memory_batch(steps, 16, np.random.default_rng([seed, 2]))
        norms = net.gradients(x, y)[2][::-1]
        rows.append(norms / norms[0])
    if not rows:
        raise ValueError("seeds must name at least one seed")
    return np.array(rows)


def sign_memory_batch(steps: int, batch: int, rng: np.random.Generator, *,
                      noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences x_1 = +-1 (equally likely), x_2, ..., x_T ~ N(0, noise^2); label 1 if x_1 > 0.

    Returns x of shape (T, B, 1) and y of shape (B,).

    >>> x, y = sign_memory_batch(20, 4, np.random.default_rng(0))
    >>> x.shape, bool(np.all((x[0, :, 0] > 0) == (y == 1)))
    ((20, 4, 1), True)
    """
    steps, batch = positive_int(steps, "steps"), positive_int(batch, "batch")
    noise = positive_number(noise, "noise")
    x = noise * rng.standard_normal((steps, batch, 1))
    y = rng.integers(0, 2, size=batch).astype(np.float64)
    x[0, :, 0] = 2.0 * y - 1.0
    return x, y


@dataclass(frozen=True)
class RNNTraining:
    """Histories of :func:`train_rnn`, one row per seed.

    Attributes
    ----------
    loss, grad_norm : numpy.ndarray of shape (seeds, steps)
        Training loss and global gradient norm (before clipping) at every step.
    test_accuracy : numpy.ndarray of shape (seeds,)
        Accuracy on 500 fresh sequences after training.
    clip_norm : float or None
        The clipping threshold (None: no clipping).
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    test_accuracy: np.ndarray
    clip_norm: float | None

    @property
    def clipped_fraction(self) -> np.ndarray:
        """Share of the steps of each seed on which clipping fired (0 without clipping)."""
        if self.clip_norm is None:
            return np.zeros(len(self.loss))
        return np.mean(self.grad_norm > self.clip_norm, axis=1)


def train_rnn(seeds: Sequence[int], *, radius: float, steps: int = 30, hidden: int = 16,
              batch: int = 16, updates: int = 400, learning_rate: float = 0.2,
              clip_norm: float | None = None) -> RNNTraining:
    """Train one network per seed on :func:`sign_memory_batch` by SGD, optionally clipped.

    Every network starts from ``W = recurrent_matrix(hidden, radius=radius, seed=s)`` and
    takes ``updates`` steps p <- p - eta g on fresh batches, where g is clipped by global norm
    (:func:`lesson_code.clipping.clip_by_global_norm`) when ``clip_norm`` is given. A step whose
    gradient is not finite stops that network (its later entries are NaN).

    >>> run = train_rnn([0, 1], radius=0.5, steps=5, updates=20)
    >>> run.loss.shape, bool(np.all(run.grad_norm > 0))
    ((2, 20), True)
    """
    seeds = [seed_value(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    radius, eta = positive_number(radius, "radius"), positive_number(learning_rate, "learning_rate")
    steps, hidden = positive_int(steps, "steps"), positive_int(hidden, "hidden")
    batch, updates = positive_int(batch, "batch"), positive_int(updates, "updates")
    if clip_norm is not None:
        clip_norm = positive_number(clip_norm, "clip_norm")
    nets = [init_rnn(hidden, recurrent_matrix(hidden, radius=radius, seed=s), seed=s) for s in seeds]
    net = RNN(*(np.stack(p) for p in zip(*(n.parameters() for n in nets), strict=True)))
    rngs = [np.random.default_rng([s, 1]) for s in seeds]
    loss = np.full((len(seeds), updates), np.nan)
    grad_norm = np.full((len(seeds), updates), np.nan)
    alive = np.ones(len(seeds), dtype=bool)
    for k in range(updates):
        batches = [sign_memory_batch(steps, batch, rng) for rng in rngs]
        x, y = np.stack([b[0] for b in batches], axis=1), np.stack([b[1] for b in batches])
        step_loss, grads, _ = net.gradients(x, y)
        norms = np.sqrt(sum(np.sum(g.reshape(len(seeds), -1) ** 2, axis=1) for g in grads))
        alive &= np.isfinite(norms)  # a non-finite gradient cannot be clipped: that network stops
        loss[alive, k], grad_norm[alive, k] = step_loss[alive], norms[alive]
        if clip_norm is not None:
            for s in np.flatnonzero(alive & (norms > clip_norm)):
                own, _ = clip_by_global_norm([g[s] for g in grads], clip_norm)
                for g, clipped in zip(grads, own, strict=True):
                    g[s] = clipped
        for p, g in zip(net.parameters(), grads, strict=True):
            p -= eta * np.where(alive.reshape((-1,) + (1,) * (g.ndim - 1)), g, 0.0)
    x, y = sign_memory_batch(steps, 500, np.random.default_rng(10_000))
    return RNNTraining(loss, grad_norm, net.accuracy(x, y), clip_norm)
