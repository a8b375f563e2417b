"""MkDocs hook: the gradient-flow explorer's constants, written for the page from lesson_code.

The explorer in the page (``docs/javascripts/gradient-flow-engine.js``) and its Python twin
(``lesson_code.explorer``) must use the same batch size, depth limit, leaky-ReLU slope,
batch-norm epsilon and lists of choices. They are defined once, in the package; this hook adds
``javascripts/explorer-constants.js`` to the site, which sets ``window.explorerConstants`` from
:func:`lesson_code.explorer.page_constants` before the engine loads (``extra_javascript`` order
in ``mkdocs.yml``).
"""

from __future__ import annotations

import json

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SCRIPT = "javascripts/explorer-constants.js"


def constants_script(constants: dict[str, object]) -> str:
    """The script that hands ``constants`` to the page.

    >>> print(constants_script({"BATCH": 64, "INITS": ["he"]}))
    // Written at build time from lesson_code.explorer.page_constants(): edit them there.
    window.explorerConstants = Object.freeze({"BATCH": 64, "INITS": ["he"]});
    """
    return ("// Written at build time from lesson_code.explorer.page_constants(): edit them there.\n"
            f"window.explorerConstants = Object.freeze({json.dumps(constants)});\n")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from lesson_code.explorer import page_constants  # at build time: mkdocs serve reloads lesson_code

    files.append(File.generated(config, SCRIPT, content=constants_script(page_constants())))
    return files
