"""Builds are reproducible, and a fault planted in a temporary copy of the project is reported
with a message that names what broke and where."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, build_site, copy_project, site_files


def _assert_same_site(first: Path, second: Path, what: str) -> None:
    a, b = site_files(first), site_files(second)
    assert a.keys() == b.keys(), f"{what}: files only in one: {sorted(a.keys() ^ b.keys())[:10]}"
    differing = [name for name in a if a[name] != b[name]]
    assert not differing, f"{what}: files differ: {differing[:10]}"


def _cache_reuse(log: str) -> dict[str, tuple[int, int]]:
    """From a build's log: for each cache of hooks/build_cache.py, (results reused, results used)."""
    return {
        f"{what} ({unit})": (int(hits), int(total))
        for what, hits, total, unit in re.findall(r"Build cache: (.+?) of (\d+) of (\d+) (\w+) reused", log)
    }


@pytest.fixture(scope="module")
def rebuild(built_site, tmp_path_factory) -> tuple[Path, str]:
    """A second build of the project, after the suite's own: every cache is warm."""
    site = tmp_path_factory.mktemp("again") / "site"
    result = build_site(site)
    assert result.returncode == 0, result.stderr
    return site, result.stderr


MEMO_CACHES = {"MathML (pages)", "notebooks (chapters)", "notebooks (labs)", "MathML (cells)", "WebAssembly (kernels)"}
"""The results our hooks keep between builds, as each build's log names them."""


def test_two_builds_are_byte_identical_and_the_second_reuses_every_cached_result(built_site, rebuild):
    """The second build computes nothing that the hooks keep in a memo; a missing or partial
    "reused" line means a cache stopped working."""
    (first, _), (again, log) = built_site, rebuild
    _assert_same_site(first, again, "two builds")
    reused = _cache_reuse(log)
    assert reused.keys() == MEMO_CACHES
    for what, (hits, total) in reused.items():
        assert total > 0 and hits == total, f"{what}: {hits} of {total} reused"
    jinja = ROOT / ".cache" / "jinja"
    for environment in ("theme", "mkdocstrings"):
        assert any(jinja.glob(f"*/{environment}/__jinja2_*.cache")), f"no compiled {environment} templates"


@pytest.fixture(scope="module")
def uncached_site(built_site, site_built_from_nothing, tmp_path_factory) -> Path:
    """A build that reused none of hooks/build_cache.py's results and executed the labs.

    The suite's own build is one when it started without a ``.cache`` folder (a fresh clone, as
    in CI): building again would only repeat it. Otherwise build with ``COURSE_BUILD_CACHE=off``,
    which reuses nothing but the figures (whose render is compared with a fresh one in
    test_figures.py)."""
    if site_built_from_nothing:
        reused = _cache_reuse(built_site[1])
        assert reused.keys() == MEMO_CACHES, f"expected the caches {sorted(MEMO_CACHES)} in the log, found {sorted(reused)}"
        assert not any(hits for hits, _ in reused.values()), f"a build from nothing reused results: {reused}"
        return built_site[0]
    site = tmp_path_factory.mktemp("uncached") / "site"
    result = build_site(site, extra_env={"COURSE_BUILD_CACHE": "off"})
    assert result.returncode == 0, result.stderr
    reused = _cache_reuse(result.stderr)
    assert reused and not any(hits for hits, _ in reused.values()), f"a build with the caches off reused results: {reused}"
    return site


def test_build_caches_change_nothing(uncached_site, rebuild):
    """A build that reuses every cached result makes the same site, byte for byte, as one that
    computed everything."""
    _assert_same_site(uncached_site, rebuild[0], "a build with and one without the page caches")


@pytest.fixture
def project_copy(built_site, tmp_path) -> Path:
    """A small copy of the project: the home page, its hooks, lesson_code and the warm figure cache."""
    nav = "nav:\n  - Home: index.md\n  - Chapters:\n      - Planted: planted.md\n"  # hooks/chapters.py needs the section
    copy = copy_project(tmp_path / "project", nav)
    shutil.copy(ROOT / "docs" / "index.md", copy / "docs" / "index.md")
    shutil.copy(ROOT / "conftest.py", copy / "conftest.py")
    return copy


def _build_copy(copy: Path) -> subprocess.CompletedProcess:
    # the copy's lesson_code must shadow the installed (editable) one
    return build_site(copy / "site", cwd=copy, extra_env={"PYTHONPATH": str(copy)})


PLANTED_FRONT_MATTER = "---\ndescription: A page planted by a test\n---\n\n"
"""A chapter of the nav needs a description (hooks/chapters.py); the planted page is one."""


def test_failing_figure_names_the_figure_and_the_page(project_copy):
    (project_copy / "lesson_code" / "figures" / "planted.py").write_text(
        "from lesson_code.figures.registry import register\n\n"
        "@register('planted_failure', curves=1)\n"
        "def planted_failure():\n"
        "    raise ZeroDivisionError('planted fault')\n"
    )
    (project_copy / "docs" / "planted.md").write_text(
        PLANTED_FRONT_MATTER + "# Planted\n\n![A figure that cannot be drawn, planted by a test.](figures/planted_failure.svg)\n"
    )
    result = _build_copy(project_copy)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "figure 'planted_failure'" in log and "ZeroDivisionError: planted fault" in log
    assert "docs/planted.md" in log


def test_unknown_figure_fails_the_strict_build_naming_the_page(project_copy):
    (project_copy / "docs" / "planted.md").write_text(
        PLANTED_FRONT_MATTER + "# Planted\n\n![A figure nobody registered.](figures/no_such_figure.svg)\n"
    )
    result = _build_copy(project_copy)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "docs/planted.md embeds figures/no_such_figure.svg" in log
    assert "Registered figures: activation_derivatives" in log


def test_unknown_tex_command_fails_the_strict_build_naming_the_page(project_copy):
    (project_copy / "docs" / "planted.md").write_text(PLANTED_FRONT_MATTER + "# Planted\n\nA typo: $\\alpah + 1$.\n")
    for attempt in ("first", "second"):  # a page that warned is not cached: it warns every time
        result = _build_copy(project_copy)
        log = result.stdout + result.stderr
        assert result.returncode != 0, attempt
        assert "docs/planted.md: unknown TeX command \\alpah" in log, attempt


def test_broken_snippet_fails_pytest_with_file_and_line(project_copy):
    page = project_copy / "docs" / "planted.md"
    page.write_text(
        "# Planted\n\nSome prose.\n\n```python\nvalue = 2 + 2\n```\n\n"
        "```python\n>>> print(value)\n5\n```\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "docs/planted.md", "-q", "-p", "no:cacheprovider",
         "-o", "addopts=", "-o", "testpaths=docs"],
        cwd=project_copy, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(project_copy)}, timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "planted.md, line 10" in result.stdout
    assert "Expected:\n    5\nGot:\n    4" in result.stdout
