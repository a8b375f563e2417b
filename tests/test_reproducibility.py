"""A printed number holds on every machine: the checked examples, once more with every random
draw nudged by a relative 1e-12 (``LESSON_CODE_PERTURB``), as another CPU's rounding would.

The BLAS settings are left alone (this environment sets ``OPENBLAS_CORETYPE`` on some processors
on purpose): the nudge imitates another kernel's rounding without changing the kernel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from helpers import ROOT
from lesson_code import perturbation


def test_a_perturbed_generator_nudges_floats_and_keeps_integers():
    plain = np.random.Generator(np.random.PCG64(7))
    nudged = perturbation.perturbed_default_rng(7, relative=1e-12)
    a, b = plain.standard_normal(1000), nudged.standard_normal(1000)
    relative = np.abs(b - a) / np.abs(a)
    assert np.all(relative > 0) and np.all(relative < 2e-12)
    assert np.array_equal(plain.permutation(50), nudged.permutation(50))
    assert np.array_equal(plain.integers(0, 100, 20), nudged.integers(0, 100, 20))
    for method, args in [("normal", (1.0, 2.0, 5)), ("uniform", (-1.0, 1.0, 5)), ("random", (5,))]:
        x, y = getattr(plain, method)(*args), getattr(nudged, method)(*args)
        assert np.all(x != y) and np.allclose(x, y, rtol=2e-12, atol=0), method
    assert isinstance(nudged.random(), float) and nudged.standard_normal(3, dtype=np.float32).dtype == np.float32


def test_the_environment_variable_switches_numpy_default_rng(monkeypatch):
    monkeypatch.setenv(perturbation.ENVIRONMENT_VARIABLE, "1e-12")
    try:
        assert perturbation.install_from_environment() == 1e-12
        assert isinstance(np.random.default_rng(0), perturbation.PerturbedGenerator)
        monkeypatch.setenv(perturbation.ENVIRONMENT_VARIABLE, "often")
        with pytest.raises(ValueError, match="LESSON_CODE_PERTURB must be a number"):
            perturbation.install_from_environment()
    finally:
        monkeypatch.delenv(perturbation.ENVIRONMENT_VARIABLE)
        perturbation.install_from_environment()
    assert type(np.random.default_rng(0)) is np.random.Generator


def run_checked_examples(relative: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, perturbation.ENVIRONMENT_VARIABLE: relative}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "docs", "lesson_code", "-n", "0", "-q", "-p", "no:cacheprovider",
         "--no-header", "-W", "ignore::pytest.PytestUnraisableExceptionWarning"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900,
        check=False,
    )


def test_every_checked_example_holds_when_every_random_draw_is_nudged():
    """The chapters' snippets and the package's doctests print the same under a 1e-12 nudge.

    A failure here is a printed number that another machine would print differently: report a
    statistic over seeds instead of one chaotic run, or fewer digits (the Contributing page's
    "Reproducibility" section says how)."""
    result = run_checked_examples("1e-12")
    failures = re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE)
    assert result.returncode == 0, (
        f"{len(failures)} checked example(s) print other numbers when every random draw is nudged by "
        f"1e-12 (as on another CPU): {', '.join(failures)}\n{result.stdout[-6000:]}"
    )
    assert re.search(r"\d+ passed", result.stdout), result.stdout[-2000:]
