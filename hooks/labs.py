"""MkDocs hook: make the lab pages (rendered by mkdocs-jupyter) offline, typeset and downloadable.

Labs live in ``docs/labs/`` as jupytext "percent" scripts, diff-friendly in git. mkdocs-jupyter
executes and renders them; this hook then

* publishes each lab as a real notebook, ``labs/NAME.ipynb`` (generated from the script, without
  outputs, and kept in ``.cache/lab-notebooks.json`` for the next build), and puts a download
  link at the top of its page;
* removes the scripts nbconvert's template adds that would reach for other hosts or load nothing
  (a MathJax loader with an empty ``src`` and a mermaid loader pointing at a CDN);
* gives every figure the alt text that a ``# alt: ...`` comment in its cell writes (one comment
  per figure, in order) instead of nbconvert's "No description has been provided for this
  image"; a figure without one is a warning, which fails the strict build;
* makes code and output boxes keyboard-focusable, since they scroll sideways (axe-core:
  scrollable-region-focusable);
* numbers the cells, whose ids nbformat draws at random on every execution of a lab, so that
  two builds that execute the labs make the same page;
* moves the large style sheets nbconvert inlines into every notebook page (over 500 KB) into
  one shared, cacheable file, so a lab page weighs what its content weighs;
* rewrites links to chapters written as in the Markdown pages (``../curvature.md#anchor``) into
  the site's URLs, which mkdocs-jupyter leaves alone; a link to a missing page is a warning;
* turns the ``$...$`` and ``$$...$$`` math of the notebook's Markdown cells into MathML, like
  ``hooks/mathml.py`` does for the chapters (kept in ``.cache/lab-mathml.json`` for the next
  build);
* keys mkdocs-jupyter's cache of executed labs on ``lesson_code`` too. Its own key is the
  notebook's text and its options, so after an edit to the package a lab would keep showing
  the outputs of the old code; the cache lives in ``.cache/mkdocs-jupyter/DIGEST/``, where
  DIGEST covers the package's sources, the versions that compute and draw the outputs, and this
  hook. With ``COURSE_BUILD_CACHE=off`` the labs are executed again and nothing is cached;
* executes the labs without an inherited ``MPLBACKEND``, which would keep their figures out of
  the page, and with one BLAS thread per kernel: during a cold build the figures are drawn on
  every core at the same time, and a kernel's idle BLAS threads spinning for a core cost the
  build 7 s of CPU (measured: 57 s against 50 s, 33 s against 29 s of wall-clock, 2 cores).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import posixpath
import re
import shutil
from pathlib import Path, PurePosixPath

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import jupytext
import mathml
import shared
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from lesson_code._digest import LAB_PACKAGES, source_digest

log = logging.getLogger("mkdocs.hooks.labs")

_notebook_memo = None
_math_memo = None

LAB_SOURCE = re.compile(r"^labs/[^/]+\.py$")
UNWANTED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r'<script type="module">(?:(?!</script>).)*?cdnjs(?:(?!</script>).)*?</script>', re.DOTALL),
]
MARKDOWN_CELL = re.compile(r'(<div class="[^"]*jp-MarkdownOutput[^"]*"[^>]*>)(.*?)(</div>)', re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
RANDOM_CELL_ID = re.compile(r'id="cell-id=[0-9a-f]+"')
SCROLLING_BOX = re.compile(r'<div class="(highlight-ipynb|jp-RenderedText)')
INLINE_STYLE = re.compile(r'<style type="text/css">\n(.*?)</style>', re.DOTALL)
SHARED_STYLE_MIN_BYTES = 4000
_shared_styles: dict[str, str] = {}
MARKDOWN_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]+\.md)(#[^"]*)?"')
_site_files: Files | None = None
KERNEL_ENVIRONMENT: dict[str, str | None] = {
    "MPLBACKEND": None, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}
"""What the lab kernels inherit, set for the build (None: unset) and restored after it."""

_inherited_environment: dict[str, str | None] = {}
CELL_START = re.compile(r'<div class="jp-Cell ')
ALT_COMMENT = re.compile(r'<span class="c1">#[ \t]*alt:[ \t]*([^<]*?)[ \t]*</span>')
DEFAULT_ALT = 'alt="No description has been provided for this image"'
ARTICLE_START = re.compile(r'(<article class="md-content__inner md-typeset">)')


def lab_cache_dir(project_root: Path) -> Path:
    """Where executed labs are cached: one folder per state of ``lesson_code``, of its numerics
    and of this hook, which sets up the execution (see :func:`on_pre_build`)."""
    digest = hashlib.sha256(source_digest(project_root / "lesson_code", packages=LAB_PACKAGES).encode())
    digest.update(Path(__file__).read_bytes())
    return project_root / ".cache" / "mkdocs-jupyter" / digest.hexdigest()[:16]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _notebook_memo, _math_memo
    salt = build_cache.file_salt(__file__, ("jupytext", "nbformat"))
    _notebook_memo = build_cache.JsonMemo(build_cache.cache_root(config) / "lab-notebooks.json", salt)
    salt = build_cache.file_salt(__file__, ("latex2mathml",)) + build_cache.file_salt(mathml.__file__, ())
    _math_memo = build_cache.JsonMemo(build_cache.cache_root(config) / "lab-mathml.json", salt)
    cache_dir = lab_cache_dir(shared.project_root(config))
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(cache_dir)
    if not build_cache.caching_enabled():  # COURSE_BUILD_CACHE=off: execute every lab again
        config.plugins["mkdocs-jupyter"].config["cache"] = False
        return config
    if cache_dir.parent.is_dir():  # outputs of other states of the code are stale
        for entry in cache_dir.parent.iterdir():
            if entry != cache_dir:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    """Give the lab kernels :data:`KERNEL_ENVIRONMENT`. Without ``MPLBACKEND`` they use the
    inline backend that ipykernel picks; a backend inherited from the environment (the test suite
    sets Agg, and so do many headless machines) would make the labs' ``plt.show()`` put no
    figure in the page."""
    for name, value in KERNEL_ENVIRONMENT.items():
        _inherited_environment.setdefault(name, os.environ.get(name))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def is_lab(file: File) -> bool:
    return bool(LAB_SOURCE.match(file.src_uri))


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _site_files
    _site_files = files
    for file in list(files):
        if is_lab(file):
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            content = _notebook_memo.get_or_make(_notebook_memo.key(text), lambda text=text: lab_to_notebook(text))
            files.append(File.generated(config, shared.notebook_uri(file.src_uri), content=content))
    return files


def lab_to_notebook(text: str) -> str:
    """The downloadable ``.ipynb`` of a lab's jupytext script, without outputs."""
    notebook = jupytext.reads(text, fmt="py")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # nbformat draws random ids; fixed ones keep builds identical
    return jupytext.writes(notebook, fmt="ipynb")


