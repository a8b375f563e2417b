"""What several hooks need, defined once. Not a hook itself: hooks import it as a sibling (MkDocs
puts the folder of the hook it loads on ``sys.path``)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

CHAPTERS_SECTION = "Chapters"
"""A chapter is an entry of this section of the ``nav`` in ``mkdocs.yml``; its place there is its number."""


SWITCH_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
"""What an on/off environment variable may say (in any case): :func:`switch` reads it."""


def switch(name: str, default: bool) -> bool:
    """The on/off environment variable ``name``: a value of :data:`SWITCH_VALUES`, in any case
    and with spaces around it ignored; ``default`` when it is unset or empty. Any other value
    stops the build with an error that names the variable and the accepted values, rather
    than be read as one or the other.

    >>> os.environ["COURSE_EXAMPLE"] = " Off"
    >>> switch("COURSE_EXAMPLE", default=True)
    False
    >>> os.environ["COURSE_EXAMPLE"] = "disabled"
    >>> switch("COURSE_EXAMPLE", default=True)
    Traceback (most recent call last):
    ...
    mkdocs.exceptions.PluginError: COURSE_EXAMPLE must be 1 or 0 (also true/false, yes/no, on/off), got 'disabled'
    >>> del os.environ["COURSE_EXAMPLE"]
    """
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in SWITCH_VALUES:
        raise PluginError(f"{name} must be 1 or 0 (also true/false, yes/no, on/off), got {value!r}")
    return SWITCH_VALUES[value]


def project_root(config: MkDocsConfig) -> Path:
    """The folder of ``mkdocs.yml``: the repository root, where ``lesson_code/`` and ``.cache/`` are."""
    return Path(config.config_file_path).resolve().parent


def notebook_uri(src_uri: str) -> str:
    """Where the notebook of a chapter or lab is published: its source path with ``.ipynb``.

    >>> notebook_uri("labs/gradient-flow.py"), notebook_uri("curvature.md")
    ('labs/gradient-flow.ipynb', 'curvature.ipynb')
    """
    return str(PurePosixPath(src_uri).with_suffix(".ipynb"))


LAB_SOURCE = re.compile(r"^labs/[^/]+\.py$")
"""The labs: jupytext scripts in ``docs/labs/``, which mkdocs-jupyter executes and renders."""


def is_lab(src_uri: str) -> bool:
    """Whether the page or file at ``src_uri`` is a lab.

    >>> is_lab("labs/gradient-flow.py"), is_lab("curvature.md"), is_lab("labs/sub/x.py")
    (True, False, False)
    """
    return bool(LAB_SOURCE.match(src_uri))


def chapter_pages(nav: Navigation) -> list[Page]:
    """The chapters, in order: the pages of the nav's :data:`CHAPTERS_SECTION`."""
    section = next((item for item in nav.items if isinstance(item, Section) and item.title == CHAPTERS_SECTION), None)
    if section is None:
        raise PluginError(f"nav: no {CHAPTERS_SECTION!r} section; the chapters are numbered from it")
    for item in section.children:
        if not isinstance(item, Page):
            raise PluginError(f"nav: the {CHAPTERS_SECTION!r} section must list pages only, found {item!r}")
    return list(section.children)
