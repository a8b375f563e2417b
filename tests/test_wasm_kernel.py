"""The WebAssembly kernel of the gradient-flow explorer, run here by wasmtime against numpy, and
the build hook that assembles it."""

from __future__ import annotations

import base64
import ctypes

import numpy as np
import pytest
import wasmtime
from mkdocs.exceptions import PluginError

from helpers import ROOT, load_by_path

# loaded as MkDocs loads a hook, with hooks/ on sys.path for its sibling build_cache: imported
# as hooks.wasm it failed to import whenever no earlier test had put hooks/ on sys.path
_wasm_hook = load_by_path("hooks/wasm.py")
assemble, loader_script = _wasm_hook.assemble, _wasm_hook.loader_script

KERNEL = ROOT / "docs" / "javascripts" / "gradient-flow-kernel.wat"


@pytest.fixture(scope="module")
def kernel():
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, assemble(KERNEL.read_text(), KERNEL.name))
    exports = wasmtime.Instance(store, module, []).exports(store)
    memory = exports["memory"]
    memory.grow(store, 64)
    heap = np.ctypeslib.as_array(
        ctypes.cast(memory.data_ptr(store), ctypes.POINTER(ctypes.c_double)), shape=(memory.data_len(store) // 8,)
    )
    return store, exports, heap


def _call(kernel, name: str, arrays: list[np.ndarray], outputs: list[int], *scalars) -> list[np.ndarray]:
    """Lay ``arrays`` out one after the other, call ``name`` with their addresses and then
    ``scalars``, and return the arrays at the positions ``outputs``, as they are afterwards."""
    store, exports, heap = kernel
    offsets, at = [], 0
    for array in arrays:
        heap[at : at + array.size] = array.ravel()
        offsets.append(at)
        at += array.size
    exports[name](store, *[8 * o for o in offsets], *scalars)
    return [heap[offsets[i] : offsets[i] + arrays[i].size].reshape(arrays[i].shape).copy() for i in outputs]


def _run(kernel, name: str, x: np.ndarray, y: np.ndarray, rows: int, cols: int, inner: int, alpha: float,
         *strides: int) -> np.ndarray:
    """C of the matrix product ``name`` (gemm_nt or gemm_nn) of x and y."""
    return _call(kernel, name, [x, y, np.zeros((rows, cols))], [2], rows, cols, inner, alpha, *strides)[0]


@pytest.mark.parametrize("rows, cols, inner", [(4, 2, 2), (64, 128, 128), (8, 16, 64), (64, 8, 8)])
def test_gemm_nt_is_alpha_x_y_transposed(kernel, rows, cols, inner):
    rng = np.random.default_rng(rows + cols + inner)
    x, y = rng.standard_normal((rows, inner)), rng.standard_normal((cols, inner))
    np.testing.assert_allclose(_run(kernel, "gemm_nt", x, y, rows, cols, inner, -0.75), -0.75 * x @ y.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, cols, inner", [(4, 4, 1), (64, 128, 128), (128, 128, 64), (8, 256, 3)])
def test_gemm_nn_is_alpha_x_y(kernel, rows, cols, inner):
    rng = np.random.default_rng(rows * cols + inner)
    x, y = rng.standard_normal((rows, inner)), rng.standard_normal((inner, cols))
    shown = _run(kernel, "gemm_nn", x, y, rows, cols, inner, 2.5, 8 * inner, 8)
    np.testing.assert_allclose(shown, 2.5 * x @ y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, cols, inner", [(4, 4, 2), (128, 128, 64), (16, 8, 5)])
def test_gemm_nn_reads_x_transposed_with_the_strides_swapped(kernel, rows, cols, inner):
    rng = np.random.default_rng(rows + 7 * inner)
    stored, y = rng.standard_normal((inner, rows)), rng.standard_normal((inner, cols))  # X = stored^T
    shown = _run(kernel, "gemm_nn", stored, y, rows, cols, inner, 1.0, 8, 8 * rows)
    np.testing.assert_allclose(shown, stored.T @ y, rtol=1e-12, atol=1e-12)


def test_sum_powers_sums_shifted_values_and_their_squares(kernel):
    store, exports, heap = kernel
    values = np.random.default_rng(2).standard_normal(1000) + 3
    heap[: values.size] = values
    assert exports["sum_powers"](store, 0, values.size, 0.0, 1) == pytest.approx(values.sum(), rel=1e-13)
    assert exports["sum_powers"](store, 0, values.size, 3.0, 2) == pytest.approx(((values - 3) ** 2).sum(), rel=1e-13)


def test_a_text_that_does_not_assemble_names_the_file_and_the_place():
    with pytest.raises(PluginError) as error:
        assemble('(module\n  (func (export "f") (i32.bogus)))', "docs/javascripts/broken.wat")
    assert "docs/javascripts/broken.wat:2:23" in str(error.value)
    assert "i32.bogus" in str(error.value)


def test_the_loader_script_carries_the_exact_bytes():
    binary = assemble(KERNEL.read_text(), KERNEL.name)
    script = loader_script("gradient-flow-kernel", binary, KERNEL.name)
    encoded = script.split('window.wasmModules["gradient-flow-kernel"] = "')[1].split('"')[0]
    assert base64.b64decode(encoded) == binary
    assert "gradient-flow-kernel.wat" in script.splitlines()[0]


def test_tanh_layer_is_numpys_tanh_to_a_few_units_in_the_last_place(kernel):
    v = np.concatenate([np.linspace(-25, 25, 4001), np.geomspace(1e-300, 0.5, 1000), -np.geomspace(1e-9, 40, 999)])
    a, d = _call(kernel, "tanh_layer", [v, np.zeros_like(v), np.zeros_like(v)], [1, 2], v.size)
    np.testing.assert_allclose(a, np.tanh(v), rtol=1e-15, atol=0)
    # near saturation 1 - a^2 is 1 - (1 - a few ulp)^2: equal to about 1e-16 absolute, as in numpy
    np.testing.assert_allclose(d, 1 - np.tanh(v) ** 2, rtol=1e-13, atol=1e-15)


def test_sigmoid_layer_is_lesson_codes_sigmoid(kernel):
    from lesson_code.activations import sigmoid, sigmoid_derivative

    v = np.linspace(-45, 45, 3000)
    a, d = _call(kernel, "sigmoid_layer", [v, np.zeros_like(v), np.zeros_like(v)], [1, 2], v.size)
    # (1 + tanh(v/2)) / 2 cancels for very negative v: both sides are exact only to about 1e-16
    np.testing.assert_allclose(a, sigmoid(v), rtol=1e-15, atol=2e-16)
    np.testing.assert_allclose(d, sigmoid_derivative(v), rtol=2e-13, atol=1e-15)


def test_normalize_and_its_backward_step_are_batch_normalization(kernel):
    rng = np.random.default_rng(5)
    rows, cols, eps = 64, 24, 1e-5
    z = 3 + 2 * rng.standard_normal((rows, cols))
    zhat, inv_std = _call(kernel, "normalize", [z, np.zeros_like(z), np.zeros(cols)], [1, 2], rows, cols, eps)
    np.testing.assert_allclose(inv_std, 1 / np.sqrt(z.var(axis=0) + eps), rtol=1e-14)
    np.testing.assert_allclose(zhat, (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + eps), rtol=1e-12, atol=1e-14)

    p, d = rng.standard_normal((rows, cols)), rng.uniform(size=(rows, cols))
    g = p * d
    expected = inv_std * (g - g.mean(axis=0) - zhat * np.mean(g * zhat, axis=0))
    g_out, delta = _call(kernel, "normalize_backward", [p, d, zhat, np.zeros_like(z), inv_std], [0, 3], rows, cols)
    np.testing.assert_allclose(g_out, g, rtol=1e-15)
    np.testing.assert_allclose(delta, expected, rtol=1e-11, atol=1e-14)
