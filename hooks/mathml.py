"""MkDocs hook: turn the pages' TeX into MathML at build time, so math needs no script and no CDN.

``pymdownx.arithmatex`` (generic mode) wraps each formula as ``<span class="arithmatex">\\(...\\)</span>``
or ``<div class="arithmatex">\\[...\\]</div>``; this hook replaces the wrapper with the MathML that
``latex2mathml`` produces, which Chromium, Firefox and Safari render natively (MathML Core).
A formula latex2mathml cannot read, or a command it does not know (it would show up as raw
``\\command`` text), is reported as a warning naming the page, which fails ``--strict`` builds.
A page whose formulas all converted is kept, converted, in ``.cache/mathml.json`` under a hash of
its HTML, so a rebuild does not convert its 800 formulas again (see ``hooks/build_cache.py``).
The site serves the font the MathML is drawn with (``hooks/math_font.py``).

latex2mathml's output is mended where native rendering differs from TeX (:func:`mend`) and carries
its TeX source as an annotation, which browsers do not draw. Material's search skips the MathML
(``data-search-exclude``) and indexes a plain-text reading of it instead (:func:`plain_text`, e.g.
``m_x = 1/n ∑_i r_i x_i``), kept in a hidden element beside it, so search results read like prose
instead of the MathML's characters run together. A heading's formula is typeset in the table of
contents too, where it would otherwise show as TeX.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
import xml.etree.ElementTree as etree

import build_cache  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
import math_font
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.mathml")

_memo = None

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)
LEFTOVER_COMMAND = re.compile(r">\\[A-Za-z]+<")
TEX_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.", re.DOTALL)
OPENING = {"{", "(", "[", r"\{", r"\left", r"\begin", r"\lVert", r"\lvert", r"\langle"}
CLOSING = {"}", ")", "]", r"\}", r"\right", r"\end", r"\rVert", r"\rvert", r"\rangle"}
RELATIONS = {"=", "<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\approx", r"\ne", r"\neq", r"\equiv", r"\sim"}
BINARY = {"+", "-", r"\pm", r"\mp", r"\cdot", r"\odot", r"\times"}
NO_BREAK_AFTER = {"", ",", "^", "_", "{}"}
"""Where a + or - is a sign, not an operation: at the start, after a comma or in a script."""
TITLE_MATH = re.compile(r"\\\((.+?)\\\)")
"""A formula in a table-of-contents title, which Python-Markdown keeps as arithmatex wrote it."""

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
etree.register_namespace("", MATHML_NAMESPACE)
THIN_SPACE = "0.1667em"  # TeX's \, : the space between an operator name and its argument
ROWS = {"math", "mrow", "mtd", "mstyle", "msqrt", "mpadded", "mphantom", "menclose"}
"""Elements whose children are laid out in a row, one after the other."""
SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
LIMIT_NAMES = {"max", "min", "sup", "inf", "lim", "det", "Pr", "gcd"}
"""Operator names whose subscript goes underneath in display math, as in TeX."""
SIGNS = {"\u2212", "+", "\u00b1", "\u2213"}
SIGN_FOLLOWS = set("([{\u27e8,=<>\u2264\u2265\u2248\u2260\u223c\u2208\u2192")
"""After these a minus or plus is a sign (prefix), not an operation between two terms."""
PRIMES = set("\u2032\u2033\u2034\u2057")
BARS = {"\u2016", "|"}
TEX_ACCENTS = {"\u00af": "\u0304", "^": "\u0302", "~": "\u0303"}
"""``\\bar``, ``\\hat``, ``\\tilde``: latex2mathml writes a macron (which the math font lacks)
and ASCII ``^`` and ``~`` (drawn as a separate glyph, high above the letter); the combining
characters are unicode-math's, and the font sets them on the letter."""
SPACED = set("=<>≤≥≈≠∼≃≅∝∈∉⊂⊆→←↦⟹⟺∣+−±∓×·⋅∘⊙,")
"""Operators written with spaces around them (commas with one after) in the plain-text reading."""
LARGE_OPERATORS = set("∑∏∫∮⋃⋂")
GROUPING = set(" +−-=<>≤≥,/")
"""A script or fraction part with one of these has more than one term: it is parenthesized."""
ACCENTS = {"\u0302": "\u0302", "\u0303": "\u0303", "\u0304": "\u0304", "\u02d9": "\u0307", "\u2192": "\u20d7"}
"""Accents (after :func:`mend`), as the combining characters that put them over a letter in plain text."""


