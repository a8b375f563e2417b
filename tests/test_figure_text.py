"""Figures as the reader sees them, in Chromium: text big enough at desktop and phone width, the
phone layout served to phones, and no bright figure on the dark theme.

What is measured, for every figure ``<img>`` of every page of the built site:

* the display scale, CSS pixels per point: the width the page shows the image at, over the
  figure's width in points (an SVG is 0.75 pt per CSS pixel at natural size; a raster figure is
  drawn at 2 pixels per point). Every text of a figure is at least ``MIN_FONT_POINTS`` (9 pt;
  tests/test_figures.py checks the figures), so its font box is 9 pt times that scale;
* for an SVG, the glyphs as drawn: the page's SVG is opened at the width the page shows it and
  ``getBoundingClientRect()`` taken of each tick label (``g[id^="text_"]`` inside an x or y tick
  group; glyphs with an empty box, spaces, are skipped). Tick labels are digits, so their box is
  the height of a digit (about 0.73 of the font size);
* in the dark theme, the mean relative luminance (WCAG's) of the figure as shown, from a
  screenshot of the element.
"""

from __future__ import annotations

import io
import re
import statistics

import numpy as np
import pytest
from PIL import Image

from test_figures import MIN_FONT_POINTS

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

MIN_FONT_BOX_PX = 8.0
"""The smallest font size, in CSS pixels, of any figure text as displayed, at both widths."""

MIN_TICK_GLYPH_PX = 6.0
"""The smallest height, in CSS pixels, of a tick label's digits as Chromium draws them."""

MAX_DARK_LUMINANCE = 0.15
"""Mean relative luminance of a figure in the dark theme (the page behind it is about 0.015; a
white figure is 1.0, and the old white cards measured 0.69 to 0.98)."""

TICK_LABEL_HEIGHTS = """() => {
  const heights = [];
  for (const group of document.querySelectorAll('g[id^="text_"]')) {
    const box = group.getBoundingClientRect();
    if (box.height < 0.01) continue;  // a space: an empty glyph
    let tick = false;
    for (let p = group.parentElement; p; p = p.parentElement) tick ||= /^[xy]tick_/.test(p.id || '');
    if (tick) heights.push(box.height);
  }
  return heights;
}"""

FIGURES_OF_PAGE = """() => [...document.querySelectorAll('img[src*="figures/"]')].map(img => ({
  src: img.currentSrc, width: img.getBoundingClientRect().width, natural: img.naturalWidth,
  inPicture: img.parentElement.tagName === 'PICTURE'}))"""


def _pages_with_figures(site) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        if 'src="../figures/' in html.read_text(encoding="utf-8"):
            pages.append(html.parent.relative_to(site).as_posix() + "/")
    return pages


def _points_wide(figure: dict) -> float:
    # SVG: 1 pt = 4/3 CSS px at natural size; PNG: drawn at 144 dpi, 2 image pixels per point.
    return figure["natural"] * (0.5 if figure["src"].endswith(".png") else 0.75)


