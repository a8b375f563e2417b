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
        File stem of the figure: pages embed ``figures/<name>.svg`` (``.png`` if ``raster``).
    function : callable
        Draws the figure; no arguments, returns a Figure.
    curves : int
        How many labelled curves (lines with a legend label) the figure must show; the test
        suite checks it, so a figure that silently lost its data fails.
    source : Path
        The module that defines it (part of its cache key).
    raster : bool
        Publish it as a PNG instead of an SVG. For the dense contour plots: as vectors they
        carry tens of thousands of path points (75-130 KB apiece, five to a page), as a
        32-colour PNG at 144 dpi about half of that; the test suite checks that the PNG of every
        raster figure is the smaller of the two.
    """

    name: str
    function: Callable[[], Figure]
    curves: int
    source: Path
    raster: bool = False

    @property
    def filename(self) -> str:
        """``<name>.png`` or ``<name>.svg``: the file pages embed."""
        return f"{self.name}.{'png' if self.raster else 'svg'}"


FIGURES: dict[str, FigureSpec] = {}


def register(
    name: str, *, curves: int, raster: bool = False
) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Decorator: register a figure function under ``name`` (see :class:`FigureSpec`)."""

    def decorate(function: Callable[[], Figure]) -> Callable[[], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure name {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, function, curves, Path(inspect.getfile(function)), raster)
        return function

    return decorate


def get_figure(name: str) -> FigureSpec:
    """The registered figure called ``name``; ValueError listing the known names otherwise."""
    return FIGURES[choice(name, "figure name", sorted(FIGURES))]


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """A Figure not tied to pyplot's global state (so rendering is safe inside a build)."""
    return Figure(figsize=(width, height), layout="constrained")
