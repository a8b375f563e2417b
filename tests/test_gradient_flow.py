"""The gradient-flow measurements behave as the chapter's analysis says they must."""

from __future__ import annotations

import numpy as np
import pytest

from lesson_code.gradient_flow import (
    FIX_CONFIGURATIONS,
    FlowSummary,
    fix_profiles,
    fix_table,
    format_fix_table,
    format_flow_table,
    layer_weight_gradient_norms,
    median_layer_weight_gradient_norms,
    per_layer_gain,
    probe_batch,
    summarize_gradient_flow,
)
from lesson_code.network import MLP, gradient_norms_per_layer


def test_norms_come_from_the_network_they_describe():
    norms = layer_weight_gradient_norms("tanh", "xavier", depth=3, width=7, batch=5, seed=2)
    net = MLP([7, 7, 7, 7], activation="tanh", init="xavier", seed=2)
    rng = np.random.default_rng(10_002)
    x, y = rng.standard_normal((5, 7)), rng.uniform(size=(5, 7))
    np.testing.assert_allclose(norms, gradient_norms_per_layer(net.gradients(x, y)).weights)


def test_sigmoid_xavier_vanishes_geometrically():
    # small weights keep sigma' near its ceiling of 1/4, so each layer costs about a factor 4
    gain = per_layer_gain(layer_weight_gradient_norms("sigmoid", "xavier", depth=12))
    assert 0.15 < gain < 0.35


def test_he_initialization_keeps_relu_balanced_and_normal_explodes_in_size():
    he = summarize_gradient_flow("relu", "he", depth=20, seeds=3)
    normal = summarize_gradient_flow("relu", "normal", depth=20, seeds=3)
    assert 0.2 < he.ratio < 5 and 0.2 < normal.ratio < 5
    assert normal.first_layer_norm > 1e20 * he.first_layer_norm


def test_median_profile_is_elementwise_median():
    runs = np.array([layer_weight_gradient_norms("tanh", "xavier", 4, seed=s) for s in range(3)])
    np.testing.assert_allclose(median_layer_weight_gradient_norms("tanh", "xavier", 4, seeds=3),
                               np.median(runs, axis=0))


def test_format_flow_table_has_one_line_per_configuration_and_a_column_per_depth():
    rows = [FlowSummary("relu", "he", d, 0.5, 20.0) for d in (5, 10)]
    rows += [FlowSummary("sigmoid", "xavier", 10, 1e-6, 3e-6)]
    ratios = format_flow_table(rows).splitlines()
    assert ratios[0].split() == ["first/last", "ratio", "L=5", "L=10"]
    assert ratios[1].split() == ["relu", "he", "5.0e-01", "5.0e-01"]
    assert ratios[2].split() == ["sigmoid", "xavier", "-", "1.0e-06"]
    assert format_flow_table(rows, "first_layer_norm").splitlines()[2].split()[-1] == "3.0e-06"
    with pytest.raises(ValueError, match="value must be one of 'ratio', 'first_layer_norm'; got 'norm'"):
        format_flow_table(rows, "norm")


@pytest.mark.parametrize("norms", [[1.0], [1.0, 0.0], [[1.0, 2.0]]])
def test_per_layer_gain_rejects_bad_norms(norms):
    with pytest.raises(ValueError, match="norms must be a 1-D array of at least 2 positive numbers"):
        per_layer_gain(np.array(norms))


def test_bad_depth_and_seeds_are_named():
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        layer_weight_gradient_norms("relu", "he", depth=0)
    with pytest.raises(ValueError, match="seeds must be an integer >= 1"):
        summarize_gradient_flow("relu", "he", depth=3, seeds=0)
    with pytest.raises(ValueError, match="init must be one of"):
        layer_weight_gradient_norms("relu", "kaiming", depth=3)


def test_probe_batch_is_seeded_apart_from_the_network():
    x, y = probe_batch(50, 400, seed=1)
    again, _ = probe_batch(50, 400, seed=1)
    np.testing.assert_array_equal(x, again)
    assert abs(x.std() - 1) < 0.02 and 0 <= y.min() and y.max() <= 1
    assert not np.array_equal(x, probe_batch(50, 400, seed=2)[0])
    # seeded differently from the network of the same seed, whose first draws are its weights
    assert not np.allclose(x[0, :5], np.random.default_rng(1).standard_normal(5))


def test_fix_table_is_built_from_the_profiles():
    rows = fix_table(depths=(3, 4), seeds=2)
    assert [(r.activation, r.init, r.kind) for r in rows] == list(FIX_CONFIGURATIONS)
    profiles = fix_profiles(4, 2)
    for row in rows:
        key = (row.activation, row.init, row.kind)
        np.testing.assert_allclose(profiles[key], median_layer_weight_gradient_norms(row.activation, row.init, 4, seeds=2, architecture=row.kind))
        assert row.ratios[4] == pytest.approx(profiles[key][0] / profiles[key][-1])
        assert row.gain == pytest.approx(per_layer_gain(profiles[key]))
    text = format_fix_table(rows)
    assert text.splitlines()[0].split()[:3] == ["configuration", "L=3", "L=4"]
    assert len(text.splitlines()) == 1 + len(FIX_CONFIGURATIONS)


def test_format_fix_table_needs_a_row():
    with pytest.raises(ValueError, match="rows must hold at least one FixRow"):
        format_fix_table([])
