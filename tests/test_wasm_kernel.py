"""The WebAssembly kernel of the gradient-flow explorer, run here by wasmtime against numpy, and
the build hook that assembles it."""

from __future__ import annotations

import base64
import ctypes

import numpy as np
import pytest
import wasmtime
from mkdocs.exceptions import PluginError

from hooks.wasm import assemble, loader_script
from tests.helpers import ROOT

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


def _run(kernel, name: str, x: np.ndarray, y: np.ndarray, rows: int, cols: int, inner: int, alpha: float) -> np.ndarray:
    store, exports, heap = kernel
    y_at, c_at = x.size, x.size + y.size
    heap[: x.size] = x.ravel()
    heap[y_at : y_at + y.size] = y.ravel()
    exports[name](store, 0, 8 * y_at, 8 * c_at, rows, cols, inner, alpha)
    return heap[c_at : c_at + rows * cols].reshape(rows, cols).copy()


@pytest.mark.parametrize("rows, cols, inner", [(4, 2, 2), (64, 128, 128), (8, 16, 64), (64, 8, 8)])
def test_gemm_nt_is_alpha_x_y_transposed(kernel, rows, cols, inner):
    rng = np.random.default_rng(rows + cols + inner)
    x, y = rng.standard_normal((rows, inner)), rng.standard_normal((cols, inner))
    np.testing.assert_allclose(_run(kernel, "gemm_nt", x, y, rows, cols, inner, -0.75), -0.75 * x @ y.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, cols, inner", [(4, 4, 1), (64, 128, 128), (128, 128, 64), (8, 256, 3)])
def test_gemm_nn_is_alpha_x_y(kernel, rows, cols, inner):
    rng = np.random.default_rng(rows * cols + inner)
    x, y = rng.standard_normal((rows, inner)), rng.standard_normal((inner, cols))
    np.testing.assert_allclose(_run(kernel, "gemm_nn", x, y, rows, cols, inner, 2.5), 2.5 * x @ y, rtol=1e-12, atol=1e-12)


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
