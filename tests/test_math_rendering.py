"""Math as a reader sees it: the served MATH font, the MathML the converter writes, and the fit of
display equations on a phone.

The font (``hooks/math_font.py``) is checked in the served bytes (an OpenType MATH table, a
glyph for every character the site's MathML uses) and in Chromium (loaded on every page with
math; a bracket around a matrix stretches). Every page with math is opened at 390 px, the
width of a phone.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from mkdocs.exceptions import PluginError

from helpers import ROOT, load_by_path

math_font = load_by_path("hooks/math_font.py")

PHONE = {"width": 390, "height": 844}
MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.S)
TOKEN_TEXT = re.compile(r"<(mi|mo|mn|mtext)\b[^>]*>([^<]*)</\1>")


def _pages_with_math(site: Path) -> list[str]:
    pages = []
    for page in sorted(site.rglob("index.html")):
        if "<math" in page.read_text(encoding="utf-8"):
            relative = page.parent.relative_to(site).as_posix()
            pages.append("" if relative == "." else relative + "/")
    return pages



def test_the_served_math_font_has_a_math_table_and_a_glyph_for_every_character_used(built_site):
    site, _ = built_site
    font = TTFont(site / math_font.SERVED_FONT)
    assert "MATH" in font, "the served font has no OpenType MATH table: brackets would not stretch"
    assert font["MATH"].table.MathVariants.VertGlyphCount > 50  # stretchy delimiters, big operators
    assert (site / math_font.SERVED_LICENCE).read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    cmap = font.getBestCmap()
    used = set()
    for page in site.rglob("*.html"):
        for element in MATH_ELEMENT.findall(page.read_text(encoding="utf-8")):
            for _, text in TOKEN_TEXT.findall(element):
                used.update(html.unescape(text))
    invisible = {"\u2061", "\u2062", "\u2063", "\u00a0", " "}  # function application and spaces: no glyph drawn
    assert len(used) > 60
    missing = sorted(c for c in used - invisible if ord(c) not in cmap)
    assert not missing, f"characters in the site's MathML that the math font lacks: {missing}"


def test_math_css_lists_the_served_font_first_for_math():
    css = (ROOT / "docs" / "stylesheets" / "math.css").read_text(encoding="utf-8")
    assert f'url("../{math_font.SERVED_FONT}")' in css
    family = re.search(r"\.md-typeset math\s*\{[^}]*font-family:\s*([^;]+);", css).group(1)
    assert family.split(",")[0].strip() == '"Noto Sans Math"'


def test_without_npm_the_build_says_how_to_get_the_font(tmp_path, monkeypatch):
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(math_font.shutil, "which", lambda name: None)
    with pytest.raises(PluginError, match=r"Install Node.js with npm, then run `npm ci`"):
        math_font.math_font_files(tmp_path)
    (tmp_path / "package.json").unlink()
    with pytest.raises(PluginError, match="has no package.json"):
        math_font.math_font_files(tmp_path)


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_pages_with_math_are_found(built_site):
    pages = _pages_with_math(built_site[0])
    assert "vanishing-gradients/" in pages and len(pages) >= 10


@pytest.mark.parametrize("path", ["backprop-is-a-product/", "vanishing-gradients/", "curvature/",
                                  "convexity-and-saddle-points/", "hardness-of-training/", "labs/gradient-flow/"])
def test_the_served_math_font_is_loaded_on_a_page_with_math(phone, site_url, path):
    phone.goto(site_url + path, wait_until="load")
    phone.evaluate("document.fonts.ready")
    faces = phone.evaluate("[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])")
    assert ["Noto Sans Math", "loaded"] in faces, faces
    # the font in use is the served one: a formula's width changes when it is taken away
    widths = phone.evaluate(
        """() => { const m = document.querySelector('article math');
                   const served = m.getBoundingClientRect().width;
                   m.style.fontFamily = 'serif'; const other = m.getBoundingClientRect().width;
                   m.style.fontFamily = ''; return [served, other]; }"""
    )
    assert abs(widths[0] - widths[1]) > 0.5, widths


def test_a_bracket_around_a_matrix_stretches_to_the_matrix(phone, site_url):
    phone.goto(site_url + "backprop-is-a-product/", wait_until="load")
    phone.evaluate("document.fonts.ready")
    sizes = phone.evaluate(
        """() => { const table = [...document.querySelectorAll('article mtable')][0];
                   const open = table.previousElementSibling;
                   const line = parseFloat(getComputedStyle(document.querySelector('article p')).lineHeight);
                   return {bracket: open.getBoundingClientRect().height, matrix: table.getBoundingClientRect().height, line}; }"""
    )
    assert sizes["bracket"] > 2 * sizes["line"], sizes
    assert sizes["bracket"] >= 0.9 * sizes["matrix"], sizes
