"""The course's PDF and offline copy, which ``COURSE_PDF=1`` adds to a build (``hooks/downloads.py``).

They are checked in the build of ``test_subpath.py`` (``published_site``: the site as the release
job builds it, with ``COURSE_PDF=1``), so the suite makes one extra build for both files. The PDF
is read with pypdf: every chapter in nav order (its outline, its first pages' text and the printed
contents), every figure of the printed pages (their alt texts, which Chromium's tagged PDF keeps),
math drawn with the site's math font, page numbers. The offline copy is unpacked and opened from
``file://`` in Chromium: search finds a chapter, and no request fails or leaves the files.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.exceptions import PluginError
from pypdf import PdfReader

from helpers import load_by_path, mkdocs_config
from test_subpath import published_site  # noqa: F401  (the fixture: one build for both test files)

downloads = load_by_path("hooks/downloads.py")
FIGURE_ALT = re.compile(r'<img alt="([^"]*)" src="[^"]*figures/')
RASTER = re.compile(r'<img alt="[^"]*" src="([^"]*figures/[^"]*\.png)"')


def _chapters() -> list[tuple[str, str]]:
    """(title, file) of each page under *Chapters* in the nav of ``mkdocs.yml``, in order."""
    section = next(entry["Chapters"] for entry in mkdocs_config()["nav"] if "Chapters" in entry)
    return [next(iter(item.items())) for item in section]


CHAPTERS = _chapters()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf(published_site) -> PdfReader:  # noqa: F811
    return PdfReader(published_site / downloads.PDF)


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    """Top-level bookmarks: (title, index of the page it opens)."""
    return [(_flat(item.title), reader.get_destination_page_number(item))
            for item in reader.outline if not isinstance(item, list)]


def _chapter_starts(reader: PdfReader) -> list[int]:
    """Index of the page each chapter starts on, from its bookmark ("Chapter N" and the title)."""
    outline, starts = _outline(reader), []
    for number, (title, _) in enumerate(CHAPTERS, start=1):
        heading = re.compile(rf"chapter\s*{number}\s*{re.escape(title)}", re.IGNORECASE)
        found = [page for name, page in outline if heading.fullmatch(name)]
        assert len(found) == 1, f"no bookmark for chapter {number} {title!r}: {[name for name, _ in outline]}"
        starts.append(found[0])
    return starts


def test_pdf_holds_every_chapter_in_nav_order(pdf):
    """A bookmark per chapter, in nav order, opening a page that shows the chapter's title,
    then the references; the printed contents list the chapters in the same order."""
    outline, starts = _outline(pdf), _chapter_starts(pdf)
    for (title, _), start in zip(CHAPTERS, starts, strict=True):
        assert title in _flat(pdf.pages[start].extract_text()), f"page {start + 1} does not show {title!r}"
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    assert outline[-1][0] == "References" and outline[-1][1] > starts[-1]
    contents = _flat(" ".join(pdf.pages[index].extract_text() for index in range(1, starts[0])))
    assert contents.startswith("Contents")
    positions = [contents.find(f"{number}. {title}") for number, (title, _) in enumerate(CHAPTERS, start=1)]
    assert -1 not in positions and positions == sorted(positions), positions


def test_pdf_page_count_and_page_numbers(pdf):
    """Every chapter runs to several pages, none to a hundred; each page says which it is."""
    total = len(pdf.pages)
    assert 3 * len(CHAPTERS) < total < 100 * len(CHAPTERS), total
    for index in (0, 1, total // 2, total - 1):
        assert f"page {index + 1} of {total}" in pdf.pages[index].extract_text(), index


def _figure_alts(reader: PdfReader) -> list[str]:
    """The alt text of every figure of the tagged PDF's structure tree."""
    alts, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue
        if node.get("/S") == "/Figure" and node.get("/Alt"):
            alts.append(_flat(str(node["/Alt"])))
        children = node.get("/K")
        stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    return alts


def test_pdf_shows_every_figure_of_the_printed_pages(pdf, published_site):  # noqa: F811
    printed = [file for _, file in CHAPTERS] + ["references.md"]
    expected = {
        _flat(html.unescape(alt))
        for file in printed
        for alt in FIGURE_ALT.findall((published_site / Path(file).stem / "index.html").read_text(encoding="utf-8"))
    }
    assert len(expected) > len(CHAPTERS)  # the pattern finds the figures at all
    missing = expected - set(_figure_alts(pdf))
    assert not missing, f"{len(missing)} figures not in the PDF, e.g. {min(missing)[:120]!r}"
    rasters = {
        src
        for file in printed
        for src in RASTER.findall((published_site / Path(file).stem / "index.html").read_text(encoding="utf-8"))
    }
    embedded = sum(
        xobject.get_object()["/Subtype"] == "/Image"
        for page in pdf.pages
        for xobject in (page["/Resources"].get("/XObject") or {}).values()
    )
    assert embedded >= len(rasters) > 0  # the raster figures are embedded, not only tagged


def test_pdf_math_is_drawn_with_the_served_math_font(pdf):
    """MathML, not TeX source: mathematical italic letters and a partial derivative, in the
    font the site serves (Noto Sans Math)."""
    chapter = _chapter_starts(pdf)[1]  # backprop: formulas from its first page on
    text = " ".join(pdf.pages[index].extract_text() for index in range(chapter, chapter + 4))
    assert "∂" in text and re.search("[\U0001d434-\U0001d467]", text), text[:500]
    assert "$" not in text and "\\frac" not in text
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in pdf.pages[chapter:chapter + 4]
        for font in (page.get("/Resources", {}).get("/Font") or {}).values()
    }
    assert any("NotoSansMath" in font for font in fonts), fonts


