"""Helpers shared by the tests (imported by name: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_config() -> dict:
    """``mkdocs.yml`` as YAML reads it, with its tags (``!ENV [...]``, ``!!python/name:...``) read
    as None: for the nav and the plain settings, not to build with."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def with_nav(config_text: str, nav_yaml: str) -> str:
    """The text of a ``mkdocs.yml`` with its top-level ``nav:`` block replaced by ``nav_yaml``
    (which starts with ``nav:``); everything else, tags included, as it was."""
    block = re.compile(r"^nav:\n(?:(?:[ \t]+.*|[ \t]*#.*|)\n)*", re.MULTILINE)
    if not block.search(config_text):
        raise ValueError("mkdocs.yml has no top-level nav: block")
    return block.sub(lambda _: nav_yaml.rstrip("\n") + "\n", config_text, count=1)


def reader_pages() -> list[str]:
    """URL paths (``""`` for the home page, ``"curvature/"``, ``"labs/gradient-flow/"``) of the
    pages a reader of the course reads: the home page and every page under the *Chapters* and
    *Labs* sections of ``nav`` in ``mkdocs.yml``, in reading order. A chapter added to ``nav``
    is in this list without editing any test."""
    files = []
    for entry in mkdocs_config()["nav"]:
        (title, target), = entry.items()
        if title == "Home":
            files.append(target)
        elif title in ("Chapters", "Labs"):
            files += [next(iter(item.values())) for item in target]
    return ["" if f == "index.md" else f.rsplit(".", 1)[0] + "/" for f in files]


def copy_project(folder: Path, nav_yaml: str) -> Path:
    """A small buildable copy of the project in ``folder``: its hooks, theme overrides,
    ``lesson_code``, stylesheets and scripts, the warm figure cache and the math font, and
    ``mkdocs.yml`` with ``nav_yaml`` as its nav; ``docs/`` holds no page yet. Build it with
    ``PYTHONPATH`` set to ``folder``, so that the copy's ``lesson_code`` is the one imported."""
    for name in ("hooks", "overrides", "lesson_code"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("stylesheets", "javascripts"):
        shutil.copytree(ROOT / "docs" / name, folder / "docs" / name)
    shutil.copytree(ROOT / ".cache" / "figures", folder / ".cache" / "figures")
    for name in ("package.json", "package-lock.json", "node_modules/@fontsource"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, folder / name)
    config = with_nav((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), nav_yaml)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def site_files(site: Path, ignored: frozenset[str] = frozenset({"sitemap.xml", "sitemap.xml.gz"})) -> dict[str, bytes]:
    """Every file of a built site by its path, except those named in ``ignored`` (the sitemaps
    carry the build date)."""
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in site.rglob("*") if path.is_file() and path.name not in ignored}


def build_site(site_dir: Path, cwd: Path = ROOT, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of the project at ``cwd`` into ``site_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(extra_env or {})},
        timeout=600,
        check=False,
    )


def load_by_path(relative_path: str):
    """Import a file of the repository that is not on sys.path (an MkDocs hook, the root
    conftest.py, which tests/conftest.py shadows) as a fresh module. Like MkDocs loading a hook,
    its folder is on sys.path while it runs, so it can import its siblings."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(f"loaded_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


CHROMIUM_ARGS = load_by_path("hooks/downloads.py").CHROMIUM_ARGS
"""How the browser tests launch Chromium: as the PDF is printed."""


def make_sybil():
    """The Sybil of the repository's conftest.py, the one pytest runs the docs with."""
    return load_by_path("conftest.py").make_sybil()


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are 0."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def kink_free_inputs(net, rng: np.random.Generator, batch: int, pre_activations=None) -> np.ndarray:
    """Inputs whose pre-activations (``pre_activations(net, x)``, by default the forward pass's
    z^l) all stay more than 1e-3 away from ReLU's kink, so that finite differences are smooth."""
    for _ in range(500):
        x = rng.standard_normal((batch, net.sizes[0]))
        zs = net.forward_pass(x).zs if pre_activations is None else pre_activations(net, x)
        if min(np.abs(z).min() for z in zs) > 1e-3:
            return x
    raise AssertionError("could not draw inputs away from the kinks")


def finite_difference_gradients(net, x: np.ndarray, y: np.ndarray, loss: str, eps: float = 1e-6) -> list[np.ndarray]:
    """dC/dtheta for every array of ``net.parameters()`` by central differences of
    ``net.gradients(x, y, loss).loss``, (C(theta + eps) - C(theta - eps)) / (2 eps) entry by entry."""
    numeric = []
    for param in net.parameters():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            up = net.gradients(x, y, loss).loss
            param[index] = saved - eps
            down = net.gradients(x, y, loss).loss
            param[index] = saved
            grad[index] = (up - down) / (2 * eps)
        numeric.append(grad)
    return numeric
