"""The built site as a reader sees it, in headless Chromium.

For every page: HTTP 200 for the page and everything it loads, no console error, every image
loaded, every formula typeset, no request to another host. The pages outside the reader view of
``tests/test_reader_view.py`` (the API reference, references, contributing) are also checked
here for raw TeX and with axe-core; the reader view checks those and more on the home page, the
chapters and the labs, at two widths and in both schemes, and keeps their screenshots. One test
per page, so that pytest-xdist spreads the pages over the cores; then the search box and the
light/dark toggle.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers import ROOT, load_by_path, reader_pages

READER_PAGES = frozenset(reader_pages())
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\$[^$\s][^$\n]{0,80}\$|\\(frac|partial|lVert|sigma|mathcal)\b")
FENCED_CODE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")
FIGURE = re.compile(r"!\[[^\]]*\]\([^)]*figures/")
INLINE_MATH = re.compile(r"\$[^$\s][^$\n]*\$")
DESKTOP = {"width": 1280, "height": 800}


def _sources() -> dict[str, Path]:
    """Every page the site should have (its URL path) and the file it is built from."""
    docs = ROOT / "docs"
    sources = {}
    for markdown in docs.rglob("*.md"):
        parts = markdown.relative_to(docs).with_suffix("").parts
        url = "/".join(parts[:-1] if parts[-1] == "index" else parts)
        sources[url + "/" if url else ""] = markdown
    for lab in (docs / "labs").glob("*.py"):
        sources[f"labs/{lab.stem}/"] = lab
    api_reference = load_by_path("hooks/api_reference.py")  # generates a page per public module
    for module in api_reference.public_modules(ROOT):
        page = api_reference.page_uri(module).removesuffix(".md") + "/"
        module_file = ROOT / "lesson_code" / f"{module}.py"
        sources.setdefault(page, module_file if module_file.exists() else ROOT / "lesson_code" / module / "__init__.py")
    return dict(sorted(sources.items()))


SOURCES = _sources()


def _built_pages(site: Path) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


def test_the_site_has_exactly_the_pages_tested_here(built_site):
    assert sorted(_built_pages(built_site[0])) == sorted(SOURCES)
    assert "" in SOURCES and "vanishing-gradients/" in SOURCES
    assert READER_PAGES < set(SOURCES)


@pytest.fixture(scope="module")
def reader(browser):
    """One tab for the pages of a worker, as one reader going from page to page. The renderer
    process and what it compiled (the theme's scripts, axe-core) stay: a new tab for each page
    cost about a third more CPU, and the suite is CPU-bound on two cores."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def _visit(page, site_url: str, path: str, axe_script: Path) -> dict:
    """Open one page in the reader's tab, recording everything the test below checks."""
    host = urlparse(site_url).netloc
    record: dict = {"failed": [], "console": [], "outside": []}
    # observed, not intercepted: routing every request through Python cost more than the check
    listeners = {
        "request": lambda r: record["outside"].append(r.url)
        if urlparse(r.url).netloc != host and not r.url.startswith(("data:", "blob:")) else None,
        "console": lambda m: record["console"].append(m.text) if m.type == "error" else None,
        "pageerror": lambda e: record["console"].append(str(e)),
        "response": lambda r: record["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
        # A request cancelled by the tab's next navigation (ERR_ABORTED; a missing file is a 404,
        # recorded above) is no fault of the page: on a loaded machine one of the last page's
        # late requests was cancelled as the tab moved on, and was blamed on the next page.
        "requestfailed": lambda r: record["failed"].append(f"failed {r.url} ({r.failure})")
        if urlparse(r.url).netloc == host and r.failure != "net::ERR_ABORTED" else None,
    }
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        response = page.goto(site_url + path, wait_until="load")
        record["status"] = response.status if response else None
        record["images"] = page.eval_on_selector_all(
            "article img",
            "imgs => imgs.map(i => ({src: i.getAttribute('src'), alt: i.alt, complete: i.complete, width: i.naturalWidth}))",
        )
        record["text"] = page.evaluate(
            """() => { const a = document.querySelector('article').cloneNode(true);
                       a.querySelectorAll('pre, code, script, style, math, .jp-InputArea, .zeroclipboard-container').forEach(e => e.remove());
                       return a.innerText; }"""
        )
        record["math"] = page.evaluate("document.querySelectorAll('article math').length")
        record["axe"] = []
        if path not in READER_PAGES:  # the reader view runs axe-core on its pages, in both schemes
            page.add_script_tag(path=str(axe_script))
            record["axe"] = page.evaluate(
                """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
                                 return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                                        .map(v => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`); }"""
            )
    finally:  # the tab goes on to the next page, without this page's recorders
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    return record


@pytest.mark.parametrize("path", list(SOURCES), ids=lambda p: p or "home")
def test_page_as_a_reader_sees_it(reader, site_url, axe_script, path):
    """Status 200 for the page and all it loads, no console error, no request to another host,
    every image loaded with alt text, every formula typeset; outside the reader view's pages, no
    raw TeX and no serious axe-core violation."""
    record = _visit(reader, site_url, path, axe_script)
    source = SOURCES[path].read_text(encoding="utf-8")
    problems = []
    if record["status"] != 200:
        problems.append(f"HTTP {record['status']}")
    problems += [f"failed to load: {f}" for f in record["failed"]]
    problems += [f"console error: {c}" for c in record["console"]]
    problems += [f"requested another host: {u}" for u in record["outside"]]
    for image in record["images"]:
        if not (image["complete"] and image["width"] > 0):
            problems.append(f"image {image['src']} did not load")
        if len(image["alt"].strip()) < 20:
            problems.append(f"image {image['src']} needs alt text (20 characters or more)")
    if FIGURE.search(INLINE_CODE.sub("", FENCED_CODE.sub("", source))) and not record["images"]:
        problems.append("the source embeds figures but the page shows no image")
    leftover = path not in READER_PAGES and RAW_TEX.search(record["text"])
    if leftover:
        problems.append(f"raw TeX visible: {leftover.group(0)!r}")
    if INLINE_MATH.search(INLINE_CODE.sub("", FENCED_CODE.sub("", source))) and not record["math"]:
        problems.append("the source has $...$ math but the page has no MathML")
    problems += [f"axe-core: {violation}" for violation in record["axe"]]
    assert not problems, f"/{path}:\n  " + "\n  ".join(problems)


def test_formulas_are_mathml_on_the_mathematical_chapters(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "vanishing-gradients/", wait_until="load")
    count = page.evaluate("document.querySelectorAll('article math').length")
    page.close()
    assert count >= 20


def test_search_finds_a_chapter_by_a_word_from_its_body(browser, site_url):
    page = browser.new_page()
    page.goto(site_url, wait_until="load")
    # a word that occurs only in the body of one chapter, not in any title
    page.fill("input.md-search__input", "Novikoff")
    # the search worker builds its index first, which takes long on a loaded 2-core machine
    page.wait_for_selector(".md-search-result__item", timeout=90000)
    titles = " ".join(page.locator(".md-search-result__item").all_inner_texts())
    page.close()
    assert "How hard is training, in theory" in titles


def test_palette_toggle_switches_light_and_dark(browser, site_url):
    page = browser.new_page(color_scheme="light")
    page.goto(site_url, wait_until="networkidle")
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    back = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.close()
    assert (before, after, back) == ("default", "slate", "default")
