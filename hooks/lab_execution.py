"""MkDocs hook: how mkdocs-jupyter executes the labs (``docs/labs/``): when its cached outputs are
stale, and what environment the lab kernels inherit.

* mkdocs-jupyter keys its cache of executed labs on the notebook's text and its options only, so
  after an edit to ``lesson_code`` a lab would keep showing the outputs of the old code. This
  hook moves the cache into ``.cache/mkdocs-jupyter/DIGEST/``, where DIGEST covers the package's
  sources, the versions that compute and draw the outputs, and this hook (which sets up the
  execution), and deletes the folders of other digests. With ``COURSE_BUILD_CACHE=off`` the labs
  are executed again and nothing is cached.
* What a cell prints is one output in the page, however the kernel's messages split it (which
  depends on the machine's load): the build puts ``hooks/jupyter/`` on ``JUPYTER_CONFIG_PATH``,
  and the nbconvert configuration there merges a cell's stream outputs after execution.
* The kernels run without an inherited ``MPLBACKEND``, which would keep their figures out of the
  page, and with one BLAS thread each: during a cold build the figures are drawn on every core
  at the same time, and a kernel's idle BLAS threads spinning for a core cost the build 7 s of
  CPU (measured: 57 s against 50 s, 33 s against 29 s of wall-clock, 2 cores).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import build_cache  # siblings: MkDocs puts the folder of the hook it loads on sys.path
import shared
from mkdocs.config.defaults import MkDocsConfig

from lesson_code._digest import LAB_PACKAGES, source_digest

NBCONVERT_CONFIG = Path(__file__).parent / "jupyter" / "jupyter_nbconvert_config.py"

KERNEL_ENVIRONMENT: dict[str, str | None] = {
    "MPLBACKEND": None, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "JUPYTER_CONFIG_PATH": str(NBCONVERT_CONFIG.parent),
}
"""The environment of the build (None: unset) while it executes the labs, which the kernels inherit;
restored after it."""

_inherited_environment: dict[str, str | None] = {}


def lab_cache_dir(project_root: Path) -> Path:
    """Where executed labs are cached: one folder per state of ``lesson_code``, of its numerics
    and of this hook."""
    digest = hashlib.sha256(source_digest(project_root / "lesson_code", packages=LAB_PACKAGES).encode())
    digest.update(Path(__file__).read_bytes() + NBCONVERT_CONFIG.read_bytes())
    return project_root / ".cache" / "mkdocs-jupyter" / digest.hexdigest()[:16]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    cache_dir = lab_cache_dir(shared.project_root(config))
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(cache_dir)
    if not build_cache.caching_enabled():  # COURSE_BUILD_CACHE=off: execute every lab again
        config.plugins["mkdocs-jupyter"].config["cache"] = False
        return config
    if cache_dir.parent.is_dir():  # outputs of other states of the code are stale
        for entry in cache_dir.parent.iterdir():
            if entry != cache_dir:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    """Give the lab kernels :data:`KERNEL_ENVIRONMENT`. Without ``MPLBACKEND`` they use the
    inline backend that ipykernel picks; a backend inherited from the environment (the test suite
    sets Agg, and so do many headless machines) would make the labs' ``plt.show()`` put no
    figure in the page."""
    for name, value in KERNEL_ENVIRONMENT.items():
        _inherited_environment.setdefault(name, os.environ.get(name))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def on_post_build(config: MkDocsConfig) -> None:
    for name, value in _inherited_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _inherited_environment.clear()