def _name(element: etree.Element) -> str:
    return element.tag.rpartition("}")[2]


def _new(name: str, text: str | None = None, **attributes: str) -> etree.Element:
    element = etree.Element(f"{{{MATHML_NAMESPACE}}}{name}", attributes)
    element.text = text
    return element


def _core(element: etree.Element) -> etree.Element:
    """The token that an element with scripts is built on (MathML's "embellished operator")."""
    while _name(element) in SCRIPTED and len(element):
        element = element[0]
    return element


def _function_names() -> frozenset[str]:
    from latex2mathml.commands import FUNCTIONS  # \ln, \log, \tanh, ...: written as <mi>ln</mi>

    return frozenset(command[1:] for command in FUNCTIONS)


def _is_operator_name(token: etree.Element, functions: frozenset[str]) -> bool:
    text = token.text or ""
    if _name(token) == "mi":
        return text in functions
    return _name(token) == "mo" and len(text) > 1 and text.isalpha()  # \max, \operatorname{Var}


def _needs_space_beside(neighbour: etree.Element | None) -> bool:
    """Whether TeX puts a thin space between an operator name and this neighbour: not at the
    row's ends, nor next to an operator, a fence or a space of its own."""
    if neighbour is None or _name(neighbour) == "mspace":
        return False
    if _name(_core(neighbour)) == "mo":
        return False
    return not (_name(neighbour) == "mrow" and len(neighbour) and _name(neighbour[0]) == "mo")


def _mend_primes(root: etree.Element) -> None:
    """``f'`` as ``f`` followed by a full-size prime: the prime glyph is already raised and
    small, and as a superscript (latex2mathml's ``<msup><mi>f</mi><mi>′</mi></msup>``) it
    shrinks to a dot."""
    for element in [e for e in root.iter() if _name(e) == "msup" and len(e) == 2]:
        base, script = element
        first = script[0] if _name(script) == "mrow" and len(script) else script
        if _name(first) != "mi" or not first.text or set(first.text) - PRIMES:
            continue
        prime = _new("mo", first.text, lspace="0", rspace="0")
        if first is script or len(script) == 1:  # f' alone: no superscript is left
            element.tag, element[:] = f"{{{MATHML_NAMESPACE}}}mrow", [base, prime]
        else:  # a'^2: the prime joins the base, the rest stays a superscript
            script.remove(first)
            element[0] = _new("mrow")
            element[0][:] = [base, prime]


def _mend_row(row: etree.Element, functions: frozenset[str]) -> None:
    """Spacing of operator names and signs, and matching of bars, in one row."""
    bars = [c for c in row if _name(_core(c)) == "mo" and _core(c).text in BARS and _core(c).get("stretchy") != "true"]
    for index, bar in enumerate(bars):
        # \lVert and \rVert: without a form, a bar mid-row is an infix operator that Chromium
        # stretches to the whole row (a norm next to a big product grew to its height)
        _core(bar).set("stretchy", "false")
        if len(bars) % 2 == 0:
            _core(bar).attrib.update(form="postfix" if index % 2 else "prefix", fence="true")
    for previous, child in itertools.pairwise(list(row)):
        # a sign after "(", "=" or ",": Chromium takes any mo but a row's first for an operation
        # between two terms and spaces it so ("( − 1, 1)")
        if _name(child) == "mo" and child.text in SIGNS and _name(previous) == "mo" and (
            previous.text in SIGN_FOLLOWS or previous.get("form") == "prefix"
        ):
            child.set("form", "prefix")
    for child in list(row):
        token = _core(child)
        if not _is_operator_name(token, functions):
            continue
        position = list(row).index(child)
        before = _needs_space_beside(row[position - 1] if position else None)
        after = _needs_space_beside(row[position + 1] if position + 1 < len(row) else None)
        if _name(token) == "mo":  # its own spacing, in place of the dictionary's default for unknown operators
            token.attrib.update(lspace=THIN_SPACE if before else "0", rspace=THIN_SPACE if after else "0")
            if _name(child) == "msub" and token.text in LIMIT_NAMES and child[0] is token:
                child.tag = f"{{{MATHML_NAMESPACE}}}munder"
                token.set("movablelimits", "true")
        else:  # <mi>ln</mi> + function application, as MathML writes f(x); TeX's thin spaces
            row.insert(position + 1, _new("mo", "\u2061", lspace="0", rspace=THIN_SPACE if after else "0"))
            if before:
                row.insert(position, _new("mspace", width=THIN_SPACE))


