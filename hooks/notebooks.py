"""MkDocs hook: every chapter can be downloaded as a Jupyter notebook made from its own page.

At build time each chapter's Markdown becomes ``NAME.ipynb`` at the root of the site: prose
becomes Markdown cells, every Python snippet a code cell (a doctest keeps its statements and
drops its expected output, which the notebook prints anew), and every figure a cell that draws it
from ``lesson_code``. The notebook is made from the same text the reader sees and sybil checks, so
it cannot drift from the page. A "Download this chapter as a notebook" link goes at the top of
the page. Notebooks are kept in ``.cache/chapter-notebooks.json`` under a hash of the chapter's
text, so a rebuild does not make them again (see ``hooks/build_cache.py``).

With a repository set (``REPO_URL``, see ``hooks/publishing.py``) each notebook's first code cell
installs ``lesson_code`` from it when the package is missing, so the notebook runs top to bottom
in a fresh Colab runtime; and, for a GitHub repository, an "Open in Colab" link joins the
download link. Colab opens notebooks from GitHub only, so the link points to the notebook as
published on the ``gh-pages`` branch, to which the site's workflow pushes every deployed build
(the notebook's path there is its path in the site).
"""

from __future__ import annotations

import logging
import re
import textwrap
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import chapters
import code_blocks
import nbformat
import publishing
import shared
from code_blocks import FENCE, PYTHON_FENCE_LANGUAGES, closing_fence, fence_language, is_doctest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

log = logging.getLogger("mkdocs.hooks.notebooks")

_memo = None

ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
FIGURE = re.compile(r"^[ \t]*!\[(?P<alt>[^\]]*)\]\((?:[^)\s]*/)?figures/(?P<name>[A-Za-z0-9_.-]+)\.(?:svg|png)\)[ \t]*$")
INTRO = (
    "*This notebook is generated from the chapter's page of the course \"Why Deep Networks Are "
    "Hard to Train\". Run it top to bottom in a Python kernel with the `lesson_code` package "
    "installed (`pip install -e .` in the course's repository).*"
)
INSTALL = """\
# Installs the course's package from its repository where it is missing (a fresh Colab runtime);
# where it is installed, this cell does nothing.
try:
    import lesson_code  # noqa: F401
except ImportError:
    %pip install --quiet "lesson-code @ git+{repo_url}@{branch}"
"""
PAGES_BRANCH = "gh-pages"
"""The branch the workflow (``.github/workflows/site.yml``) pushes the built site to."""
COLAB = "https://colab.research.google.com/github/{repository}/blob/{branch}/{path}"


def _doctest_to_code(lines: list[str]) -> list[str]:
    """The statements of a doctest (``>>>`` and ``...`` lines), without their expected output."""
    code = []
    for line in lines:
        if line.startswith((">>> ", "... ")):
            code.append(line[4:])
        elif line.rstrip() in (">>>", "..."):
            code.append("")
    return code


def _image_lines(lines: list[str], start: int) -> str:
    """The Markdown image that starts at ``lines[start]``, its alt text possibly over several
    lines (up to the blank line that ends the paragraph), joined with newlines."""
    end = start
    while end + 1 < len(lines) and "](" not in lines[end] and lines[end + 1].strip():
        end += 1
    return "\n".join(lines[start : end + 1])


def _dedent(line: str, width: int) -> str:
    return line[width:] if line[:width].strip() == "" else line.lstrip()


def install_cell(repo_url: str, branch: str) -> str:
    """The code of the cell that installs ``lesson_code`` from ``branch`` of ``repo_url`` when it
    is missing (an IPython ``%pip`` line: it installs into the kernel's own environment)."""
    return INSTALL.format(repo_url=repo_url.rstrip("/"), branch=branch).rstrip("\n")


def github_repository(repo_url: str | None) -> str | None:
    """``owner/name`` of a GitHub repository's address, None for any other address or none.

    >>> github_repository("https://github.com/owner/course/"), github_repository("https://example.org/x/y")
    ('owner/course', None)
    """
    if not repo_url:
        return None
    parts = urlsplit(repo_url)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc.lower() not in ("github.com", "www.github.com") or path.count("/") != 1:
        return None
    return path


def colab_url(repository: str, notebook_path: str) -> str:
    """Where Colab opens the notebook at ``notebook_path`` of the site published on
    ``PAGES_BRANCH`` of the GitHub ``repository`` (``owner/name``)."""
    return COLAB.format(repository=repository, branch=PAGES_BRANCH, path=notebook_path)


