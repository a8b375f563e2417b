"""MkDocs hook: tidy the HTML that mkdocs-jupyter and nbconvert make of a lab's page.

* Removes the scripts nbconvert's template adds that would reach for other hosts or load nothing
  (a MathJax loader with an empty ``src`` and a mermaid loader pointing at a CDN).
* Moves the large style sheets nbconvert inlines into every notebook page (over 500 KB) into one
  shared, cacheable file, so a lab page weighs what its content weighs.
* Makes code and output boxes keyboard-focusable, since they scroll sideways (axe-core:
  scrollable-region-focusable).
* Numbers the cells, whose ids nbformat draws at random on every execution of a lab, so that two
  builds that execute the labs make the same page.
* Gives every figure the alt text that a ``# alt: ...`` comment in its cell writes (one comment
  per figure, in order) instead of nbconvert's "No description has been provided for this
  image"; a figure without one is a warning, which fails the strict build.
* Rewrites links to chapters written as in the Markdown pages (``../curvature.md#anchor``) into
  the site's URLs, which mkdocs-jupyter leaves alone; a link to a missing page is a warning.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import posixpath
import re
from pathlib import Path

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.lab_pages")

UNWANTED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r'<script type="module">(?:(?!</script>).)*?cdnjs(?:(?!</script>).)*?</script>', re.DOTALL),
]
RANDOM_CELL_ID = re.compile(r'id="cell-id=[0-9a-f]+"')
SCROLLING_BOX = re.compile(r'<div class="(highlight-ipynb|jp-RenderedText)')
INLINE_STYLE = re.compile(r'<style type="text/css">\n(.*?)</style>', re.DOTALL)
SHARED_STYLE_MIN_BYTES = 4000
MARKDOWN_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]+\.md)(#[^"]*)?"')
CELL_START = re.compile(r'<div class="jp-Cell ')
ALT_COMMENT = re.compile(r'<span class="c1">#[ \t]*alt:[ \t]*([^<]*?)[ \t]*</span>')
DEFAULT_ALT = 'alt="No description has been provided for this image"'

_shared_styles: dict[str, str] = {}
_site_files: Files | None = None


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _site_files
    _site_files = files
    return files


def number_cells(page: str) -> str:
    """Number the cells of an executed lab in page order. nbformat gives the cells of a notebook
    read from a script random ids, so two builds that execute a lab would differ. (The
    ``cell-N`` ids are mkdocs-jupyter's own, targets of the copy buttons.)"""
    numbers = itertools.count()
    return RANDOM_CELL_ID.sub(lambda match: f'id="notebook-cell-{next(numbers)}"', page)


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


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if not shared.is_lab(page.file.src_uri):
        return output
    output = MARKDOWN_LINK.sub(lambda m: _site_link(m, page), output)
    output = INLINE_STYLE.sub(lambda m: _share_style(m, page), output)
    for pattern in UNWANTED_SCRIPTS:
        output = pattern.sub("", output)
    output = SCROLLING_BOX.sub(r'<div tabindex="0" class="\1', output)
    output = number_cells(output)
    return describe_figures(output, page.file.src_uri)


def on_post_build(config: MkDocsConfig) -> None:
    for name, css in _shared_styles.items():
        target = Path(config.site_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    _shared_styles.clear()
