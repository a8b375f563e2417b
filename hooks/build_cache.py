"""MkDocs hook: keep between builds what a rebuild would otherwise compute again unchanged, through
public extension points only; and :class:`JsonMemo`, the memo of the other hooks' own work.

The figures and labs have their own caches (``hooks/figures.py``, ``hooks/lab_execution.py``);
the MathML, notebook, lab and WebAssembly hooks keep their results in a :class:`JsonMemo`. Of
the libraries' work, this hook keeps the compiled Jinja templates (Material's and
mkdocstrings'): both environments get Jinja's own ``FileSystemBytecodeCache``, which checks each
template's source against a checksum before it uses the compiled code. The search index and the
highlighting of code are computed again on every build: the libraries offer no hook to reuse
them, and wrapping their private methods would break silently when they change.

A cached result is reused only when every input of the computation is in its key, with the
versions of the libraries and the bytes of the hook that compute it. ``COURSE_BUILD_CACHE=off``
(or 0, false, no: any switch of :func:`shared.switch`) builds without these caches (and executes
the labs again); the test suite compares a build that reused nothing (such a build, or a fresh
clone's first build) with a cached one byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import shared  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

SWITCH = "COURSE_BUILD_CACHE"
JINJA_PACKAGES = ("jinja2", "mkdocs", "mkdocs-material", "mkdocstrings", "mkdocstrings-python")
"""Their versions name the folder of compiled templates: how a template compiles depends on
the environment each library sets up, which Jinja's checksum of the source does not cover."""


keep_unused_entries = False
"""Set by ``hooks/dirty_reload.py`` for a build that renders one page: its memos keep the results
of the pages it does not render."""


def caching_enabled() -> bool:
    """Whether :data:`SWITCH` is unset or on (:func:`shared.switch`)."""
    return shared.switch(SWITCH, default=True)


def cache_root(config: MkDocsConfig) -> Path:
    return shared.project_root(config) / ".cache"


def versions_digest(packages: tuple[str, ...]) -> str:
    return hashlib.sha256("".join(f"{name}=={version(name)}\0" for name in packages).encode()).hexdigest()[:16]


class JsonMemo:
    """Results of a pure function kept in one JSON file between builds.

    A result is stored under the sha256 of ``salt`` and the function's inputs; ``salt`` names
    what else decides the result (the computing code, library versions). :meth:`save` writes
    only the entries looked up or stored since loading, so results for inputs that no longer
    occur drop out (a one-page build keeps them all: :data:`keep_unused_entries`).
    :meth:`summary` counts distinct keys. With ``COURSE_BUILD_CACHE=off`` nothing is read or
    written.
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
        kept = {**self._stored, **self._used} if keep_unused_entries else self._used
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")  # builds may run side by side
        temporary.write_text(json.dumps(kept, separators=(",", ":")), encoding="utf-8")
        temporary.replace(self.path)

    def summary(self) -> str:
        return f"{self.hits} of {self.hits + self.misses}"


def file_salt(hook_file: str, packages: tuple[str, ...]) -> str:
    """What a memo's results depend on besides its inputs: the hook's source and the versions."""
    return hashlib.sha256(Path(hook_file).read_bytes()).hexdigest() + versions_digest(packages)


def _jinja_cache(config: MkDocsConfig, name: str) -> FileSystemBytecodeCache:
    folder = cache_root(config) / "jinja" / versions_digest(JINJA_PACKAGES) / name
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def on_config(config: MkDocsConfig) -> None:
    jinja_root = cache_root(config) / "jinja"
    if jinja_root.is_dir():  # compiled by other versions of the libraries
        current = versions_digest(JINJA_PACKAGES)
        for entry in jinja_root.iterdir():
            if entry.name != current:
                shutil.rmtree(entry, ignore_errors=True)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    if caching_enabled():
        mkdocstrings = config.plugins.get("mkdocstrings")
        if mkdocstrings is not None:
            mkdocstrings.get_handler("python").env.bytecode_cache = _jinja_cache(config, "mkdocstrings")
    return files


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if caching_enabled():
        env.bytecode_cache = _jinja_cache(config, "theme")
    return env
