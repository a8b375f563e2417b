"""Configuration from the environment (hooks/publishing.py): site address, repository, dates."""

from __future__ import annotations

import datetime
import re

import nbformat
import pytest
from mkdocs.exceptions import PluginError
from nbclient import NotebookClient

from helpers import ROOT, load_by_path

publishing = load_by_path("hooks/publishing.py")


def test_without_the_variables_the_configuration_is_left_alone(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("REPO_URL", raising=False)
    config = {"site_url": "", "repo_url": None, "edit_uri": None}
    assert publishing.on_config(dict(config)) == config


def test_the_variables_set_site_url_repository_and_edit_links(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://example.test/course")
    monkeypatch.setenv("REPO_URL", "https://github.com/owner/repo/")
    monkeypatch.delenv("REPO_BRANCH", raising=False)
    config = publishing.on_config({"site_url": "", "repo_url": None, "edit_uri": None})
    assert config["site_url"] == "https://example.test/course/"
    assert config["repo_url"] == "https://github.com/owner/repo"
    assert config["repo_name"] == "owner/repo"
    assert config["edit_uri"] == "edit/main/docs/"


def test_repo_branch_names_the_branch_of_the_edit_links(monkeypatch):
    monkeypatch.setenv("REPO_URL", "https://github.com/owner/repo")
    monkeypatch.setenv("REPO_BRANCH", "release")
    assert publishing.repo_branch() == "release"
    assert publishing.on_config({"site_url": ""})["edit_uri"] == "edit/release/docs/"


def test_a_malformed_address_names_the_variable(monkeypatch):
    monkeypatch.setenv("SITE_URL", "example.test/course")
    with pytest.raises(PluginError, match="SITE_URL must be an http"):
        publishing.on_config({"site_url": ""})


def test_last_changed_is_the_last_commit_date_or_the_build_date(tmp_path):
    stamp = publishing.last_changed(ROOT / "docs" / "index.md")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp)
    assert datetime.date.fromisoformat(stamp) <= datetime.date.today()
    outside = tmp_path / "page.md"
    outside.write_text("# no history\n", encoding="utf-8")
    assert publishing.last_changed(outside, today=datetime.date(2030, 1, 2)) == "2030-01-02"


def test_the_repository_link_makes_no_request_to_the_github_api():
    """Material's script fetches repository facts for elements marked data-md-component="source"."""
    partial = (ROOT / "overrides" / "partials" / "source.html").read_text(encoding="utf-8")
    assert "md-source" in partial and 'data-md-component="source"' not in partial


notebooks = load_by_path("hooks/notebooks.py")
CHAPTER = "# A chapter\n\n```python\n>>> print(1 + 1)\n2\n```\n"


@pytest.mark.parametrize("address, repository", [
    ("https://github.com/owner/course", "owner/course"),
    ("https://github.com/owner/course.git/", "owner/course"),
    ("https://gitlab.com/owner/course", None),
    ("https://github.com/owner", None),
    ("https://github.com/owner/course/tree/main", None),
    (None, None),
])
def test_only_a_github_repository_gets_colab_links(address, repository):
    assert notebooks.github_repository(address) == repository


def test_the_colab_link_opens_the_notebook_on_the_pages_branch():
    url = notebooks.colab_url("owner/course", "curvature.ipynb")
    assert url == "https://colab.research.google.com/github/owner/course/blob/gh-pages/curvature.ipynb"


def test_the_install_cell_comes_first_and_only_with_a_repository():
    install = notebooks.install_cell("https://github.com/owner/course/", "main")
    with_install = notebooks.chapter_to_notebook(CHAPTER, install)
    without = notebooks.chapter_to_notebook(CHAPTER)
    nbformat.validate(with_install)
    nbformat.validate(without)
    code = [cell.source for cell in with_install.cells if cell.cell_type == "code"]
    assert code == [install, "print(1 + 1)"]
    assert [cell.source for cell in without.cells if cell.cell_type == "code"] == ["print(1 + 1)"]
    assert not any("%pip" in cell.source for cell in without.cells)
    assert '"lesson-code @ git+https://github.com/owner/course@main"' in install


def test_the_install_cell_installs_only_where_the_package_is_missing():
    """In a kernel the ``%pip`` line is IPython's; a stand-in magic records what it would install
    (no network here), first with ``lesson_code`` importable, then with its import failing."""
    install = notebooks.install_cell("https://github.com/owner/course", "v1")
    stand_in = ("get_ipython().register_magic_function("
                "lambda line: print('pip', line), magic_kind='line', magic_name='pip')")
    cells = [stand_in, install, "import sys\nsys.modules['lesson_code'] = None  # import raises ImportError", install]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    printed = ["".join(output.get("text", "") for output in cell.outputs) for cell in notebook.cells]
    assert printed[1] == ""
    assert printed[3] == 'pip install --quiet "lesson-code @ git+https://github.com/owner/course@v1"\n'
