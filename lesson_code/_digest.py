"""Hashes of the package's source files: the keys of the build's caches of figures and labs.

A cached figure or executed lab is valid while the code that made it is unchanged, so its key
covers the ``*.py`` files of ``lesson_code`` (their paths and bytes) and the installed versions
of the libraries that compute and draw its outputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from importlib.metadata import version
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent

FIGURE_PACKAGES = ("matplotlib", "numpy", "pillow", "scikit-learn")
"""Distributions whose versions are part of every figure's key: those that draw a figure
(matplotlib; Pillow quantizes the raster figures) and those that compute its data (numpy;
scikit-learn supplies the 8x8 digits that the layer-speed figure trains on)."""

LAB_PACKAGES = ("numpy", "matplotlib", "nbconvert", "nbclient", "ipykernel")
"""Distributions whose versions are part of the key of the executed labs."""


def source_digest(
    root: Path = PACKAGE_ROOT, exclude: Collection[Path] = (), packages: Iterable[str] = ()
) -> str:
    """sha256 (hex) of every ``*.py`` file under ``root`` except ``exclude``, with the versions
    of the distributions named in ``packages``.

    >>> source_digest() == source_digest() != source_digest(packages=["numpy"])
    True
    """
    digest = hashlib.sha256()
    excluded = {path.resolve() for path in exclude}
    for path in sorted(root.rglob("*.py")):
        if path.resolve() not in excluded:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in packages:
        digest.update(f"{name}=={version(name)}\0".encode())
    return digest.hexdigest()
