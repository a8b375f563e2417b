"""MkDocs hook: the chapters are numbered by their place in the ``Chapters`` section of the nav.

The prose refers to "Chapter 5"; the navigation, the page titles (browser tab, header, footer
links, search results) and each chapter's heading carry the same number, taken at build time from
one definition of a chapter: an entry of the ``Chapters`` section of ``nav`` in ``mkdocs.yml``, in
its order. Reordering the nav renumbers the site; ``tests/test_chapter_numbers.py`` then fails on
every "Chapter N" of the prose that no longer names chapter N.

The home page's list of chapters is made from the same section, at its ``<!-- chapters -->``
line: number, title and link from the nav, and what the chapter measures from the
``description`` in the chapter's front matter (which Material also puts in the page's
``<meta name="description">``). A chapter without one fails the build with its name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

FIRST_HEADING = re.compile(r"(<h1\b[^>]*>)")

CHAPTER_LIST = "<!-- chapters -->"

_numbers: dict[str, int] = {}
_chapters: list[tuple[int, str, str, str]] = []  # number, title, source, description


def chapter_sources(nav: list[Any]) -> list[str]:
    """The Markdown files of the chapters, in order, from the ``nav`` of ``mkdocs.yml`` as YAML
    reads it (a list of one-key dicts; a section's value is such a list, a page's its path)."""
    for entry in nav:
        if isinstance(entry, dict) and shared.CHAPTERS_SECTION in entry:
            sources = []
            for item in entry[shared.CHAPTERS_SECTION]:
                value = next(iter(item.values())) if isinstance(item, dict) else item
                if not isinstance(value, str):
                    raise TypeError(f"nav: the {shared.CHAPTERS_SECTION!r} section must list pages only, found {item!r}")
                sources.append(value)
            return sources
    raise ValueError(f"nav: no {shared.CHAPTERS_SECTION!r} section; the chapters are numbered from it")


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _numbers.clear()
    _chapters.clear()
    for number, page in enumerate(shared.chapter_pages(nav), start=1):
        _numbers[page.file.src_uri] = number
        _, meta = get_data(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
        description = str(meta.get("description", "")).strip()
        if not description:
            raise PluginError(f"docs/{page.file.src_uri}: a chapter needs a 'description:' in its front matter "
                              "(what the reader measures there; the home page lists it)")
        _chapters.append((number, page.title, page.file.src_uri, description))
        page.title = f"{number}. {page.title}"
    return nav


def chapter_table(chapters: list[tuple[int, str, str, str]]) -> str:
    """The home page's list of chapters as a Markdown table.

    >>> print(chapter_table([(1, "Why deep was hard", "why-deep-was-hard.md", "compute and data")]))
    | # | Chapter | What you will measure |
    |---|---------|-----------------------|
    | 1 | [Why deep was hard](why-deep-was-hard.md) | compute and data |
    """
    rows = [f"| {number} | [{title}]({source}) | {description} |" for number, title, source, description in chapters]
    return "\n".join(["| # | Chapter | What you will measure |", "|---|---------|-----------------------|", *rows])


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if CHAPTER_LIST not in markdown:
        return markdown
    return markdown.replace(CHAPTER_LIST, chapter_table(_chapters))


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Put "Chapter N" above the title of chapter N, inside its heading (its accessible name)."""
    number = _numbers.get(page.file.src_uri)
    if number is None:
        return html
    label = f'<span class="chapter-number">Chapter {number}</span> '
    return FIRST_HEADING.sub(lambda match: match.group(1) + label, html, count=1)
