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
    result = subprocess.run([actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, f"actionlint on {workflow.name}:\n{result.stdout}{result.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.nonexistent_context }}\n", encoding="utf-8")
    result = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, check=False)
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


downloads = load_by_path("hooks/downloads.py")
RELEASE_ASSETS = (f"site/{downloads.PDF}", f"site/{downloads.ZIP}")
"""What hooks/downloads.py writes, which the release job must attach."""


def test_a_version_tag_builds_the_pdf_for_its_release():
    workflow = _site_workflow()
    assert "v*" in workflow[True]["push"]["tags"]  # PyYAML reads the key `on` as True
    release = workflow["jobs"]["release"]
    assert "refs/tags/v" in release["if"] and release["needs"] == "test"
    assert release["permissions"] == {"contents": "write"}
    build = next(step for step in release["steps"] if "mkdocs build" in step.get("run", ""))
    assert build["env"]["COURSE_PDF"] == "1"


def _run_release_step(tmp_path: Path, existing_release: bool, written: tuple[str, ...]) -> tuple[int, str]:
    """Run the release job's upload script in ``tmp_path`` with a stand-in ``gh`` that logs its
    arguments (and knows the release only if ``existing_release``), after writing ``written``."""
    step = next(s for s in _site_workflow()["jobs"]["release"]["steps"] if "gh release" in s.get("run", ""))
    for asset in written:
        (tmp_path / asset).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / asset).write_bytes(b"%PDF or zip bytes")
    stand_in = tmp_path / "bin" / "gh"
    stand_in.parent.mkdir()
    stand_in.write_text('#!/bin/sh\necho "gh $*" >> "$GH_LOG"\n'
                        f'[ "$2" != view ] || exit {0 if existing_release else 1}\n', encoding="utf-8")
    stand_in.chmod(0o755)
    env = {"PATH": f"{stand_in.parent}:/usr/bin:/bin", "GH_LOG": str(tmp_path / "gh.log"), "TAG": "v1.0", "GH_TOKEN": "x"}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    log = (tmp_path / "gh.log").read_text(encoding="utf-8") if (tmp_path / "gh.log").exists() else ""
    return result.returncode, log + result.stdout


@pytest.mark.parametrize("existing_release", [True, False])
def test_the_release_step_attaches_both_files(tmp_path, existing_release):
    code, log = _run_release_step(tmp_path, existing_release, RELEASE_ASSETS)
    assets = " ".join(RELEASE_ASSETS)
    expected = (f"gh release upload v1.0 {assets} --clobber" if existing_release
                else f"gh release create v1.0 {assets} --verify-tag")
    assert code == 0 and expected in log, log


def test_the_release_step_fails_when_the_build_wrote_no_pdf(tmp_path):
    code, log = _run_release_step(tmp_path, True, RELEASE_ASSETS[1:])
    assert code != 0 and f"did not write {RELEASE_ASSETS[0]}" in log
    assert "gh release upload" not in log