def number_cells(page: str) -> str:
    """Number the cells of an executed lab in page order. nbformat gives the cells of a notebook
    read from a script random ids, so two builds that execute a lab would differ. (The
    ``cell-N`` ids are mkdocs-jupyter's own, targets of the copy buttons.)"""
    numbers = itertools.count()
    return RANDOM_CELL_ID.sub(lambda match: f'id="notebook-cell-{next(numbers)}"', page)


def _typeset(cell: str, source: str) -> str:
    key = _math_memo.key(cell)
    typeset = _math_memo.get(key)
    if typeset is None:
        typeset, all_converted = mathml.typeset(cell, DISPLAY_MATH, INLINE_MATH, source)
        if all_converted:  # a cell with a warning is typeset again, and warns again, on the next build
            _math_memo.put(key, typeset)
    return typeset


def _share_style(match: re.Match[str], page: Page) -> str:
    css = match.group(1)
    if len(css) < SHARED_STYLE_MIN_BYTES:
        return match.group(0)
    name = f"assets/stylesheets/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    _shared_styles[name] = css
    return f'<link rel="stylesheet" href="{get_relative_url(name, page.file.url)}">'


def _site_link(match: re.Match[str], page: Page) -> str:
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), match.group(1)))
    file = _site_files.get_file_from_path(target) if _site_files is not None else None
    if file is None:
        log.warning(f"docs/{page.file.src_uri} links to {match.group(1)}, which is not a page of the site")
        return match.group(0)
    return f'href="{get_relative_url(file.url, page.file.url)}{match.group(2) or ""}"'


def describe_figures(page: str, source: str) -> str:
    """Replace nbconvert's default alt text of each figure with the ``# alt:`` comments of the
    figure's cell, in order. (Pygments has escaped the comment's ``<``, ``&`` and ``"``, so it is
    safe in an attribute.)"""
    cells = CELL_START.split(page)
    for number, cell in enumerate(cells):
        alts = ALT_COMMENT.findall(cell)
        figures = cell.count(DEFAULT_ALT)
        if figures > len(alts):
            log.warning(f"docs/{source}: a cell draws {figures} figures but has {len(alts)} '# alt: ...' "
                        "comments; describe each figure in a comment of its cell")
        for alt in alts[:figures]:
            cell = cell.replace(DEFAULT_ALT, f'alt="{alt}"', 1)
        cells[number] = cell
    return '<div class="jp-Cell '.join(cells)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if not is_lab(page.file):
        return output
    output = MARKDOWN_LINK.sub(lambda m: _site_link(m, page), output)
    output = INLINE_STYLE.sub(lambda m: _share_style(m, page), output)
    for pattern in UNWANTED_SCRIPTS:
        output = pattern.sub("", output)
    output = SCROLLING_BOX.sub(r'<div tabindex="0" class="\1', output)
    output = number_cells(output)
    output = describe_figures(output, page.file.src_uri)
    output = MARKDOWN_CELL.sub(
        lambda m: m.group(1) + _typeset(m.group(2), page.file.src_uri) + m.group(3), output
    )
    target = shared.notebook_uri(page.file.src_uri)
    href = get_relative_url(PurePosixPath(target).as_posix(), page.file.url)
    name = PurePosixPath(target).name
    link = (
        f'<p class="lab-download"><a class="md-button" href="{href}" download="{name}">'
        f"Download this lab as a notebook ({name})</a></p>"
    )
    return ARTICLE_START.sub(lambda m: m.group(1) + link, output, count=1)


def on_post_build(config: MkDocsConfig) -> None:
    for name, value in _inherited_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _inherited_environment.clear()
    _notebook_memo.save()
    _math_memo.save()
    log.info(f"Build cache: notebooks of {_notebook_memo.summary()} labs reused")
    log.info(f"Build cache: MathML of {_math_memo.summary()} cells reused")
    for name, css in _shared_styles.items():
        target = Path(config.site_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    _shared_styles.clear()