def mend(root: etree.Element) -> None:
    """Mend latex2mathml's MathML where native rendering differs from TeX: operator names
    (``\\ln a_i`` read "lna_i"), signs spaced as operations, bars of norms that did not match,
    primes shrunk to a dot, and accents drawn in a character the math font lacks or set far
    above the letter."""
    functions = _function_names()
    _mend_primes(root)
    for element in list(root.iter()):
        if _name(element) == "mover" and len(element) == 2 and _name(element[1]) == "mo" and element[1].text in TEX_ACCENTS:
            element[1].text = TEX_ACCENTS[element[1].text]
            element[1].set("stretchy", "false")  # as in TeX: \widehat stretches, \hat does not
            element.set("accent", "true")
    for element in list(root.iter()):
        if _name(element) in ROWS:
            _mend_row(element, functions)


def _grouped(element: etree.Element, compact: bool = True) -> str:
    """The reading of a script, numerator or radicand: without spaces when ``compact``, in
    parentheses when it has more than one term."""
    text = plain_text(element).strip()
    if compact:
        text = text.replace(" ", "")
    return f"({text})" if any(c in GROUPING for c in text) else text


def _row_text(children: list[etree.Element]) -> str:
    text = ""
    for previous, child in itertools.pairwise([None, *children]):
        part = plain_text(child)
        # r_i x_i, not r_ix_i: a space where a script would otherwise run into the next letter
        if previous is not None and _name(previous) in SCRIPTED and part[:1].isalnum():
            text += " "
        text += part
    return text


def plain_text(element: etree.Element) -> str:
    """A reading of the MathML ``element`` as one line of plain text, the way one types math in
    an email: ``1/n ∑_(i=1)^n r_i x_i``, ``√(n Var(w))``, ``ŵ``, matrices as ``[a b; c d]``."""
    name = _name(element)
    if name in {"mi", "mn", "mtext"}:
        return (element.text or "").replace("\u00a0", " ")
    if name == "mo":
        text = (element.text or "").replace("\u2061", "")
        if element.get("form") == "prefix" and text in SIGNS:
            return text
        before = " " if element.get("lspace", "0") != "0" or text in SPACED - {","} else ""
        after = " " if element.get("rspace", "0") != "0" or text in SPACED or text in LARGE_OPERATORS else ""
        return f"{before}{text}{after}"
    if name == "mspace":
        return "" if element.get("width", "").startswith("-") else " "
    if name == "annotation":
        return ""
    if name == "mfrac":
        return f"{_grouped(element[0], compact=False)}/{_grouped(element[1], compact=False)}"
    if name in SCRIPTED:
        base = plain_text(element[0]).strip()
        if name == "mover" and (element[1].text or "") in ACCENTS:
            return base + ACCENTS[element[1].text]
        scripts = [_grouped(script) for script in element[1:]]
        marks = {"msub": "_", "munder": "_", "msup": "^", "mover": "^"}
        text = base + (f"_{scripts[0]}^{scripts[1]}" if len(scripts) == 2 else f"{marks[name]}{scripts[0]}")
        return f" {text} " if base in LARGE_OPERATORS else text
    if name == "msqrt":
        text = _row_text(list(element)).strip()
        return f"√({text})" if any(c in GROUPING for c in text) else f"√{text}"
    if name == "mroot":
        return f"root {plain_text(element[1])} of ({plain_text(element[0]).strip()})"
    if name == "mtable":
        return "; ".join(" ".join(plain_text(cell).strip() for cell in row) for row in element)
    return _row_text(list(element))


def annotated_mathml(tex: str, display: bool) -> tuple[etree.Element, str]:
    """The ``<math>`` element for one formula, mended, with its TeX as an annotation, and its
    plain-text reading; ValueError naming the formula if it cannot be converted."""
    from latex2mathml.converter import convert  # here: a rebuild served from the cache never needs it

    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several unrelated exception types
        raise ValueError(f"cannot convert TeX {tex!r}: {type(error).__name__} {error}") from error
    leftover = LEFTOVER_COMMAND.search(mathml)
    if leftover:
        raise ValueError(f"unknown TeX command {leftover.group(0)[1:-1]} in {tex!r}")
    root = etree.fromstring(mathml)
    mend(root)
    presentation = _new("mrow")
    presentation[:] = list(root)
    semantics = _new("semantics")
    semantics[:] = [presentation, _new("annotation", tex, encoding="application/x-tex")]
    root[:] = [semantics]
    return root, re.sub(r" {2,}", " ", plain_text(presentation)).strip()


