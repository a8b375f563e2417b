"""The in-page gradient-descent widget of the curvature chapter agrees with lesson_code.optim,
is keyboard operable, and leaves the static figure when scripts are off."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lesson_code.optim import gradient_descent, stable_learning_rate

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
    label = widget_page.inner_text(".descent-widget label[for$='-eta']")
    assert f"2/λ_max = {stable_learning_rate(np.diag([2.0, 2 * k])):.3f}" in label


def test_start_point_moves_with_the_keyboard(widget_page):
    before = _path(widget_page)[0]
    widget_page.focus(".descent-widget__start")
    widget_page.keyboard.press("ArrowRight")
    widget_page.keyboard.press("ArrowUp")
    np.testing.assert_allclose(_path(widget_page)[0], before + [0.1, 0.1])
    widget_page.keyboard.press("ArrowLeft")
    widget_page.keyboard.press("ArrowDown")
    np.testing.assert_allclose(_path(widget_page)[0], before, atol=1e-12)


def test_controls_are_labelled_inputs(widget_page):
    for which in ("k", "eta"):
        input_id = widget_page.get_attribute(f".descent-widget input[id$='-{which}']", "id")
        assert widget_page.locator(f"label[for='{input_id}']").count() == 1


def test_without_scripts_the_static_figure_remains(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "curvature/", wait_until="load")
    assert page.locator(".descent-widget img[src$='step_size_stability.png']").is_visible()
    assert page.locator(".descent-widget__live").count() == 0
    context.close()
