"""MkDocs hook: draw every registered figure from ``lesson_code`` during the build.

Figures are build outputs: they are rendered (through the cached renderer of
``lesson_code.figures``, on every core) into ``.cache/figures/`` and added to the site as
generated files at ``figures/NAME.svg`` (``NAME.png`` for the few registered as raster), so
pages embed them with ``![alt](figures/NAME.svg)`` and MkDocs checks those links like any other.

The drawing runs in a separate process (``python -m lesson_code.figures``), started when the
build lists its files and awaited just before MkDocs copies them, so that it overlaps with
converting the pages and executing the labs. ``mkdocs serve`` also watches ``lesson_code/``:
editing a figure function, or the code that computes its data, redraws it on the next reload.

Every figure also has a narrow (phone) layout, ``figures/NAME.narrow.svg``: after MkDocs turns a
page into HTML, each ``<img>`` of a figure becomes a ``<picture>`` whose ``<source>`` serves the
narrow file below :data:`NARROW_MEDIA`; the ``<img>`` itself (and so its alt text) is unchanged.
The picture links to the full-size figure, which a click or tap opens on its own, to zoom into
with the browser's own zoom (no script, nothing loaded from elsewhere).

After a complete render the hook writes ``.cache/figures/manifest.json``: a hash of the package's
sources and of the versions of the libraries that draw them, and the figures' files. While that hash still
matches, every figure's key does too, and a build takes the figures as they are without
importing the figure code (and matplotlib) to check them one by one.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from lesson_code._digest import FIGURE_PACKAGES, source_digest

log = logging.getLogger("mkdocs.hooks.figures")

MANIFEST = "manifest.json"
"""Written after a complete render: the digest of the code that made the figures, and their files."""

NARROW_MEDIA = "(max-width: 45em)"
"""Screens that get the narrow layout: phones and small tablets in portrait (45em = 720 px)."""

FIGURE_IMG = re.compile(r'<img\b[^>]*?\ssrc="(?P<src>(?:[^"]*/)?figures/(?P<stem>[A-Za-z0-9_-]+)\.(?P<ext>svg|png))"[^>]*>')

FIGURE_LINK = re.compile(r"\]\(\s*(?:[^)\s]*/)?figures/([A-Za-z0-9_.-]+?\.(?:svg|png))")
CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]*`", re.DOTALL | re.MULTILINE)


def _fresh_figures_module():
    """Import lesson_code.figures anew, so a rebuild under ``mkdocs serve`` sees edited code."""
    for name in list(sys.modules):
        if name == "lesson_code" or name.startswith("lesson_code."):
            del sys.modules[name]
    importlib.invalidate_caches()
    return importlib.import_module("lesson_code.figures")


def _pages_using_figures(docs_dir: Path) -> dict[str, list[str]]:
    """File name embedded (``NAME.svg`` or ``NAME.png``) -> the pages that embed it."""
    users: dict[str, list[str]] = {}
    for page in sorted(docs_dir.rglob("*.md")):
        prose = CODE.sub("", page.read_text(encoding="utf-8"))  # an example in code embeds nothing
        for match in FIGURE_LINK.finditer(prose):
            pages = users.setdefault(match.group(1), [])
            if page.relative_to(docs_dir).as_posix() not in pages:
                pages.append(page.relative_to(docs_dir).as_posix())
    return users


def _current_manifest(out_dir: Path, digest: str) -> dict[str, list[str]] | None:
    """Figure name -> its files (the one pages embed first, then its narrow layout), from the
    manifest of the last complete render, if that render was made by the same code and every file
    it lists is still there; else None."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("digest") != digest:
        return None
    filenames = manifest.get("filenames", {})
    if all(isinstance(files, list) and files and (out_dir / f"{files[0]}.key").exists()
           and all((out_dir / f).exists() for f in files) for files in filenames.values()):
        return filenames
    return None


