"""Every registered figure draws, shows its data with labels, and renders byte-identically."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from dataclasses import replace

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import ROOT, load_by_path
from lesson_code._digest import FIGURE_PACKAGES, source_digest
from lesson_code.figures import FIGURES, FigureError, RenderResult, figure_key, render
from lesson_code.figures.registry import FigureSpec
from lesson_code.figures.render import DrawnFigure, compact_svg, draw, draw_figures


@pytest.fixture(scope="module")
def first_draw() -> dict[str, DrawnFigure]:
    """Every figure drawn once, kept as Figure (to inspect) and SVG bytes."""
    return draw_figures(FIGURES, keep_figures=True)


@pytest.fixture(scope="module")
def drawn(first_draw) -> dict[str, Figure]:
    return {name: result.figure for name, result in first_draw.items()}


@pytest.fixture(scope="module")
def second_render(built_site):
    """The site build drew every figure too, in other processes, into the project's cache."""
    out_dir = ROOT / ".cache" / "figures"
    return [RenderResult(name, out_dir / spec.filename, "drawn", 0.0) for name, spec in FIGURES.items()], out_dir


def test_registry_is_not_empty():
    assert {"activation_derivatives", "gradient_norms_by_layer"} <= set(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_has_labelled_axes_and_its_curves(drawn, name):
    figure = drawn[name]
    assert isinstance(figure, Figure)
    axes = [ax for ax in figure.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert axes, f"{name} has no axes"
    for ax in axes:
        assert ax.get_xlabel().strip(), f"{name}: an axes has no x label"
        assert ax.get_ylabel().strip(), f"{name}: an axes has no y label"
    curves = [line for ax in axes for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(curves) == FIGURES[name].curves
    for line in curves:
        y = np.asarray(line.get_ydata(), dtype=float)
        assert y.size >= 2 and np.all(np.isfinite(y)), f"{name}: curve {line.get_label()} has no data"
        assert np.ptp(y) > 0, f"{name}: curve {line.get_label()} is flat"


def test_no_legend_is_placed_by_best(drawn):
    """loc="best" is computed from pixels, so the SVG (as the browser shows it) and matplotlib's
    raster can put a legend in different corners; every figure names its legend's place."""
    from matplotlib.legend import Legend

    for name, figure in drawn.items():
        for legend in figure.findobj(Legend):
            assert legend._loc != 0, f"{name}: a legend is placed with loc='best'"


def test_two_renders_are_byte_identical(first_draw, second_render):
    results, _ = second_render
    for result in results:
        for filename, image in first_draw[result.name].images.items():
            path = result.path.parent / filename
            assert path.read_bytes() == image, f"{filename} differs between renders"


def test_files_carry_no_date_or_version(second_render):
    for path in (r.path.parent / f for r in second_render[0] for f in FIGURES[r.name].filenames):
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG") and b"tEXt" not in data and b"Matplotlib" not in data
        else:
            svg = data.decode("utf-8")
            assert svg.startswith("<?xml") and "<svg" in svg
            assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_raster_figures_are_smaller_as_png_than_as_svg(drawn, first_draw):
    raster = [name for name, spec in FIGURES.items() if spec.raster]
    assert len(raster) >= 10
    for name in raster:
        buffer = io.BytesIO()
        drawn[name].savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        svg = compact_svg(buffer.getvalue())
        assert len(first_draw[name].images[FIGURES[name].filename]) < 0.75 * len(svg), f"{name}: the PNG is not clearly smaller"
    assert max(len(image) for d in first_draw.values() for image in d.images.values()) < 150 * 1024  # the cap per figure


def test_second_render_without_changes_draws_nothing(second_render):
    out_dir = second_render[1]
    results = render(out_dir=out_dir, log=None)
    assert [r.status for r in results] == ["cached"] * len(FIGURES)


def test_forced_render_draws_again(tmp_path):
    render(["activation_derivatives"], out_dir=tmp_path, log=None)
    (result,) = render(["activation_derivatives"], out_dir=tmp_path, force=True, log=None)
    assert result.status == "drawn"


def test_key_changes_with_the_figure_code_and_the_package(tmp_path):
    spec = FIGURES["activation_derivatives"]
    edited = tmp_path / "edited.py"
    edited.write_text(spec.source.read_text() + "\n# edited\n")
    assert figure_key(spec, "core") != figure_key(replace(spec, source=edited), "core")
    assert figure_key(spec, "core-a") != figure_key(spec, "core-b")
    assert figure_key(spec, "core") == figure_key(spec, "core")


@pytest.mark.parametrize("package", ["numpy", "matplotlib", "pillow", "scikit-learn"])
def test_key_changes_with_the_version_of_every_library_that_makes_a_figure(monkeypatch, package):
    """An upgrade of a library that computes or draws a figure must redraw it, not serve a stale file."""
    from importlib.metadata import version

    render_module = sys.modules["lesson_code.figures.render"]  # the package's name 'render' is the function

    spec = FIGURES["activation_derivatives"]
    before = figure_key(spec, "core")
    monkeypatch.setattr(render_module, "version", lambda name: "0.0.1-test" if name == package else version(name))
    assert figure_key(spec, "core") != before, f"{package} is not part of the figure key"


def test_the_build_manifest_changes_with_the_same_libraries(monkeypatch):
    from importlib.metadata import version

    import lesson_code._digest as digest_module

    before = source_digest(ROOT / "lesson_code", packages=FIGURE_PACKAGES)
    for package in ("numpy", "matplotlib", "pillow", "scikit-learn"):
        monkeypatch.setattr(digest_module, "version", lambda name, p=package: "0.0.1-test" if name == p else version(name))
        assert source_digest(ROOT / "lesson_code", packages=FIGURE_PACKAGES) != before, package


MIN_FONT_POINTS = 9.0
"""The smallest text a figure may use: in both layouts each figure is shown at 0.9 to 1.4 CSS
pixels per point (tests/test_figure_text.py measures it), so 9 pt is at least 8 pixels."""


def _texts(figure: Figure):
    for text in figure.findobj(matplotlib.text.Text):
        if text.get_visible() and text.get_text().strip() and text.get_figure(root=True) is figure:
            yield text


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_no_text_is_smaller_than_the_minimum(drawn, narrow):
    from lesson_code.figures.render import draw_variant

    for name, spec in FIGURES.items():
        figure = drawn[name] if not narrow else draw_variant(spec, narrow=True)
        small = {t.get_text(): t.get_fontsize() for t in _texts(figure) if t.get_fontsize() < MIN_FONT_POINTS}
        assert not small, f"{name} ({'narrow' if narrow else 'wide'}): text below {MIN_FONT_POINTS} pt: {small}"


def test_log_axes_write_powers_of_ten_in_plain_text(drawn):
    """Tick labels of log axes are Unicode text (10⁻⁵), not mathtext that pyparsing must parse."""
    log_axes = 0
    for name, figure in drawn.items():
        for ax in figure.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() != "log":
                    continue
                log_axes += 1
                labels = [t.get_text() for t in axis.get_ticklabels(which="both") if t.get_text()]
                assert labels, f"{name}: a log axis has no tick labels"
                assert not [label for label in labels if "$" in label], f"{name}: mathtext tick labels {labels}"
                assert any(re.fullmatch(r"(\d+×)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", label) for label in labels), (
                    f"{name}: no power of ten among {labels}")
    assert log_axes >= 10


def test_narrow_layout_is_narrow_and_stacks_the_panels(drawn):
    from lesson_code.figures.registry import NARROW_WIDTH
    from lesson_code.figures.render import draw_variant

    for name in ("gradient_profiles_with_fixes", "clipping_loss"):
        narrow = draw_variant(FIGURES[name], narrow=True)
        assert narrow.get_size_inches()[0] == pytest.approx(NARROW_WIDTH)
        boxes = [ax.get_position() for ax in narrow.axes]
        assert len({round(b.x0, 2) for b in boxes}) == 1 and len({round(b.y0, 2) for b in boxes}) == len(boxes)
        assert drawn[name].get_size_inches()[0] > 8


figures_hook_for_pictures = load_by_path("hooks/figures.py")


def test_figure_images_get_a_narrow_source_and_keep_their_alt_text():
    html = ('<p><img alt="Gradient norms by layer" src="../figures/g.png" /></p>'
            '<p><img alt="logo" src="../assets/logo.svg" /></p>')
    out = figures_hook_for_pictures.with_narrow_sources(html)
    assert ('<a class="figure-zoom" href="../figures/g.png"><picture>'
            '<source media="(max-width: 45em)" srcset="../figures/g.narrow.png" />'
            '<img alt="Gradient norms by layer" src="../figures/g.png" /></picture></a>') in out
    assert '<p><img alt="logo" src="../assets/logo.svg" /></p>' in out


def test_stale_key_redraws(tmp_path):
    render(["activation_derivatives"], out_dir=tmp_path, log=None)
    (tmp_path / "activation_derivatives.svg.key").write_text("stale")
    (result,) = render(["activation_derivatives"], out_dir=tmp_path, log=None)
    assert result.status == "drawn"


def test_progress_line_per_figure(second_render):
    lines: list[str] = []
    render(out_dir=second_render[1], log=lines.append)
    assert len(lines) == len(FIGURES)
    assert all(line.split()[2] in {"drawn", "cached"} and line.endswith(" s") for line in lines)


def test_failing_figure_is_named(monkeypatch, tmp_path):
    def broken() -> Figure:
        raise RuntimeError("no data")

    spec = FigureSpec("broken_figure", broken, 1, FIGURES["activation_derivatives"].source)
    monkeypatch.setitem(FIGURES, "broken_figure", spec)
    with pytest.raises(FigureError, match=r"figure 'broken_figure'.*RuntimeError: no data"):
        render(["broken_figure"], out_dir=tmp_path, log=None)


def test_figure_returning_something_else_is_named():
    spec = FigureSpec("not_a_figure", lambda: "svg", 0, FIGURES["activation_derivatives"].source)
    with pytest.raises(FigureError, match="'not_a_figure'.*must return a matplotlib Figure"):
        draw(spec)


def test_unknown_figure_name_lists_known_ones(tmp_path):
    with pytest.raises(ValueError, match="figure name must be one of .*'activation_derivatives'"):
        render(["no_such_figure"], out_dir=tmp_path, log=None)


def test_command_line(tmp_path):
    command = [sys.executable, "-m", "lesson_code.figures", "--out", str(tmp_path), "activation_derivatives"]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "activation_derivatives" in first.stdout and " drawn " in first.stdout
    assert " cached " in second.stdout
    assert (tmp_path / "activation_derivatives.svg").stat().st_size > 1000
    unknown = subprocess.run([*command[:-1], "nope"], capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "unknown figure(s) nope" in unknown.stderr


figures_hook = load_by_path("hooks/figures.py")


def test_the_build_leaves_a_manifest_of_the_current_figures(second_render):
    _, out_dir = second_render
    digest = source_digest(ROOT / "lesson_code", packages=FIGURE_PACKAGES)
    expected = {name: [spec.filename, spec.narrow_filename] for name, spec in FIGURES.items()}
    assert figures_hook._current_manifest(out_dir, digest) == expected


def test_a_manifest_counts_only_for_the_same_code_and_files_still_there(tmp_path):
    for name in ("a.svg", "a.narrow.svg", "a.svg.key"):
        (tmp_path / name).write_text("<svg/>", encoding="utf-8")
    figures_hook._write_manifest(tmp_path, "digest-1", {"a": ["a.svg", "a.narrow.svg"]})
    assert figures_hook._current_manifest(tmp_path, "digest-1") == {"a": ["a.svg", "a.narrow.svg"]}
    assert figures_hook._current_manifest(tmp_path, "digest-2") is None
    (tmp_path / "a.narrow.svg").unlink()
    assert figures_hook._current_manifest(tmp_path, "digest-1") is None
    (tmp_path / "a.narrow.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "a.svg.key").unlink()
    assert figures_hook._current_manifest(tmp_path, "digest-1") is None
    assert figures_hook._current_manifest(tmp_path / "nowhere", "digest-1") is None


def test_with_every_figure_current_the_hook_imports_no_figure_code(second_render):
    """The point of the manifest: a build with nothing to draw does not import matplotlib."""
    code = (
        "import sys\n"
        "from mkdocs.config import load_config\n"
        "from mkdocs.structure.files import Files\n"
        "config = load_config('mkdocs.yml')\n"
        "config = config.plugins.on_config(config)\n"
        "files = config.plugins.on_files(Files([]), config=config)\n"
        "print(sum(f.src_uri.startswith('figures/') for f in files),\n"
        "      'lesson_code.figures' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == [str(2 * len(FIGURES)), "False", "False"], result.stderr


def test_no_transform_in_an_svg_scales_to_zero(first_draw):
    """A glyph is a path drawn through a transform such as ``scale(0.015625)``: rounded to
    ``scale(0)``, every label of the figure vanishes while the file still loads."""
    scale = re.compile(r"scale\(\s*([-+0-9.eE]+)(?:[\s,]+([-+0-9.eE]+))?\s*\)")
    for result in first_draw.values():
        for variant, image in result.images.items():
            if image.startswith(b"\x89PNG"):
                continue
            factors = [float(f) for m in scale.finditer(image.decode()) for f in m.groups() if f is not None]
            assert factors, f"{variant}: no glyph transforms (text missing or not drawn as paths)"
            assert min(abs(f) for f in factors) > 0, f"{variant} has a transform that scales to zero"


RASTER_SCALE = 2
"""Chromium and matplotlib both draw at 2 device pixels per point (144 dpi)."""
BLOCK = 8
"""Differences are compared over blocks of 8 x 8 device pixels (4 x 4 points), smaller than one
character of the smallest label: a missing glyph darkens such a block by more than 0.5, while
antialiasing and sub-pixel placement (the two renderers differ by about a pixel) stay far below."""
MAX_BLOCK_DIFFERENCE = 0.4
"""Measured: 0.16-0.28 for the correct files, 0.53-0.62 with the text erased (the old bug)."""
P99_BLOCK_DIFFERENCE = 0.2
"""Measured: 0.05-0.13 for the correct files, 0.28-0.38 with the text erased."""


def _block_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    h = min(a.shape[0], b.shape[0]) // BLOCK * BLOCK
    w = min(a.shape[1], b.shape[1]) // BLOCK * BLOCK

    def pooled(x: np.ndarray) -> np.ndarray:
        return x[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK, 3).mean(axis=(1, 3))

    return np.abs(pooled(a) - pooled(b)).mean(axis=2)


def test_every_svg_as_chromium_draws_it_matches_matplotlibs_own_raster(first_draw, browser):
    """What the reader's browser shows of each published SVG (both variants) is what matplotlib
    itself rasterizes from the same figure, block by block: no post-processing may change it."""
    from PIL import Image

    from lesson_code.figures.render import STYLE, draw_variant

    page = browser.new_page(device_scale_factor=RASTER_SCALE)
    checked = 0
    try:
        for name, spec in FIGURES.items():
            if spec.raster:
                continue
            for variant, image in first_draw[name].images.items():
                figure = draw_variant(spec, narrow=variant.endswith(".narrow.svg"))
                buffer = io.BytesIO()
                with matplotlib.rc_context(STYLE):
                    figure.savefig(buffer, format="png", dpi=72 * RASTER_SCALE)
                reference = np.asarray(Image.open(buffer).convert("RGB"), dtype=float) / 255
                height, width = (round(n / RASTER_SCALE) for n in reference.shape[:2])
                page.set_viewport_size({"width": width, "height": height})
                source = "data:image/svg+xml;base64," + base64.b64encode(image).decode()
                page.set_content(f'<body style="margin:0"><img style="display:block;width:{width}px;'
                                 f'height:{height}px" src="{source}"></body>')
                page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth > 0")
                shown = np.asarray(Image.open(io.BytesIO(page.locator("img").screenshot())).convert("RGB"),
                                   dtype=float) / 255
                blocks = _block_difference(shown, reference)
                assert blocks.max() < MAX_BLOCK_DIFFERENCE and np.quantile(blocks, 0.99) < P99_BLOCK_DIFFERENCE, (
                    f"{variant}: Chromium's rendering differs from matplotlib's raster (largest block "
                    f"difference {blocks.max():.2f}, 99th percentile {np.quantile(blocks, 0.99):.2f})")
                checked += 1
    finally:
        page.close()
    assert checked >= 2 * sum(not spec.raster for spec in FIGURES.values())
