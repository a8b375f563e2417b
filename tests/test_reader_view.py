"""Every chapter and lab as a reader sees it, in Chromium, at two widths and in both schemes.

A *view* is one page at one width (desktop 1280x800, phone 390x844) in one colour scheme (light,
dark). Each view is loaded once per worker and measured once (``_visit``); the tests below read
that record, one test per check, so that a failure names the check, the page, the width and the
scheme, and its message names the element (a code block's first line, an equation's first
characters, a figure's file). The checks:

- no code block scrolls sideways at desktop width (the phone count is reported, not asserted);
- no row of a printed table wraps, at any width (on a phone, a wide table scrolls instead);
- display equations fit the column, except the few named in ``WIDE_EQUATIONS``;
- every page with math sets it in a font the site serves, loaded and used for the glyphs;
- no raw TeX is visible anywhere on the page, the table of contents included;
- figures and widget plots are not bright cards in dark mode;
- axe-core finds no serious or critical violation, contrast included, in either scheme;
- screenshots of every view (the first screen, the middle of the page, each figure and widget)
  are left in ``test-artifacts/reader-view/`` for a person to look at, with one JSON file of
  measurements per view that ``tests/conftest.py`` sums up at the end of the run.

The scheme is forced through ``prefers-color-scheme``, which Material's palette follows when no
choice is stored: the tab forgets the stored palette before every page, and each visit checks
that the body carries the scheme it asked for.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from filelock import FileLock
from PIL import Image

from helpers import ROOT, reader_pages

ARTIFACTS = ROOT / "test-artifacts" / "reader-view"
PAGES = reader_pages()
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "default", "dark": "slate"}  # Material's name for each scheme

WIDE_EQUATIONS: dict[tuple[str, str], str] = {}
"""Display equations allowed to be wider than the column, keyed by (page, first characters of
the equation as the failure message prints them: its TeX), each with the reason. An entry
belongs here only when neither a line break nor a smaller size makes the formula readable in a
phone column, and the equation then scrolls with a visible cue. Empty: every display equation
of the course breaks at a relation or an operator, or (the 3x3 matrix of the convexity chapter,
391 px for a 358 px column at first measurement) fits at a slightly smaller size."""

MAX_DARK_FIGURE_LUMINANCE = 0.3
"""Bound on the mean relative luminance (WCAG's, on linear RGB, 0 black to 1 white) of a figure
as displayed in dark mode, about that of a uniform #959595 grey. The slate page measures 0.015;
the figures on white cards measured 0.61 to 0.98 (median 0.94), the widget plots drawn for the
dark scheme 0.02 to 0.04. A plot area filled entirely by a perceptual colour map averages 0.24
(magma) to 0.28 (viridis), so a dark figure may fill its axes with one and pass; a figure that
is mostly white or light grey cannot."""

FIGURE_ELEMENTS = "article img, .descent-widget svg, .gradient-flow-explorer__charts svg"
"""What a reader takes for a figure: the course's images (figures, lab plots) and the plots the
widgets draw."""

RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\\[()\[\]]|\$\$|\$[^$\s][^$\n]{0,80}\$|[_^]\{")
"""TeX a reader should never see: a control word (``\\lambda``), a math delimiter (``\\(``,
``$...$``, ``$$``) or a braced sub- or superscript."""


class View(NamedTuple):
    page: str
    width: str
    scheme: str

    @property
    def name(self) -> str:
        """File-name stem of the view's artifacts, e.g. ``labs_gradient-flow-phone-dark``."""
        return f"{self.page.strip('/').replace('/', '_') or 'home'}-{self.width}-{self.scheme}"

    def __str__(self) -> str:
        return f"/{self.page} at {WIDTHS[self.width]['width']} px, {self.scheme}"


VIEWS = [View(page, width, scheme) for page in PAGES for width in WIDTHS for scheme in SCHEMES]


def _views(width: str | None = None, scheme: str | None = None):
    """The views to parametrize a check over, with ids like ``curvature/@phone-dark`` (the
    root conftest.py keeps the tests of one id on one worker, so they share one page load)."""
    chosen = [v for v in VIEWS if width in (None, v.width) and scheme in (None, v.scheme)]
    return pytest.mark.parametrize("view", chosen, ids=[f"{v.page or 'home/'}@{v.width}-{v.scheme}" for v in chosen])


MEASURE = """async () => {
  const visible = e => e.checkVisibility({visibilityProperty: true});
  const squash = s => s.replace(/\\s+/g, ' ').trim();
  const article = document.querySelector('article');
  const column = article.getBoundingClientRect();
  const pad = getComputedStyle(article);
  const left = column.left + parseFloat(pad.paddingLeft), right = column.right - parseFloat(pad.paddingRight);

  const code = [...article.querySelectorAll('pre')].filter(visible).map(pre => {
    const scrolled = [pre, ...pre.querySelectorAll(':scope > code')].map(e => e.scrollWidth - e.clientWidth);
    const first = pre.textContent.split('\\n').find(line => line.trim()) || '';
    const wrapped = [...pre.querySelectorAll('.go.aligned')].filter(line => {
      const tops = [...line.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
      return new Set(tops).size > 1;
    }).map(line => line.textContent.trim().slice(0, 60));
    return {first_line: first.trim().slice(0, 70), overflow: Math.max(...scrolled), wrapped_table_lines: wrapped};
  });

  const equations = [...new Set([...article.querySelectorAll('.math-display, math[display=block]')]
      .map(e => e.closest('.math-display') || e))].filter(visible).map(box => {
    const math = box.matches('math') ? box : box.querySelector('math');
    const range = document.createRange();
    range.selectNodeContents(math);
    const ink = range.getBoundingClientRect();
    const tex = math.querySelector('annotation[encoding="application/x-tex"]');
    const text = tex ? tex.textContent : [...math.childNodes].filter(n => n.nodeName !== 'semantics')
        .map(n => n.textContent).join('') || math.textContent;
    const overflow = Math.max(box.scrollWidth - box.clientWidth, left - ink.left, ink.right - right);
    return {text: squash(text).slice(0, 50), width: Math.round(ink.width), column: Math.round(right - left),
            overflow: Math.round(overflow)};
  });

  const skip = 'pre, code, script, style, math, template, noscript';
  const where = e => e.closest('.md-nav--secondary, [data-md-component=toc]') ? 'table of contents'
      : e.closest('nav') ? 'navigation' : e.closest('header') ? 'header' : e.closest('footer') ? 'footer'
      : e.closest('article') ? 'article' : 'page';
  const texts = [{where: 'title', text: document.title}];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (e && node.textContent.trim() && !e.closest(skip) && visible(e)) {
      texts.push({where: where(e), text: squash(node.textContent)});
    }
  }

  await document.fonts.ready;
  const firstMath = article.querySelector('math');
  const unquote = f => f.trim().replace(/^["']|["']$/g, '');
  const families = firstMath ? getComputedStyle(firstMath).fontFamily.split(',').map(unquote) : [];
  const loaded = [...document.fonts].filter(f => f.status === 'loaded').map(f => unquote(f.family));

  const figures = [...document.querySelectorAll('""" + FIGURE_ELEMENTS + """')].filter(e => {
    const r = e.getBoundingClientRect();
    return visible(e) && r.width > 0 && r.height > 0;
  }).map((e, i) => {
    e.setAttribute('data-reader-view-figure', i);  // for the screenshot of each
    let name;
    if (e.tagName === 'IMG') {
      const src = e.currentSrc || e.getAttribute('src');  // what a <picture> shows at this width
      const cell = e.closest('.jp-Cell');
      name = !src.startsWith('data:') ? src.split('/').pop()
          : `image ${i + 1}` + (cell && cell.id ? ` of ${cell.id}` : '');  // a lab's plot, inlined
    } else {
      name = `${e.closest('.descent-widget') ? 'descent widget' : 'gradient-flow explorer'} plot ${i + 1}`;
    }
    const r = e.getBoundingClientRect();
    return {name, width: Math.round(r.width), height: Math.round(r.height)};
  });
  return {scheme: document.body.getAttribute('data-md-color-scheme'), code, equations, texts,
          math: {count: article.querySelectorAll('math').length, families, loaded}, figures,
          height: document.documentElement.scrollHeight};
}"""

AXE_RULES = {
    ("desktop", "light"): None,  # every rule
    ("desktop", "dark"): ["color-contrast", "link-in-text-block"],
    ("phone", "light"): ["scrollable-region-focusable", "target-size"],
    ("phone", "dark"): ["scrollable-region-focusable", "target-size"],
}
"""The axe-core rules each view runs. Every rule runs once per page, at desktop width in the
light scheme; the other views run the rules whose outcome the scheme (colours) or the width (what
overflows, how large a control is) can change. Colours do not depend on the width, so contrast
is checked at desktop width in both schemes. axe takes most of a view's time, and contrast most
of axe's."""

AXE = """async (rules) => {
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = {type: 'rule', values: rules};
  const result = await axe.run(document, options);
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => {
    const kinds = new Map();  // contrast: one example per colour pair, else one example in all
    for (const node of v.nodes) {
      const data = (node.any[0] || {}).data || {};
      const key = data.contrastRatio ? `${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1` : '';
      const example = `${node.target.join(' ')}: ${node.html.slice(0, 80)}`;
      if (!kinds.has(key)) kinds.set(key, {count: 0, example});
      kinds.get(key).count += 1;
    }
    const examples = [...kinds].slice(0, 6).map(([key, k]) => `\n      ${key ? key + ', ' : ''}${k.count} like ${k.example}`);
    return `${v.id} (${v.impact}), ${v.nodes.length} elements:${examples.join('')}`;
  });
}"""


def relative_luminance(png: bytes) -> float:
    """Mean relative luminance of an image.

    Each sRGB channel value :math:`c \\in [0, 1]` is linearized, :math:`c_\\ell = c / 12.92` for
    :math:`c \\le 0.04045` and :math:`((c + 0.055) / 1.055)^{2.4}` otherwise, and WCAG 2's
    :math:`Y = 0.2126 R_\\ell + 0.7152 G_\\ell + 0.0722 B_\\ell` is averaged over the pixels.

    Parameters
    ----------
    png
        The image, as a screenshot's PNG bytes.

    Returns
    -------
    float
        In [0, 1]: 0 for black, 1 for white, 0.015 for Material's slate background.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in (c / 255 for c in range(256))]
    histogram = image.histogram()  # 256 counts per channel, R then G then B
    pixels = image.width * image.height
    return sum(
        weight * sum(count * linear[value] for value, count in enumerate(histogram[256 * k: 256 * (k + 1)]))
        for k, weight in enumerate((0.2126, 0.7152, 0.0722))
    ) / pixels


@pytest.fixture(scope="module")
def reader_artifacts(run_folder) -> Path:
    """``test-artifacts/reader-view/``, emptied once per test run (by the first worker to come)."""
    with FileLock(str(run_folder / "reader-view.lock")):
        marker = run_folder / "reader-view-emptied"
        if not marker.exists():
            shutil.rmtree(ARTIFACTS, ignore_errors=True)
            ARTIFACTS.mkdir(parents=True)
            marker.touch()
    return ARTIFACTS


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for every view a worker measures: a new tab per page costs about a third more CPU.
    Before each page it forgets the stored palette, so the scheme follows prefers-color-scheme."""
    context = browser.new_context(viewport=WIDTHS["desktop"])
    context.add_init_script("try { Object.keys(localStorage).filter(k => k.endsWith('__palette'))"
                            ".forEach(k => localStorage.removeItem(k)); } catch (e) {}")
    page = context.new_page()
    yield page, context.new_cdp_session(page)
    context.close()


_RECORDS: dict[View, dict] = {}


@pytest.fixture
def record(view, tab, site_url, axe_script, reader_artifacts) -> dict:
    """The measurements of ``view``, taken on its first use in this worker."""
    if view not in _RECORDS:
        try:
            _RECORDS[view] = _visit(view, *tab, site_url, axe_script, reader_artifacts)
        except Exception as error:  # noqa: BLE001  (any failure: every check of this view reports it, once)
            _RECORDS[view] = {"error": f"{view}: could not be measured: {error}"}
    if "error" in _RECORDS[view]:
        pytest.fail(_RECORDS[view]["error"])
    return _RECORDS[view]


def _visit(view: View, page, cdp, site_url: str, axe_script: Path, artifacts: Path) -> dict:
    """Load one view, save its screenshots and return everything the checks read."""
    page.set_viewport_size(WIDTHS[view.width])
    page.emulate_media(color_scheme=view.scheme)
    response = page.goto(site_url + view.page, wait_until="load")
    assert response is not None and response.status == 200, f"HTTP {response and response.status}"
    shots = [_save(page.screenshot(type="png", animations="disabled"), artifacts / f"{view.name}-1-top.png")]
    page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
    record = page.evaluate(MEASURE)
    assert record["scheme"] == SCHEMES[view.scheme], (
        f"asked for {view.scheme} (prefers-color-scheme) but the page shows scheme {record['scheme']!r}")
    record["raw_tex"] = [t for t in record.pop("texts") if RAW_TEX.search(t["text"])]
    first_view_of_page = (view.width, view.scheme) == ("desktop", "light")
    record["math"]["glyph_fonts"] = _math_glyph_fonts(cdp) if record["math"]["count"] and first_view_of_page else None
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2 - innerHeight / 2)")
    shots.append(_save(page.screenshot(type="png", animations="disabled"), artifacts / f"{view.name}-2-middle.png"))
    for index, figure in enumerate(record["figures"], start=1):
        png = page.locator(f'[data-reader-view-figure="{index - 1}"]').screenshot(type="png", animations="disabled")
        figure["luminance"] = round(relative_luminance(png), 3)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", figure["name"].rsplit(".", 1)[0])
        shots.append(_save(png, artifacts / f"{view.name}-3-figure{index:02d}-{stem}.png"))
    page.add_script_tag(path=str(axe_script))
    record["axe"] = page.evaluate(AXE, AXE_RULES[view.width, view.scheme])
    record["screenshots"] = [s.name for s in shots]
    record["view"] = view._asdict()
    (artifacts / f"{view.name}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def _save(png: bytes, path: Path) -> Path:
    """Chromium's PNG as it is: re-encoding costs time, and PNG is what image viewers of review
    tools show."""
    path.write_bytes(png)
    return path


def _math_glyph_fonts(cdp) -> list[dict]:
    """The fonts Chromium actually drew the first few formulas' glyphs with (DevTools protocol:
    ``CSS.getPlatformFontsForNode``), which ``document.fonts`` alone cannot tell. Asked once per
    page: the font does not depend on the width or the scheme, and the CSS agent, while enabled,
    slows everything the page does."""
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "article math :is(mi, mn, mo)"})["nodeIds"]
    fonts = {}
    for node in nodes[:12]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            fonts[font["familyName"]] = font["isCustomFont"]
    cdp.send("CSS.disable")
    cdp.send("DOM.disable")
    return [{"family": family, "served": served} for family, served in fonts.items()]


