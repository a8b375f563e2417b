"""MkDocs hook: where the site is published, from the environment, and when each page changed.

One ``mkdocs.yml`` serves local work and publishing:

- ``SITE_URL`` (e.g. ``https://owner.github.io/repo/``) sets ``site_url``, so the sitemap lists
  full addresses and the 404 page finds its styles under a sub-path. Unset: local behaviour.
- ``REPO_URL`` (e.g. ``https://github.com/owner/repo``) sets the repository: a link to it in the
  header (without Material's request to the GitHub API: ``overrides/partials/source.html``) and an
  "Edit this page" link on every page, to ``edit/<branch>/docs/...`` with ``REPO_BRANCH``
  (default ``main``); each chapter's notebook installs the course's package from that branch
  where it is missing and, for a GitHub repository, gets an "Open in Colab" link
  (``hooks/notebooks.py``). Unset: no repository links and no install cell.

Every page's ``revision_date`` is the date of the last commit that touched its source file, or
the build date on a checkout without history; Material shows it at the end of the page.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError


def _https_url(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PluginError(f"{name} must be an http(s) address such as https://example.org/course/, got {value!r}")
    return value


def on_config(config):
    site_url = _https_url("SITE_URL")
    if site_url is not None:
        config["site_url"] = site_url if site_url.endswith("/") else site_url + "/"
    repo_url = _https_url("REPO_URL")
    if repo_url is not None:
        repo_url = repo_url.rstrip("/")
        config["repo_url"] = repo_url
        config["repo_name"] = urlsplit(repo_url).path.strip("/")
        config["edit_uri"] = f"edit/{repo_branch()}/docs/"
    return config


def repo_branch() -> str:
    """The repository's branch the site is built from: ``REPO_BRANCH``, default ``main``."""
    return os.environ.get("REPO_BRANCH", "").strip() or "main"


def last_changed(path: Path, today: datetime.date | None = None) -> str:
    """ISO date of the last commit that touched ``path``; ``today`` (the build date) without git
    history for it."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", path.name],
            cwd=path.parent, capture_output=True, text=True, timeout=30,
            check=False,
        )
        stamp = result.stdout.strip() if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        stamp = ""
    return stamp or (today or datetime.date.today()).isoformat()


def on_page_markdown(markdown, page, config, files):
    if page.file.abs_src_path:
        page.meta["revision_date"] = last_changed(Path(page.file.abs_src_path))
    return markdown
