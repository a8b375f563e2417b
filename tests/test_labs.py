"""Every lab runs top to bottom in a plain Jupyter kernel with the package installed.

The site build executes labs too, but mkdocs-jupyter caches by notebook bytes only, so a change
in ``lesson_code`` that breaks a lab would hide behind its cache; this test always executes.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

LABS = sorted((Path(__file__).resolve().parent.parent / "docs" / "labs").glob("*.py"))


def test_there_are_labs():
    assert LABS


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.name)
def test_lab_executes(lab, tmp_path):
    notebook = jupytext.read(lab)
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert outputs, f"{lab.name} printed or showed nothing"
    assert not [o for o in outputs if o.output_type == "error"]