@_views(width="desktop")
def test_no_code_block_scrolls_sideways_at_desktop_width(view, record):
    wide = [f"{c['first_line']!r} ({c['overflow']} px too wide)" for c in record["code"] if c["overflow"] > 1]
    assert not wide, (f"{view}: {len(wide)} of {len(record['code'])} code blocks scroll sideways:\n  "
                      + "\n  ".join(wide))


@_views()
def test_printed_tables_never_wrap(view, record):
    """Printed output whose columns line up (``hooks/code_blocks.py`` marks it) stays one line per
    row at every width: a row broken in two breaks the columns (on a phone the block scrolls)."""
    wrapped = [f"{c['first_line']!r}: {line!r}" for c in record["code"] for line in c["wrapped_table_lines"]]
    assert not wrapped, f"{view}: {len(wrapped)} table rows wrap:\n  " + "\n  ".join(wrapped[:10])


@_views()
def test_display_equations_fit_the_column(view, record):
    """Every display equation fits; an exception of ``WIDE_EQUATIONS`` that now fits on a phone
    is reported too, so that no exception outlives its reason."""
    too_wide = {e["text"]: e for e in record["equations"] if e["overflow"] > 1}
    wide = [f"{e['text']!r}: {e['width']} px in a {e['column']} px column" for text, e in too_wide.items()
            if (view.page, text) not in WIDE_EQUATIONS]
    if view.width == "phone":
        wide += [f"{text!r} is named in WIDE_EQUATIONS but fits: remove it" for page, text in WIDE_EQUATIONS
                 if page == view.page and text not in too_wide]
    assert not wide, (f"{view}: {len(wide)} of {len(record['equations'])} display equations are wider than the "
                      "column (break them, or name them in WIDE_EQUATIONS with a reason):\n  " + "\n  ".join(wide))


