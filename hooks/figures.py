"""MkDocs hook: draw every registered figure from ``lesson_code`` during the build.

Figures are build outputs: they are rendered (through the cached renderer of
``lesson_code.figures``, on every core) into ``.cache/figures/`` and added to the site as
generated files at ``figures/NAME.svg`` (``NAME.png`` for the few registered as raster), so
pages embed them with ``![alt](figures/NAME.svg)`` and MkDocs checks those links like any other.

The drawing runs in a separate process (``python -m lesson_code.figures``), started when the
build lists its files and awaited just before MkDocs copies them, so that it overlaps with
converting the pages and executing the labs. ``mkdocs serve`` also watches ``lesson_code/``:
editing a figure function, or the code that computes its data, redraws it on the next reload.
"""

from __future__ import annotations

import importlib
import logging
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.figures")

FIGURE_LINK = re.compile(r"\]\(\s*(?:[^)\s]*/)?figures/([A-Za-z0-9_.-]+?\.(?:svg|png))")
CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]*`", re.S | re.M)


def _project_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


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


def on_files(files: Files, config: MkDocsConfig) -> Files:
    docs_dir = Path(config.docs_dir)
    figures = _fresh_figures_module()
    users = _pages_using_figures(docs_dir)
    published = {spec.filename: spec for spec in figures.FIGURES.values()}
    for filename in sorted(set(users) - set(published)):
        pages = ", ".join("docs/" + p for p in users[filename])
        stem = filename.rsplit(".", 1)[0]
        if stem in figures.FIGURES:
            log.warning(f"{pages} embeds figures/{filename}, but that figure is published as "
                        f"figures/{figures.FIGURES[stem].filename}")
        else:
            log.warning(
                f"{pages} embeds figures/{filename}, but no figure is registered as {stem!r}. "
                f"Registered figures: {', '.join(sorted(figures.FIGURES))}"
            )
    out_dir = _project_root(config) / ".cache" / "figures"
    for spec in figures.FIGURES.values():
        files.append(File.generated(config, f"figures/{spec.filename}", abs_src_path=str(out_dir / spec.filename)))
    if not figures.stale_figures(out_dir):
        figures.render(out_dir=out_dir, log=log.info)  # every figure is current: just say so
        return files
    global _drawing
    _drawing = _Drawing(
        subprocess.Popen(
            [sys.executable, "-m", "lesson_code.figures", "--out", str(out_dir)],
            cwd=_project_root(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        {spec.name: spec.filename for spec in figures.FIGURES.values()},
        users,
    )
    return files


class _Drawing:
    """The figure-drawing process of the current build, and what its errors must name."""

    def __init__(self, process: subprocess.Popen, filenames: dict[str, str], users: dict[str, list[str]]):
        self.process, self.filenames, self.users = process, filenames, users

    def finish(self) -> None:
        output, errors = self.process.communicate()
        for line in output.splitlines():
            log.info(line)
        if self.process.returncode == 0:
            return
        message = errors.strip().splitlines()[-1] if errors.strip() else "no message"
        message = message.removeprefix("error: ")
        named = re.match(r"figure '([^']+)'", message)
        filename = self.filenames.get(named.group(1), "") if named else ""
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
    server.watch(str(_project_root(config) / "lesson_code"))
    return server
