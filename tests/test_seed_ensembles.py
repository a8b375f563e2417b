"""Many seeds trained at once, the nudge that tells chaos, and medians printed honestly."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code import seed_ensembles
from lesson_code.network import MLP
from lesson_code.seed_ensembles import median_text, nudge_parameters, train_ensemble
from lesson_code.training import train


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((40, 3))
    return x, (x[:, :1] * x[:, 1:2] > 0).astype(float)


@pytest.mark.parametrize(("loss", "output"), [("mse", "linear"), ("cross_entropy", "sigmoid")])
def test_every_network_follows_train_from_its_seed(loss, output):
    x, y = _data()
    seeds, rates = [0, 5, 5], [0.3, 0.3, 1.5]
    run = train_ensemble(x, y, sizes=[3, 7, 5, 1], seeds=seeds, learning_rates=rates, epochs=30,
                         activation="tanh", init="xavier", output_activation=output, loss=loss)
    for k, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        net = MLP([3, 7, 5, 1], activation="tanh", init="xavier", seed=seed, output_activation=output)
        history = train(net, x, y, learning_rate=rate, epochs=30, loss=loss)
        got = run.histories[k]
        np.testing.assert_allclose(got.loss, history.loss, rtol=1e-11)
        np.testing.assert_allclose(got.weight_gradient_norms, history.weight_gradient_norms, rtol=1e-9)
        np.testing.assert_allclose(got.bias_gradient_norms, history.bias_gradient_norms, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(got.step_gradient_norms, history.step_gradient_norms, rtol=1e-9)
        for a, b in zip(run.nets[k].parameters(), net.parameters(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-13)
    assert run.final_losses.shape == (3,) and not any(h.diverged for h in run.histories)


def test_blocks_of_networks_train_as_one(monkeypatch):
    x, y = _data()
    kwargs = {"sizes": [3, 5, 1], "seeds": [0, 1, 2, 3, 4], "learning_rates": [0.1, 0.2, 0.3, 0.4, 0.5],
              "epochs": 15, "activation": "tanh", "init": "xavier", "output_activation": "linear"}
    together = train_ensemble(x, y, **kwargs)
    monkeypatch.setattr(seed_ensembles, "BLOCK_BYTES", 2 * 8 * 40 * 5)  # blocks of two networks
    in_blocks = train_ensemble(x, y, **kwargs)
    for a, b in zip(together.histories, in_blocks.histories, strict=True):
        np.testing.assert_allclose(a.loss, b.loss, rtol=1e-12)
    np.testing.assert_allclose(together.nets[4].weights[1], in_blocks.nets[4].weights[1], rtol=1e-12)


def test_a_diverging_network_stops_alone_where_train_stops():
    x, y = _data(1)
    y = 1000.0 * y
    run = train_ensemble(x, y, sizes=[3, 6, 1], seeds=[2, 2], learning_rates=[1e-4, 50.0], epochs=120,
                         activation="tanh", init="xavier", output_activation="linear")
    history = train(MLP([3, 6, 1], "tanh", "xavier", 2, "linear"), x, y, learning_rate=50.0, epochs=120)
    assert history.diverged and run.histories[1].diverged and not run.histories[0].diverged
    assert run.histories[1].loss.size == history.loss.size < 121 == run.histories[0].loss.size
    assert np.isnan(run.final_losses[1]) and np.isfinite(run.final_losses[0])


def test_nudges_move_each_start_by_one_rounding_error():
    x, y = _data()
    run = train_ensemble(x, y, sizes=[3, 4, 1], seeds=[1, 1, 1], learning_rates=1e-300, epochs=1,
                         nudges=[0.0, 1e-12, 0.0], activation="tanh", init="xavier", output_activation="linear")
    plain, nudged, again = (net.weights[0] for net in run.nets)
    np.testing.assert_array_equal(plain, again)
    relative = np.abs(nudged - plain) / np.abs(plain)
    assert np.all((relative > 0.5e-12) & (relative < 2e-12))
    w = np.ones(3)
    nudge_parameters([w], 0.0, seed=4)
    np.testing.assert_array_equal(w, np.ones(3))
    with pytest.raises(ValueError, match="relative must be a finite number >= 0"):
        nudge_parameters([w], -1e-12, seed=0)


def test_bad_arguments_are_rejected():
    x, y = _data()
    common = {"sizes": [3, 4, 1], "epochs": 2}
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        train_ensemble(x, y, seeds=[], learning_rates=0.1, **common)
    with pytest.raises(ValueError, match="learning_rates must be a finite number > 0"):
        train_ensemble(x, y, seeds=[0, 1], learning_rates=[0.1, -0.1], **common)
    with pytest.raises(ValueError, match="x and y must have shapes"):
        train_ensemble(x[:, :2], y, seeds=[0], learning_rates=0.1, **common)
    with pytest.raises(ValueError, match="cross_entropy' needs output_activation='sigmoid'"):
        train_ensemble(x, y, seeds=[0], learning_rates=0.1, loss="cross_entropy", output_activation="linear",
                       **common)
    with pytest.raises(ValueError, match="loss must be one of"):
        train_ensemble(x, y, seeds=[0], learning_rates=0.1, loss="hinge", **common)


def test_median_text_prints_the_digits_the_spread_supports():
    assert median_text([0.25, 0.25, 0.25]) == "0.25"  # no spread: the most decimals asked for
    assert median_text([0.25, 0.25, 0.25], decimals=3) == "0.250"
    tight = 0.61 + 0.001 * np.arange(10)
    assert median_text(tight) == "0.61"
    wide = np.linspace(0.4, 0.9, 10)  # IQR 0.25: standard error of the median about 0.07
    assert median_text(wide) == "0.7"
    assert median_text(np.linspace(60.0, 120.0, 8)) == "90"  # rounded to tens
    assert median_text([0.2, 0.5, 0.8, 1.2, 1.6, 0.1, 0.9, 0.85]) == "0.8"  # one significant digit kept
    assert median_text([0.955, 0.96, 0.965], decimals=1, scale=100) == "96"
    assert median_text([0.9601, 0.9602, 0.9603], decimals=1, scale=100) == "96.0"
    with pytest.raises(ValueError, match="values must hold at least one number"):
        median_text([])
    with pytest.raises(ValueError, match="values must contain only finite"):
        median_text([0.1, np.nan])
