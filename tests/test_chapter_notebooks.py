"""Every chapter's generated notebook runs top to bottom in a plain Jupyter kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from nbclient import NotebookClient

from helpers import ROOT

DOCS = ROOT / "docs"


def _hook():
    spec = importlib.util.spec_from_file_location("notebooks_hook", ROOT / "hooks" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebooks = _hook()
CHAPTERS = sorted(p for p in DOCS.glob("*.md") if notebooks.is_chapter(p.name, p.read_text(encoding="utf-8")))


def test_every_chapter_gets_a_notebook():
    assert len(CHAPTERS) >= 9
    assert {"vanishing-gradients.md", "curvature.md", "what-fixed-it.md"} <= {p.name for p in CHAPTERS}


def test_conversion_keeps_code_drops_doctest_output_and_draws_figures():
    page = (
        "# Title\n\n!!! question \"The question\"\n    Why?\n\n"
        "```python\nx = 2\n```\n\n"
        "```python\n>>> for i in range(2):\n...     print(x + i)\n2\n3\n```\n\n"
        "![A figure that shows something.](figures/activation_derivatives.svg)\n\n"
        "1. An exercise.\n\n    ??? success \"Solution\"\n        Text.\n\n"
        "        ```python\n        >>> print(x)\n        2\n        ```\n\n        After.\n"
    )
    cells = notebooks.chapter_to_notebook(page).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    assert code == [
        "x = 2",
        "for i in range(2):\n    print(x + i)",
        'from lesson_code.figures import get_figure\n\nget_figure("activation_derivatives").function()',
        "print(x)",
    ]
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "**The question**" in prose and "Why?" in prose and "!!!" not in prose
    assert "*Figure: A figure that shows something.*" in prose
    assert "\n    After." not in prose and "After." in prose


def _execute(chapter: Path, workdir: Path) -> list[str]:
    notebook = notebooks.chapter_to_notebook(chapter.read_text(encoding="utf-8"))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return [o.get("ename", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_notebook_executes(tmp_path, chapter):
    errors = _execute(chapter, tmp_path)
    assert not errors, f"{chapter.name}: the generated notebook raised {errors}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_page_offers_its_notebook(built_site, chapter):
    site, _ = built_site
    page = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
    assert f'href="../{chapter.stem}.ipynb"' in page
    assert (site / f"{chapter.stem}.ipynb").read_bytes().startswith(b"{")
