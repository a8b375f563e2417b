"""Run every Python snippet in ``docs/**/*.md`` under pytest with sybil.

The blocks of one page run in order in one namespace, like a notebook. A block whose first line
starts with ``>>>`` is a doctest: its printed output is compared with the text under it, so a
number shown in a chapter is a checked output. A failure names the file and line.

sybil's stock Markdown parser only takes fences whose info string is exactly ``python``;
``python title="x.py"``, ``py`` or ``pycon`` blocks would be skipped without a word. The parser
here reads the language of the info string the way the site and the chapter notebooks do, from
the one definition in ``hooks/code_blocks.py``, and ``tests/test_snippets_collected.py`` fails if
any Python-looking fence in ``docs/`` escapes it.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # headless: no window, no display needed
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist already runs one worker per core: a second BLAS thread per worker would only
    # contend for the same cores (OpenBLAS threads spin while they wait). Children inherit this.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")

from sybil import Sybil
from sybil.parsers.abstract.codeblock import PythonDocTestOrCodeBlockParser
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.codeblock import CodeBlockParser

import lesson_code  # noqa: F401  (with LESSON_CODE_PERTURB set, every random draw is nudged)


def _load_code_blocks():
    """``hooks/code_blocks.py``, which says which fences are Python (hooks/ is not a package)."""
    path = Path(__file__).resolve().parent / "hooks" / "code_blocks.py"
    spec = importlib.util.spec_from_file_location("course_code_blocks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


code_blocks = _load_code_blocks()


class InfoStringCodeBlockParser(CodeBlockParser):
    """A fenced block is Python when the first word of its info string is a Python language."""

    def __call__(self, document):
        for region in self.lexers(document):
            if code_blocks.is_python_fence(region.lexemes["arguments"]):
                region.parsed = region.lexemes["source"]
                region.evaluator = self._evaluator or self.evaluate
                yield region


class PythonSnippetParser(PythonDocTestOrCodeBlockParser):
    """A Python block is a doctest when ``code_blocks.is_doctest`` says so, the rule by which the
    site shows it as a session and the notebook drops its expected output."""

    codeblock_parser_class = InfoStringCodeBlockParser

    def __call__(self, document):
        for region in self.codeblock_parser(document):
            if code_blocks.is_doctest(region.parsed):
                for doctest_region in self.doctest_parser(region.parsed, document.path):
                    doctest_region.adjust(region, region.parsed)
                    yield doctest_region
            else:
                yield region


def make_sybil() -> Sybil:
    return Sybil(
        parsers=[
            PythonSnippetParser(doctest_optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS),
            SkipParser(),
        ],
        path="docs",
        patterns=["*.md"],
    )


pytest_collect_file = make_sybil().pytest()

collect_ignore_glob = ["docs/labs/*.py"]
"""The labs are scripts that run top to bottom; ``--doctest-modules`` imported them, running each
lab in every pytest process (2.4 s apiece) to find no doctest. The site build executes them, and
fails on an error (``tests/test_labs.py``)."""


SCHEDULED_TOGETHER = (
    "tests/test_figures.py", "tests/test_descent_widget.py", "tests/test_baselines.py", "tests/test_build_faults.py",
)
"""Test modules whose tests share an expensive module fixture (every figure drawn, a browser
page, fitted models, a second site build): each runs on one worker instead of paying for its
fixture on every one."""


def xdist_group(nodeid: str) -> str | None:
    """The pytest-xdist group a test goes to whole (``--dist loadgroup``), or None to spread it:
    the blocks of one page of ``docs/`` (they share a namespace and run in order, so a page split
    over two workers would lose its definitions), the modules of ``SCHEDULED_TOGETHER``, and the
    checks of one view of ``tests/test_reader_view.py`` (they share its page load).
    ``tests/test_scheduling.py`` checks the groups, and that a page's blocks share a worker.
    """
    source = nodeid.split("::")[0]
    if source == "tests/test_reader_view.py" and "[" in nodeid:
        return source + nodeid[nodeid.index("["):]
    return source if source.endswith(".md") or source in SCHEDULED_TOGETHER else None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks, on every worker
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = xdist_group(item.nodeid)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
