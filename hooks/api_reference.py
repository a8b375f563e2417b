"""MkDocs hook: tidy the API reference that mkdocstrings renders from lesson_code's docstrings.

The docstrings use Sphinx roles (``:class:`MLP```, ``:meth:`MLP.gradients```), which numpy-style
tools read but mkdocstrings prints as they are; this hook drops the role and keeps the name.
"""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

SPHINX_ROLE = re.compile(r":(?:class|func|meth|mod|attr|obj|data|exc):(?=<code>)")


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    if not page.file.src_uri.startswith("reference/"):
        return html
    return SPHINX_ROLE.sub("", html)
