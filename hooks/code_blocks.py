"""MkDocs hook: a doctest in a chapter is shown as a Python session. Also the one definition of
which fenced blocks are Python, shared by sybil (``conftest.py``) and the chapter notebooks
(``hooks/notebooks.py``).

A chapter writes a doctest as a ```` ```python ```` fence whose first line starts with ``>>>``:
sybil runs its statements and compares what they print with the lines under them. Lexed as
Python source, those printed lines would be coloured as code (the words "for" and "and" of a
printed sentence as keywords). Before each page is converted, this hook changes the language
of such a fence to ``pycon``, so Pygments' console lexer marks the prompts (``.gp``) and the
output (``.go``) apart from the code; ``docs/stylesheets/code.css`` styles them and leaves them
out of what the copy button copies. The Markdown source keeps ```` ```python ````. Pygments
ends each output span before its newline; the hook moves the newline into the span, so that a
copy without the output keeps no blank line where the output was. Printed output whose columns
line up (a table, an array) is marked ``aligned`` (:func:`is_aligned`); the stylesheet never
wraps it, since a wrapped row breaks the columns.

This module imports nothing outside the standard library, so that ``conftest.py`` can load it.
"""

from __future__ import annotations

import re
from html import unescape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

PYTHON_FENCE_LANGUAGES = frozenset({"python", "py", "python3", "py3", "pycon", "ipython", "ipython3"})
"""Languages of the fences that hold Python: sybil runs them, the notebooks make them code cells."""

SESSION_LANGUAGE = "pycon"
OUTPUT_LINE = re.compile(r'(<span class="go">[^<]*)</span>\n')
OUTPUT_RUN = re.compile(r'(?:<span class="go">[^<]*\n</span>)+')
COLUMN_GAP = re.compile(r"\S {2,}\S")
PROMPT_SPACE = re.compile(r'(<span class="gp">(?:&gt;&gt;&gt;|\.\.\.)) </span>')
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<info>[^\n]*)$")


def fence_language(info: str) -> str:
    """The language of a fence from its info string: its first word, lower-cased, in any of the
    forms ``python``, ``python title="x.py"``, ``{.python}`` or ``{ .python linenums="1" }``."""
    words = info.replace("{", " ").replace(".", " ").split()
    return words[0].lower() if words else ""


def is_python_fence(info: str) -> bool:
    return fence_language(info) in PYTHON_FENCE_LANGUAGES


def is_doctest(source: str) -> bool:
    """Whether a Python block's source (dedented, as sybil reads it) is a doctest: sybil's own
    rule, its first line starts with ``>>>``."""
    return source.startswith(">>>")


def closing_fence(opening: re.Match[str]) -> re.Pattern[str]:
    """The line that closes the fence ``opening`` matched: the same indent and at least as many
    of the same character."""
    indent, fence = re.escape(opening["indent"]), opening["fence"]
    return re.compile(rf"^{indent}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")


def _as_session(info: str) -> str:
    language = re.escape(fence_language(info))
    return re.sub(rf"(?i)(?<![\w-]){language}(?![\w-])", SESSION_LANGUAGE, info, count=1)


def doctests_as_sessions(markdown: str) -> str:
    """The page with the language of every doctest fence changed to ``pycon``."""
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        closing = closing_fence(opening)
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        width = len(opening["indent"])
        source = "\n".join(line[width:] for line in lines[index + 1 : end])
        language = fence_language(opening["info"])
        if language in PYTHON_FENCE_LANGUAGES and language != SESSION_LANGUAGE and is_doctest(source):
            info = _as_session(opening["info"])
            lines[index] = f"{opening['indent']}{opening['fence']}{info}"
        index = end + 1
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return doctests_as_sessions(markdown)


def column_edges(line: str) -> set[tuple[str, int]]:
    """Where the gaps of two or more spaces inside ``line`` begin and end: the edges of its
    right- and left-aligned columns.

    >>> sorted(column_edges("relu  1.0e-01   0.9"))
    [('begins', 4), ('begins', 13), ('ends', 6), ('ends', 16)]
    """
    edges = set()
    for gap in COLUMN_GAP.finditer(line):
        edges |= {("begins", gap.start() + 1), ("ends", gap.end() - 1)}
    return edges


def is_aligned(lines: list[str]) -> bool:
    """Whether printed ``lines`` are a table or an array: two of them have a column edge (see
    :func:`column_edges`) at the same place. Two sentences that each quote an array have gaps,
    but not in the same places, and keep wrapping.

    >>> is_aligned(["a    1.0", "bcd  2.0"]), is_aligned(["x at [1.5  2.0]", "x at [10.25  3.0]"])
    (True, False)
    """
    seen: set[tuple[str, int]] = set()
    for edges in map(column_edges, lines):
        if edges & seen:
            return True
        seen |= edges
    return False


def _mark_aligned(run: re.Match[str]) -> str:
    if not is_aligned([unescape(line) for line in re.findall(r'<span class="go">([^<]*)\n</span>', run[0])]):
        return run[0]
    return run[0].replace('<span class="go">', '<span class="go aligned">')


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Output spans end with their newline, and aligned output is marked. A no-break space
    follows each prompt: a wrapped statement never leaves ">>>" alone on a line.

    >>> print(on_page_content('<span class="go">a  1</span>\\n<span class="go">b  2</span>\\n'
    ...                       '<span class="go">cc 33</span>\\n', None, None, None))
    <span class="go aligned">a  1
    </span><span class="go aligned">b  2
    </span><span class="go aligned">cc 33
    </span>
    >>> print(on_page_content('<span class="go">x  1</span>\\n<span class="go">   indented</span>\\n',
    ...                       None, None, None))
    <span class="go">x  1
    </span><span class="go">   indented
    </span>
    """
    html = OUTPUT_RUN.sub(_mark_aligned, OUTPUT_LINE.sub("\\1\n</span>", html))
    return PROMPT_SPACE.sub("\\1&nbsp;</span>", html)
