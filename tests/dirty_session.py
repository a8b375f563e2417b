"""Build a project the way ``mkdocs serve --dirty`` does, with edits between the builds.

    python tests/dirty_session.py PROJECT SITE STEPS

One process; the plugins get ``on_startup(command="serve", dirty=True)`` once, and every build
loads the configuration afresh, as the server's rebuilds do. STEPS is a JSON file holding a list
of steps; each writes the files of its ``"write"`` (paths relative to PROJECT), builds into SITE,
and then, if asked, copies the site to ``"snapshot"`` or builds the project cleanly, in another
process, into ``"clean_build"``. Each build prints one JSON line: the built pages it wrote (HTML
files whose modification time changed), what ``hooks/dirty_reload.py`` logged, and the executed
labs that mkdocs-jupyter holds in its cache.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _html_times(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*.html")}


def main(project: Path, site: Path, steps: list[dict]) -> None:
    os.chdir(project)
    hook_log = _Lines()
    logging.getLogger("mkdocs.hooks.dirty_reload").addHandler(hook_log)
    logging.getLogger("mkdocs.hooks.dirty_reload").setLevel(logging.INFO)
    serve_url = "http://127.0.0.1:8000/"

    def config():
        loaded = load_config("mkdocs.yml", site_dir=str(site))
        loaded.site_url = serve_url
        return loaded

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    for number, step in enumerate(steps):
        for relative, text in step.get("write", {}).items():
            (project / relative).write_text(text, encoding="utf-8")
        before = _html_times(site) if site.is_dir() else {}
        hook_log.lines.clear()
        build(first if number == 0 else config(), serve_url=serve_url, dirty=True)
        after = _html_times(site)
        print(json.dumps({"rebuilt": sorted(p for p, t in after.items() if before.get(p) != t),
                          "log": list(hook_log.lines),
                          "cached_labs": sorted(p.name for p in (project / ".cache" / "mkdocs-jupyter").rglob("*.json"))}),
              flush=True)
        if "snapshot" in step:
            shutil.copytree(site, step["snapshot"])
        if "clean_build" in step:
            clean = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", step["clean_build"]],
                                   check=False, capture_output=True, text=True, env={**os.environ, "SITE_URL": serve_url})
            if clean.returncode:
                sys.exit(f"the clean build failed:\n{clean.stderr}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(),
         json.loads(Path(sys.argv[3]).read_text(encoding="utf-8")))
