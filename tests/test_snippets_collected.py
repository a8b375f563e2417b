"""No Python snippet in docs/ may escape sybil: every Python-looking fence must be collected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil.example import SybilFailure

from helpers import make_sybil

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?([A-Za-z0-9_+-]*)", re.MULTILINE)
PYTHONISH = re.compile(r"^(py|python|python3|py3|pycon|ipython|ipython3)$", re.IGNORECASE)


def _python_fence_lines(text: str) -> list[int]:
    lines, inside = [], None
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if inside is None:
            inside = match.group(1)
            if PYTHONISH.match(match.group(1)):
                lines.append(line)
        elif not match.group(1):
            inside = None
    return lines


def _fence_start_lines(path: Path) -> set[int]:
    """Line of the opening fence for each collected region (doctest regions start inside it)."""
    text = path.read_text(encoding="utf-8")
    starts = set()
    for region in make_sybil().parse(path):
        opening = text.rfind("```", 0, region.start + 3)
        before = text.rfind("\n", 0, opening) + 1
        starts.add(text.count("\n", 0, before) + 1)
    return starts


PAGES = sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_python_fence_is_collected(page):
    expected = set(_python_fence_lines(page.read_text(encoding="utf-8")))
    missing = expected - _fence_start_lines(page)
    assert not missing, f"{page}: Python fences at lines {sorted(missing)} are not run by sybil"


def test_chapters_have_snippets():
    assert sum(len(_python_fence_lines(p.read_text(encoding="utf-8"))) for p in PAGES) >= 10


def test_fences_with_attributes_and_aliases_are_collected(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n"
        '```python title="example.py"\nx = 1\n```\n\n'
        "```py\ny = x + 1\n```\n\n"
        "```pycon\n>>> print(y)\n2\n```\n\n"
        "    ```python\n    z = y\n    ```\n\n"
        "```bash\necho not python\n```\n"
    )
    examples = list(make_sybil().parse(page))
    assert len(examples) == 4
    for example in examples:
        example.evaluate()  # runs in one namespace; the pycon doctest compares its output
    assert _python_fence_lines(page.read_text()) == [3, 7, 11, 16]


def test_failing_snippet_names_file_and_line(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text("# Broken\n\n```python\n>>> print(1 + 1)\n3\n```\n")
    (example,) = list(make_sybil().parse(page))
    with pytest.raises(SybilFailure) as failure:
        example.evaluate()
    report = str(failure.value)
    assert f"{page}, line 4" in report
    assert "Expected:\n    3\nGot:\n    2" in report
