"""Every figure of the site, drawn from ``lesson_code`` at build time.

Each module in this package (other than ``registry`` and ``render``) holds the figures of one
chapter and is imported here, which registers them. Adding a figure: write a function that
returns a Figure in the chapter's module, decorate it with ``@register("name", curves=N)``, and
embed ``figures/name.svg`` in the page.

    python -m lesson_code.figures [--out DIR] [--force] [NAME ...]
"""

from __future__ import annotations

import importlib
import pkgutil

from lesson_code.figures.registry import FIGURES, FigureSpec, get_figure, new_figure, register
from lesson_code.figures.render import FigureError, RenderResult, figure_key, render, stale_figures

_NOT_FIGURE_MODULES = {"registry", "render", "__main__"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _NOT_FIGURE_MODULES:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "FIGURES",
    "FigureError",
    "FigureSpec",
    "RenderResult",
    "figure_key",
    "get_figure",
    "new_figure",
    "register",
    "render",
    "stale_figures",
]
