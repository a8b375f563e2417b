"""Nudge every random draw by a relative ~1e-12, to find results that another CPU would change.

Two machines that round one matrix product differently (another BLAS kernel, AVX-512 instead of
AVX2, Apple's Accelerate) start a computation from the same numbers and end a few units in the
last place apart after each product. A stable result does not notice; a chaotic one (a long
training run that flips between two outcomes) can print other digits. The same happens if every
random number the experiments draw is multiplied by ``1 + relative * s`` with ``s = +-1``: so
that is how the test suite imitates "another machine" without changing the BLAS settings.

With the environment variable ``LESSON_CODE_PERTURB`` set to a number (``1e-12``), importing
``lesson_code`` replaces ``numpy.random.default_rng`` by :func:`perturbed_default_rng`, whose
generators draw exactly the same integers (permutations, choices) but nudged floats. Unset, nothing
changes. ``pytest`` runs every checked example once more this way (``tests/test_reproducibility.py``).

>>> import numpy as np
>>> plain = np.random.Generator(np.random.PCG64(0)).standard_normal(3)
>>> nudged = PerturbedGenerator(np.random.PCG64(0), relative=1e-12).standard_normal(3)
>>> bool(np.all(nudged != plain)), bool(np.allclose(nudged, plain, rtol=2e-12, atol=0))
(True, True)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

ENVIRONMENT_VARIABLE = "LESSON_CODE_PERTURB"
SIGN_SEED = 20_260_412
"""Seed of the stream of signs (independent of the experiment's own seed)."""

_numpy_default_rng = np.random.default_rng


class PerturbedGenerator(np.random.Generator):
    """A numpy Generator whose floating-point draws are multiplied by ``1 + relative * s``,
    ``s`` a random sign per number from a separate stream; integer draws are unchanged."""

    def __init__(self, bit_generator: np.random.BitGenerator, relative: float) -> None:
        super().__init__(bit_generator)
        self.relative = float(relative)
        self._signs = np.random.Generator(np.random.PCG64(SIGN_SEED))

    def _nudge(self, draws: Any) -> Any:
        values = np.asarray(draws)
        signs = self._signs.integers(0, 2, size=values.shape) * 2.0 - 1.0
        nudged = (values * (1.0 + self.relative * signs)).astype(values.dtype, copy=False)
        return nudged if isinstance(draws, np.ndarray) else nudged.item()


def _nudged(name: str):
    """The Generator method ``name``, with its result passed through ``_nudge``."""
    draw = getattr(np.random.Generator, name)

    def method(self: PerturbedGenerator, *args: Any, **kwargs: Any) -> Any:
        return self._nudge(draw(self, *args, **kwargs))

    method.__name__ = name
    return method


FLOAT_DRAWS = ("random", "standard_normal", "normal", "uniform", "standard_exponential", "exponential",
               "multivariate_normal")
"""The Generator methods whose draws are nudged; every other method (integers, permutation, choice)
is numpy's own."""

for _name in FLOAT_DRAWS:
    setattr(PerturbedGenerator, _name, _nudged(_name))


def perturbed_default_rng(seed: Any = None, *, relative: float) -> PerturbedGenerator:
    """Like ``numpy.random.default_rng(seed)``, with every float draw nudged by ``relative``."""
    if isinstance(seed, np.random.Generator):
        seed = seed.bit_generator
    bit_generator = seed if isinstance(seed, np.random.BitGenerator) else np.random.PCG64(seed)
    return PerturbedGenerator(bit_generator, relative)


def relative_from_environment() -> float | None:
    """The relative nudge that ``LESSON_CODE_PERTURB`` asks for, or None when it is unset."""
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not text:
        return None
    try:
        relative = float(text)
    except ValueError:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a number such as 1e-12, got {text!r}") from None
    if not 0 < relative < 1e-3:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a number between 0 and 1e-3, got {text!r}")
    return relative


def install_from_environment() -> float | None:
    """Make ``numpy.random.default_rng`` perturbed if ``LESSON_CODE_PERTURB`` is set; return the
    relative nudge in force (None: numpy's own generators, untouched)."""
    relative = relative_from_environment()
    if relative is None:
        np.random.default_rng = _numpy_default_rng
    else:
        def default_rng(seed: Any = None) -> PerturbedGenerator:
            return perturbed_default_rng(seed, relative=relative)

        default_rng.__doc__ = perturbed_default_rng.__doc__
        np.random.default_rng = default_rng
    return relative
