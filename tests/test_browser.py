"""The built site as a reader sees it, in headless Chromium.

For every page: HTTP 200 for the page and everything it loads, no console error, every image
loaded, every formula typeset, no request to another host, no serious or critical axe-core
violation, and a screenshot at desktop and phone width under ``test-artifacts/screenshots/``.
Then the search box and the light/dark toggle.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\$[^$\s][^$\n]{0,80}\$|\\(frac|partial|lVert|sigma|mathcal)\b")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _is_chapter(path: str) -> bool:
    """Pages a person reads: the home page, chapters and labs (not the generated API reference)."""
    return not path.startswith("reference/")


def _screenshot_name(path: str) -> str:
    return path.strip("/").replace("/", "_") or "home"


def _pages(site: Path) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    return _pages(built_site[0])


@pytest.fixture(scope="module")
def visited(browser, site_url, pages, axe_script) -> dict[str, dict]:
    """Open every page once, recording everything the tests below check."""
    host = urlparse(site_url).netloc
    results: dict[str, dict] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    outside: list[str] = []

    def guard(route):
        if urlparse(route.request.url).netloc == host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    for path in pages:
        page = context.new_page()
        record = {"failed": [], "console": [], "outside": []}
        page.on("console", lambda m, r=record: r["console"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, r=record: r["console"].append(str(e)))
        page.on("response", lambda resp, r=record: r["failed"].append(f"{resp.status} {resp.url}")
                if resp.status >= 400 else None)
        page.on("requestfailed", lambda req, r=record: r["failed"].append(f"failed {req.url}")
                if urlparse(req.url).netloc == host else None)
        before = len(outside)
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
        page.add_script_tag(path=str(axe_script))
        record["axe"] = page.evaluate(
            """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
                             return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                                    .map(v => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`); }"""
        )
        if _is_chapter(path):
            name = _screenshot_name(path)
            page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
            page.set_viewport_size(VIEWPORTS["phone"])
            page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        record["outside"] = outside[before:]
        results[path] = record
        page.close()
    context.close()
    return results


def test_site_has_pages(pages):
    assert "" in pages and "vanishing-gradients/" in pages and len(pages) >= 4


def test_every_page_and_resource_loads(visited):
    for path, record in visited.items():
        assert record["status"] == 200, f"/{path}: HTTP {record['status']}"
        assert not record["failed"], f"/{path}: {record['failed']}"


def test_no_console_errors(visited):
    for path, record in visited.items():
        assert not record["console"], f"/{path}: console errors {record['console']}"


def test_no_request_leaves_the_local_server(visited):
    for path, record in visited.items():
        assert not record["outside"], f"/{path} requested other hosts: {record['outside']}"


def test_every_image_is_loaded_with_alt_text(visited):
    seen = 0
    for path, record in visited.items():
        for image in record["images"]:
            seen += 1
            assert image["complete"] and image["width"] > 0, f"/{path}: image {image['src']} did not load"
            assert len(image["alt"].strip()) >= 20, f"/{path}: image {image['src']} needs alt text"
    assert seen >= 3


def test_every_formula_is_typeset(visited):
    assert visited["vanishing-gradients/"]["math"] >= 20
    for path, record in visited.items():
        leftover = RAW_TEX.search(record["text"])
        assert not leftover, f"/{path}: raw TeX visible: {leftover.group(0)!r}"


def test_no_serious_accessibility_violations(visited):
    for path, record in visited.items():
        assert not record["axe"], f"/{path}: axe-core found {record['axe']}"


def test_screenshots_were_saved(visited):
    for path in filter(_is_chapter, visited):
        for viewport in VIEWPORTS:
            shot = ARTIFACTS / f"{_screenshot_name(path)}-{viewport}.png"
            assert shot.stat().st_size > 5000, f"{shot} is missing or empty"


def test_search_finds_a_chapter_by_a_word_from_its_body(browser, site_url):
    page = browser.new_page()
    page.goto(site_url, wait_until="load")
    # a word that occurs only in the body of one chapter, not in any title
    page.fill("input.md-search__input", "Novikoff")
    page.wait_for_selector(".md-search-result__item", timeout=30000)
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