def test_every_named_wide_equation_is_on_a_reader_page_with_a_reason():
    for (page, start), reason in WIDE_EQUATIONS.items():
        assert page in PAGES and start and len(reason) > 20, (page, start, reason)


@_views()
def test_math_is_set_in_a_math_font_the_site_serves(view, record):
    """The first font listed for ``math`` is one the page loaded (every view), and the glyphs are
    drawn with a served font (asked once per page, in its desktop light view)."""
    math = record["math"]
    if not math["count"]:
        return  # a page without formulas needs no math font
    first = math["families"][0] if math["families"] else None
    problems = []
    if first not in math["loaded"]:
        problems.append(f"the first font listed for math, {first!r}, is not a font the page loaded "
                        f"(loaded: {math['loaded'] or 'none'}; math asks for {math['families']})")
    if math["glyph_fonts"] is not None and not any(f["served"] for f in math["glyph_fonts"]):
        drawn = [f["family"] for f in math["glyph_fonts"]]
        problems.append(f"the formulas' glyphs are drawn with {drawn}, none of them a font the site serves")
    assert not problems, f"{view} ({math['count']} formulas): " + "; ".join(problems)


@_views()
def test_no_raw_tex_is_visible(view, record):
    seen = [f"{t['where']}: {t['text'][:90]!r}" for t in record["raw_tex"]]
    assert not seen, f"{view}: raw TeX visible in {len(seen)} places:\n  " + "\n  ".join(seen)


