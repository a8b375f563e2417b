"""MkDocs hook: the ``$...$`` and ``$$...$$`` math of a lab's Markdown cells becomes MathML,
as ``hooks/mathml.py`` makes it for the chapters and with its converter (an unknown command is a
warning naming the lab, which fails the strict build). Each cell's MathML is kept in
``.cache/lab-mathml.json`` for the next build.
"""

from __future__ import annotations

import logging
import re

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import mathml
import shared
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.lab_math")

_memo = None

MARKDOWN_CELL = re.compile(r'(<div class="[^"]*jp-MarkdownOutput[^"]*"[^>]*>)(.*?)(</div>)', re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")


def on_config(config: MkDocsConfig) -> None:
    global _memo
    salt = build_cache.file_salt(__file__, ("latex2mathml",)) + build_cache.file_salt(mathml.__file__, ())
    _memo = build_cache.JsonMemo(build_cache.cache_root(config) / "lab-mathml.json", salt)


def _typeset(cell: str, source: str) -> str:
    key = _memo.key(cell)
    typeset = _memo.get(key)
    if typeset is None:
        typeset, all_converted = mathml.typeset(cell, DISPLAY_MATH, INLINE_MATH, source)
        if all_converted:  # a cell with a warning is typeset again, and warns again, on the next build
            _memo.put(key, typeset)
    return typeset


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if not shared.is_lab(page.file.src_uri):
        return output
    return MARKDOWN_CELL.sub(lambda m: m.group(1) + _typeset(m.group(2), page.file.src_uri) + m.group(3), output)


def on_post_build(config: MkDocsConfig) -> None:
    _memo.save()
    log.info(f"Build cache: MathML of {_memo.summary()} cells reused")
