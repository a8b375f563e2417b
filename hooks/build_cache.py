"""MkDocs hook: keep between builds what a rebuild would otherwise compute again unchanged.

The figures and labs have their own caches (``hooks/figures.py``, ``hooks/labs.py``). What is
left of a rebuild in which nothing changed is mostly the work of the libraries, redone from
scratch on every build and on every reload of ``mkdocs serve``:

* compiling about 80 Jinja templates (Material's and mkdocstrings'), 0.45 s. Both environments
  get Jinja's own ``FileSystemBytecodeCache``, which checks each template's source against a
  checksum before it uses the compiled code;
* parsing every page's HTML for the search index, 0.8 s. A page's search entries are a function
  of its HTML, title, URL, metadata and table of contents; they are kept under a hash of these;
* highlighting every code block, signature and example with Pygments, 0.5 s. The HTML of each
  call of ``pymdownx.highlight.Highlight.highlight`` (which the code fences and mkdocstrings
  both use) is kept under a hash of the code, the arguments and the highlighter's settings;
  the method is wrapped for the duration of a build only.

A cached result is reused only when every input of the computation is in its key, with the
versions of the libraries and the bytes of the hook that compute it. ``COURSE_BUILD_CACHE=off``
builds without these caches (and executes the labs again, see ``hooks/labs.py``); the test
suite compares a build that reused nothing (such a build, or a fresh clone's first build) with
a cached one byte for byte. :class:`JsonMemo` also serves the MathML, notebook, lab and
WebAssembly hooks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import xml.etree.ElementTree as etree
from collections.abc import Callable
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pymdownx.highlight import Highlight

log = logging.getLogger("mkdocs.hooks.build_cache")

SWITCH = "COURSE_BUILD_CACHE"
JINJA_PACKAGES = ("jinja2", "mkdocs", "mkdocs-material", "mkdocstrings", "mkdocstrings-python")
"""Their versions name the folder of compiled templates: how a template compiles depends on
the environment each library sets up, which Jinja's checksum of the source does not cover."""


def caching_enabled() -> bool:
    return os.environ.get(SWITCH, "on") != "off"


def cache_root(config: MkDocsConfig) -> Path:
    return shared.project_root(config) / ".cache"


def versions_digest(packages: tuple[str, ...]) -> str:
    return hashlib.sha256("".join(f"{name}=={version(name)}\0" for name in packages).encode()).hexdigest()[:16]


class JsonMemo:
    """Results of a pure function kept in one JSON file between builds.

    A result is stored under the sha256 of ``salt`` and the function's inputs; ``salt`` names
    what else decides the result (the computing code, library versions). :meth:`save` writes
    only the entries looked up or stored since loading, so results for inputs that no longer
    occur drop out. :meth:`summary` counts distinct keys. With ``COURSE_BUILD_CACHE=off`` nothing
    is read or written.
    """

    def __init__(self, path: Path, salt: str) -> None:
        self.path = path
        self.salt = salt
        self.hits = 0
        self.misses = 0
        self._stored: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        if caching_enabled() and path.is_file():
            try:
                self._stored = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:  # a file cut short by an interrupted build: start again
                self._stored = {}

    def key(self, *inputs: str) -> str:
        digest = hashlib.sha256(self.salt.encode())
        for text in inputs:
            digest.update(b"\0" + text.encode())
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        """The result under ``key``, or None. Each key counts once, as a hit or a miss: a second
        lookup in the same build is answered from what the first found or what was put."""
        if key in self._used:
            return self._used[key]
        if key in self._stored:
            self.hits += 1
            self._used[key] = self._stored[key]
            return self._stored[key]
        self.misses += 1
        return None

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value

    def get_or_make(self, key: str, make: Callable[[], Any]) -> Any:
        """The result kept under ``key``, or ``make()``'s, which is kept."""
        result = self.get(key)
        if result is None:
            result = make()
            self.put(key, result)
        return result

    def save(self) -> None:
        if not caching_enabled():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")  # builds may run side by side
        temporary.write_text(json.dumps(self._used, separators=(",", ":")), encoding="utf-8")
        temporary.replace(self.path)

    def summary(self) -> str:
        return f"{self.hits} of {self.hits + self.misses}"


def file_salt(hook_file: str, packages: tuple[str, ...]) -> str:
    """What a memo's results depend on besides its inputs: the hook's source and the versions."""
    return hashlib.sha256(Path(hook_file).read_bytes()).hexdigest() + versions_digest(packages)


_search_memo: JsonMemo | None = None
_highlight_memo: JsonMemo | None = None


