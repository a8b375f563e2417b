"""`mkdocs build --strict` succeeds with no warning, and the built site is self-contained."""

from __future__ import annotations

import html as html_text
import json
import re
from collections import Counter
from pathlib import Path

from helpers import load_by_path, mkdocs_config

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""<(script|link|img|source|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE)


def test_strict_build_has_no_warnings(built_site):
    _, log = built_site
    warnings = [line for line in log.splitlines() if re.match(r"WARNING\s+-", line)]
    assert not warnings, "\n".join(warnings)


def test_every_page_is_built(built_site):
    site, _ = built_site
    for page in (ROOT / "docs").rglob("*.md"):
        relative = page.relative_to(ROOT / "docs").with_suffix("")
        html = site / ("index.html" if relative.name == "index" else relative / "index.html")
        if relative.name == "index" and relative.parent != Path("."):
            html = site / relative.parent / "index.html"
        assert html.exists(), f"{page} was not built ({html} missing)"


def test_no_resource_from_another_host(built_site):
    site, _ = built_site
    for page in site.rglob("*.html"):
        hits = EXTERNAL.findall(page.read_text(encoding="utf-8"))
        assert not hits, f"{page.relative_to(site)} loads resources from another host: {hits}"
    for sheet in site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?https?:|fonts\.googleapis", sheet.read_text(encoding="utf-8")), sheet


def test_figures_are_embedded_and_drawn(built_site):
    site, log = built_site
    chapter = (site / "vanishing-gradients" / "index.html").read_text(encoding="utf-8")
    for name in ("activation_derivatives", "layer_speeds_during_training"):
        assert f'src="../figures/{name}.svg"' in chapter
        svg = site / "figures" / f"{name}.svg"
        assert svg.stat().st_size > 1000 and svg.read_bytes().lstrip().startswith(b"<?xml")
        assert re.search(rf"figure {name}\s+(drawn|cached)", log), f"no progress line for {name}"
    images = re.findall(r"<img\b[^>]*>", chapter)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) for img in images), "figures need alt text"
    curvature = (site / "curvature" / "index.html").read_text(encoding="utf-8")
    assert 'src="../figures/bowl_descent_paths.png"' in curvature  # a raster figure
    assert (site / "figures" / "bowl_descent_paths.png").read_bytes().startswith(b"\x89PNG")


def test_math_is_typeset_at_build_time(built_site):
    site, _ = built_site
    chapter = (site / "vanishing-gradients" / "index.html").read_text(encoding="utf-8")
    assert chapter.count("<math") >= 20
    assert 'class="arithmatex"' not in chapter
    text = re.sub(r"<(pre|code|script)\b.*?</\1>", "", chapter, flags=re.DOTALL)
    assert "\\(" not in text and "\\[" not in text and "$$" not in text


def test_labs_are_rendered_offline_and_downloadable(built_site):
    site, _ = built_site
    for lab in (ROOT / "docs" / "labs").glob("*.py"):
        page = (site / "labs" / lab.stem / "index.html").read_text(encoding="utf-8")
        assert f'href="../{lab.stem}.ipynb"' in page, f"{lab.name}: no download link"
        assert "cdnjs" not in page and '<script src="">' not in page
        notebook = json.loads((site / "labs" / f"{lab.stem}.ipynb").read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4 and notebook["metadata"]["kernelspec"]["name"] == "python3"
        assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
        assert "jp-OutputArea-output" in page, f"{lab.name} was rendered without outputs"
        # this site is built under the suite's MPLBACKEND=Agg, which must not reach the kernel
        shown, drawn = lab.read_text(encoding="utf-8").count("plt.show()"), page.count("data:image/png")
        assert drawn >= shown > 0, f"{lab.name}: {shown} figures shown, {drawn} in the page"
        assert "cell-id=" not in page, f"{lab.name}: a random cell id of nbformat is left"
        cell_ids = re.findall(r'\bid="(notebook-cell-[^"]*)"', page)
        assert cell_ids == [f"notebook-cell-{n}" for n in range(len(cell_ids))] and len(cell_ids) > 3, (
            f"{lab.name}: cell ids are not numbered in order (nbformat draws random ones): {cell_ids[:5]}"
        )


ELEMENT_ID = re.compile(r'\bid="([^"]+)"')


def _ids(html: str) -> set[str]:
    return set(ELEMENT_ID.findall(html))


def test_no_page_repeats_an_id(built_site):
    """A repeated id breaks anchors and the copy buttons that target it (mkdocs-jupyter's
    ``cell-N``), and screen readers' label lookups."""
    site, _ = built_site
    for page in site.rglob("*.html"):
        counts = Counter(ELEMENT_ID.findall(page.read_text(encoding="utf-8")))
        repeated = sorted(name for name, count in counts.items() if count > 1)
        assert not repeated, f"{page.relative_to(site)} repeats ids {repeated[:5]}"


def test_every_internal_link_and_anchor_resolves(built_site):
    site, _ = built_site
    pages = {page: page.read_text(encoding="utf-8") for page in site.rglob("*.html")}
    checked = 0
    for page, html in pages.items():
        for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html):
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue  # external or javascript:/mailto: links are not the site's to resolve
            path, _, anchor = href.partition("#")
            if path.startswith("/"):
                target = (site / path.lstrip("/")).resolve()  # the 404 page links from the root
            else:
                target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(site)} links to missing {href}"
            if anchor and target.suffix == ".html":
                assert anchor in _ids(pages.get(target) or target.read_text(encoding="utf-8")), (
                    f"{page.relative_to(site)} links to {href}, but that page has no id {anchor!r}"
                )
            checked += 1
    assert checked > 50


