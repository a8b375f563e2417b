"""MkDocs hook: turn the pages' TeX into MathML at build time, so math needs no script and no CDN.

``pymdownx.arithmatex`` (generic mode) wraps each formula as ``<span class="arithmatex">\\(...\\)</span>``
or ``<div class="arithmatex">\\[...\\]</div>``; this hook replaces the wrapper with the MathML that
``latex2mathml`` produces, which Chromium, Firefox and Safari render natively (MathML Core).
A formula latex2mathml cannot read, or a command it does not know (it would show up as raw
``\\command`` text), is reported as a warning naming the page, which fails ``--strict`` builds.
"""

from __future__ import annotations

import html
import logging
import re

from latex2mathml.converter import convert
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.mathml")

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)
LEFTOVER_COMMAND = re.compile(r">\\[A-Za-z]+<")


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula; ValueError naming the formula if it cannot be converted."""
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several unrelated exception types
        raise ValueError(f"cannot convert TeX {tex!r}: {type(error).__name__} {error}") from error
    leftover = LEFTOVER_COMMAND.search(mathml)
    if leftover:
        raise ValueError(f"unknown TeX command {leftover.group(0)[1:-1]} in {tex!r}")
    return mathml


def on_page_content(content: str, page: Page, config: MkDocsConfig, files) -> str:
    source = page.file.src_uri

    def replace(match: re.Match[str], display: bool) -> str:
        tex = html.unescape(match.group(1)).strip()
        try:
            mathml = tex_to_mathml(tex, display)
        except ValueError as error:
            log.warning(f"docs/{source}: {error}")
            return match.group(0)
        if display:
            return f'<div class="math-display">{mathml}</div>'
        return mathml

    content = DISPLAY.sub(lambda m: replace(m, True), content)
    return INLINE.sub(lambda m: replace(m, False), content)
