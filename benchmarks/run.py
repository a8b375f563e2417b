"""Benchmarks of the course: site build times, page weight, backprop speed, figure drawing,
and the update time of the in-page gradient-flow explorer.

    python benchmarks/run.py [--tests] [--only site|weight|numerics|figures|explorer]

Prints one table per part. Times are wall-clock seconds of one run on this machine; compare
ratios measured in the same run rather than absolute numbers across machines. Nothing here
asserts a time: budgets are reported next to the measurements.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(f"{c!s:<{w}}" for c, w in zip(row, widths, strict=True)))


def timed(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env={**ENV, **(env or {})}, check=True, capture_output=True)
    return time.perf_counter() - start


def build(site: Path, env: dict[str, str] | None = None) -> float:
    return timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], env=env)


def in_process_rebuild(site: Path) -> float:
    """Seconds of a second build in the same interpreter: what a reload of ``mkdocs serve`` costs
    once Python, MkDocs and the plugins are imported."""
    script = (
        "import logging, sys, time\n"
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        "logging.disable(logging.WARNING)\n"
        "for _ in range(2):\n"
        "    start = time.perf_counter()\n"
        "    build(load_config('mkdocs.yml', site_dir=sys.argv[1]))\n"
        "print(time.perf_counter() - start)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(site)], cwd=ROOT, env=ENV, check=True,
                            capture_output=True, text=True)
    return float(result.stdout.split()[-1])


def serve_reloads(*options: str, rounds: int = 6) -> list[float]:
    """Seconds from saving a chapter to ``mkdocs serve`` logging "Reloading browsers", for
    ``rounds`` saves (an edit, then its undoing, in turn) two seconds apart."""
    import queue
    import threading

    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", "127.0.0.1:8765", *options],
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.perf_counter(), line)) for line in server.stdout],
                     daemon=True).start()

    def logged(pattern: str, after: float) -> float:
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            try:
                when, line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if when >= after and pattern in line:
                return when
        raise TimeoutError(f"mkdocs serve never logged {pattern!r}")

    chapter = ROOT / "docs" / "vanishing-gradients.md"
    original = chapter.read_bytes()
    reloads = []
    try:
        logged("Serving on", 0.0)
        time.sleep(3)
        for n in range(rounds):
            saved = time.perf_counter()
            chapter.write_bytes(original + f"\nEdit {n}.\n".encode() if n % 2 == 0 else original)
            reloads.append(logged("Reloading browsers", saved) - saved)
            time.sleep(2)
    finally:
        chapter.write_bytes(original)
        server.terminate()
        server.wait()
    return reloads


def bench_site(site: Path, with_tests: bool) -> None:
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)  # figures and executed labs: start cold
    cold = build(site)
    warm = min(build(site) for _ in range(3))
    # only the figures still come from their cache: the labs are executed again
    figures_only = min(build(site, {"COURSE_BUILD_CACHE": "off"}) for _ in range(2))
    chapter = ROOT / "docs" / "vanishing-gradients.md"
    original = chapter.read_bytes()
    try:
        chapter.write_bytes(original + b"\n")
        edited = build(site)
    finally:
        chapter.write_bytes(original)
    rows = [
        ("cold build (figures drawn, labs executed)", f"{cold:.1f}", "<= 30 (never > 60)"),
        ("no-change rebuild (all cached; best of 3)", f"{warm:.1f}", "<= 4"),
        ("rebuild reusing only the figures (COURSE_BUILD_CACHE=off)", f"{figures_only:.1f}", "-"),
        ("rebuild after editing one chapter", f"{edited:.1f}", "-"),
        ("no-change rebuild inside one process, as mkdocs serve does", f"{in_process_rebuild(site):.1f}", "-"),
    ]
    for options, budget in (((), "-"), (("--dirty",), "<= 2")):
        reloads = serve_reloads(*options)
        rows.append((f"mkdocs serve {' '.join(options)}: chapter saved to browsers reloaded (median, slowest of 6)".replace("  ", " "),
                     f"{sorted(reloads)[len(reloads) // 2]:.1f}, {max(reloads):.1f}", budget))
    if with_tests:
        tests = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])
        rows.append(("full test suite (pytest)", f"{tests:.1f}", "well under 600"))
    table("Site (seconds)", ("what", "seconds", "budget"), rows)


def bench_weight(site: Path) -> None:
    """Each page's own weight: its HTML and the figures it embeds (the wide layout; phones get the
    narrow one, of about the same size), as stored and as sent gzip-compressed (level 6, what a
    web server such as GitHub Pages sends to a browser that accepts it)."""
    theme = sum(p.stat().st_size for folder in ("assets", "javascripts", "stylesheets")
                for p in (site / folder).rglob("*") if p.is_file() and not p.name.endswith(".map"))

    def sent(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), compresslevel=6))

    rows = []
    for html in sorted(site.rglob("index.html")):
        text = html.read_text(encoding="utf-8")
        figures = [target for src in set(re.findall(r'<img[^>]+src="([^"]+)"', text))
                   if not src.startswith("data:")  # inlined into the HTML, already counted
                   and (target := (html.parent / src).resolve()).exists()]
        own = html.stat().st_size + sum(f.stat().st_size for f in figures)
        name = html.parent.relative_to(site).as_posix()
        rows.append((name if name != "." else "(home)", f"{html.stat().st_size / 1024:.0f}",
                     f"{sum(f.stat().st_size for f in figures) / 1024:.0f}", f"{own / 1024:.0f}",
                     f"{(sent(html) + sum(sent(f) for f in figures)) / 1024:.0f}"))
    largest = max((p.stat().st_size, p.name) for p in (site / "figures").iterdir() if p.suffix in (".svg", ".png"))
    table("Page weight (KB; budget: page + its figures <= 300 as sent, each figure <= 150 as stored)",
          ("page", "HTML", "figures", "stored", "sent (gzip)"), rows)
    print(f"shared assets (theme, widget scripts, style sheets), loaded once: {theme / 1024:.0f} KB; largest figure: {largest[1]} "
          f"{largest[0] / 1024:.0f} KB")


def best_of(function, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_of_interleaved(first, second, rounds: int = 15) -> tuple[float, float]:
    """The best time of each function over rounds that alternate them, so that both see the
    same moments of a shared machine."""
    first_times, second_times = [], []
    for _ in range(rounds):
        first_times.append(best_of(first, repeats=1))
        second_times.append(best_of(second, repeats=1))
    return min(first_times), min(second_times)


def _backprop_rows(dtype, depth: int, width: int, batch: int) -> list[tuple[str, ...]]:
    """One forward+backward pass of ours (and of torch, when installed) against the matmuls alone."""
    from lesson_code.network import MLP

    net = MLP([width] * (depth + 1), activation="tanh", init="xavier", seed=0, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, width)).astype(dtype)
    y = rng.standard_normal((batch, width)).astype(dtype)
    a, d = x.copy(), y.copy()
    products = np.empty((3, batch, width), dtype)

    def matmuls_only() -> None:
        # The same products a forward and backward pass need: a W^T, delta W, delta^T a.
        # Written into preallocated arrays: a fresh result array costs page faults whose
        # price depends on the allocator's state, which made this bound vary by 50%.
        for w in net.weights:
            np.matmul(a, w.T, out=products[0])
            np.matmul(d, w, out=products[1])
            np.matmul(d.T, a, out=products[2])

    bound, ours = best_of_interleaved(matmuls_only, lambda: net.gradients(x, y))
    rows = [(f"lesson_code MLP, {np.dtype(dtype).name}", f"{ours * 1e3:.1f}", f"{bound * 1e3:.1f}", f"{bound / ours:.2f}")]
    try:
        import torch
    except ImportError:
        return rows
    torch.set_num_threads(max(1, torch.get_num_threads()))
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    weights = [torch.tensor(w, dtype=tdtype, requires_grad=True) for w in net.weights]
    biases = [torch.tensor(b, dtype=tdtype, requires_grad=True) for b in net.biases]
    tx, ty = torch.tensor(x), torch.tensor(y)

    def torch_pass() -> None:
        h = tx
        for w, b in zip(weights, biases, strict=True):
            h = torch.tanh(h @ w.T + b)
        loss = 0.5 * ((h - ty) ** 2).sum() / batch
        torch.autograd.grad(loss, weights + biases)

    # not interleaved with numpy: torch's OpenMP threads and OpenBLAS's would spin against
    # each other on two cores, which slowed torch by half
    theirs = best_of(torch_pass, repeats=15)
    rows.append((f"torch autograd, {np.dtype(dtype).name}", f"{theirs * 1e3:.1f}", f"{bound * 1e3:.1f}",
                 f"{bound / theirs:.2f}"))
    return rows


def bench_numerics(depth: int = 50, width: int = 256, batch: int = 256) -> None:
    rows = [row for dtype in (np.float64, np.float32) for row in _backprop_rows(dtype, depth, width, batch)]
    table(f"One forward+backward pass, tanh MLP depth {depth}, width {width}, batch {batch} "
          "(fraction of the matmul-only time; target >= 0.8)",
          ("implementation", "ms", "matmuls alone, ms", "fraction"), rows)


def bench_figures() -> None:
    from lesson_code.figures import render

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        results = render(out_dir=out, force=True, log=None)
        wall = time.perf_counter() - start
    rows = [(r.name, f"{r.seconds:.2f}") for r in sorted(results, key=lambda r: -r.seconds)]
    table("Figures (seconds to draw, slowest first)", ("figure", "seconds"), rows)
    print(f"{len(results)} figures: {sum(r.seconds for r in results):.1f} s of drawing, "
          f"{wall:.1f} s wall-clock on {os.cpu_count()} processes; slowest: {rows[0][0]}")


EXPLORER_UPDATE = """async ([changes, repeats]) => {
  const box = document.querySelector('.gradient-flow-explorer');
  const form = box.querySelector('form');
  const times = [];
  for (let r = 0; r < repeats; r++) {
    for (const [name, value] of Object.entries(changes)) form.elements[name].value = value;
    form.elements.scale.value = r % 2 ? '0.25' : '0';  // a change that keeps the drawn network
    form.dispatchEvent(new Event('change'));
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(parseFloat(box.dataset.updateMs));
  }
  return times;
}"""

EXPLORER_REDRAW = """async (repeats) => {
  const box = document.querySelector('.gradient-flow-explorer');
  const times = [];
  for (let r = 0; r < repeats; r++) {
    box.querySelector('button').click();
    times.push(parseFloat(box.dataset.updateMs));
  }
  return times;
}"""


def bench_explorer(site: Path, repeats: int = 9) -> None:
    """Median update time of the gradient-flow explorer in headless Chromium at depth 100,
    width 128, batch 64: after a change of setting (the drawn network kept), and for a new
    random network (its 1.6 million weights drawn too)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))  # the test suite's browser set-up, as pytest imports it
    from conftest import find_or_install_chromium
    from helpers import CHROMIUM_ARGS

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    with sync_playwright() as playwright:
        executable = find_or_install_chromium()
        browser = playwright.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": executable} if executable else {}))
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/vanishing-gradients/")
        page.wait_for_selector(".gradient-flow-explorer__live")
        kernel = page.evaluate("window.gradientFlowExplorer.kernelName()")
        for architecture in ("plain", "batchnorm", "residual"):
            for activation in ("sigmoid", "tanh", "relu", "leaky_relu"):
                changes = {"depth": "100", "width": "128", "activation": activation, "init": "he",
                           "architecture": architecture}
                times = page.evaluate(EXPLORER_UPDATE, [changes, repeats])
                rows.append((architecture, activation, f"{np.median(times):.0f}", f"{min(times):.0f}-{max(times):.0f}"))
        redraw = page.evaluate(EXPLORER_REDRAW, repeats)
        rows.append(("new random network", "relu", f"{np.median(redraw):.0f}", f"{min(redraw):.0f}-{max(redraw):.0f}"))
        fallback = page.evaluate(
            "() => { const e = window.gradientFlowExplorer; e.useKernel('js'); const t = performance.now();"
            " e.profile({depth: 100, width: 128, activation: 'tanh', init: 'he', architecture: 'plain', scale: 1, seed: 1});"
            " const first = performance.now() - t; const u = performance.now();"
            " e.profile({depth: 100, width: 128, activation: 'tanh', init: 'he', architecture: 'plain', scale: 1, seed: 1});"
            " e.useKernel('wasm'); return performance.now() - u; }"
        )
        rows.append(("plain JavaScript kernel (no SIMD)", "tanh", f"{fallback:.0f}", "one run, compute only"))
        browser.close()
    server.shutdown()
    table(f"Gradient-flow explorer, depth 100, width 128, batch 64 ({kernel}; ms per update, "
          f"median of {repeats}; target <= 100)", ("architecture", "activation", "median ms", "range"), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", action="store_true", help="also time the whole test suite")
    parser.add_argument("--only", choices=["site", "weight", "numerics", "figures", "explorer"])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        if args.only in (None, "site"):
            bench_site(site, args.tests)
        if args.only in (None, "weight", "explorer") and not site.exists():
            build(site)
        if args.only in (None, "weight"):
            bench_weight(site)
        if args.only in (None, "explorer"):
            bench_explorer(site)
    if args.only in (None, "numerics"):
        bench_numerics()
    if args.only in (None, "figures"):
        bench_figures()


if __name__ == "__main__":
    main()
