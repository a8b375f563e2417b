"""MkDocs hook: the API reference, one page per public module of lesson_code, rendered by
mkdocstrings from the docstrings, and tidied.

The pages are generated from the package: every module or subpackage of ``lesson_code`` whose name
does not start with ``_`` gets ``reference/<name>.md`` (``::: lesson_code.<name>``) unless
``docs/`` holds a page of that name written by hand (``figures``, which documents two of its
submodules). The nav's "API reference" section lists them, and the index page's module table
(at its ``<!-- modules -->`` line) gives each module's first docstring sentence. A new module is
documented without touching any other file.

The docstrings use Sphinx roles (``:class:`MLP```, ``:meth:`MLP.gradients```), which numpy-style
tools read but mkdocstrings prints as they are; this hook drops the role and keeps the name.

A module attribute's heading shows its value (``LANDSCAPES = {landscape.name: ... }``) and a
"module-attribute" label. Both stay on the page but are kept out of the search index
(Material skips what is marked ``data-search-exclude``), so a search result names the attribute
and quotes its docstring instead of a dump of its value.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

PACKAGE = "lesson_code"
SECTION = "API reference"
INDEX = "reference/index.md"
MODULE_TABLE = "<!-- modules -->"

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


def public_modules(root: Path) -> list[str]:
    """The importable names of the package's public modules and subpackages, sorted."""
    package = root / PACKAGE
    return sorted(path.stem for path in package.iterdir() if not path.name.startswith("_")
                  and (path.suffix == ".py" or (path / "__init__.py").is_file()))


def page_uri(module: str) -> str:
    return f"reference/{module.replace('_', '-')}.md"


def summary(root: Path, module: str) -> str:
    """The first sentence of a module's docstring, read without importing it."""
    path = root / PACKAGE / f"{module}.py"
    if not path.is_file():
        path = root / PACKAGE / module / "__init__.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraph = " ".join(docstring.split("\n\n")[0].split())
    paragraph = re.sub(r":\w+:`~?(?:[\w.]*\.)?(\w+)`", r"`\1`", paragraph)  # :class:`~a.b.MLP` -> `MLP`
    return re.split(r"(?<!\bal)(?<!e\.g)\.\s+(?=[A-Z(])", paragraph, maxsplit=1)[0].rstrip(".")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    pages = [INDEX, *({module: page_uri(module)} for module in public_modules(shared.project_root(config)))]
    for entry in config.nav or []:
        if isinstance(entry, dict) and SECTION in entry:
            entry[SECTION] = pages
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add a page per module, from a stub in ``.cache/api-reference/`` that is written only when its
    text changes: a dirty build (``hooks/dirty_reload.py``) then leaves the page alone."""
    root = shared.project_root(config)
    stubs = root / ".cache" / "api-reference"
    stubs.mkdir(parents=True, exist_ok=True)
    for module in public_modules(root):
        if files.get_file_from_path(page_uri(module)) is None:
            stub, text = stubs / f"{module}.md", f"# `{PACKAGE}.{module}`\n\n::: {PACKAGE}.{module}\n"
            if not stub.is_file() or stub.read_text(encoding="utf-8") != text:
                stub.write_text(text, encoding="utf-8")
            files.append(File.generated(config, page_uri(module), abs_src_path=str(stub)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files) -> str:
    if page.file.src_uri != INDEX:
        return markdown
    root = shared.project_root(config)
    rows = [f"| [`{module}`]({page_uri(module).removeprefix('reference/')}) | {summary(root, module)} |"
            for module in public_modules(root)]
    return markdown.replace(MODULE_TABLE, "\n".join(["| module | what it holds |", "|---|---|", *rows]))


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    if not page.file.src_uri.startswith("reference/"):
        return html
    return ATTRIBUTE_HEADING.sub(_value_out_of_search, SPHINX_ROLE.sub("", html))
