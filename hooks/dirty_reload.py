"""MkDocs hook: ``mkdocs serve --dirty`` rebuilds the page you saved, or every page.

A dirty build (MkDocs' ``--dirty``) rebuilds a page only when its source is newer than its built
HTML. That is right for what a page takes from its own source, and wrong for what it takes from
elsewhere: the nav and the page titles (``mkdocs.yml``), the chapter numbers and the home page's
list of chapters (every chapter's front matter), the figures and the API reference
(``lesson_code``), and the theme's overrides. This hook keeps a digest of all of these. When it
differs from the digest of the last build into the same folder, the hook deletes every built page
first, so that MkDocs rebuilds them all. (The hooks themselves are loaded once per process:
after editing one, restart the server, whose first build builds every page.)

It does the same in four more cases, each of which a one-page build would get wrong:

* the first build of the process (``mkdocs build --dirty``, or a build after one that failed):
  Material keeps the search entries of the pages a dirty build skips in memory only;
* more than one page changed: Material merges the search index of a dirty build with the last
  one by the address of the first page indexed, so the second page's entries would be doubled;
* a page whose address begins another's changed (the home page's is ``""``): the same merge
  would drop the other page's entries;
* a lab changed: mkdocs-jupyter deletes the cached execution of every lab a build did not render.

Otherwise the build renders just the page you saved, and the other pages are already what a full
build would make of them. Two things the saved page shows come from pages MkDocs does not read in
a one-page build, so the hook supplies them from the last build: their titles (the nav, the
previous and next links; a lab's title comes from its notebook, a page outside the nav's titles
from its first heading) and their front matter. And two plugins' outputs made from every page,
the executed labs and the API inventory, are kept as they are (:data:`ONE_PAGE_BUILD_OFF`), and
so are the other pages' results in our own memos (``build_cache.keep_unused_entries``).

Without ``--dirty`` this hook does nothing (every page is built anyway).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import shared
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from lesson_code._digest import source_digest

log = logging.getLogger("mkdocs.hooks.dirty_reload")

ONE_PAGE_BUILD_OFF = (("mkdocs-jupyter", "cache"), ("mkdocstrings", "enable_inventory"))
"""Plugin options switched off in a one-page build, whose plugins would otherwise replace what
the last build made from every page with what they made from one: mkdocs-jupyter would evict
the executed labs, mkdocstrings would write an inventory (``objects.inv``) of no object."""

_dirty = False
_digest: str | None = None
_one_page = False
_rendered: dict[str, tuple[str | None, dict]] = {}
"""Each page's title and front matter, as of the last build that rendered it."""
_last_build: tuple[str, str] | None = None
"""The site folder and :func:`shared_inputs_digest` of the last dirty build that finished."""


def on_startup(command: str, dirty: bool) -> None:
    global _dirty
    _dirty = dirty


def shared_inputs_digest(config: MkDocsConfig, pages: list[File]) -> str:
    """sha256 (hex) of what any page takes from outside its own source: the configuration, the
    theme's overrides, ``lesson_code``, and every page's front matter and title."""
    root = shared.project_root(config)
    digest = hashlib.sha256()
    digest.update(Path(config.config_file_path).read_bytes())
    digest.update(json.dumps([config.site_url, config.repo_url, config.edit_uri, dict(config.extra)],
                             sort_keys=True, default=str).encode())
    if config.theme.custom_dir:
        for path in sorted(p for p in Path(config.theme.custom_dir).rglob("*") if p.is_file()):
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(source_digest(root / "lesson_code").encode())
    for page in pages:
        markdown, meta = get_data(page.content_string)
        title = next((line for line in markdown.splitlines() if line.startswith("# ")), "")
        digest.update(json.dumps([page.src_uri, meta, title], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _page_url(file: File) -> str:
    """The address Material indexes a page under: a page's ``url`` (``""`` for the home page)."""
    return "" if file.url in (".", "./") else file.url


def _whole_build_reason(config: MkDocsConfig, pages: list[File], changed: list[File]) -> str | None:
    if _last_build is None or _last_build[0] != config.site_dir:
        return "the first build into this folder in this process"
    if _last_build[1] != _digest:
        return "the configuration, the overrides, lesson_code, or a page's title or front matter changed"
    if len(changed) > 1:
        return f"{len(changed)} pages changed"
    urls = [_page_url(page) for page in pages]
    for page in changed:
        if shared.is_lab(page.src_uri):
            return f"a lab changed ({page.src_uri})"
        if any(url != _page_url(page) and url.startswith(_page_url(page)) for url in urls):
            return f"{page.src_uri} changed, and other pages' addresses begin with its own"
    return None


@event_priority(-100)  # after every hook that adds pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _digest, _last_build, _one_page
    if not _dirty:
        return files
    pages = list(files.documentation_pages())
    _digest = shared_inputs_digest(config, pages)
    changed = [page for page in pages if page.is_modified()]
    reason = _whole_build_reason(config, pages, changed)
    _last_build = None  # until this build finishes
    _one_page = build_cache.keep_unused_entries = reason is None
    if reason is not None:
        log.info(f"Dirty build of every page: {reason}")
        for page in pages:
            Path(page.abs_dest_path).unlink(missing_ok=True)
    else:
        log.info(f"Dirty build of {', '.join(page.src_uri for page in changed) or 'no page'}")
        for plugin, option in ONE_PAGE_BUILD_OFF:
            if plugin in config.plugins:
                config.plugins[plugin].config[option] = False
    return files


@event_priority(-100)  # after hooks/chapters.py has numbered the chapters
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    if _dirty and _one_page:
        for page in nav.pages:
            if not page.file.is_modified() and page.file.src_uri in _rendered:
                page.title, page.meta = _rendered[page.file.src_uri]
    return nav


@event_priority(-100)  # after every hook that sets a title
def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    if _dirty:
        _rendered[page.file.src_uri] = (page.title, dict(page.meta))
    return context


def on_post_build(config: MkDocsConfig) -> None:
    global _last_build
    if _dirty and _digest is not None:
        _last_build = (config.site_dir, _digest)