@_views(scheme="dark")
def test_figures_are_not_bright_cards_in_dark_mode(view, record):
    bright = [f"{f['name']}: mean luminance {f['luminance']:.2f}" for f in record["figures"]
              if f["luminance"] > MAX_DARK_FIGURE_LUMINANCE]
    assert not bright, (f"{view}: {len(bright)} of {len(record['figures'])} figures are brighter than "
                        f"{MAX_DARK_FIGURE_LUMINANCE} on the dark page:\n  " + "\n  ".join(bright))


@_views()
def test_axe_core_finds_no_serious_violation(view, record):
    assert not record["axe"], f"{view}: axe-core:\n  " + "\n  ".join(record["axe"])


@_views()
def test_screenshots_are_kept_for_review(view, record, reader_artifacts):
    """The first screen, the middle of the page and every figure, each a picture with something
    on it (a blank or one-colour capture means the page did not render)."""
    expected = 2 + len(record["figures"])
    assert len(record["screenshots"]) == expected, (view, record["screenshots"])
    for name in record["screenshots"]:
        with Image.open(reader_artifacts / name) as image:
            low, high = image.convert("L").getextrema()
            assert high - low > 64, f"{view}: screenshot {name} is nearly one colour"


PLANTED = """<!doctype html><html><head><title>Planted \\(x\\)</title><style>
  article { width: 300px; padding: 0 10px; } pre > code { display: block; overflow: auto; }
  .math-display { overflow-x: auto; } </style></head>
<body data-md-color-scheme="slate">
<nav class="md-nav--secondary"><a>A heading with \\(2/\\lambda_{\\max}\\)</a></nav>
<article><pre><code>x = compute_a_long_name(with_an_argument, and_another_one, and_a_third_one_too)</code></pre>
<div class="math-display"><math display="block"><mrow><mi>a</mi><mo>+</mo><mi>b</mi><mo>+</mo><mi>c</mi>
<mo>+</mo><mi>d</mi><mo>+</mo><mi>e</mi><mo>+</mo><mi>f</mi><mo>+</mo><mi>g</mi><mo>+</mo><mi>h</mi><mo>+</mo>
<mi>i</mi><mo>+</mo><mi>j</mi><mo>+</mo><mi>k</mi><mo>+</mo><mi>l</mi><mo>+</mo><mi>m</mi><mo>+</mo><mi>n</mi>
<mo>+</mo><mi>o</mi><mo>+</mo><mi>p</mi><mo>+</mo><mi>q</mi><mo>+</mo><mi>r</mi><mo>+</mo><mi>s</mi></mrow></math></div>
<img alt="a white card" width="200" height="100"
 src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='200' height='100'%3E%3Crect width='200' height='100' fill='white'/%3E%3C/svg%3E">
</article></body></html>"""


