"""The gradient-flow explorer of the vanishing- and exploding-gradient chapters, in Chromium.

Its numbers are held to ``lesson_code.explorer`` in two ways: on the very same weights and
batch (every architecture, activation and initialization, both the WebAssembly kernel and the
plain JavaScript one), and, for the random networks it draws with its own generator, in the
median over many draws. The controls are checked for labels and the keyboard, the charts for
their data, their sticky axes and how they read at phone and desktop width in both themes, and
the page for its fallback without scripts.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from lesson_code.explorer import explorer_network, layer_profile, network_profile
from lesson_code.gradient_flow import probe_batch
from lesson_code.network import initial_weight_std
from widget_reader import (
    ARTIFACTS as ARTIFACTS_SCREEN,
)
from widget_reader import (
    MIN_TEXT_PX,
    mean_luminance,
    reader_page,
    save_screenshot,
    serious_axe_violations,
    svg_text_sizes,
    switch_scheme,
)

VANISHING = "vanishing-gradients/"
EXPLODING = "exploding-gradients/"


@pytest.fixture(scope="module")
def explorer_page(browser, site_url):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + VANISHING, wait_until="load")
    page.wait_for_selector(".gradient-flow-explorer__live")
    yield page
    page.close()
    assert not errors


def _page_profile_of(page, settings: dict, net, x, y, kernel: str) -> dict:
    """The explorer's numbers for lesson_code's network ``net``, handed over as raw N(0, 1) draws."""
    std = initial_weight_std(settings["init"], settings["width"], settings["width"]) * settings["scale"]
    arrays = {
        "weights": [(w / std).ravel().tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "x": x.ravel().tolist(),
        "y": y.ravel().tolist(),
    }
    return page.evaluate(
        "([settings, arrays, kernel]) => { const e = window.gradientFlowExplorer; e.useKernel(kernel);"
        " const r = e.profileOf(settings, arrays); e.useKernel('wasm'); return r; }",
        [settings, arrays, kernel],
    )


CASES = [
    (architecture, activation, init)
    for architecture in ("plain", "batchnorm", "residual")
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu")
    for init in ("normal", "xavier", "he")
]


@pytest.mark.parametrize("architecture, activation, init", CASES)
def test_same_weights_give_lesson_codes_numbers(explorer_page, architecture, activation, init):
    settings = {"depth": 7, "width": 16, "activation": activation, "init": init,
                "architecture": architecture, "scale": 1.5, "seed": 0}
    net = explorer_network(architecture, activation, init, depth=7, width=16, weight_scale=1.5, seed=3)
    x, y = probe_batch(16, 64, seed=3)
    expected = network_profile(net, x, y)
    kernels = ("wasm", "js") if init == "xavier" else ("wasm",)
    for kernel in kernels:
        shown = _page_profile_of(explorer_page, settings, net, x, y, kernel)
        np.testing.assert_allclose(shown["gradientNorms"], expected.gradient_norms, rtol=1e-10, err_msg=kernel)
        np.testing.assert_allclose(shown["activationMeans"], expected.activation_means, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(shown["activationStds"], expected.activation_stds, rtol=1e-10)


@pytest.mark.parametrize("depth, architecture", [(1, "residual"), (2, "batchnorm"), (2, "residual"), (100, "plain")])
def test_shallow_and_deepest_networks_agree_too(explorer_page, depth, architecture):
    width = 8 if depth < 100 else 16
    settings = {"depth": depth, "width": width, "activation": "tanh", "init": "he",
                "architecture": architecture, "scale": 1.0, "seed": 0}
    net = explorer_network(architecture, "tanh", "he", depth=depth, width=width, seed=1)
    x, y = probe_batch(width, 64, seed=1)
    shown = _page_profile_of(explorer_page, settings, net, x, y, "wasm")
    np.testing.assert_allclose(shown["gradientNorms"], network_profile(net, x, y).gradient_norms, rtol=1e-9)


DRAWS = 100
RANDOM_SETTINGS = [
    ("plain", "sigmoid", "xavier", 1.0),
    ("plain", "relu", "normal", 1.0),
    ("plain", "leaky_relu", "he", 2.0),
    ("batchnorm", "tanh", "normal", 1.0),
    ("residual", "relu", "he", 1.0),
]


@pytest.mark.parametrize("architecture, activation, init, scale", RANDOM_SETTINGS)
def test_random_networks_match_lesson_code_in_the_median(explorer_page, architecture, activation, init, scale):
    """Medians over 100 draws of the page's generator against 100 numpy seeds, layer by layer.

    The tolerance is 5 standard errors of the difference of two medians of 100 draws
    (5 x sqrt(2) x 1.25 sd / sqrt(100) = 0.88 sd, with sd the spread of one draw measured on the
    Python side), on log10 of the norms and standard deviations and on the means themselves.
    """
    depth, width = 20, 64
    settings = {"depth": depth, "width": width, "activation": activation, "init": init,
                "architecture": architecture, "scale": scale}
    shown = explorer_page.evaluate(
        "([settings, draws]) => Array.from({length: draws}, (_, seed) =>"
        " window.gradientFlowExplorer.profile(Object.assign({}, settings, {seed: seed})))",
        [settings, DRAWS],
    )
    python = [layer_profile(architecture, activation, init, depth, width, scale, seed) for seed in range(DRAWS)]
    for page_key, field, transform in [
        ("gradientNorms", "gradient_norms", np.log10),
        ("activationStds", "activation_stds", np.log10),
        ("activationMeans", "activation_means", lambda v: v),
    ]:
        page_values = transform(np.array([p[page_key] for p in shown]))
        python_values = transform(np.array([getattr(p, field) for p in python]))
        tolerance = 0.88 * python_values.std(axis=0) + 1e-3
        difference = np.abs(np.median(page_values, axis=0) - np.median(python_values, axis=0))
        assert np.all(difference <= tolerance), (field, difference.round(3), tolerance.round(3))


def _float64s_from(page, function: str, values: np.ndarray | None = None) -> np.ndarray:
    """``function`` (JavaScript, taking a Float64Array) applied in the page to ``values``, and its
    result as float64. Both cross as base64 bytes: Playwright's own encoding of 200 000 numbers
    took 2.9 s, this 0.15 s, and bytes carry every bit of a double."""
    encoded = page.evaluate(
        """([fn, data]) => {
             const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
             const result = new Uint8Array(Float64Array.from(eval(fn)(new Float64Array(bytes.buffer))).buffer);
             let text = "";
             for (let i = 0; i < result.length; i += 8192) text += String.fromCharCode(...result.subarray(i, i + 8192));
             return btoa(text); }""",
        [function, base64.b64encode(np.ascontiguousarray(values if values is not None else [], dtype="<f8")).decode()],
    )
    return np.frombuffer(base64.b64decode(encoded), dtype="<f8")


def test_its_normal_draws_are_standard_normal(explorer_page):
    values = np.sort(_float64s_from(explorer_page, "() => window.gradientFlowExplorer.normals(200000, 7)"))
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in values])
    ranks = np.arange(1, values.size + 1) / values.size
    kolmogorov_smirnov = max(np.max(ranks - cdf), np.max(cdf - (ranks - 1 / values.size)))
    assert kolmogorov_smirnov < 1.63 / math.sqrt(values.size)  # the 1% critical value
    assert abs(values.mean()) < 0.01 and abs(values.std() - 1) < 0.01
    assert values[0] < -4 and values[-1] > 4  # the tail beyond the ziggurat's last box is drawn


def test_its_tanh_matches_numpy_to_a_few_units_in_the_last_place(explorer_page):
    points = np.concatenate([np.linspace(-25, 25, 20001), np.geomspace(1e-300, 1, 2000), -np.geomspace(1e-12, 30, 2000)])
    shown = _float64s_from(explorer_page, "(xs) => xs.map(window.gradientFlowExplorer.tanh)", points)
    np.testing.assert_allclose(shown, np.tanh(points), rtol=1e-15, atol=0)


def test_chromium_runs_the_webassembly_kernel(explorer_page):
    assert explorer_page.evaluate("window.gradientFlowExplorer.kernelName()") == "WebAssembly SIMD"
    assert "WebAssembly SIMD" in explorer_page.inner_text(".gradient-flow-explorer__timing")


@pytest.mark.parametrize("setting, value, accepted", [
    ("depth", 0, "from 1 to 100"), ("depth", 101, "from 1 to 100"), ("width", 12, "multiple of 8"),
    ("activation", "swish", "sigmoid, tanh, relu, leaky_relu"), ("architecture", "dense", "plain, batchnorm, residual"),
    ("scale", -1, "scale must be a number > 0"),
])
def test_bad_settings_are_refused_with_the_accepted_values(explorer_page, setting, value, accepted):
    settings = {"depth": 5, "width": 16, "activation": "tanh", "init": "he", "architecture": "plain", "scale": 1}
    settings[setting] = value
    message = explorer_page.evaluate(
        "(s) => { try { window.gradientFlowExplorer.profile(s); return ''; } catch (e) { return e.message; } }", settings
    )
    assert setting in message and accepted in message


def _shown(page) -> tuple[dict, list[float]]:
    container = page.locator(".gradient-flow-explorer")
    return json.loads(container.get_attribute("data-settings")), json.loads(container.get_attribute("data-gradient-norms"))


def test_the_page_opens_on_the_chapters_network_and_plots_it(explorer_page):
    settings, norms = _shown(explorer_page)
    assert (settings["depth"], settings["width"], settings["activation"], settings["init"]) == (30, 128, "sigmoid", "xavier")
    expected = layer_profile("plain", "sigmoid", "xavier", 30, 128).gradient_norms
    # the page draws its own random network: the same vanishing, within the spread of draws
    assert abs(math.log10(norms[0] / norms[-1]) - math.log10(expected[0] / expected[-1])) < 3
    assert norms[0] / norms[-1] < 1e-12
    points = explorer_page.locator(".explorer-chart polyline.explorer-gradient").get_attribute("points").split()
    assert len(points) == 30
    heights = np.array([float(p.split(",")[1]) for p in points])
    # each point sits where the y axis's gridlines put its norm: height is linear in log10
    grid = _gridlines(explorer_page, 0)
    decades, pixels = zip(*grid, strict=True)
    slope, intercept = np.polyfit(decades, pixels, 1)
    np.testing.assert_allclose(heights, slope * np.log10(norms) + intercept, atol=0.06)
    assert slope < 0  # SVG y grows downwards: the small norms of the first layers are lower
    assert "ratio" in explorer_page.inner_text(".gradient-flow-explorer__summary")


def test_every_control_has_a_label_and_works_from_the_keyboard(explorer_page):
    for name in ("depth", "width", "activation", "init", "scale", "architecture"):
        control_id = explorer_page.get_attribute(f".gradient-flow-explorer [name='{name}']", "id")
        assert explorer_page.locator(f"label[for='{control_id}']").count() == 1
    explorer_page.focus(".gradient-flow-explorer [name='depth']")
    explorer_page.keyboard.press("ArrowRight")
    explorer_page.wait_for_function("JSON.parse(document.querySelector('.gradient-flow-explorer').dataset.settings).depth === 31")
    explorer_page.focus(".gradient-flow-explorer [name='architecture']")
    explorer_page.select_option(".gradient-flow-explorer [name='architecture']", "batchnorm")
    explorer_page.wait_for_function("JSON.parse(document.querySelector('.gradient-flow-explorer').dataset.settings).architecture === 'batchnorm'")
    _, norms = _shown(explorer_page)
    assert norms[0] / norms[-1] > 1e-3  # batch normalization stops the vanishing
    explorer_page.focus(".gradient-flow-explorer button")
    explorer_page.keyboard.press("Enter")
    explorer_page.wait_for_function("JSON.parse(document.querySelector('.gradient-flow-explorer').dataset.settings).seed === 1")
    assert float(explorer_page.get_attribute(".gradient-flow-explorer", "data-update-ms")) > 0


def test_the_table_lists_every_layer_when_opened(explorer_page):
    explorer_page.click(".gradient-flow-explorer details summary")
    settings, _ = _shown(explorer_page)
    assert explorer_page.locator(".gradient-flow-explorer details tbody tr").count() == settings["depth"]


def test_the_exploding_chapter_opens_on_relu_with_normal_weights(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + EXPLODING, wait_until="load")
    page.wait_for_selector(".gradient-flow-explorer__live")
    settings, norms = _shown(page)
    assert (settings["activation"], settings["init"]) == ("relu", "normal")
    assert norms[0] > 1e40
    page.close()


def test_without_scripts_the_static_figure_remains(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + VANISHING, wait_until="load")
    # the figure stays by the table it shows; the explorer's place says that it needs scripts
    assert page.locator("img[src$='gradient_norms_by_layer.png']").is_visible()
    assert "JavaScript" in page.inner_text(".gradient-flow-explorer .widget-fallback")
    page.goto(site_url + EXPLODING, wait_until="load")
    assert page.locator(".gradient-flow-explorer img[src$='gradient_norms_by_layer.png']").is_visible()
    for chapter in (VANISHING, EXPLODING):
        page.goto(site_url + chapter, wait_until="load")
        assert page.locator(".gradient-flow-explorer__live").count() == 0
    context.close()


def _gridlines(page, chart: int) -> list[tuple[int, float]]:
    """(power of ten, y in the chart's own pixels) of every labelled gridline of chart ``chart``
    (0: gradient norms, 1: activations), read from the labels "10" with a superscript power."""
    labels = page.evaluate(
        """(chart) => Array.from(document.querySelectorAll('.explorer-chart')[chart].querySelectorAll('text'))
             .filter(t => t.querySelector('tspan[baseline-shift="super"]') && t.firstChild.data === '10')
             .map(t => [t.querySelector('tspan').textContent, parseFloat(t.getAttribute('y'))])""",
        chart,
    )
    assert labels, "no tick labels of the form 10 with a superscript power"
    return [(int(power.replace("\u2212", "-")), y - 5) for power, y in labels]


def _set_controls(page, **values) -> None:
    page.evaluate(
        """(values) => { const form = document.querySelector('.gradient-flow-explorer form');
                         for (const [name, value] of Object.entries(values)) form.elements[name].value = String(value);
                         form.dispatchEvent(new Event('change')); }""",
        values,
    )
    page.wait_for_function(
        "(v) => Object.entries(v).every(([k, x]) => String(JSON.parse(document.querySelector("
        "'.gradient-flow-explorer').dataset.settings)[k]) === String(x))",
        arg={k: v for k, v in values.items() if k != "scale"},
    )


def _y_range(page, chart: int) -> tuple[int, int]:
    low, high = page.locator(".explorer-chart").nth(chart).get_attribute("data-y-range").split(",")
    return int(low), int(high)


def test_y_axes_keep_their_range_until_fitted(browser, site_url):
    """The y axes widen for a new network but do not shrink back, so that two settings share one
    scale; "Fit y axes" fits them to the network shown."""
    with reader_page(browser, site_url + VANISHING, "desktop", "light", ".gradient-flow-explorer__live") as page:
        first = _y_range(page, 0)
        _set_controls(page, depth=100)
        deep = _y_range(page, 0)
        norms = json.loads(page.get_attribute(".gradient-flow-explorer", "data-gradient-norms"))
        assert deep[0] < first[0] and deep[0] <= math.log10(min(norms)) and deep[1] >= first[1]
        _set_controls(page, depth=30)
        assert _y_range(page, 0) == deep  # back at 30 layers, on the deep network's scale
        page.get_by_role("button", name="Fit y axes").click()
        assert _y_range(page, 0) == first


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_what_the_reader_sees(browser, site_url, axe_script, viewport, scheme):
    """Under its "Try it" heading; chart text of at least 12 px as displayed; powers of ten
    written 10 with a superscript; on a phone, the controls and both charts on one screen; the
    theme's colours, also after a switch; no axe-core violation (button contrast included)."""
    with reader_page(browser, site_url + VANISHING, viewport, scheme, ".gradient-flow-explorer__live") as page:
        placement = page.evaluate(
            """() => { const live = document.querySelector('.gradient-flow-explorer__live');
                       const heading = document.getElementById('try-it-the-gradient-flow-explorer');
                       const next = heading.nextElementSibling && Array.from(document.querySelectorAll('h2'))
                         .find(h => heading.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
                       return [Boolean(heading.compareDocumentPosition(live) & Node.DOCUMENT_POSITION_FOLLOWING),
                               Boolean(live.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING)]; }"""
        )
        assert placement == [True, True]  # after its heading, before the next section
        sizes = svg_text_sizes(page, ".gradient-flow-explorer")
        assert len(sizes) >= 30 and min(sizes) >= MIN_TEXT_PX, sorted(sizes)[:5]
        for chart in (0, 1):
            assert len(_gridlines(page, chart)) >= 3
        assert "e-" not in page.inner_text(".gradient-flow-explorer__charts")
        # the reader scrolls the panel's top under the header: controls and charts all show
        page.evaluate(
            """() => { const live = document.querySelector('.gradient-flow-explorer__live');
                       const header = document.querySelector('.md-header').getBoundingClientRect().bottom;
                       window.scrollBy(0, live.getBoundingClientRect().top - header); }"""
        )
        page.wait_for_timeout(100)
        shown = page.evaluate(
            """() => { const header = document.querySelector('.md-header').getBoundingClientRect().bottom;
                       const parts = Array.from(document.querySelectorAll(
                         '.gradient-flow-explorer form input, .gradient-flow-explorer form select, .gradient-flow-explorer form button, .explorer-chart'));
                       return parts.map(p => { const r = p.getBoundingClientRect();
                         return [p.name || p.getAttribute('aria-label'), r.top >= header - 1 && r.bottom <= innerHeight]; }); }"""
        )
        assert len(shown) == 10 and all(visible for _, visible in shown), shown
        ARTIFACTS_SCREEN.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_SCREEN / f"vanishing-gradients-{viewport}-{scheme}-screen.png"))
        save_screenshot(page, ".gradient-flow-explorer__live", f"vanishing-gradients-{viewport}-{scheme}")
        luminance = mean_luminance(page, ".gradient-flow-explorer__charts")
        assert luminance > 0.7 if scheme == "light" else luminance < 0.1, luminance
        assert serious_axe_violations(page, axe_script, ".gradient-flow-explorer") == []
        other = "dark" if scheme == "light" else "light"
        switch_scheme(page, other)
        switched = mean_luminance(page, ".gradient-flow-explorer__charts")
        assert switched > 0.7 if other == "light" else switched < 0.1, switched
        assert serious_axe_violations(page, axe_script, ".gradient-flow-explorer") == []


def test_an_overflow_is_reported_as_such(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + EXPLODING, wait_until="load")
    page.wait_for_selector(".gradient-flow-explorer__live")
    page.evaluate(
        """() => { const form = document.querySelector('.gradient-flow-explorer form');
                   form.elements.depth.value = '100'; form.elements.width.value = '256';
                   form.elements.scale.value = '2'; form.dispatchEvent(new Event('change')); }"""
    )
    page.wait_for_function("JSON.parse(document.querySelector('.gradient-flow-explorer').dataset.settings).width === 256")
    assert "overflow" in page.inner_text(".gradient-flow-explorer__summary")
    page.close()
