"""The in-page gradient-descent widget of the curvature chapter agrees with lesson_code.optim,
is keyboard and pointer operable, reads well at phone and desktop width in both themes, and
leaves the static figure when scripts are off."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lesson_code.optim import gradient_descent, stable_learning_rate
from widget_reader import (
    MIN_TEXT_PX,
    mean_luminance,
    reader_page,
    save_screenshot,
    serious_axe_violations,
    svg_text_sizes,
    switch_scheme,
)

STEPS = 40


@pytest.fixture(scope="module")
def widget_page(browser, site_url):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + "curvature/", wait_until="load")
    page.wait_for_selector(".descent-widget__live")
    yield page
    page.close()
    assert not errors


def _set(page, which: str, value: float) -> None:
    page.eval_on_selector(
        f".descent-widget input[id$='-{which}']",
        "(input, value) => { input.value = value; input.dispatchEvent(new Event('input')); }",
        str(value),
    )


def _path(page) -> np.ndarray:
    return np.array(json.loads(page.get_attribute(".descent-widget", "data-path")))


def _python_path(k: float, eta: float, start: list[float]) -> np.ndarray:
    return gradient_descent(lambda p: np.array([2 * p[0], 2 * k * p[1]]), start, eta, STEPS)


@pytest.mark.parametrize("k, eta", [(4, 0.2), (9, 0.1), (1, 0.5), (12.5, 0.07)])
def test_converging_path_matches_lesson_code(widget_page, k, eta):
    _set(widget_page, "k", k)
    _set(widget_page, "eta", eta)
    np.testing.assert_allclose(_path(widget_page), _python_path(k, eta, [-1.8, 0.9]), rtol=1e-12, atol=1e-15)
    assert "converges" in widget_page.inner_text(".descent-widget__status")


def test_diverging_path_matches_lesson_code_and_says_so(widget_page):
    _set(widget_page, "k", 4)
    _set(widget_page, "eta", 0.3)
    shown = _path(widget_page)
    expected = _python_path(4, 0.3, [-1.8, 0.9])
    np.testing.assert_allclose(shown, expected[: len(shown)], rtol=1e-12)
    assert np.linalg.norm(shown[-1]) > 100 * np.linalg.norm(shown[0])
    assert "diverges" in widget_page.inner_text(".descent-widget__status")


@pytest.mark.parametrize("k", [0.5 * n for n in range(2, 41, 7)])
def test_label_marks_the_stable_learning_rate(widget_page, k):
    _set(widget_page, "k", k)
    label = widget_page.locator(".descent-widget label[for$='-eta']")
    assert f"2/λmax = {stable_learning_rate(np.diag([2.0, 2 * k])):.3f}" in label.inner_text()
    assert label.locator("sub").inner_text() == "max"  # a subscript, not a literal "λ_max"
    assert "_" not in label.inner_text()


def test_start_point_moves_with_the_keyboard(widget_page):
    before = _path(widget_page)[0]
    widget_page.focus(".descent-widget__start")
    widget_page.keyboard.press("ArrowRight")
    widget_page.keyboard.press("ArrowUp")
    np.testing.assert_allclose(_path(widget_page)[0], before + [0.1, 0.1])
    widget_page.keyboard.press("ArrowLeft")
    widget_page.keyboard.press("ArrowDown")
    np.testing.assert_allclose(_path(widget_page)[0], before, atol=1e-12)


def test_start_point_follows_a_drag(widget_page):
    _set(widget_page, "k", 4)
    box = widget_page.locator(".descent-widget__start").bounding_box()
    zero_x = _tick_position(widget_page, "x", "0")
    zero_y = _tick_position(widget_page, "y", "0")
    two_x = _tick_position(widget_page, "x", "2")
    widget_page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    widget_page.mouse.down()
    widget_page.mouse.move(zero_x + 10, zero_y - 10, steps=4)
    widget_page.mouse.move(two_x, zero_y, steps=4)  # the drag outlives a redraw of the plot
    widget_page.mouse.up()
    dragged = _path(widget_page)[0]
    np.testing.assert_allclose(dragged, [2, 0], atol=0.05)
    widget_page.focus(".descent-widget__start")  # still the same, focusable point after the drag
    for key in ("ArrowLeft",) * 38 + ("ArrowUp",) * 9:
        widget_page.keyboard.press(key)
    np.testing.assert_allclose(_path(widget_page)[0], dragged + [-3.8, 0.9], atol=1e-9)


def _tick_position(page, axis: str, label: str) -> float:
    """Where on screen (x for the x axis, y for the y axis) the plot's tick ``label`` sits."""
    return page.evaluate(
        """([axis, label]) => {
             const texts = Array.from(document.querySelectorAll('.descent-widget__plot text'));
             const anchor = axis === 'x' ? 'middle' : 'end';
             const t = texts.find(t => t.textContent === label && t.getAttribute('text-anchor') === anchor);
             const r = t.getBoundingClientRect();
             return axis === 'x' ? r.x + r.width / 2 : r.y + r.height / 2; }""",
        [axis, label.replace("-", "\u2212")],
    )


