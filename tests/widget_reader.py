"""What a reader of the in-page widgets sees, measured in Chromium: a page at phone or desktop
width in the light or dark theme, the size of a widget's SVG text as displayed, how bright the
widget is, and axe-core's verdict on it. Shared by the tests of the descent widget and of the
gradient-flow explorer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import ROOT

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme
ARTIFACTS = ROOT / "test-artifacts" / "widgets"
MIN_TEXT_PX = 12.0


@contextmanager
def reader_page(browser, url: str, viewport: str, scheme: str, ready: str) -> Iterator:
    """A fresh tab at ``viewport`` whose reader prefers the ``scheme`` theme, on ``url`` once
    ``ready`` (a selector) is there; fails if the page throws."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    page.wait_for_selector(ready)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def switch_scheme(page, scheme: str) -> None:
    """Switch the theme as Material's toggle does, while the widget is shown."""
    page.evaluate("(s) => document.body.setAttribute('data-md-color-scheme', s)", SCHEMES[scheme])
    page.wait_for_timeout(50)


def svg_text_sizes(page, selector: str) -> list[float]:
    """Font size in CSS pixels as displayed (computed size times the SVG's scale on screen) of
    every non-empty <text> and <tspan> under ``selector``."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + ' text, ' + selector + ' tspan'))
             .filter(t => t.firstChild && t.firstChild.nodeType === Node.TEXT_NODE && t.firstChild.data.trim())
             .map(t => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a)""",
        selector,
    )


def mean_luminance(page, selector: str) -> float:
    """Mean relative luminance (0 black, 1 white) of the element ``selector`` as rendered."""
    png = page.locator(selector).first.screenshot()
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float((linear @ [0.2126, 0.7152, 0.0722]).mean())


def serious_axe_violations(page, axe_script: Path, selector: str) -> list[str]:
    """axe-core's serious and critical violations inside ``selector`` (contrast included)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(
        """async (selector) => {
             const r = await axe.run({include: [selector]}, {resultTypes: ['violations']});
             return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target + ' ' + n.failureSummary).join('; ')}`); }""",
        selector,
    )


def save_screenshot(page, selector: str, name: str) -> Path:
    """A screenshot of the widget ``selector`` for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.locator(selector).first.screenshot(path=str(path))
    return path