def _jinja_cache(config: MkDocsConfig, name: str) -> FileSystemBytecodeCache:
    folder = cache_root(config) / "jinja" / versions_digest(JINJA_PACKAGES) / name
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def _highlight_with_memo(memo: JsonMemo):
    """``Highlight.highlight`` that answers from ``memo`` when the same code was highlighted
    with the same arguments and settings before. Calls whose result is more than HTML text or a
    bare ``<code>`` element (a title in HTML mode goes to the Markdown stash) are not kept."""
    original = getattr(Highlight.highlight, "__wrapped__", Highlight.highlight)

    def highlight(self, src, language, *args, **kwargs):
        if getattr(self, "title_mode", "text") == "html":
            return original(self, src, language, *args, **kwargs)
        settings = repr(sorted((name, value) for name, value in vars(self).items() if name != "md"))
        key = memo.key(settings, src, repr(language), repr(args), repr(sorted(kwargs.items())))
        kept = memo.get(key)
        if kept is None:
            result = original(self, src, language, *args, **kwargs)
            if isinstance(result, str):
                memo.put(key, result)
            elif isinstance(result, etree.Element) and len(result) == 0 and not result.tail:  # inline <code>
                memo.put(key, {"tag": result.tag, "attrib": dict(result.attrib), "text": result.text})
            return result
        if isinstance(kept, str):
            return kept
        element = etree.Element(kept["tag"], kept["attrib"])
        element.text = kept["text"]
        return element

    highlight.__wrapped__ = original
    return highlight


def _stop_highlight_memo() -> None:
    Highlight.highlight = getattr(Highlight.highlight, "__wrapped__", Highlight.highlight)


def on_config(config: MkDocsConfig) -> None:
    global _search_memo, _highlight_memo
    _search_memo = _highlight_memo = None
    _stop_highlight_memo()
    if caching_enabled():
        salt = file_salt(__file__, ("pygments", "pymdown-extensions"))
        _highlight_memo = JsonMemo(cache_root(config) / "highlighting.json", salt)
        Highlight.highlight = _highlight_with_memo(_highlight_memo)
    jinja_root = cache_root(config) / "jinja"
    if jinja_root.is_dir():  # compiled by other versions of the libraries
        current = versions_digest(JINJA_PACKAGES)
        for entry in jinja_root.iterdir():
            if entry.name != current:
                shutil.rmtree(entry, ignore_errors=True)


def _toc_outline(items) -> list:
    return [[item.id, item.url, _toc_outline(item.children)] for item in items]


def _cache_search_entries(config: MkDocsConfig) -> None:
    """Serve each page's search entries from the memo while its inputs are unchanged."""
    global _search_memo
    index = getattr(config.plugins.get("material/search"), "search_index", None)
    compute = getattr(index, "add_entry_from_context", None)
    if compute is None:  # no search plugin, or Material's changed: a test fails on the missing log line
        log.info("Search entries are not cached: no Material search index with add_entry_from_context")
        return
    salt = file_salt(__file__, ("mkdocs-material",)) + str(find_spec("jieba") is not None)
    memo = _search_memo = JsonMemo(cache_root(config) / "search-entries.json", salt)

    def add_entry_from_context(page: Page) -> None:
        meta = json.dumps(page.meta, sort_keys=True, default=str)
        toc = json.dumps(_toc_outline(page.toc))
        key = memo.key(page.url, str(page.title), meta, toc, page.content or "")
        entries = memo.get(key)
        if entries is None:
            first = len(index.entries)
            compute(page)
            entries = index.entries[first:]
            memo.put(key, entries)
        else:
            index.entries.extend(entries)

    index.add_entry_from_context = add_entry_from_context


def on_files(files: Files, config: MkDocsConfig) -> Files:
    if caching_enabled():
        mkdocstrings = config.plugins.get("mkdocstrings")
        if mkdocstrings is not None:
            mkdocstrings.get_handler("python").env.bytecode_cache = _jinja_cache(config, "mkdocstrings")
        _cache_search_entries(config)
    return files


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if caching_enabled():
        env.bytecode_cache = _jinja_cache(config, "theme")
    return env


def on_post_build(config: MkDocsConfig) -> None:
    _stop_highlight_memo()
    if _highlight_memo is not None:
        _highlight_memo.save()
        log.info(f"Build cache: highlighting of {_highlight_memo.summary()} blocks reused")
    if _search_memo is not None:
        _search_memo.save()
        log.info(f"Build cache: search entries of {_search_memo.summary()} pages reused")