def test_controls_are_labelled_inputs(widget_page):
    for which in ("k", "eta"):
        input_id = widget_page.get_attribute(f".descent-widget input[id$='-{which}']", "id")
        assert widget_page.locator(f"label[for='{input_id}']").count() == 1


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_what_the_reader_sees(browser, site_url, axe_script, viewport, scheme):
    """Axes with ticks -2..2 and a marked minimum, every contour inside the frame, text of at
    least 12 px, the drag hint in the widget, the theme's colours, and no axe-core violation."""
    with reader_page(browser, site_url + "curvature/", viewport, scheme, ".descent-widget__live") as page:
        page.locator(".descent-widget__live").scroll_into_view_if_needed()
        _set(page, "k", 1)  # round contours: the widest the widget draws
        geometry = page.evaluate(
            """() => {
                 const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
                 const svg = document.querySelector('.descent-widget__plot');
                 return {
                   frame: box(svg.querySelector('.descent-widget__frame')),
                   contours: Array.from(svg.querySelectorAll('.descent-widget__contours ellipse')).map(box),
                   ticks: Array.from(svg.querySelectorAll('text')).map(t => t.textContent),
                   minimum: box(svg.querySelector('.descent-widget__minimum')),
                   minimumLabel: svg.querySelector('.descent-widget__minimum-label').textContent };
               }"""
        )
        assert all(geometry["ticks"].count(t) == 2 for t in ("−2", "−1", "0", "1", "2")), geometry["ticks"]
        assert {"x", "y"} <= set(geometry["ticks"])
        left, top, right, bottom = geometry["frame"]
        assert len(geometry["contours"]) >= 5
        for c in geometry["contours"]:
            assert left < c[0] and top < c[1] and c[2] < right and c[3] < bottom, (c, geometry["frame"])
        marker = geometry["minimum"]
        assert abs((marker[0] + marker[2]) / 2 - _tick_position(page, "x", "0")) < 1
        assert abs((marker[1] + marker[3]) / 2 - _tick_position(page, "y", "0")) < 1
        assert geometry["minimumLabel"] == "minimum"
        sizes = svg_text_sizes(page, ".descent-widget__plot")
        assert len(sizes) >= 13 and min(sizes) >= MIN_TEXT_PX, sizes
        hint = page.locator(".descent-widget__hint")
        assert hint.is_visible() and "Drag the red start point" in hint.inner_text()
        assert page.locator(".descent-widget__plot").bounding_box()["width"] <= page.viewport_size["width"]
        _set(page, "k", 4)
        save_screenshot(page, ".descent-widget__live", f"curvature-{viewport}-{scheme}")
        luminance = mean_luminance(page, ".descent-widget__plot")
        assert luminance > 0.7 if scheme == "light" else luminance < 0.1, luminance
        assert serious_axe_violations(page, axe_script, ".descent-widget") == []
        other = "dark" if scheme == "light" else "light"
        switch_scheme(page, other)  # the reader switches theme while the widget is shown
        switched = mean_luminance(page, ".descent-widget__plot")
        assert switched > 0.7 if other == "light" else switched < 0.1, switched
        assert serious_axe_violations(page, axe_script, ".descent-widget") == []


def test_without_scripts_the_static_figure_remains(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "curvature/", wait_until="load")
    assert page.locator(".descent-widget img[src$='step_size_stability.png']").is_visible()
    assert page.locator(".descent-widget__live").count() == 0
    context.close()
