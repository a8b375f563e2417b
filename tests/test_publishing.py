"""Configuration from the environment (hooks/publishing.py): site address, repository, dates."""

from __future__ import annotations

import datetime
import re

import pytest
from mkdocs.exceptions import PluginError

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