def _load_every_image(page) -> None:
    page.evaluate("""async () => {
      for (const img of document.querySelectorAll('img[src*="figures/"]')) {
        img.loading = 'eager';
        if (!img.complete || !img.naturalWidth) await img.decode().catch(() => {});
      }}""")


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    found = _pages_with_figures(built_site[0])
    assert len(found) >= 9, found
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_figure_text_is_readable_as_displayed(browser, site_url, pages, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page, svg_page = context.new_page(), context.new_page()
    measured = []
    try:
        for path in pages:
            page.goto(site_url + path)
            _load_every_image(page)
            for figure in page.evaluate(FIGURES_OF_PAGE):
                name = figure["src"].rsplit("/", 1)[1]
                assert figure["inPicture"], f"{path}: {name} is not inside a <picture>"
                assert figure["natural"] > 0, f"{path}: {name} did not load"
                narrow = ".narrow." in name
                assert narrow == (viewport == "phone"), f"{path}: the {viewport} view shows {name}"
                scale = figure["width"] / _points_wide(figure)
                font_box = MIN_FONT_POINTS * scale
                ticks = []
                if name.endswith(".svg"):
                    svg = page.request.get(figure["src"]).text()
                    svg_page.set_content(
                        f'<body style="margin:0"><div style="width:{figure["width"]}px">'
                        f'{svg[svg.index("<svg"):]}</div></body>')
                    svg_page.evaluate("""() => { const s = document.querySelector('svg');
                        s.setAttribute('width', '100%'); s.removeAttribute('height'); }""")
                    ticks = svg_page.evaluate(TICK_LABEL_HEIGHTS)
                    assert ticks, f"{path}: {name} shows no tick label (text erased?)"
                measured.append((name, font_box, min(ticks) if ticks else None))
                assert font_box >= MIN_FONT_BOX_PX, (
                    f"{path}: {name} at {viewport} width is shown at {scale:.2f} px/pt: its {MIN_FONT_POINTS} pt "
                    f"text is {font_box:.1f} px, below {MIN_FONT_BOX_PX}")
                if ticks:
                    assert min(ticks) >= MIN_TICK_GLYPH_PX, (
                        f"{path}: {name} at {viewport} width has tick labels {min(ticks):.1f} px tall "
                        f"(median {statistics.median(ticks):.1f}), below {MIN_TICK_GLYPH_PX}")
    finally:
        context.close()
    assert len({name for name, _, _ in measured}) >= 23
    smallest_font = min(box for _, box, _ in measured)
    smallest_tick = min(tick for _, _, tick in measured if tick is not None)
    print(f"\n{viewport}: {len(measured)} figures; smallest font box {smallest_font:.1f} px; "
          f"smallest tick-label glyphs {smallest_tick:.1f} px")


def _relative_luminance(png: bytes) -> float:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float((linear @ np.array([0.2126, 0.7152, 0.0722])).mean())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_figures_are_not_bright_cards_in_dark_mode(browser, site_url, pages, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme="dark")
    page = context.new_page()
    luminance = {}
    try:
        for path in pages:
            page.goto(site_url + path)
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
            _load_every_image(page)
            images = page.locator('img[src*="figures/"]')
            for index in range(images.count()):
                image = images.nth(index)
                image.scroll_into_view_if_needed()
                name = re.sub(r".*/", "", image.evaluate("img => img.currentSrc"))
                luminance[f"{path}{name}"] = _relative_luminance(image.screenshot())
    finally:
        context.close()
    bright = {k: round(v, 2) for k, v in luminance.items() if v >= MAX_DARK_LUMINANCE}
    assert not bright, f"figures brighter than {MAX_DARK_LUMINANCE} in the dark theme: {bright}"
    print(f"\n{viewport} dark: {len(luminance)} figures, mean luminance "
          f"{min(luminance.values()):.3f} to {max(luminance.values()):.3f}")


def test_dark_mode_keeps_the_colours_apart(browser, site_url):
    """Inverting the lightness must not merge the curves: the blue and orange of a two-curve
    figure stay far apart in hue on the dark theme."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(site_url + "exploding-gradients/")
        image = page.locator('img[src*="figures/clipping_gradient_norms"]')
        image.scroll_into_view_if_needed()
        _load_every_image(page)
        rgb = np.asarray(Image.open(io.BytesIO(image.screenshot())).convert("RGB"), dtype=float) / 255
    finally:
        context.close()
    saturated = rgb[(rgb.max(axis=2) - rgb.min(axis=2)) > 0.3]
    bluish = np.mean(saturated[:, 2] > saturated[:, 0] + 0.15)
    orangish = np.mean(saturated[:, 0] > saturated[:, 2] + 0.15)
    assert bluish > 0.1 and orangish > 0.1, (bluish, orangish)
