"""MkDocs hook: the chapters are numbered by their place in the ``Chapters`` section of the nav.

The prose refers to "Chapter 5"; the navigation, the page titles (browser tab, header, footer
links, search results) and each chapter's heading carry the same number, taken at build time from
one definition of a chapter: an entry of the ``Chapters`` section of ``nav`` in ``mkdocs.yml``, in
its order. Reordering the nav renumbers the site; ``tests/test_chapter_numbers.py`` then fails on
every "Chapter N" of the prose that no longer names chapter N.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

SECTION = "Chapters"
FIRST_HEADING = re.compile(r"(<h1\b[^>]*>)")

_numbers: dict[str, int] = {}


def chapter_sources(nav: list[Any]) -> list[str]:
    """The Markdown files of the chapters, in order, from the ``nav`` of ``mkdocs.yml`` as YAML
    reads it (a list of one-key dicts; a section's value is such a list, a page's its path)."""
    for entry in nav:
        if isinstance(entry, dict) and SECTION in entry:
            sources = []
            for item in entry[SECTION]:
                value = next(iter(item.values())) if isinstance(item, dict) else item
                if not isinstance(value, str):
                    raise TypeError(f"nav: the {SECTION!r} section must list pages only, found {item!r}")
                sources.append(value)
            return sources
    raise ValueError(f"nav: no {SECTION!r} section; the chapters are numbered from it")


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    section = next((item for item in nav.items if isinstance(item, Section) and item.title == SECTION), None)
    if section is None:
        raise PluginError(f"nav: no {SECTION!r} section; the chapters are numbered from it")
    _numbers.clear()
    for number, page in enumerate(section.children, start=1):
        if not isinstance(page, Page):
            raise PluginError(f"nav: the {SECTION!r} section must list pages only, found {page!r}")
        _numbers[page.file.src_uri] = number
        page.title = f"{number}. {page.title}"
    return nav


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Put "Chapter N" above the title of chapter N, inside its heading (its accessible name)."""
    number = _numbers.get(page.file.src_uri)
    if number is None:
        return html
    label = f'<span class="chapter-number">Chapter {number}</span> '
    return FIRST_HEADING.sub(lambda match: match.group(1) + label, html, count=1)
