"""pytest-xdist keeps together what must run together, through its public ``--dist loadgroup``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict

from helpers import ROOT, load_by_path

root_conftest = load_by_path("conftest.py")


def test_pages_modules_and_views_have_groups_and_other_tests_none():
    group = root_conftest.xdist_group
    assert group("docs/curvature.md::line:12,column:1") == "docs/curvature.md"
    assert group("tests/test_figures.py::test_registry_is_not_empty") == "tests/test_figures.py"
    assert group("tests/test_reader_view.py::test_figure_text[curvature-phone-dark]") == (
        "tests/test_reader_view.py[curvature-phone-dark]")
    assert group("tests/test_network.py::test_gradients") is None


def test_the_blocks_of_one_page_run_on_one_worker():
    """Without the groups, xdist spreads a page's blocks over both workers, and a block that needs
    an earlier block's names fails on the other one."""
    pages = ["docs/why-deep-was-hard.md", "docs/contributing.md", "docs/index.md"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-v", *pages], check=False,
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    workers = defaultdict(set)
    for worker, page in re.findall(r"^\[(gw\d+)\] \[\s*\d+%\] PASSED (docs/[\w.-]+\.md)::", run.stdout, re.MULTILINE):
        workers[page].add(worker)
    assert set(workers) == set(pages), run.stdout[-2000:]
    assert all(len(found) == 1 for found in workers.values()), dict(workers)
