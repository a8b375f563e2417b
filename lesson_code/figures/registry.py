"""The figure registry: every figure of the site is one function, registered by name.

A figure function takes no arguments and returns a :class:`matplotlib.figure.Figure`. It
computes its data through ``lesson_code`` (never typed-in numbers) and only draws here. Pages
embed a figure as ``![alt text](figures/NAME.svg)``; the MkDocs hook draws it at build time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from lesson_code._checks import choice


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure.

    Attributes
    ----------
    name : str
        File stem of the figure: pages embed ``figures/<name>.svg``.
    function : callable
        Draws the figure; no arguments, returns a Figure.
    curves : int
        How many labelled curves (lines with a legend label) the figure must show; the test
        suite checks it, so a figure that silently lost its data fails.
    source : Path
        The module that defines it (part of its cache key).
    """

    name: str
    function: Callable[[], Figure]
    curves: int
    source: Path


FIGURES: dict[str, FigureSpec] = {}


def register(name: str, *, curves: int) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Decorator: register a figure function under ``name``."""

    def decorate(function: Callable[[], Figure]) -> Callable[[], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure name {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, function, curves, Path(inspect.getfile(function)))
        return function

    return decorate


def get_figure(name: str) -> FigureSpec:
    """The registered figure called ``name``; ValueError listing the known names otherwise."""
    return FIGURES[choice(name, "figure name", sorted(FIGURES))]


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """A Figure not tied to pyplot's global state (so rendering is safe inside a build)."""
    return Figure(figsize=(width, height), layout="constrained")
