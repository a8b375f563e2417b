"""MkDocs hook: tidy the API reference that mkdocstrings renders from lesson_code's docstrings.

The docstrings use Sphinx roles (``:class:`MLP```, ``:meth:`MLP.gradients```), which numpy-style
tools read but mkdocstrings prints as they are; this hook drops the role and keeps the name.

A module attribute's heading shows its value (``LANDSCAPES = {landscape.name: ... }``) and a
"module-attribute" label. Both stay on the page but are kept out of the search index
(Material skips what is marked ``data-search-exclude``), so a search result names the attribute
and quotes its docstring instead of a dump of its value.
"""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

SPHINX_ROLE = re.compile(r":(?:class|func|meth|mod|attr|obj|data|exc):(?=<code>)")
ATTRIBUTE_HEADING = re.compile(
    r'(<div class="doc doc-object doc-attribute">\s*<h[1-6] [^>]*class="doc doc-heading">)(.*?)(</h[1-6]>)', re.DOTALL
)
NAME_THEN_VALUE = re.compile(r'(<code class="highlight language-python"><span class="n">[^<]*</span>)(.*?)(</code>)', re.DOTALL)
TAG_OR_TEXT = re.compile(r"<[^>]+>|[^<]+")


def _excluded(value: str) -> str:
    """``value``, Pygments' spans and the bare text between them, each marked to be skipped by
    search. Each top-level piece is marked, not one span around them all: Material's indexer
    tells elements apart by tag only, so a marked span would end at the first inner ``</span>``."""
    pieces, depth = [], 0
    for piece in TAG_OR_TEXT.findall(value):
        if piece.startswith("</"):
            depth -= 1
        elif piece.startswith("<"):
            piece = piece.replace("<span ", "<span data-search-exclude ", 1) if depth == 0 else piece
            depth += 1
        elif depth == 0:
            piece = f"<span data-search-exclude>{piece}</span>"
        pieces.append(piece)
    return "".join(pieces)


def _value_out_of_search(match: re.Match[str]) -> str:
    opening, heading, closing = match.groups()
    heading = NAME_THEN_VALUE.sub(lambda m: m.group(1) + _excluded(m.group(2)) + m.group(3), heading, count=1)
    heading = heading.replace('<span class="doc doc-labels">', '<span class="doc doc-labels" data-search-exclude>', 1)
    return opening + heading + closing


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    if not page.file.src_uri.startswith("reference/"):
        return html
    return ATTRIBUTE_HEADING.sub(_value_out_of_search, SPHINX_ROLE.sub("", html))
