"""MkDocs hook: assemble the WebAssembly kernels of the site's widgets at build time.

A widget that needs fast arithmetic keeps its kernel as WebAssembly text next to its script
(``docs/javascripts/NAME.wat``, readable and reviewed like any source). At every build this
hook assembles it with wasmtime's ``wat2wasm`` and adds ``javascripts/NAME.js`` to the site, a
script that stores the module's bytes (base64) in ``window.wasmModules["NAME"]``. The page
compiles it with ``WebAssembly.Module``: no fetch, nothing to serve with a special MIME type,
and it works from a local folder too. A text that does not assemble fails the build with the
file, line and column. Loader scripts are kept in ``.cache/wasm.json`` under a hash of the text,
so a rebuild neither imports wasmtime nor assembles again (see ``hooks/build_cache.py``).
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path, PurePosixPath

import build_cache  # a sibling: MkDocs puts the folder of the hook it loads on sys.path
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.wasm")

_memo = None


def assemble(text: str, name: str) -> bytes:
    """The binary module of the WebAssembly text ``text``; ``name`` is for the error message."""
    import wasmtime  # here: a rebuild served from the cache never needs it

    try:
        return wasmtime.wat2wasm(text)
    except wasmtime.WasmtimeError as error:
        where = str(error).replace("<anon>", name)  # wasmtime's "--> <anon>:line:column"
        raise PluginError(f"Could not assemble the WebAssembly text {name}: {where}") from error


def loader_script(module_name: str, binary: bytes, source_name: str) -> str:
    """The script that hands ``binary`` to the page as ``window.wasmModules[module_name]``."""
    encoded = base64.b64encode(binary).decode("ascii")
    return (
        f"/* Generated at build time from {source_name} by hooks/wasm.py: edit that file. */\n"
        "window.wasmModules = window.wasmModules || {};\n"
        f'window.wasmModules["{module_name}"] = "{encoded}";\n'
    )


def on_config(config: MkDocsConfig) -> None:
    global _memo
    salt = build_cache.file_salt(__file__, ("wasmtime",))
    _memo = build_cache.JsonMemo(build_cache.cache_root(config) / "wasm.json", salt)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for source in [f for f in files if f.src_uri.endswith(".wat")]:
        path = PurePosixPath(source.src_uri)
        text = Path(source.abs_src_path).read_text(encoding="utf-8")
        script = _memo.get_or_make(
            _memo.key(source.src_uri, text),
            lambda path=path, text=text, source=source: loader_script(
                path.stem, assemble(text, f"docs/{source.src_uri}"), path.name),
        )
        files.append(File.generated(config, str(path.with_suffix(".js")), content=script))
    return files


def on_post_build(config: MkDocsConfig) -> None:
    _memo.save()
    log.info(f"Build cache: WebAssembly of {_memo.summary()} kernels reused")