def tex_to_mathml(tex: str, display: bool, continued: bool = False) -> str:
    """HTML for one formula: its MathML, which Material's search skips, and its plain-text
    reading in a hidden element, which search indexes (after a space if the formula
    ``continued`` another). Material's indexer tells elements apart by tag alone, so only an
    element that never nests in itself, like ``<math>``, can be skipped whole."""
    root, reading = annotated_mathml(tex, display)
    root.set("data-search-exclude", "")
    reading = f" {reading}" if continued else reading
    return f'{etree.tostring(root, encoding="unicode")}<span class="math-reading" hidden>{html.escape(reading)}</span>'


def split_display(tex: str) -> list[list[str]]:
    """A display formula cut where a narrow screen may break it: into groups at each top-level
    ``\\qquad`` (TeX's space between side-by-side formulas), and each group into pieces before
    each top-level relation (``=``, ``\\le``, ...) or binary operator (``+``, ``\\odot``, ...)
    that joins two terms. A continuation opens with ``{}``, so that its operator keeps the
    spacing of one between two terms. Nothing inside braces, brackets, parentheses, bars,
    ``\\left...\\right`` or an environment is cut; a formula whose nesting does not balance is
    returned whole."""
    groups: list[list[str]] = [[""]]
    depth, previous = 0, ""
    for token in TEX_TOKEN.findall(tex):
        if token in OPENING:
            depth += 1
        elif token in CLOSING:
            depth -= 1
        if depth < 0:
            return [[tex]]
        if depth == 0 and token == r"\qquad":
            groups.append([""])
            previous = ""
            continue
        joins_terms = token in RELATIONS or (token in BINARY and previous not in RELATIONS | BINARY | NO_BREAK_AFTER)
        if depth == 0 and joins_terms and groups[-1][-1].strip():
            groups[-1].append("{}")
        groups[-1][-1] += token
        previous = token if token.strip() else previous
    if depth != 0:
        return [[tex]]
    return [[piece.strip() for piece in group] for group in groups if group[-1].strip() or len(group) > 1]


def _display_html(tex: str) -> str:
    """A ``math-display`` block of the pieces of :func:`split_display`, which CSS lays out in a
    row that wraps at the cuts when the column is too narrow."""
    parts = []
    for index, pieces in enumerate(split_display(tex)):
        mathml = "".join(tex_to_mathml(piece, True, continued=bool(index or number)) for number, piece in enumerate(pieces))
        parts.append(mathml if len(pieces) == 1 else f'<span class="math-group">{mathml}</span>')
    return f'<div class="math-display">{"".join(parts)}</div>'


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
            return _display_html(tex) if is_display else tex_to_mathml(tex, False)
        except ValueError as error:
            log.warning(f"docs/{source}: {error}")
            failed = True
            return match.group(0)

    text = inline.sub(lambda m: replace(m, False), display.sub(lambda m: replace(m, True), text))
    return text, not failed


def _typeset_titles(items) -> None:
    """Table-of-contents titles with their formulas typeset (Material shows ``typeset.title``
    when an item has one) and, as the plain title (a label for assistive technology), read as
    text. A formula that does not convert is left alone: the same one in the heading warns."""
    for item in items:
        typeset_title = plain_title = item.title
        for match in TITLE_MATH.finditer(item.title):
            try:
                root, reading = annotated_mathml(html.unescape(match.group(1)), False)
            except ValueError:
                continue
            root[:] = [root[0][0]]  # without the TeX: a closed drawer's text would show it to a reader of textContent
            typeset_title = typeset_title.replace(match.group(0), etree.tostring(root, encoding="unicode"))
            plain_title = plain_title.replace(match.group(0), html.escape(reading))
        if typeset_title != item.title:
            item.typeset = {"title": typeset_title}
            item.title = plain_title
        _typeset_titles(item.children)


def on_page_content(content: str, page: Page, config: MkDocsConfig, files) -> str:
    if "arithmatex" not in content:
        return content
    _typeset_titles(page.toc)
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
