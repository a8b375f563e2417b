"""The site as published: built with ``SITE_URL`` and ``REPO_URL`` and served from a sub-path.

GitHub Pages serves a project's site from ``https://<owner>.github.io/<repo>/``, and for a
missing address under it answers the site's ``404.html`` with status 404. Here the site is built
for ``https://example.test/course/`` with a GitHub repository set, served under ``/course/`` by a
local server that behaves the same way, and read in headless Chromium: the home page, every page
of the reader's path (the nav's chapters and labs) and a missing address, with no failed request
and no request to another host. The same build's sitemap, "Edit this page" and "Open in Colab"
links and notebooks are checked without a browser. Like the release job's, the build has
``COURSE_PDF=1``: ``test_downloads.py`` checks the PDF and the offline copy it adds.

The build is one per test run (under a file lock, like the suite's own build in
``conftest.py``), made after the suite's build from a copy of its warm ``.cache``: it reuses the
figures and labs, and its own results (pages with other links, notebooks with an install cell)
do not replace the suite's cached ones, which ``test_build_faults.py`` expects a rebuild to reuse.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from filelock import FileLock
from nbclient import NotebookClient

from helpers import ROOT, build_site, load_by_path, mkdocs_config, reader_pages

SITE_URL = "https://example.test/course/"
REPO_URL = "https://github.com/example/course"
PREFIX = urlsplit(SITE_URL).path
MISSING = "no-such-page/"

downloads = load_by_path("hooks/downloads.py")
notebooks = load_by_path("hooks/notebooks.py")
CHAPTERS = [source.removesuffix(".md") for source in load_by_path("hooks/chapters.py").chapter_sources(mkdocs_config()["nav"])]
LINK = re.compile(r'<a\b[^>]*\bhref="(?P<href>[^"]+)"[^>]*>(?P<text>.*?)</a>', re.DOTALL)


@pytest.fixture(scope="session")
def published_site(built_site, run_folder) -> Path:
    """The site built for ``SITE_URL`` with ``REPO_URL`` set and ``COURSE_PDF=1``, once per test run."""
    site, done = run_folder / "published-site", run_folder / "published-site.log"
    with FileLock(str(run_folder / "published-site.lock")):
        if not done.exists():
            project = downloads.project_view(ROOT, run_folder / "published-project", ROOT / "mkdocs.yml", site)
            result = build_site(site, cwd=project,
                                extra_env={"SITE_URL": SITE_URL, "REPO_URL": REPO_URL, "REPO_BRANCH": "main",
                                           "COURSE_PDF": "1"})
            assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}"
            done.write_text(result.stdout + result.stderr, encoding="utf-8")
    return site


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under ``PREFIX`` only; a missing address gets ``404.html`` with status
    404, as GitHub Pages answers."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__outside_the_sub_path__")  # no such file: a 404
        return super().translate_path("/" + path[len(PREFIX):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def served(published_site) -> Iterator[str]:
    """Address of the published site served under ``PREFIX``, e.g. ``http://127.0.0.1:PORT/course/``."""
    handler = functools.partial(_SubPathHandler, directory=str(published_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


def test_the_server_answers_like_github_pages(served):
    """The checks below mean something only if the server fails what the site gets wrong."""
    from urllib.error import HTTPError
    from urllib.request import urlopen

    assert urlopen(served).status == 200
    for wrong in (served + MISSING, served.replace(PREFIX, "/") + "assets/"):
        with pytest.raises(HTTPError) as answer:
            urlopen(wrong)
        assert answer.value.code == 404 and b"404 - Not found" in answer.value.read()


def _visit(context, url: str) -> dict:
    """Open ``url`` in a new tab of ``context``: its status, every failed request, every request
    to another host, and whether the page's stylesheets applied."""
    host = urlsplit(url).netloc
    record: dict = {"failed": [], "outside": []}
    page = context.new_page()
    page.on("request", lambda r: record["outside"].append(r.url)
            if urlsplit(r.url).netloc != host and not r.url.startswith(("data:", "blob:")) else None)
    page.on("response", lambda r: record["failed"].append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url != url else None)
    page.on("requestfailed", lambda r: record["failed"].append(f"failed {r.url}"))
    try:
        # networkidle: Material fetches the sitemap and the search index after the page loads
        response = page.goto(url, wait_until="networkidle")
        record["status"] = response.status
        record["styled"] = page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet && l.sheet.cssRules.length > 0)
                     && getComputedStyle(document.querySelector('.md-header')).position === 'sticky'"""
        )
        record["title"] = page.evaluate("document.querySelector('article h1')?.textContent ?? ''")
    finally:
        page.close()
    return record


@pytest.mark.parametrize("path", [*reader_pages(), MISSING], ids=lambda p: p or "home")
def test_page_under_the_sub_path(browser, served, path):
    """Status 200 (404 and the styled not-found page for a missing address), every request
    answered, none to another host, and the theme's and the course's stylesheets applied."""
    context = browser.new_context()
    try:
        record = _visit(context, served + path)
    finally:
        context.close()
    problems = [f"failed to load: {f}" for f in record["failed"]]
    problems += [f"requested another host: {u}" for u in record["outside"]]
    if record["status"] != (404 if path == MISSING else 200):
        problems.append(f"HTTP {record['status']}")
    if not record["styled"]:
        problems.append("a stylesheet did not load or apply")
    if path == MISSING and "404" not in record["title"]:
        problems.append(f"not the site's 404 page: title {record['title']!r}")
    assert not problems, f"{PREFIX}{path}:\n  " + "\n  ".join(problems)


ROOTED = re.compile(r"""\b(?:href|src|action)=["'](/(?!/)[^"']*)["']""")


def test_no_page_links_outside_the_sub_path(published_site):
    """A root-relative address (``/assets/...``) would leave the sub-path; every one in every
    HTML file, the 404 page included, starts with it."""
    outside = {
        f"{html.relative_to(published_site)}: {target}"
        for html in published_site.rglob("*.html")
        for target in ROOTED.findall(html.read_text(encoding="utf-8"))
        if not target.startswith(PREFIX)
    }
    assert not outside, "\n".join(sorted(outside)[:20])


def test_sitemap_lists_every_page_under_the_site_url(published_site):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in etree.parse(published_site / "sitemap.xml").findall("s:url/s:loc", namespace)]
    pages = {
        SITE_URL + ("" if html.parent == published_site else html.parent.relative_to(published_site).as_posix() + "/")
        for html in published_site.rglob("index.html")
    }
    assert locations and all(loc.startswith(SITE_URL) for loc in locations)
    assert set(locations) == pages


def _links(page: Path, text: str) -> list[str]:
    """Addresses of the links of ``page`` whose text contains ``text``."""
    return [m["href"] for m in LINK.finditer(page.read_text(encoding="utf-8")) if text in m["text"]]


def _first_code_cell(notebook: nbformat.NotebookNode) -> str:
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_links_to_colab_and_to_its_source(published_site, chapter):
    """One "Open in Colab" link, to the notebook as the workflow publishes it (the site on the
    gh-pages branch), which is in the build, valid and installs the package first; one "Edit
    this page" link to the chapter's source on the branch built."""
    page = published_site / chapter / "index.html"
    colab = _links(page, "Open in Colab")
    prefix = "https://colab.research.google.com/github/example/course/blob/gh-pages/"
    assert len(colab) == 1 and colab[0].startswith(prefix), colab
    target = published_site / colab[0].removeprefix(prefix)
    assert target == published_site / f"{chapter}.ipynb" and target.is_file()
    notebook = nbformat.read(target, as_version=4)
    nbformat.validate(notebook)
    assert _first_code_cell(notebook) == notebooks.install_cell(REPO_URL, "main")
    edit = re.findall(r'<a\b[^>]*href="([^"]+)"[^>]*title="Edit this page"', page.read_text(encoding="utf-8"))
    assert edit == [f"{REPO_URL}/edit/main/docs/{chapter}.md"]


def test_without_a_repository_no_colab_link_and_no_install_cell(built_site):
    """The suite's own build has no ``REPO_URL``: the download link stays, alone."""
    site, _ = built_site
    for chapter in CHAPTERS:
        assert not _links(site / chapter / "index.html", "Open in Colab"), chapter
        assert _links(site / chapter / "index.html", "Download this chapter as a notebook"), chapter
        notebook = nbformat.read(site / f"{chapter}.ipynb", as_version=4)
        assert not any("%pip" in cell.source for cell in notebook.cells), chapter


def test_a_published_notebook_runs_top_to_bottom(published_site, tmp_path):
    """The install cell and the chapter after it, in a fresh kernel where ``lesson_code`` is
    installed (the install path itself is checked in ``test_publishing.py``, without network)."""
    notebook = nbformat.read(published_site / "why-deep-was-hard.ipynb", as_version=4)
    assert "%pip install" in _first_code_cell(notebook)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert any(output.get("output_type") in ("stream", "execute_result", "display_data")
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
