"""``mkdocs serve --dirty`` (hooks/dirty_reload.py): a page edit rebuilds that page alone, and
the site is then what a clean build makes; anything pages share rebuilds every page.

The builds run in one process, as the server's do (tests/dirty_session.py), on a small copy of
the project: a home page, two chapters, a lab and the API reference of the whole package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, copy_project, load_by_path, site_files

dirty_reload = load_by_path("hooks/dirty_reload.py")

HOME = "# Home\n\nThe chapters:\n\n<!-- chapters -->\n"
CHAPTER = "---\ndescription: {description}\n---\n\n# {title}\n\n## A section\n\n{body}\n"
LAB = "# %% [markdown]\n# # Lab: tiny\n#\n# {text}\n\n# %%\nprint(6 * 7)\n"
NAV = """nav:
  - Home: index.md
  - Chapters:
      - First: first.md
      - Second: second.md
  - Labs:
      - Tiny: labs/tiny.py
  - API reference:
      - reference/index.md
"""


def chapter(title: str, body: str, description: str = "what one measures") -> str:
    return CHAPTER.format(title=title, body=body, description=description)


@pytest.fixture(scope="module")
def session(built_site, tmp_path_factory) -> dict:
    """The copy, the JSON line of each build, and the site after the one-page rebuild beside a
    clean build of the same sources."""
    work = tmp_path_factory.mktemp("dirty")
    project = copy_project(work / "project", NAV)
    (project / "docs" / "labs").mkdir()
    (project / "docs" / "reference").mkdir()
    sources = {
        "docs/index.md": HOME,
        "docs/first.md": chapter("First", "The first body."),
        "docs/second.md": chapter("Second", "The second body."),
        "docs/labs/tiny.py": LAB.format(text="A lab."),
        "docs/reference/index.md": "# API reference\n\n<!-- modules -->\n",
    }
    steps = [
        {"write": sources},
        {"write": {"docs/first.md": chapter("First", "An edited first body.")},
         "snapshot": str(work / "after-one-page"), "clean_build": str(work / "clean")},
        {"write": {"docs/second.md": chapter("Second", "The second body.", "a new description")}},
        {"write": {"docs/first.md": chapter("First", "Edited twice."),
                   "docs/second.md": chapter("Second", "Edited too.", "a new description")}},
        {"write": {"docs/index.md": HOME + "\nA new line.\n"}},
        {"write": {"docs/labs/tiny.py": LAB.format(text="An edited lab.")}},
    ]
    (work / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "dirty_session.py"), str(project), str(work / "site"), str(work / "steps.json")],
        check=False, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(project)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    builds = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(builds) == len(steps), result.stdout
    return {"project": project, "work": work, "builds": builds, "site": work / "site"}


PAGES = {"index.html", "first/index.html", "second/index.html", "labs/tiny/index.html"}


def _pages(rebuilt: list[str]) -> set[str]:
    """The built pages among the rebuilt files, API reference included, 404 page aside."""
    return {path for path in rebuilt if path != "404.html"}


def test_the_first_build_builds_every_page(session):
    first = session["builds"][0]
    assert PAGES <= _pages(first["rebuilt"])
    assert any(path.startswith("reference/") for path in first["rebuilt"])
    assert any("every page" in line and "first build" in line for line in first["log"]), first["log"]


def test_a_page_edit_rebuilds_that_page_alone(session):
    one_page = session["builds"][1]
    assert _pages(one_page["rebuilt"]) == {"first/index.html"}, one_page["log"]
    assert one_page["log"] == ["Dirty build of first.md"]
    html = (session["work"] / "after-one-page" / "first" / "index.html").read_text(encoding="utf-8")
    assert "An edited first body." in html


def _search_entries(site: Path) -> list[str]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return sorted(json.dumps(entry, sort_keys=True) for entry in index["docs"])


def test_after_a_page_edit_the_site_is_what_a_clean_build_makes(session):
    """Byte for byte, but for the sitemap's dates and the search index's order: Material appends
    the rebuilt page's entries to the kept ones."""
    dirty, clean = session["work"] / "after-one-page", session["work"] / "clean"
    ignored = frozenset({"sitemap.xml", "sitemap.xml.gz", "search_index.json"})
    a, b = site_files(dirty, ignored), site_files(clean, ignored)
    assert a.keys() == b.keys(), sorted(a.keys() ^ b.keys())[:10]
    assert [name for name in a if a[name] != b[name]] == []
    entries = _search_entries(dirty)
    assert entries == _search_entries(clean)
    assert sum("An edited first body." in entry for entry in entries) == 1


@pytest.mark.parametrize(("step", "reason"), [
    (2, "front matter"),  # the home page lists each chapter's description
    (3, "2 pages changed"),
    (4, "index.md changed, and other pages' addresses begin with its own"),
    (5, "a lab changed (labs/tiny.py)"),
])
def test_what_pages_share_rebuilds_every_page(session, step, reason):
    build = session["builds"][step]
    assert PAGES <= _pages(build["rebuilt"]), build["log"]
    assert any(line.startswith("Dirty build of every page") and reason in line for line in build["log"]), build["log"]


def test_every_page_sees_what_they_share(session):
    site = session["site"]
    assert "a new description" in (site / "index.html").read_text(encoding="utf-8")
    assert "An edited lab." in (site / "labs" / "tiny" / "index.html").read_text(encoding="utf-8")
    assert len(_search_entries(site)) == len(set(_search_entries(site)))


def test_a_one_page_build_keeps_the_executed_labs(session):
    """mkdocs-jupyter evicts the cached run of every lab a build did not render; a one-page build
    renders none, and must not evict them. An edited lab runs again, and its new run is kept."""
    cached = [build["cached_labs"] for build in session["builds"]]
    assert len(cached[0]) == 1 and cached[1] == cached[0], cached
    assert len(cached[-1]) == 1 and cached[-1] != cached[0], cached


def test_the_digest_covers_what_pages_share(tmp_path):
    """Everything named in the hook's docstring changes the digest; a page's body does not."""
    from mkdocs.config import load_config

    project = tmp_path / "project"
    for name in ("hooks", "overrides", "lesson_code"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n\nBody.\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text("site_name: x\ntheme:\n  name: material\n  custom_dir: overrides\n"
                                        "hooks:\n  - hooks/shared.py\n", encoding="utf-8")
    from mkdocs.structure.files import get_files

    def digest() -> str:
        config = load_config(str(project / "mkdocs.yml"))
        return dirty_reload.shared_inputs_digest(config, list(get_files(config).documentation_pages()))

    seen = [digest()]
    (project / "docs" / "index.md").write_text("# Home\n\nAnother body.\n", encoding="utf-8")
    assert digest() == seen[-1], "a page's body changed the digest"
    edits = [
        ("docs/index.md", "# Home page\n\nAnother body.\n"),
        ("docs/index.md", "---\ndescription: new\n---\n# Home page\n\nAnother body.\n"),
        ("mkdocs.yml", (project / "mkdocs.yml").read_text(encoding="utf-8") + "site_description: y\n"),
        ("overrides/partials/source.html", (project / "overrides" / "partials" / "source.html").read_text(encoding="utf-8") + "\n"),
        ("lesson_code/activations.py", (project / "lesson_code" / "activations.py").read_text(encoding="utf-8") + "\n"),
        ("docs/second.md", "# Second\n"),
    ]
    for path, text in edits:
        (project / path).write_text(text, encoding="utf-8")
        seen.append(digest())
        assert seen[-1] != seen[-2], f"editing {path} left the digest as it was"
