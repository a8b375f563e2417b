"""Every chapter's generated notebook is the page's checked code, and runs in a plain kernel.

A notebook's code cells are the page's snippets, which sybil runs in order in one namespace, and
one cell per figure. Running all nine notebooks in kernels would run every snippet a second time
(a minute of the suite), so every notebook is compared with what sybil runs, statement by
statement, and each figure cell must name a registered figure (``test_figures.py`` draws them
all); the notebooks of ``KERNEL_RUNS`` are executed in a real Jupyter kernel for what only a
kernel can show (imports, display, the working directory of a downloaded notebook).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers import ROOT, load_by_path, make_sybil, mkdocs_config
from lesson_code.figures import FIGURES

DOCS = ROOT / "docs"


notebooks = load_by_path("hooks/notebooks.py")
CHAPTERS = [DOCS / source for source in load_by_path("hooks/chapters.py").chapter_sources(mkdocs_config()["nav"])]


def test_every_chapter_gets_a_notebook(built_site):
    site, _ = built_site
    assert len(CHAPTERS) >= 9
    for chapter in CHAPTERS:
        notebook = nbformat.reads((site / f"{chapter.stem}.ipynb").read_text(encoding="utf-8"), as_version=4)
        assert any(cell.cell_type == "code" for cell in notebook.cells), f"{chapter.name}: its notebook has no code"


def test_conversion_keeps_code_drops_doctest_output_and_draws_figures():
    page = (
        "# Title\n\n!!! question \"The question\"\n    Why?\n\n"
        "```python\nx = 2\n```\n\n"
        "```python\n>>> for i in range(2):\n...     print(x + i)\n2\n3\n```\n\n"
        "![A figure that shows something.](figures/activation_derivatives.svg)\n\n"
        "![A figure whose alt text\nruns over two lines.](figures/one_node_chain.svg)\n\n"
        "1. An exercise.\n\n    ??? success \"Solution\"\n        Text.\n\n"
        "        ```python\n        >>> print(x)\n        2\n        ```\n\n        After.\n"
    )
    cells = notebooks.chapter_to_notebook(page).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    assert code == [
        "x = 2",
        "for i in range(2):\n    print(x + i)",
        'from lesson_code.figures import get_figure\n\nget_figure("activation_derivatives").function()',
        'from lesson_code.figures import get_figure\n\nget_figure("one_node_chain").function()',
        "print(x)",
    ]
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "**The question**" in prose and "Why?" in prose and "!!!" not in prose
    assert "*Figure: A figure that shows something.*" in prose
    assert "*Figure: A figure whose alt text runs over two lines.*" in prose and "](figures/" not in prose
    assert "\n    After." not in prose and "After." in prose


def _execute(chapter: Path, workdir: Path) -> None:
    """Run the chapter's notebook in a fresh kernel; a cell that raises raises CellExecutionError."""
    notebook = notebooks.chapter_to_notebook(chapter.read_text(encoding="utf-8"))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()


KERNEL_RUNS = ("why-deep-was-hard.md", "backprop-is-a-product.md", "curvature.md")
"""Chapters whose notebooks are executed: together they have plain code, doctests, exercises
with solutions and figure cells (asserted below), and each runs in about 2.5 s."""

FIGURE_CELL = re.compile(r'^from lesson_code\.figures import get_figure\n\nget_figure\("([^"]+)"\)\.function\(\)$')


