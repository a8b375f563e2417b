"""Draw registered figures to SVG (PNG for raster figures), byte-identical run to run,
skipping unchanged ones.

Each figure is published twice: ``NAME.svg`` as designed and ``NAME.narrow.svg`` in the narrow
(phone) layout of :mod:`lesson_code.figures.registry`. Both are drawn in the same process, one
after the other, so the second reuses the cached computations of the first.

A figure is redrawn only when one of its inputs changed: its own module, the rest of
``lesson_code`` (the code that computes its data), or the version of a library that computes or
draws it (:data:`lesson_code._digest.FIGURE_PACKAGES`). The inputs are hashed into a key stored
beside the file (``NAME.svg.key`` or ``NAME.png.key``).

SVG output is made deterministic with a fixed ``svg.hashsalt`` (the ids matplotlib generates)
and no ``Date``/``Creator`` metadata; either alone is not enough. PNG output carries no
metadata, and its palette comes from a deterministic quantizer.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation
from PIL import Image
from threadpoolctl import threadpool_limits

from lesson_code._digest import FIGURE_PACKAGES, source_digest
from lesson_code.figures.registry import FIGURES, FigureSpec, get_figure, narrow_layout

DEFAULT_OUT = Path(".cache") / "figures"

STYLE: dict[str, object] = {
    "svg.hashsalt": "why-deep-networks-are-hard-to-train",
    "svg.fonttype": "path",
    "font.size": 10.0,
    # the smallest text of a figure: 9 pt shows 8-10 CSS pixels tall at both widths
    "legend.fontsize": 9.0,
    "axes.titlesize": 10.0,
    "figure.titlesize": 10.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
}
"""The site's figure style, applied while a figure is drawn and saved."""


class FigureError(RuntimeError):
    """A figure function failed or returned something that is not a Figure."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"figure {name!r}: {message}")
        self.figure_name = name
        self.message = message

    def __reduce__(self):  # raised in a worker process, re-raised in the parent
        return FigureError, (self.figure_name, self.message)


@dataclass(frozen=True)
class RenderResult:
    """What happened to one figure: ``status`` is ``"drawn"`` or ``"cached"``."""

    name: str
    path: Path
    status: str
    seconds: float


def _core_digest() -> str:
    """Hash of every lesson_code source file except the modules that only define figures."""
    return source_digest(exclude=[spec.source for spec in FIGURES.values()])


def figure_key(spec: FigureSpec, core_digest: str | None = None) -> str:
    """The cache key of a figure: a hash of everything its SVG depends on."""
    digest = hashlib.sha256()
    for part in (
        spec.name,
        core_digest if core_digest is not None else _core_digest(),
        spec.source.read_text(encoding="utf-8"),
        *(f"{name}=={version(name)}" for name in FIGURE_PACKAGES),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
MATHTEXT_POWER = re.compile(r"\$\\mathdefault\{(?P<mantissa>.*?)(?P<base>\d+)\^\{(?P<exponent>-?\d+)\}\}\$")


class PowerOfTenFormatter(LogFormatterSciNotation):
    r"""Log-axis tick labels such as 10⁻⁵ and 2×10³, written with Unicode superscripts.

    matplotlib writes them as mathtext (``$\mathdefault{10^{-5}}$``), which it parses with
    pyparsing for every label of every draw; plain Unicode needs no parsing. The labels read the
    same; the ticks chosen are matplotlib's own.

    >>> formatter = PowerOfTenFormatter()
    >>> formatter.convert_label(r"$\mathdefault{10^{-5}}$"), formatter.convert_label(r"$\mathdefault{2\times10^{3}}$")
    ('10⁻⁵', '2×10³')
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.convert_label(super().__call__(x, pos))

    @staticmethod
    def convert_label(label: str) -> str:
        power = MATHTEXT_POWER.fullmatch(label)
        if power is None:  # an empty label (a minor tick left unlabelled) or plain text
            return label
        mantissa = power["mantissa"].replace(r"\times", "×")
        return f"{mantissa}{power['base']}{power['exponent'].translate(SUPERSCRIPT)}"


def with_plain_text_powers(figure: Figure) -> Figure:
    """Give every log axis of ``figure`` a :class:`PowerOfTenFormatter` in place of matplotlib's
    default (major and minor ticks alike); axes that set their own formatter keep it."""
    for ax in figure.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            for formatter, replace in ((axis.get_major_formatter(), axis.set_major_formatter),
                                       (axis.get_minor_formatter(), axis.set_minor_formatter)):
                if type(formatter) is LogFormatterSciNotation:
                    replace(PowerOfTenFormatter(axis.get_transform().base, labelOnlyBase=formatter.labelOnlyBase,
                                                minor_thresholds=formatter.minor_thresholds))
    return figure