@pytest.mark.parametrize("colour, luminance", [("#000000", 0.0), ("#1e2129", 0.0152), ("#959595", 0.3005),
                                               ("#ffffff", 1.0), ("#ff0000", 0.2126)])
def test_relative_luminance_of_known_colours(colour, luminance):
    buffer = io.BytesIO()
    Image.new("RGB", (7, 5), colour).save(buffer, format="PNG")
    assert relative_luminance(buffer.getvalue()) == pytest.approx(luminance, abs=5e-4)


def test_the_checks_catch_planted_faults(tab):
    """One page with each fault the checks look for: a code block and an equation wider than the
    column, TeX in the table of contents and the title, a white figure on a dark page. Guards the
    selectors and the arithmetic above against passing because they measure nothing."""
    page, _ = tab
    page.set_viewport_size(WIDTHS["desktop"])
    page.set_content(PLANTED)
    record = page.evaluate(MEASURE)
    assert [c["overflow"] > 1 for c in record["code"]] == [True]
    assert [e["overflow"] > 1 for e in record["equations"]] == [True]
    assert record["equations"][0]["text"].startswith("a+b+c")
    tex = {t["where"] for t in record["texts"] if RAW_TEX.search(t["text"])}
    assert tex == {"title", "table of contents"}
    assert record["math"]["families"] and not record["math"]["loaded"]
    assert [f["name"] for f in record["figures"]] == ["image 1"]
    assert relative_luminance(page.query_selector("img").screenshot(type="png")) > 0.95