def _write_manifest(out_dir: Path, digest: str, filenames: dict[str, list[str]]) -> None:
    (out_dir / MANIFEST).write_text(json.dumps({"digest": digest, "filenames": filenames}, indent=1), encoding="utf-8")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    docs_dir = Path(config.docs_dir)
    root = shared.project_root(config)
    out_dir = root / ".cache" / "figures"
    users = _pages_using_figures(docs_dir)
    # Hashing the sources takes milliseconds; importing the figures (and matplotlib) to compare
    # every figure's key with the cache took most of a second of every build.
    digest = source_digest(root / "lesson_code", packages=FIGURE_PACKAGES)
    filenames = _current_manifest(out_dir, digest)
    figures = _fresh_figures_module() if filenames is None else None
    if figures is not None:
        filenames = {spec.name: list(spec.filenames) for spec in figures.FIGURES.values()}
    embedded = {files[0] for files in filenames.values()}
    for filename in sorted(set(users) - embedded):
        pages = ", ".join("docs/" + p for p in users[filename])
        stem = filename.rsplit(".", 1)[0]
        if stem in filenames:
            log.warning(f"{pages} embeds figures/{filename}, but that figure is published as "
                        f"figures/{filenames[stem][0]}")
        else:
            log.warning(
                f"{pages} embeds figures/{filename}, but no figure is registered as {stem!r}. "
                f"Registered figures: {', '.join(sorted(filenames))}"
            )
    for filename in sorted(f for group in filenames.values() for f in group):
        files.append(File.generated(config, f"figures/{filename}", abs_src_path=str(out_dir / filename)))
    if figures is None:
        for name in filenames:
            log.info(f"figure {name:<32} cached   0.00 s")
        return files
    if not figures.stale_figures(out_dir):
        figures.render(out_dir=out_dir, log=log.info)  # every figure is current: just say so
        _write_manifest(out_dir, digest, filenames)
        return files
    global _drawing
    _drawing = _Drawing(
        subprocess.Popen(
            [sys.executable, "-m", "lesson_code.figures", "--out", str(out_dir)],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        filenames,
        users,
        lambda: _write_manifest(out_dir, digest, filenames),
    )
    return files


def with_narrow_sources(html: str) -> str:
    """Wrap each figure ``<img>`` of a page's HTML in a ``<picture>`` that serves the figure's
    narrow layout to screens matching :data:`NARROW_MEDIA`, inside a link to the full-size
    figure; the ``<img>`` stays as it was (its alt text names the link).

    >>> print(with_narrow_sources('<p><img alt="Loss" src="../figures/loss.svg" /></p>'))
    <p><a class="figure-zoom" href="../figures/loss.svg"><picture><source media="(max-width: 45em)" srcset="../figures/loss.narrow.svg" /><img alt="Loss" src="../figures/loss.svg" /></picture></a></p>
    """
    def picture(match: re.Match) -> str:
        narrow = match["src"][: -len(match["ext"])] + "narrow." + match["ext"]
        return (f'<a class="figure-zoom" href="{match["src"]}"><picture>'
                f'<source media="{NARROW_MEDIA}" srcset="{narrow}" />{match.group(0)}</picture></a>')

    return FIGURE_IMG.sub(picture, html)


def on_page_content(html: str, page, config: MkDocsConfig, files: Files) -> str:
    return with_narrow_sources(html)


class _Drawing:
    """The figure-drawing process of the current build, and what its errors must name."""

    def __init__(self, process: subprocess.Popen, filenames: dict[str, list[str]], users: dict[str, list[str]],
                 on_success: Callable[[], None]):
        self.process, self.filenames, self.users, self.on_success = process, filenames, users, on_success

    def finish(self) -> None:
        output, errors = self.process.communicate()
        for line in output.splitlines():
            log.info(line)
        if self.process.returncode == 0:
            self.on_success()
            return
        message = errors.strip().splitlines()[-1] if errors.strip() else "no message"
        message = message.removeprefix("error: ")
        named = re.match(r"figure '([^']+)'", message)
        filename = self.filenames.get(named.group(1), [""])[0] if named else ""
        pages = ", ".join("docs/" + p for p in self.users.get(filename, [])) or "no page yet"
        raise PluginError(f"Could not draw {message} (used by {pages})")


_drawing: _Drawing | None = None


def on_env(env, config: MkDocsConfig, files: Files):
    """The figures must be on disk before MkDocs copies the site's files, which comes next."""
    global _drawing
    drawing, _drawing = _drawing, None
    if drawing is not None:
        drawing.finish()
    return env


def on_build_error(error: Exception) -> None:
    global _drawing
    if _drawing is not None:
        _drawing.process.kill()
        _drawing = None


def on_serve(server, config: MkDocsConfig, builder):
    server.watch(str(shared.project_root(config) / "lesson_code"))
    return server