def test_api_reference_shows_no_raw_sphinx_roles(built_site):
    site, _ = built_site
    pages = list((site / "reference").rglob("index.html"))
    assert len(pages) >= 18
    for page in pages:
        assert not re.search(r":(class|func|meth|mod|attr):<code>", page.read_text(encoding="utf-8")), page


def test_every_chapter_says_in_words_when_it_last_changed(built_site):
    """Material shows the date beside an icon whose tooltip alone says what the date is."""
    site, _ = built_site
    nav = mkdocs_config()["nav"]
    chapters = load_by_path("hooks/chapters.py").chapter_sources(nav)
    assert len(chapters) >= 9
    for chapter in chapters:
        html = (site / chapter.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        assert re.search(r'Last changed <time datetime="(\d{4}-\d{2}-\d{2})">\1</time>', html), chapter


def test_every_public_module_has_an_api_page_listed_in_the_index_and_the_nav(built_site):
    """The API reference is generated from the package: a new module needs no page of its own."""
    site, _ = built_site
    api_reference = load_by_path("hooks/api_reference.py")
    modules = api_reference.public_modules(ROOT)
    assert {"network", "recurrent", "residual", "tables"} <= set(modules)
    assert not [m for m in modules if m.startswith("_")]
    index = (site / "reference" / "index.html").read_text(encoding="utf-8")
    index_text = " ".join(html_text.unescape(re.sub(r"<[^>]+>", "", index)).split())
    for module in modules:
        slug = module.replace("_", "-")
        page = (site / "reference" / slug / "index.html").read_text(encoding="utf-8")
        assert f"lesson_code.{module}" in page and 'class="doc doc-object doc-module"' in page, module
        assert f'href="{slug}/"' in index, f"the API index does not list {module}"
        summary = " ".join(re.sub(r":\w+:|`|\*", "", api_reference.summary(ROOT, module)).split())
        assert summary and summary in index_text, f"the API index does not give {module}'s summary {summary!r}"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="reference/{m.replace("_", "-")}/"' in home for m in modules), "the nav misses a module"


def test_the_explorer_takes_its_constants_from_lesson_code(built_site):
    """One source: the page's script is written from lesson_code.explorer.page_constants, and the
    engine holds no copy of those numbers."""
    from lesson_code.explorer import page_constants

    site, _ = built_site
    script = (site / "javascripts" / "explorer-constants.js").read_text(encoding="utf-8")
    written = json.loads(re.search(r"Object\.freeze\((\{.*\})\)", script)[1])
    assert written == page_constants()
    engine = (ROOT / "docs" / "javascripts" / "gradient-flow-engine.js").read_text(encoding="utf-8")
    assert not re.search(r"var (BATCH|MAX_DEPTH|LEAKY_RELU_SLOPE|BN_EPS) = [\d.]", engine)
    scripts = mkdocs_config()["extra_javascript"]
    assert scripts.index("javascripts/explorer-constants.js") < scripts.index("javascripts/gradient-flow-engine.js")