def summary(folder: Path, since: float) -> list[str]:
    """The numbers a person fixing the site wants after a run, per check and width.

    Parameters
    ----------
    folder
        Where the views left their JSON records (``ARTIFACTS``).
    since
        Time (seconds since the epoch) the run started: older records are from another run.

    Returns
    -------
    list of str
        Lines for the end of pytest's report (tests/conftest.py prints them); empty when no
        view was measured in this run. Elements are counted once per page and width (in the
        light view); luminance over the dark views.
    """
    records = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.json"))
               if f.stat().st_mtime >= since]
    if not records:
        return []
    pages = {r["view"]["page"] for r in records}
    lines = [f"{len(records)} views of {len(pages)} pages, screenshots in {folder}"]
    for width in WIDTHS:
        light = [r for r in records if r["view"]["width"] == width and r["view"]["scheme"] == "light"]
        dark = [f["luminance"] for r in records if r["view"]["width"] == width and r["view"]["scheme"] == "dark"
                for f in r["figures"]]
        code = [c["overflow"] > 1 for r in light for c in r["code"]]
        equations = [e["overflow"] > 1 for r in light for e in r["equations"]]
        line = (f"{width}: code blocks scrolling sideways {sum(code)} of {len(code)}; display equations wider"
                f" than the column {sum(equations)} of {len(equations)}")
        if dark:
            line += (f"; figures brighter than {MAX_DARK_FIGURE_LUMINANCE} in dark mode"
                     f" {sum(x > MAX_DARK_FIGURE_LUMINANCE for x in dark)} of {len(dark)}"
                     f" (mean luminance {min(dark):.2f} to {max(dark):.2f})")
        lines.append(line)
    fonts = [r for r in records if r["math"]["count"] and r["math"]["glyph_fonts"] is not None]
    unserved = sum(not any(f["served"] for f in r["math"]["glyph_fonts"]) for r in fonts)
    tex = {(r["view"]["page"], t["text"]) for r in records for t in r["raw_tex"]}
    axe = Counter(violation.split(" ", 1)[0] for r in records for violation in r["axe"])
    lines.append(f"pages whose math is not drawn in a served font: {unserved} of {len(fonts)}; raw TeX visible:"
                 f" {len(tex)} places; axe-core serious/critical, views per rule: {dict(axe) or 'none'}")
    return lines
