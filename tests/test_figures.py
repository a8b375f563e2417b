"""Every registered figure draws, shows its data with labels, and renders byte-identically."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure

from lesson_code.figures import FIGURES, FigureError, figure_key, render
from lesson_code.figures.registry import FigureSpec
from helpers import ROOT, load_by_path
from lesson_code.figures import RenderResult
from lesson_code.figures.render import DrawnFigure, compact_svg, draw, draw_figures
from lesson_code._digest import FIGURE_PACKAGES, source_digest


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


def test_two_renders_are_byte_identical(first_draw, second_render):
    results, _ = second_render
    for result in results:
        assert result.path.read_bytes() == first_draw[result.name].image, f"{result.name} differs between renders"


def test_files_carry_no_date_or_version(second_render):
    for result in second_render[0]:
        data = result.path.read_bytes()
        if FIGURES[result.name].raster:
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
        assert len(first_draw[name].image) < 0.75 * len(svg), f"{name}: the PNG is not clearly smaller"
    assert max(len(d.image) for d in first_draw.values()) < 150 * 1024  # the cap per figure


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
    unknown = subprocess.run([*command[:-1], "nope"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "unknown figure(s) nope" in unknown.stderr


figures_hook = load_by_path("hooks/figures.py")


def test_the_build_leaves_a_manifest_of_the_current_figures(second_render):
    _, out_dir = second_render
    digest = source_digest(ROOT / "lesson_code", packages=FIGURE_PACKAGES)
    expected = {name: spec.filename for name, spec in FIGURES.items()}
    assert figures_hook._current_manifest(out_dir, digest) == expected


def test_a_manifest_counts_only_for_the_same_code_and_files_still_there(tmp_path):
    (tmp_path / "a.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "a.svg.key").write_text("key", encoding="utf-8")
    figures_hook._write_manifest(tmp_path, "digest-1", {"a": "a.svg"})
    assert figures_hook._current_manifest(tmp_path, "digest-1") == {"a": "a.svg"}
    assert figures_hook._current_manifest(tmp_path, "digest-2") is None
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
    assert result.stdout.split() == [str(len(FIGURES)), "False", "False"], result.stderr
