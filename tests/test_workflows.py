"""The GitHub Actions workflows are valid (actionlint), so a broken workflow fails here, not on
GitHub after a push."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, load_by_path

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.fail(f"actionlint is not installed: {sys.executable} -m pip install -e '.[dev]'")
    return found


def test_there_is_a_workflow():
    assert WORKFLOWS, "no workflow under .github/workflows"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing(workflow):
    result = subprocess.run([actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"actionlint on {workflow.name}:\n{result.stdout}{result.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.nonexistent_context }}\n", encoding="utf-8")
    result = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0 and "nonexistent_context" in result.stdout


def _site_workflow() -> dict:
    import yaml

    return yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))


def test_deploy_pushes_the_site_to_the_branch_the_colab_links_open():
    """hooks/notebooks.py points each "Open in Colab" link at PAGES_BRANCH; the deploy job must
    push the built site there, with the permission to push."""
    notebooks = load_by_path("hooks/notebooks.py")
    deploy = _site_workflow()["jobs"]["deploy"]
    scripts = [step.get("run", "") for step in deploy["steps"]]
    pushes = [script for script in scripts if "ghp-import" in script]
    assert len(pushes) == 1 and f"--branch {notebooks.PAGES_BRANCH}" in pushes[0] and "--push" in pushes[0]
    assert deploy["permissions"]["contents"] == "write"
    build = next(i for i, script in enumerate(scripts) if "mkdocs build" in script)
    assert build < scripts.index(pushes[0])
