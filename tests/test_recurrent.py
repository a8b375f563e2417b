"""The vanilla RNN: BPTT matches finite differences, the singular-value bound holds, gradients
vanish below the edge and explode above it, and clipping rescues training from rare spikes."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.recurrent import (
    RNN,
    init_rnn,
    recurrent_matrix,
    sign_memory_batch,
    train_rnn,
)


def _small_net(seed: int = 0, radius: float = 1.2) -> RNN:
    net = init_rnn(5, recurrent_matrix(5, radius=radius, seed=seed), seed=seed, d=2)
    rng = np.random.default_rng(seed + 100)
    net.b[:] = 0.1 * rng.standard_normal(5)
    net.c[...] = 0.3
    return net


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bptt_matches_central_finite_differences(seed: int) -> None:
    net = _small_net(seed)
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((7, 4, 2)), rng.integers(0, 2, 4).astype(float)
    _, grads, _ = net.gradients(x, y)
    eps = 1e-6
    for p, g in zip(net.parameters(), grads, strict=True):
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = net.gradients(x, y)[0]
            p[i] = old - eps
            down = net.gradients(x, y)[0]
            p[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


def test_hidden_gradient_is_the_transposed_jacobian_product() -> None:
    # dL/dh_{t-1} = W^T diag(1 - h_t^2) dL/dh_t, computed here by hand for a one-step network
    # (rows are examples, so W^T acting on a column is "@ W" on the rows).
    net = _small_net(3)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((1, 4, 2)), rng.integers(0, 2, 4).astype(float)
    h1 = net.states(x)[1]
    z = h1 @ net.v + net.c
    grad_h1 = ((1 / (1 + np.exp(-z)) - y) / 4)[:, None] * net.v[None, :]
    expected = np.linalg.norm((grad_h1 * (1 - h1**2)) @ net.W)
    norms = net.gradients(x, y)[2]
    assert norms[1] == pytest.approx(np.linalg.norm(grad_h1), rel=1e-12)
    assert norms[0] == pytest.approx(expected, rel=1e-12)


def test_stacked_networks_give_the_gradients_of_each_network() -> None:
    nets = [_small_net(s) for s in (0, 1)]
    stacked = RNN(*(np.stack(p) for p in zip(*(n.parameters() for n in nets), strict=True)))
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((6, 2, 3, 2)), rng.integers(0, 2, (2, 3)).astype(float)
    loss, grads, norms = stacked.gradients(x, y)
    for s, net in enumerate(nets):
        own_loss, own_grads, own_norms = net.gradients(x[:, s], y[s])
        assert loss[s] == pytest.approx(own_loss, rel=1e-12)
        np.testing.assert_allclose(norms[:, s], own_norms, rtol=1e-12)
        for g, own in zip(grads, own_grads, strict=True):
            np.testing.assert_allclose(g[s], own, rtol=1e-12, atol=1e-15)


def test_largest_singular_value_bounds_the_backward_growth() -> None:
    # ||dL/dh_{T-k}|| <= sigma_max(W)^k ||dL/dh_T|| since tanh' <= 1 (Pascanu et al.'s gamma = 1).
    for norm in (0.9, 1.5):
        net = init_rnn(16, recurrent_matrix(16, norm=norm, seed=4), seed=4)
        x, y = sign_memory_batch(40, 8, np.random.default_rng(4))
        norms = net.gradients(x, y)[2][::-1]
        k = np.arange(len(norms))
        assert np.all(norms <= norm**k * norms[0] * (1 + 1e-12))


def test_gradients_vanish_below_the_edge_and_explode_above_it() -> None:
    ratios = {}
    for radius in (0.9, 3.0):
        values = []
        for seed in range(5):
            net = init_rnn(32, recurrent_matrix(32, radius=radius, seed=seed), seed=seed)
            x, y = sign_memory_batch(50, 16, np.random.default_rng(seed))
            norms = net.gradients(x, y)[2]
            values.append(norms[0] / norms[-1])
        ratios[radius] = np.median(values)
    assert ratios[0.9] < 1e-3
    assert ratios[3.0] > 1e3


def test_recurrent_matrix_has_the_requested_radius_or_norm() -> None:
    W = recurrent_matrix(30, radius=1.7, seed=2)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(1.7, rel=1e-10)
    assert np.linalg.norm(recurrent_matrix(30, norm=0.8, seed=2), 2) == pytest.approx(0.8, rel=1e-10)


def test_sign_memory_label_is_the_sign_of_the_first_input() -> None:
    x, y = sign_memory_batch(25, 200, np.random.default_rng(0))
    assert x.shape == (25, 200, 1) and y.shape == (200,)
    np.testing.assert_array_equal(x[0, :, 0], 2 * y - 1)
    assert 0.35 < y.mean() < 0.65
    assert 0.8 < x[1:].std() < 1.2


def test_clipping_fires_rarely_and_rescues_training() -> None:
    from lesson_code.recurrent import CHAPTER_CLIP_NORM, CHAPTER_RADIUS, CHAPTER_SEEDS

    plain = train_rnn(CHAPTER_SEEDS, radius=CHAPTER_RADIUS)
    clipped = train_rnn(CHAPTER_SEEDS, radius=CHAPTER_RADIUS, clip_norm=CHAPTER_CLIP_NORM)
    # Same start: the first step's gradient is the same with and without clipping.
    np.testing.assert_array_equal(plain.grad_norm[:, 0], clipped.grad_norm[:, 0])
    assert np.median(clipped.clipped_fraction) < 0.05
    # Bounds with room to spare: single seeds are chaotic and change sides between machines.
    assert np.sum(plain.test_accuracy > 0.9) <= len(CHAPTER_SEEDS) // 4
    assert np.sum(clipped.test_accuracy > 0.9) >= 2 * len(CHAPTER_SEEDS) // 3
    # Spikes: the largest gradient of a run is far above its typical one.
    spikes = np.nanmax(plain.grad_norm, axis=1) / np.nanmedian(plain.grad_norm, axis=1)
    assert np.all(spikes > 10) and np.median(spikes) > 100


def test_clipping_figure_shows_a_seed_that_learned_then_lost_it() -> None:
    from lesson_code.figures.recurrent import _clipping_runs
    from lesson_code.recurrent import CHAPTER_CLIP_NORM

    plain, clipped, seed = _clipping_runs()
    spike = int(np.nanargmax(plain.grad_norm[seed]))
    smoothed = np.convolve(plain.loss[seed], np.ones(10) / 10, mode="valid")
    assert plain.test_accuracy[seed] < 0.6 and clipped.test_accuracy[seed] > 0.9
    assert smoothed[: spike - 9].min() < 0.2 and smoothed[-1] > 0.6  # learned, then lost it
    assert np.nanmax(plain.loss[seed, spike:]) > 1.0  # the loss jumps after the spike
    assert plain.grad_norm[seed, spike] > CHAPTER_CLIP_NORM
    assert np.mean(clipped.grad_norm[seed] > CHAPTER_CLIP_NORM) < 0.05


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: recurrent_matrix(4), "exactly one of radius and norm"),
        (lambda: recurrent_matrix(4, radius=1.0, norm=1.0), "exactly one of radius and norm"),
        (lambda: recurrent_matrix(4, radius=-1.0), "radius"),
        (lambda: recurrent_matrix(0, radius=1.0), "n must"),
        (lambda: init_rnn(3, np.eye(4)), "W must have shape"),
        (lambda: sign_memory_batch(0, 4, np.random.default_rng(0)), "steps"),
        (lambda: train_rnn([], radius=1.0), "seeds"),
        (lambda: train_rnn([0], radius=1.0, clip_norm=0.0), "clip_norm"),
        (lambda: train_rnn([0], radius=1.0, learning_rate=-1.0), "learning_rate"),
        (lambda: _small_net().gradients(np.zeros((3, 4, 5)), np.zeros(4)), "x must have shape"),
        (lambda: _small_net().gradients(np.full((3, 4, 2), np.nan), np.zeros(4)), "x must contain"),
        (lambda: _small_net().gradients(np.zeros((3, 4, 2)), np.zeros(5)), "y must hold labels"),
        (lambda: _small_net().gradients(np.zeros((3, 4, 2)), np.full(4, 0.5)), "y must hold labels"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
