"""MkDocs hook: turn the pages' TeX into MathML at build time, so math needs no script and no CDN.

``pymdownx.arithmatex`` (generic mode) wraps each formula as ``<span class="arithmatex">\\(...\\)</span>``
or ``<div class="arithmatex">\\[...\\]</div>``; this hook replaces the wrapper with the MathML that
``latex2mathml`` produces, which Chromium, Firefox and Safari render natively (MathML Core).
A formula latex2mathml cannot read, or a command it does not know (it would show up as raw
``\\command`` text), is reported as a warning naming the page, which fails ``--strict`` builds.
A page whose formulas all converted is kept, converted, in ``.cache/mathml.json`` under a hash of
its HTML, so a rebuild does not convert its 800 formulas again (see ``hooks/build_cache.py``).
The site serves the font the MathML is drawn with (``hooks/math_font.py``).
"""

from __future__ import annotations

import html
import logging
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

import build_cache  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
import math_font

log = logging.getLogger("mkdocs.hooks.mathml")

_memo = None

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)
LEFTOVER_COMMAND = re.compile(r">\\[A-Za-z]+<")


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula; ValueError naming the formula if it cannot be converted."""
    from latex2mathml.converter import convert  # here: a rebuild served from the cache never needs it

    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several unrelated exception types
        raise ValueError(f"cannot convert TeX {tex!r}: {type(error).__name__} {error}") from error
    leftover = LEFTOVER_COMMAND.search(mathml)
    if leftover:
        raise ValueError(f"unknown TeX command {leftover.group(0)[1:-1]} in {tex!r}")
    return mathml


def on_config(config: MkDocsConfig) -> None:
    global _memo
    salt = build_cache.file_salt(__file__, ("latex2mathml",))
    _memo = build_cache.JsonMemo(build_cache.cache_root(config) / "mathml.json", salt)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    return math_font.add_math_font(files, config)


def typeset(text: str, display: re.Pattern[str], inline: re.Pattern[str], source: str) -> tuple[str, bool]:
    """``text`` with every formula that ``display`` or ``inline`` matches (group 1: the TeX,
    HTML-escaped) replaced by MathML, and whether all of them converted. A formula that does not
    convert stays as it was, with a warning naming ``docs/{source}``."""
    failed = False

    def replace(match: re.Match[str], is_display: bool) -> str:
        nonlocal failed
        tex = html.unescape(match.group(1)).strip()
        try:
            mathml = tex_to_mathml(tex, is_display)
        except ValueError as error:
            log.warning(f"docs/{source}: {error}")
            failed = True
            return match.group(0)
        return f'<div class="math-display">{mathml}</div>' if is_display else mathml

    text = inline.sub(lambda m: replace(m, False), display.sub(lambda m: replace(m, True), text))
    return text, not failed


def on_page_content(content: str, page: Page, config: MkDocsConfig, files) -> str:
    if "arithmatex" not in content:
        return content
    key = _memo.key(content)
    converted = _memo.get(key)
    if converted is None:
        converted, all_converted = typeset(content, DISPLAY, INLINE, page.file.src_uri)
        if all_converted:  # a page with a warning converts again, and warns again, on the next build
            _memo.put(key, converted)
    return converted


def on_post_build(config: MkDocsConfig) -> None:
    _memo.save()
    log.info(f"Build cache: MathML of {_memo.summary()} pages reused")