def test_home_page_links_the_downloads_only_when_built(published_site, built_site):  # noqa: F811
    home = (published_site / "index.html").read_text(encoding="utf-8")
    for target in (downloads.PDF, downloads.ZIP):
        assert f'href="{target}"' in home and (published_site / target).stat().st_size > 100_000, target
    assert not (published_site / downloads.PRINT_PAGE).exists()
    site, _ = built_site
    plain = (site / "index.html").read_text(encoding="utf-8")
    assert "downloads/" not in plain and not (site / "downloads").exists()


def test_offline_copy_searches_from_the_file_system(browser, published_site, tmp_path):  # noqa: F811
    """Unpacked, ``index.html`` opened from ``file://``: every request answered from the copy's
    own files, a search finds the chapter that holds a word of its body and opens it with its
    figures, and a chapter's scripts run (Material's, and the course's widget)."""
    with zipfile.ZipFile(published_site / downloads.ZIP) as bundle:
        bundle.extractall(tmp_path)
    home = tmp_path / downloads.NAME / "index.html"
    assert home.is_file() and (home.parent / "search" / "search_index.js").is_file()
    page = browser.new_page()
    problems: list[str] = []

    def failed(request) -> None:
        # A request the next navigation cancels (the favicon, under load) fails as ERR_ABORTED:
        # that is a problem only if the file is not in the copy.
        path = Path(unquote(urlsplit(request.url).path))
        if request.failure != "net::ERR_ABORTED" or not path.is_file():
            problems.append(f"failed {request.url} ({request.failure})")

    page.on("requestfailed", failed)
    page.on("request", lambda r: problems.append(f"outside the copy: {r.url}")
            if not r.url.startswith(("file://", "data:", "blob:", "about:")) else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    try:
        page.goto(home.as_uri(), wait_until="load")
        page.fill("input.md-search__input", "Novikoff")
        page.wait_for_selector(".md-search-result__item", timeout=90000)
        results = " ".join(page.locator(".md-search-result__item").all_inner_texts())
        chapter = page.locator(".md-search-result__item a[href*='hardness-of-training.html']").first
        chapter.click()
        page.wait_for_load_state("load")
        opened = page.url
        figures = page.evaluate("""() => [...document.querySelectorAll('article img')]
                                         .map(img => img.complete && img.naturalWidth > 0)""")
        page.goto((home.parent / "curvature.html").as_uri(), wait_until="load")
        # the page's scripts run: Material's copy buttons, and the widget replaces its figure
        page.wait_for_selector(".descent-widget--live", timeout=30000)
        copy_buttons = page.locator(".md-code__button").count()
    finally:
        page.close()
    assert "How hard is training, in theory" in results
    assert opened.startswith((home.parent / "hardness-of-training.html").as_uri()), opened
    assert figures and all(figures), figures
    assert copy_buttons > 0
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize(("value", "offline"), [
    ("", False), ("0", False), ("FALSE", False), ("no", False), ("off", False),
    ("1", True), ("true", True), (" Yes", True), ("on", True),
])
def test_the_offline_switch_reads_the_shared_on_off_values(monkeypatch, value, offline):
    monkeypatch.setenv("COURSE_OFFLINE", value)
    config = SimpleNamespace(theme={"features": ["navigation.instant", "content.code.copy"]})
    downloads.on_config(config)
    assert config.theme["features"] == (["content.code.copy"] if offline else ["navigation.instant", "content.code.copy"])


def test_an_unknown_switch_value_stops_the_build_naming_the_variable(monkeypatch):
    monkeypatch.setenv("COURSE_PDF", "maybe")
    with pytest.raises(PluginError, match=r"COURSE_PDF must be 1 or 0 \(also true/false, yes/no, on/off\), got 'maybe'"):
        downloads.on_nav(None, None, None)


def test_a_project_view_links_the_project_but_copies_its_config_and_cache(tmp_path):
    root = tmp_path / "project"
    for name in ("docs", "lesson_code", ".git", ".venv", "site", "test-artifacts", "built"):
        (root / name).mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: course\n", encoding="utf-8")
    (root / "release.yml").write_text("site_name: release\n", encoding="utf-8")
    (root / ".cache" / "figures").mkdir(parents=True)
    (root / ".cache" / "figures" / "a.svg").write_text("<svg/>", encoding="utf-8")
    (root / ".cache" / "memo.json.12.tmp").write_text("{", encoding="utf-8")
    view = downloads.project_view(root, tmp_path / "view", root / "release.yml", root / "built")
    assert sorted(entry.name for entry in view.iterdir() if entry.is_symlink()) == ["docs", "lesson_code", "release.yml"]
    assert all((view / name).resolve() == (root / name).resolve() for name in ("docs", "lesson_code"))
    assert not (view / "mkdocs.yml").is_symlink()
    assert (view / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: release\n"
    cached = sorted(path.relative_to(view / ".cache").as_posix() for path in (view / ".cache").rglob("*"))
    assert cached == ["figures", "figures/a.svg"] and not (view / ".cache").is_symlink()
