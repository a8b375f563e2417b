"""The linter: ruff, with the rules of ``[tool.ruff]`` in pyproject.toml, over every Python file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail('ruff is not installed: pip install -e ".[test]"')
    return found


def test_ruff_finds_nothing():
    result = subprocess.run([_ruff(), "check", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_ruff_reads_the_project_rules(tmp_path):
    """A zip without strict= is one of the project's rules, not one of ruff's defaults."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sample.py").write_text("pairs = list(zip([1], [2]))\n", encoding="utf-8")
    result = subprocess.run([_ruff(), "check", "--output-format", "concise", "sample.py"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "B905" in result.stdout, result.stdout
