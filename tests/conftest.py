"""Shared fixtures: one strict build of the site per test run, a local server for it, and a
headless Chromium driven by Playwright.

The suite runs on every core with pytest-xdist. Work that must happen once per run (the site
build, installing Chromium or axe-core) is done by whichever worker needs it first, under a
file lock in the run's shared temporary folder; the other workers wait for it and reuse it.

The browser is set up here so that the README's single test command works on a fresh machine:
if no Chromium is found it is installed (Debian's ``chromium`` package where apt-get is available
and we are root, otherwise Playwright's own download), or the test fails saying what to run.
A missing browser is never a silent skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from helpers import CHROMIUM_ARGS, ROOT, build_site


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory, worker_id) -> Path:
    """A folder shared by all workers of this test run (the session's own one without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def built_site(run_folder) -> tuple[Path, str]:
    site, log_file = run_folder / "site", run_folder / "site-build.log"
    with FileLock(str(run_folder / "site.lock")):
        if not log_file.exists():
            if not (ROOT / ".cache").exists():
                (run_folder / "site-built-from-nothing").touch()
            result = build_site(site)
            log = result.stdout + result.stderr
            assert result.returncode == 0, f"mkdocs build --strict failed:\n{log}"
            log_file.write_text(log, encoding="utf-8")
    return site, log_file.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site_built_from_nothing(built_site, run_folder) -> bool:
    """Whether the build above started without a ``.cache`` folder (a fresh clone, as in CI), so
    that it drew every figure, executed every lab and reused no cached result."""
    return (run_folder / "site-built-from-nothing").exists()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(built_site) -> Iterator[str]:
    site, _ = built_site
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def find_or_install_chromium() -> str:
    """Path of a Chromium binary, installing one if none is found."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if Path("/usr/bin/chromium").exists():
            return "/usr/bin/chromium"
    installed = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                               capture_output=True, text=True, check=False)
    if installed.returncode == 0:
        return ""  # Playwright's own build: launch without executable_path
    pytest.fail(
        "No Chromium found and none could be installed. Install one and rerun the tests:\n"
        "  Debian/Ubuntu (as root): apt-get install -y chromium\n"
        f"  elsewhere: {sys.executable} -m playwright install chromium\n"
        f"playwright said: {installed.stderr.strip()[-500:]}"
    )


@pytest.fixture(scope="session")
def browser(run_folder):
    from playwright.sync_api import sync_playwright

    with FileLock(str(run_folder / "chromium.lock")):  # one apt-get at a time
        executable = find_or_install_chromium()
    with sync_playwright() as playwright:
        options = {"args": CHROMIUM_ARGS, "headless": True}
        if executable:
            options["executable_path"] = executable
        browser = playwright.chromium.launch(**options)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_script(run_folder) -> Path:
    """axe-core from the npm registry (package.json pins it), installed on first use."""
    script = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    with FileLock(str(run_folder / "npm.lock")):
        if script.exists():
            return script
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility tests: install Node.js and npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, capture_output=True)
    return script


_STARTED = pytest.StashKey[float]()


def pytest_sessionstart(session) -> None:
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter, config) -> None:
    """The reader view's numbers (tests/test_reader_view.py), when its views ran in this run."""
    if not (ROOT / "test-artifacts" / "reader-view").exists():
        return
    from test_reader_view import ARTIFACTS, summary

    lines = summary(ARTIFACTS, config.stash[_STARTED])
    if lines:
        terminalreporter.write_sep("-", "reader view")
        for line in lines:
            terminalreporter.write_line(line)
