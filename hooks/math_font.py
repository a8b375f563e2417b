"""The OpenType MATH font the site serves, so that equations look the same on every machine.

Browsers draw MathML with the reader's fonts. Without one that carries an OpenType ``MATH`` table
(most Linux and Android machines have none) Chromium falls back to a text font: brackets and
norms do not stretch, sums stay text-sized, radicals are malformed. The site therefore serves
Noto Sans Math (SIL Open Font License 1.1, its licence served beside it), installed from the npm
registry at the version ``package-lock.json`` pins, and ``docs/stylesheets/math.css`` lists it
first for ``math``. The WOFF file is served rather than the WOFF2: here it is the smaller of the
two (the font is mostly outlines that Brotli does not shrink further), and Python's fontTools
reads it without Brotli, so the tests can check the served bytes themselves.

A checkout without the package (a fresh clone, or ``node_modules`` installed before the font
was added) gets it with ``npm ci`` on the first build; without npm the build stops and says what
to install. ``hooks/mathml.py`` calls :func:`add_math_font` from its ``on_files``.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

PACKAGE = "@fontsource/noto-sans-math"
FONT = "files/noto-sans-math-latin-400-normal.woff"
"""Despite "latin" in its name, this file holds the whole font: every glyph and the MATH table."""
LICENCE = "LICENSE"
SERVED_FONT = "assets/fonts/noto-sans-math.woff"
SERVED_LICENCE = "assets/fonts/noto-sans-math-OFL.txt"


def _npm_ci(root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            f"The math font {PACKAGE} comes from the npm registry (package.json) and is not installed. "
            f"Install Node.js with npm, then run `npm ci` in {root} (the build runs it when npm is found)."
        )
    lock_file = root / ".cache" / "npm.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:  # builds side by side (the test suite's) install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / "node_modules" / PACKAGE / FONT).is_file():
            return
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PluginError(f"`npm ci` in {root} failed, so the math font {PACKAGE} is missing:\n{result.stderr[-2000:]}")


def math_font_files(root: Path) -> dict[str, Path]:
    """The font and its licence as installed under ``root/node_modules``, by the path each is
    served at; runs ``npm ci`` first when the font is missing. PluginError if it cannot be had."""
    package = root / "node_modules" / PACKAGE
    if not (package / FONT).is_file():
        if not (root / "package.json").is_file():
            raise PluginError(f"{root} has no package.json, which names the math font {PACKAGE} to install")
        _npm_ci(root)
    if not (package / FONT).is_file():
        raise PluginError(f"`npm ci` ran but {package / FONT} is missing: does package.json still name {PACKAGE}?")
    return {SERVED_FONT: package / FONT, SERVED_LICENCE: package / LICENCE}


def add_math_font(files: Files, config: MkDocsConfig) -> Files:
    """``files`` with the math font and its licence added, to be copied into the site."""
    root = shared.project_root(config)
    for served, source in math_font_files(root).items():
        files.append(File.generated(config, served, abs_src_path=str(source)))
    return files