def draw_variant(spec: FigureSpec, narrow: bool = False) -> Figure:
    """Call the figure function, in the narrow layout if ``narrow``; FigureError if it fails."""
    with matplotlib.rc_context(STYLE), narrow_layout(narrow):
        try:
            figure = spec.function()
        except Exception as error:
            raise FigureError(
                spec.name, f"its function {spec.function.__name__}() in {spec.source.name} raised "
                f"{type(error).__name__}: {error}"
            ) from error
    if not isinstance(figure, Figure):
        raise FigureError(
            spec.name, f"{spec.function.__name__}() must return a matplotlib Figure, "
            f"got {type(figure).__name__}"
        )
    return with_plain_text_powers(figure)


def published_bytes(spec: FigureSpec, figure: Figure) -> bytes:
    """The file the site serves for ``figure``: a compact SVG, or a PNG for a raster figure."""
    with matplotlib.rc_context(STYLE):
        if spec.raster:
            return png_bytes(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return compact_svg(buffer.getvalue())


def draw(spec: FigureSpec) -> tuple[Figure, dict[str, bytes]]:
    """Draw both layouts of a figure: the Figure as designed, and the published bytes of each of
    :attr:`FigureSpec.filenames`. FigureError if the function fails."""
    figure = draw_variant(spec)
    images = {spec.filename: published_bytes(spec, figure),
              spec.narrow_filename: published_bytes(spec, draw_variant(spec, narrow=True))}
    return figure, images


RASTER_DPI = 144
"""Pixels per inch of a raster figure: 1.5 CSS pixels per point, sharp on most screens."""
RASTER_COLOURS = 32


def png_bytes(figure: Figure) -> bytes:
    """``figure`` as a PNG of ``RASTER_COLOURS`` colours at ``RASTER_DPI``, without metadata.

    Plots use few colours, so a palette (octree, no dithering) loses nothing visible and
    shrinks the file about five times; the bytes are the same on every run.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=RASTER_DPI, metadata={"Software": None})
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    palette = image.quantize(RASTER_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue()


DECIMAL = re.compile(rb"-?\d+\.\d{2,}")
PATH_DATA = re.compile(rb'(?<=\sd=")[^"]*')
PATH_BREAK = re.compile(rb" \n(?=[MLCQZz])|\n$")  # between path commands; before d's closing quote
INDENT = re.compile(rb">\s+<")
POSITION = re.compile(rb'(?<=\s[xy]=")-?\d+\.\d{3,}(?=")|(?<=translate\()[^)]*')
NOT_DRAWN = re.compile(rb"<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*|<!--.*?-->\s*", re.DOTALL)


def _rounded(match: re.Match, digits: int) -> bytes:
    text = f"{float(match.group(0)):.{digits}f}".rstrip("0").rstrip(".")
    return b"0" if text in ("-0", "") else text.encode()


def compact_svg(svg: bytes) -> bytes:
    r"""matplotlib's SVG made smaller with no visible change:

    * the coordinates of every path (its ``d`` attribute) rounded to 0.1 pt (1/720 inch), its
      commands on one line;
    * positions (``x``, ``y``, ``translate(...)``) rounded to 0.01 pt;
    * no doctype, metadata block, comments (the text of each label) or indentation between tags
      (the text is all glyph paths, so no whitespace between tags is displayed).

    A third smaller for the contour plots. Scale factors are never touched: a glyph is drawn by a
    transform such as ``scale(0.015625)``, which rounding would turn into ``scale(0)`` and so
    erase every label.

    >>> compact_svg(b'<path d="M 59.372318 239.59976 \nL -0.04 10 \nz\n"/>')
    b'<path d="M 59.4 239.6 L 0 10 z"/>'
    >>> compact_svg(b'<g>\n   <!-- 0 -->\n   <use transform="translate(63.636875 0) scale(0.015625)" x="1.23456"/>\n  </g>')
    b'<g>\n<use transform="translate(63.64 0) scale(0.015625)" x="1.23"/>\n</g>'
    """
    def path_data(match: re.Match) -> bytes:
        joined = PATH_BREAK.sub(lambda m: b" " if m.group(0).startswith(b" ") else b"", match.group(0))
        return DECIMAL.sub(lambda number: _rounded(number, 1), joined)

    def position(match: re.Match) -> bytes:
        return re.sub(rb"-?\d+\.\d{3,}", lambda number: _rounded(number, 2), match.group(0))

    svg = NOT_DRAWN.sub(b"", svg)
    return INDENT.sub(b">\n<", POSITION.sub(position, PATH_DATA.sub(path_data, svg)))


@dataclass(frozen=True)
class DrawnFigure:
    """One figure drawn: the Figure as designed (when kept), the published bytes of both layouts
    by file name, and the seconds it took."""

    figure: Figure | None
    images: dict[str, bytes]
    seconds: float


def _draw_sequentially(names: list[str], keep_figures: bool) -> dict[str, DrawnFigure]:
    drawn = {}
    for name in names:
        start = time.perf_counter()
        figure, images = draw(get_figure(name))
        drawn[name] = DrawnFigure(figure if keep_figures else None, images, time.perf_counter() - start)
    return drawn


def _draw_in_worker(names: list[str], keep_figures: bool) -> dict[str, DrawnFigure]:
    # Two processes each running a multi-threaded BLAS would fight over the cores.
    with threadpool_limits(1):
        return _draw_sequentially(names, keep_figures)


def draw_figures(
    names: Iterable[str], workers: int | None = None, keep_figures: bool = False
) -> dict[str, DrawnFigure]:
    """Draw the named figures on up to ``workers`` processes (None: one per core).

    Figures are independent, so they draw in parallel. The figures of one module go to the same
    process, where they share cached computations; forked workers inherit the registry.
    ``keep_figures`` sends the Figure objects back too (to inspect them), not just the SVG.
    """
    specs = [get_figure(name) for name in names]
    workers = workers or os.cpu_count() or 1
    by_module: dict[Path, list[str]] = {}
    for spec in specs:
        by_module.setdefault(spec.source, []).append(spec.name)
    batches = list(by_module.values())
    if workers <= 1 or len(batches) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _draw_sequentially([spec.name for spec in specs], keep_figures)
    context = multiprocessing.get_context("fork")
    drawn: dict[str, DrawnFigure] = {}
    with concurrent.futures.ProcessPoolExecutor(min(workers, len(batches)), mp_context=context) as pool:
        for batch in pool.map(_draw_in_worker, batches, [keep_figures] * len(batches)):
            drawn.update(batch)
    return {spec.name: drawn[spec.name] for spec in specs}


def _is_current(spec: FigureSpec, out: Path, key: str) -> bool:
    key_path = out / f"{spec.filename}.key"
    return (all((out / filename).exists() for filename in spec.filenames) and key_path.exists()
            and key_path.read_text(encoding="utf-8") == key)


def stale_figures(out_dir: Path | str = DEFAULT_OUT) -> list[str]:
    """The registered figures that :func:`render` would draw (rather than take from ``out_dir``).

    >>> import tempfile
    >>> len(stale_figures(tempfile.mkdtemp())) == len(FIGURES)
    True
    """
    core = _core_digest()
    return [spec.name for spec in FIGURES.values() if not _is_current(spec, Path(out_dir), figure_key(spec, core))]


def render(
    names: Iterable[str] | None = None,
    out_dir: Path | str = DEFAULT_OUT,
    force: bool = False,
    log: Callable[[str], None] | None = print,
    workers: int | None = None,
) -> list[RenderResult]:
    """Draw figures into ``out_dir/NAME.svg`` and ``out_dir/NAME.narrow.svg`` (``.png`` for
    raster figures), skipping those whose inputs have not changed.

    Parameters
    ----------
    names : iterable of str, optional
        Figures to draw; all registered figures by default.
    out_dir : path
        Where the SVGs and their keys go (created if needed).
    force : bool
        Redraw even when the cached SVG is current.
    log : callable or None
        Receives one progress line per figure (``print`` by default; None for silence).
    workers : int or None
        Processes that draw figures in parallel; None means one per CPU core.

    Raises
    ------
    FigureError
        Naming the figure whose function failed.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    specs = [get_figure(name) for name in names] if names is not None else list(FIGURES.values())
    core = _core_digest()
    keys = {spec.name: figure_key(spec, core) for spec in specs}
    cached = set() if force else {spec.name for spec in specs if _is_current(spec, out, keys[spec.name])}
    drawn = draw_figures([spec.name for spec in specs if spec.name not in cached], workers)
    results = []
    for spec in specs:
        path = out / spec.filename
        if spec.name in drawn:
            seconds = drawn[spec.name].seconds
            for filename, image in drawn[spec.name].images.items():
                # Rewriting identical bytes would wake file watchers (mkdocs serve) for nothing.
                if not (out / filename).exists() or (out / filename).read_bytes() != image:
                    (out / filename).write_bytes(image)
            (out / f"{spec.filename}.key").write_text(keys[spec.name], encoding="utf-8")
        else:
            seconds = 0.0
        result = RenderResult(spec.name, path, "cached" if spec.name in cached else "drawn", seconds)
        results.append(result)
        if log is not None:
            log(f"figure {spec.name:<32} {result.status:<6} {result.seconds:6.2f} s")
    return results
