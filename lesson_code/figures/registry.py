"""The figure registry: every figure of the site is one function, registered by name.

A figure function takes no arguments and returns a :class:`matplotlib.figure.Figure`. It
computes its data through ``lesson_code`` (never typed-in numbers) and only draws here. Pages
embed a figure as ``![alt text](figures/NAME.svg)``; the MkDocs hook draws it at build time.

Every figure is drawn twice: as designed, and in a *narrow* layout for phones
(``NAME.narrow.svg``), which the site serves below a width of 45em. A figure function makes
both from the same code by asking for its figure through :func:`new_figure` and its axes through
:func:`panels`: in the narrow layout the figure is :data:`NARROW_WIDTH` wide and the panels stack
in one column, so each keeps a readable size. Text then shows at about the same size on a phone as
on a desktop (a 9 pt label is 8-10 CSS pixels tall on both).
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
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

    @property
    def narrow_filename(self) -> str:
        """``<name>.narrow.svg`` (or ``.png``): the same figure laid out for a phone."""
        return f"{self.name}.narrow.{'png' if self.raster else 'svg'}"

    @property
    def filenames(self) -> tuple[str, str]:
        """Both published files: :attr:`filename` and :attr:`narrow_filename`."""
        return self.filename, self.narrow_filename


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


NARROW_WIDTH = 4.6
"""Width in inches of every figure in the narrow layout. A phone's column (about 358 CSS pixels
at 390) shows it at 1.08 CSS pixels per point: a 9 pt label is 9.7 pixels tall."""

NARROW_PANEL_HEIGHT = 3.1
"""Height in inches of one stacked panel in the narrow layout."""

_narrow: contextvars.ContextVar[bool] = contextvars.ContextVar("narrow", default=False)


def is_narrow() -> bool:
    """Whether the figure being drawn is the narrow (phone) variant."""
    return _narrow.get()


@contextlib.contextmanager
def narrow_layout(narrow: bool = True) -> Iterator[None]:
    """Draw the figures called inside this block in the narrow layout (or not)."""
    token = _narrow.set(narrow)
    try:
        yield
    finally:
        _narrow.reset(token)


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """A Figure not tied to pyplot's global state (so rendering is safe inside a build).

    ``width`` x ``height`` inches as designed; in the narrow layout :data:`NARROW_WIDTH` wide, with
    the same aspect ratio but at least :data:`NARROW_PANEL_HEIGHT` tall.
    """
    if is_narrow():
        width, height = NARROW_WIDTH, max(height * NARROW_WIDTH / width, NARROW_PANEL_HEIGHT)
    return Figure(figsize=(width, height), layout="constrained")


def panels(n: int, width: float, height: float, width_ratios=None, **subplots) -> tuple[Figure, list[Axes]]:
    """A figure of ``n`` panels side by side (``width`` x ``height`` inches), or, in the narrow
    layout, stacked in one column of :data:`NARROW_WIDTH` x ``n`` * :data:`NARROW_PANEL_HEIGHT`.

    ``width_ratios`` become height ratios when the panels stack; other keywords go to
    :meth:`Figure.subplots`.

    >>> figure, axes = panels(3, 10.0, 3.6)
    >>> len(axes), tuple(float(v) for v in figure.get_size_inches())
    (3, (10.0, 3.6))
    >>> with narrow_layout():
    ...     figure, axes = panels(3, 10.0, 3.6)
    >>> tuple(round(float(v), 1) for v in figure.get_size_inches())
    (4.6, 9.3)
    """
    if n < 1:
        raise ValueError(f"n must be a positive number of panels, got {n}")
    if is_narrow():
        figure = Figure(figsize=(NARROW_WIDTH, n * NARROW_PANEL_HEIGHT), layout="constrained")
        axes = figure.subplots(n, 1, squeeze=False, height_ratios=width_ratios, **subplots)
    else:
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.subplots(1, n, squeeze=False, width_ratios=width_ratios, **subplots)
    return figure, list(np.ravel(axes))