def chapter_to_notebook(text: str, install: str | None = None) -> nbformat.NotebookNode:
    """Turn a chapter's Markdown into a notebook (see the module docstring for the rules);
    ``install``, when given, is the code of a first code cell (see :func:`install_cell`)."""
    if install is None:
        cells: list[nbformat.NotebookNode] = [nbformat.v4.new_markdown_cell(INTRO)]
    else:
        note = " The next cell installs it from the repository where it is missing (a fresh Colab runtime).*"
        cells = [nbformat.v4.new_markdown_cell(INTRO.removesuffix("*") + note), nbformat.v4.new_code_cell(install)]
    text, _ = get_data(text)  # the front matter (the page's description) is metadata, not prose
    prose: list[str] = []
    admonitions: list[int] = []  # indents of the admonitions we are inside

    def flush() -> None:
        # a cell that starts inside a list item (after a solution's code) must not become code
        body = textwrap.dedent("\n".join(prose)).strip("\n")
        if body.strip():
            cells.append(nbformat.v4.new_markdown_cell(body))
        prose.clear()

    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        indent = len(line) - len(line.lstrip())
        while admonitions and line.strip() and indent <= admonitions[-1]:
            admonitions.pop()
        depth = 4 * len(admonitions)
        if match := FENCE.match(line):
            closing = closing_fence(match)
            end = index + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            body = [_dedent(body_line, len(match["indent"])) for body_line in lines[index + 1 : end]]
            if fence_language(match["info"]) in PYTHON_FENCE_LANGUAGES:
                flush()
                code = _doctest_to_code(body) if is_doctest("\n".join(body)) else body
                cells.append(nbformat.v4.new_code_cell("\n".join(code).strip("\n")))
            else:
                prose.extend(_dedent(fence_line, depth) for fence_line in lines[index : end + 1])
            index = end + 1
            continue
        if match := ADMONITION.match(line):
            title = match["title"] or match["kind"].replace("-", " ").capitalize()
            prose.append(f"{' ' * max(indent - depth, 0)}**{title}**")
            prose.append("")
            admonitions.append(indent)
        elif line.lstrip().startswith("![") and (match := FIGURE.match(image := _image_lines(lines, index))):
            index += image.count("\n")  # the alt text may run over lines
            flush()
            cells.append(nbformat.v4.new_markdown_cell(f"*Figure: {' '.join(match['alt'].split())}*"))
            cells.append(nbformat.v4.new_code_cell(
                "from lesson_code.figures import get_figure\n\n"
                f'get_figure("{match["name"]}").function()'
            ))
        else:
            prose.append(_dedent(line, depth))
        index += 1
    flush()
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # nbformat draws random ids; fixed ones keep builds identical
    return notebook


def on_config(config: MkDocsConfig) -> None:
    global _memo
    salt = build_cache.file_salt(__file__, ("nbformat",)) + build_cache.file_salt(code_blocks.__file__, ())
    _memo = build_cache.JsonMemo(build_cache.cache_root(config) / "chapter-notebooks.json", salt)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    # hooks/publishing.py has set repo_url by now: every hook's on_config runs before on_files
    install = install_cell(config.repo_url, publishing.repo_branch()) if config.repo_url else None
    for source in chapters.chapter_sources(config.nav):
        chapter = files.get_file_from_path(source)
        if chapter is None:  # MkDocs itself reports a nav entry without a page
            continue
        text = chapter.content_string
        notebook = _memo.get_or_make(_memo.key(text, install or ""),
                                     lambda text=text: nbformat.writes(chapter_to_notebook(text, install)))
        files.append(File.generated(config, shared.notebook_uri(source), content=notebook))
    return files


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    notebook = files.get_file_from_path(shared.notebook_uri(page.file.src_uri))
    if notebook is None or not page.file.src_uri.endswith(".md"):
        return html
    href = get_relative_url(notebook.url, page.file.url)
    name = PurePosixPath(notebook.url).name
    links = [f'<a class="md-button" href="{href}" download="{name}">Download this chapter as a notebook</a>']
    if repository := github_repository(config.repo_url):
        links.append(f'<a class="md-button" href="{colab_url(repository, notebook.url)}">Open in Colab</a>')
    return f'<p class="notebook-download">{" ".join(links)}</p>\n' + html


def on_post_build(config: MkDocsConfig) -> None:
    _memo.save()
    log.info(f"Build cache: notebooks of {_memo.summary()} chapters reused")
