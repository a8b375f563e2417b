"""MkDocs hook: every lab can be downloaded as a notebook.

Labs live in ``docs/labs/`` as jupytext "percent" scripts, diff-friendly in git. This hook
publishes each as a real notebook, ``labs/NAME.ipynb`` (made from the script, without outputs,
and kept in ``.cache/lab-notebooks.json`` for the next build), and puts a download link at the
top of the lab's page.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import jupytext
import shared
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.lab_notebooks")

_memo = None

ARTICLE_START = re.compile(r'(<article class="md-content__inner md-typeset">)')


def on_config(config: MkDocsConfig) -> None:
    global _memo
    salt = build_cache.file_salt(__file__, ("jupytext", "nbformat"))
    _memo = build_cache.JsonMemo(build_cache.cache_root(config) / "lab-notebooks.json", salt)


def lab_to_notebook(text: str) -> str:
    """The downloadable ``.ipynb`` of a lab's jupytext script, without outputs."""
    notebook = jupytext.reads(text, fmt="py")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # nbformat draws random ids; fixed ones keep builds identical
    return jupytext.writes(notebook, fmt="ipynb")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for file in list(files):
        if shared.is_lab(file.src_uri):
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            content = _memo.get_or_make(_memo.key(text), lambda text=text: lab_to_notebook(text))
            files.append(File.generated(config, shared.notebook_uri(file.src_uri), content=content))
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if not shared.is_lab(page.file.src_uri):
        return output
    target = shared.notebook_uri(page.file.src_uri)
    href = get_relative_url(PurePosixPath(target).as_posix(), page.file.url)
    name = PurePosixPath(target).name
    link = (
        f'<p class="lab-download"><a class="md-button" href="{href}" download="{name}">'
        f"Download this lab as a notebook ({name})</a></p>"
    )
    return ARTICLE_START.sub(lambda m: m.group(1) + link, output, count=1)


def on_post_build(config: MkDocsConfig) -> None:
    _memo.save()
    log.info(f"Build cache: notebooks of {_memo.summary()} labs reused")