def _statements(code: str) -> list[str]:
    return [line.rstrip() for line in code.splitlines() if line.strip()]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_notebook_code_is_what_sybil_runs_plus_registered_figures(chapter):
    text = chapter.read_text(encoding="utf-8")
    assert not re.search(r"<!--\s*skip:", text), f"{chapter.name}: a block sybil skips would run unchecked in the notebook"
    checked = [line for region in make_sybil().parse(chapter)
               for line in _statements(getattr(region.parsed, "source", str(region.parsed)))]
    code_cells = [cell.source for cell in notebooks.chapter_to_notebook(text).cells if cell.cell_type == "code"]
    figures = [m.group(1) for cell in code_cells if (m := FIGURE_CELL.match(cell))]
    in_notebook = [line for cell in code_cells if not FIGURE_CELL.match(cell) for line in _statements(cell)]
    if in_notebook != checked:
        at = next((i for i, pair in enumerate(zip(in_notebook, checked, strict=False)) if pair[0] != pair[1]),
                  min(len(in_notebook), len(checked)))
        pytest.fail(f"{chapter.name}: the notebook's code differs from the page's snippets at statement "
                    f"{at + 1}: notebook {in_notebook[at:at + 1]}, page {checked[at:at + 1]}")
    assert set(figures) <= set(FIGURES), f"{chapter.name}: unknown figures {set(figures) - set(FIGURES)}"
    assert len(figures) == len(re.findall(r"^[ \t]*!\[[^\]]*\]\([^)]*figures/", text, re.MULTILINE))


def test_kernel_runs_cover_every_kind_of_cell():
    texts = [(DOCS / name).read_text(encoding="utf-8") for name in KERNEL_RUNS]
    assert all((DOCS / name) in CHAPTERS for name in KERNEL_RUNS)
    assert any(">>> " in t for t in texts) and any("??? success" in t for t in texts)
    assert any(FIGURE_CELL.match(c.source) for t in texts for c in notebooks.chapter_to_notebook(t).cells)


@pytest.mark.parametrize("name", KERNEL_RUNS)
def test_chapter_notebook_executes_in_a_kernel(tmp_path, name):
    _execute(DOCS / name, tmp_path)


def test_a_notebook_that_raises_fails_its_run(tmp_path):
    chapter = tmp_path / "broken.md"
    chapter.write_text("# Broken\n\n```python\nraise ValueError('planted')\n```\n", encoding="utf-8")
    with pytest.raises(CellExecutionError, match="planted"):
        _execute(chapter, tmp_path)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_page_offers_its_notebook(built_site, chapter):
    site, _ = built_site
    page = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
    assert f'href="../{chapter.stem}.ipynb"' in page
    assert (site / f"{chapter.stem}.ipynb").read_bytes().startswith(b"{")


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of a CSS ``rgb(r, g, b)`` colour."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


BUTTON_COLOURS = """(selector) => {
    const button = document.querySelector(selector);
    let element = button, background = null;
    while (element && !background) {  // the first opaque background behind the text
        const colour = getComputedStyle(element).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(colour)) background = colour;
        element = element.parentElement;
    }
    return {text: getComputedStyle(button).color, border: getComputedStyle(button).borderTopColor,
            background: background || 'rgb(255, 255, 255)'};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_download_buttons_meet_wcag_aa_contrast_in_both_schemes(browser, site_url, scheme):
    """The chapter and lab notebook-download buttons: text at least 4.5:1 against what is behind
    it, at rest and when hovered, and the outline at least 3:1 (WCAG 1.4.3 and 1.4.11). In the
    dark scheme Material's indigo button had 2.4:1."""
    page = browser.new_page(color_scheme=scheme)
    measured = []
    buttons = (("curvature/", ".notebook-download .md-button"), ("labs/gradient-flow/", ".lab-download .md-button"))
    for path, selector in buttons:
        page.goto(site_url + path, wait_until="load")
        palette = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert palette == {"light": "default", "dark": "slate"}[scheme]
        page.mouse.move(0, 0)
        rest = page.evaluate(BUTTON_COLOURS, selector)
        page.hover(selector)
        page.wait_for_timeout(400)  # Material's colour transition
        hover = page.evaluate(BUTTON_COLOURS, selector)
        measured.append((path, _contrast(rest["text"], rest["background"]),
                         _contrast(rest["border"], rest["background"]), _contrast(hover["text"], hover["background"])))
    page.close()
    for path, text, outline, hovered in measured:
        assert text >= 4.5 and outline >= 3 and hovered >= 4.5, (scheme, path, text, outline, hovered)
