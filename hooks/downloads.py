"""MkDocs hook: the course as one PDF and as an offline copy, built with ``COURSE_PDF=1``.

With ``COURSE_PDF=1`` the build also writes, into the site's ``downloads/``:

- ``why-deep-networks-are-hard-to-train.pdf``: a cover, a table of contents, every chapter in
  the order of the nav's *Chapters* section and the references, with their figures and MathML,
  and "page N of M" at the foot of each page. After the build the chapters' articles (as this
  build wrote them) are assembled into one print page beside the site, which is served over a
  local HTTP server and printed by headless Chromium through Playwright, so the math is drawn
  with the site's own math font. Links between the printed pages become links inside the PDF;
  other links go to ``SITE_URL`` when it is set, and are dropped otherwise.
- ``why-deep-networks-are-hard-to-train-offline.zip``: a second build, with
  ``COURSE_OFFLINE=true``, which enables Material's ``offline`` plugin (``mkdocs.yml``): plain
  ``.html`` links and the search index as a script, so the site works opened from the file
  system, search included. The plugin asks for a Web Worker shim from unpkg.com; this build
  serves ``hooks/iframe-worker-shim.js`` instead, and leaves out instant navigation, which
  cannot load pages from the file system. That build runs in a folder that links to the
  project's files but holds a copy of its ``.cache`` (the hooks keep the cache beside
  ``mkdocs.yml``), so its results (pages with other links) do not replace the cached ones of
  the ordinary build.

The home page links both files in place of its ``<!-- course-downloads -->`` comment, only in a
build that writes them. Without ``COURSE_PDF`` nothing here runs.
"""

from __future__ import annotations

import datetime
import functools
import html
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from shared import chapter_pages, project_root, switch

NAME = "why-deep-networks-are-hard-to-train"
PDF = f"downloads/{NAME}.pdf"
ZIP = f"downloads/{NAME}-offline.zip"
PRINT_PAGE = "course-print.html"
"""Written beside the site's pages while Chromium prints it, then removed."""
MARKER = "<!-- course-downloads -->"
SHIM_SOURCE = Path(__file__).with_name("iframe-worker-shim.js")
SHIM = "assets/javascripts/iframe-worker-shim.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""How headless Chromium is launched, to print the PDF here and by the browser tests
(``tests/helpers.py``): no sandbox (a container, or root), no GPU, and nothing fetched or set up
at start."""
NOT_LINKED = {".cache", ".git", ".venv", "mkdocs.yml", "site", "test-artifacts"}
"""What a :func:`project_view` does not link: ``mkdocs.yml`` and ``.cache`` are copies there, and
the rest is no input of a build."""
FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">'
          'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')

_printed: list = []
"""The pages the PDF holds, in reading order (set from the nav of each build)."""


def on_config(config):
    if switch("COURSE_OFFLINE", default=False):
        # Instant navigation loads pages with fetch, which file:// refuses; with it on, Material's
        # document$ never fires and no page script (copy buttons, the widgets) starts.
        config.theme["features"] = [f for f in config.theme["features"] if not f.startswith("navigation.instant")]
    return config


def on_files(files, config):
    if switch("COURSE_OFFLINE", default=False):
        polyfills = config.extra.get("polyfills", [])
        config.extra["polyfills"] = [SHIM if "iframe-worker" in str(url) else url for url in polyfills]
        files.append(File.generated(config, SHIM, abs_src_path=str(SHIM_SOURCE)))
    return files


def on_nav(nav, config, files):
    _printed.clear()
    if not switch("COURSE_PDF", default=False):
        return nav
    _printed.extend(chapter_pages(nav))
    _printed.extend(page for page in nav.pages if page.file.src_uri == "references.md")
    return nav


def on_page_content(content, page, config, files):
    if page.is_homepage and switch("COURSE_PDF", default=False):
        if MARKER not in content:
            raise PluginError(f"COURSE_PDF: the home page has no {MARKER} comment where the download links go")
        links = (
            f'<p class="course-downloads">Read it offline: <a href="{get_relative_url(PDF, page.url)}">the whole '
            f'course as one PDF</a>, or <a href="{get_relative_url(ZIP, page.url)}">this site as a zip</a> '
            "(unpack it and open <code>index.html</code> in a browser; search works there too).</p>"
        )
        content = content.replace(MARKER, links)
    return content


def on_post_build(config):
    if not switch("COURSE_PDF", default=False):
        return
    site = Path(config.site_dir)
    (site / "downloads").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-offline-") as scratch:
        offline = _start_offline_build(config, Path(scratch))
        try:
            (site / PRINT_PAGE).write_text(print_page(config, site), encoding="utf-8")
            try:
                print_pdf(site, site / PDF)
            finally:
                (site / PRINT_PAGE).unlink()
        finally:
            out, _ = offline.communicate(timeout=900)
        if offline.returncode != 0:
            raise PluginError(f"COURSE_PDF: the offline build failed:\n{out[-4000:]}")
        zip_site(Path(scratch) / "site", site / ZIP)


# -- the print page ----------------------------------------------------------------------------

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.DOTALL)
DROPPED = [
    re.compile(r'<p class="notebook-download">.*?</p>', re.DOTALL),  # notebook and Colab buttons
    re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL),
    re.compile(r'<a [^>]*class="md-content__button[^>]*>.*?</a>', re.DOTALL),  # edit this page
    re.compile(r'<aside class="md-source-file">.*?</aside>', re.DOTALL),
    re.compile(r'<source media="\(max-width[^>]*>'),  # the narrow figure: the page is wide enough
]
ATTRIBUTE = re.compile(r'\b(id|href|src)="([^"]*)"')


def _key(page) -> str:
    return Path(page.file.src_uri).with_suffix("").as_posix().replace("/", "-")


def print_page(config, site: Path) -> str:
    """One HTML page at the site's root holding the cover, the contents and the article of
    every page of ``_printed`` as this build wrote it, with its addresses rewritten."""
    printed = {"/" + page.url: _key(page) for page in _printed}
    chapters, contents = [], []
    for page in _printed:
        written = (site / page.file.dest_uri).read_text(encoding="utf-8")
        article = ARTICLE.search(written)
        if article is None:
            raise PluginError(f"COURSE_PDF: no article found in {page.file.dest_uri}")
        body = article.group(1)
        for pattern in DROPPED:
            body = pattern.sub("", body)
        body = body.replace("<details", "<details open").replace(' loading="lazy"', "")
        body = ATTRIBUTE.sub(functools.partial(_print_attribute, "/" + page.url, _key(page), printed, config.site_url), body)
        body = re.sub(r"url\(#", f"url(#{_key(page)}--", body)
        chapters.append(f'<article class="md-typeset course-print__page" id="{_key(page)}">{body}</article>')
        sections = "".join(
            f'<li><a href="#{_key(page)}--{item.id}">{html.escape(item.title)}</a></li>'
            for top in page.toc for item in top.children
        )
        contents.append(f'<li><a href="#{_key(page)}">{html.escape(page.title)}</a><ul>{sections}</ul></li>')
    first = (site / _printed[0].file.dest_uri).read_text(encoding="utf-8")
    stylesheets = "".join(
        f'<link rel="stylesheet" href="{urljoin("/" + _printed[0].url, href)}">'
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', first)
    )
    address = html.escape(config.site_url or "")
    online = f'Online at <a href="{address}">{address}</a><br>' if address else ""
    built = datetime.date.today()
    return (
        f'<!doctype html><html lang="{config.theme["language"]}"><head><meta charset="utf-8">'
        f"<title>{html.escape(config.site_name)}</title>{stylesheets}</head>"
        '<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">'
        '<div class="course-print">'
        f'<section class="md-typeset course-print__cover"><h1>{html.escape(config.site_name)}</h1>'
        f"<p>{html.escape(config.site_description or '')}</p>"
        f"<p>{online}Printed {built.day} {built:%B %Y}</p><p>{config.copyright or ''}</p></section>"
        f'<nav class="md-typeset course-print__contents"><h2>Contents</h2><ul>{"".join(contents)}</ul></nav>'
        f'{"".join(chapters)}</div></body></html>'
    )


def print_address(name: str, value: str, base: str, key: str, printed: dict[str, str],
                  site_url: str | None) -> str | None:
    """Attribute ``name`` (``id``, ``href`` or ``src``) of page ``base`` with value ``value``, as
    the print page needs it; None for a link the PDF cannot follow. Ids and fragments get the
    page's ``key`` as a prefix (headings repeat across chapters), a link to a page of ``printed``
    (its address to its key) becomes a fragment, an image is addressed from the site's root, and
    a link to a page not printed goes to ``site_url``.

    >>> printed = {"/curvature/": "curvature", "/references/": "references"}
    >>> print_address("href", "../references/#nesterov", "/curvature/", "curvature", printed, None)
    '#references--nesterov'
    >>> print_address("id", "momentum", "/curvature/", "curvature", printed, None)
    'curvature--momentum'
    >>> print_address("src", "../figures/bowl.png", "/curvature/", "curvature", printed, None)
    '/figures/bowl.png'
    >>> print_address("href", "../labs/gradient-flow/", "/curvature/", "curvature", printed, "https://x.org/c/")
    'https://x.org/c/labs/gradient-flow/'
    >>> print_address("href", "../labs/gradient-flow/", "/curvature/", "curvature", printed, None) is None
    True
    """
    if name == "id":
        return f"{key}--{value}"
    if value.startswith("#"):
        return f"#{key}--{value[1:]}"
    if urlsplit(value).scheme or value.startswith("//"):
        return value
    target = urlsplit(urljoin(base, value))
    fragment = f"--{target.fragment}" if target.fragment else ""
    if name == "src":
        return target.path
    if target.path in printed:
        return f"#{printed[target.path]}{fragment}"
    if site_url:
        return urljoin(site_url, target.path.lstrip("/")) + (f"#{target.fragment}" if target.fragment else "")
    return None


def _print_attribute(base: str, key: str, printed: dict[str, str], site_url: str | None, match: re.Match) -> str:
    address = print_address(*match.groups(), base, key, printed, site_url)
    return 'data-unlinked=""' if address is None else f'{match.group(1)}="{address}"'


# -- printing ----------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _chromium() -> str | None:
    """Debian's Chromium where installed (the one the tests drive), else Playwright's own."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def print_pdf(site: Path, pdf: Path) -> None:
    """Print ``site/PRINT_PAGE``, served with the rest of the site, to ``pdf``; PluginError if
    a request of the page fails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise PluginError("COURSE_PDF needs Playwright to print the PDF: pip install -e '.[dev]'") from error
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    failed: list[str] = []
    try:
        with sync_playwright() as playwright:
            options = {"args": CHROMIUM_ARGS, "headless": True}
            executable = _chromium()
            if executable:
                options["executable_path"] = executable
            try:
                browser = playwright.chromium.launch(**options)
            except Exception as error:  # Playwright raises its own Error for a missing browser
                raise PluginError("COURSE_PDF needs Chromium to print the PDF: apt-get install chromium, "
                                  f"or {sys.executable} -m playwright install chromium\n{error}") from error
            try:
                page = browser.new_page()
                page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
                page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/{PRINT_PAGE}", wait_until="load", timeout=120_000)
                page.evaluate("document.fonts.ready.then(() => true)")
                page.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                         header_template="<span></span>", footer_template=FOOTER, outline=True, tagged=True,
                         margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if failed:
        raise PluginError("COURSE_PDF: requests of the print page failed:\n  " + "\n  ".join(failed[:20]))


# -- the offline copy --------------------------------------------------------------------------


def project_view(root: Path, folder: Path, config_file: Path, site_dir: Path) -> Path:
    """``folder``, made a project that builds like the one at ``root`` but keeps its own
    ``.cache``: the hooks put the cache next to the resolved ``mkdocs.yml``, so ``config_file`` is
    copied there as ``mkdocs.yml``, ``root``'s ``.cache`` is copied, and every other entry of
    ``root`` but :data:`NOT_LINKED` and ``site_dir`` (a build's output) is a link to the original.
    The offline build and the test suite's published build (``tests/test_subpath.py``) run there."""
    folder.mkdir(parents=True)
    for entry in root.iterdir():
        if entry.name not in NOT_LINKED and entry.resolve() != Path(site_dir).resolve():
            (folder / entry.name).symlink_to(entry)
    shutil.copy(config_file, folder / "mkdocs.yml")
    if (root / ".cache").is_dir():
        shutil.copytree(root / ".cache", folder / ".cache", ignore=shutil.ignore_patterns("*.tmp", "*.lock"))
    return folder


def _start_offline_build(config, scratch: Path) -> subprocess.Popen:
    """Start the offline build into ``scratch/site``, from a :func:`project_view` of the project."""
    view = project_view(project_root(config), scratch / "project", Path(config.config_file_path),
                        Path(config.site_dir))
    environment = {k: v for k, v in os.environ.items() if k != "COURSE_PDF"}
    environment.update(COURSE_OFFLINE="true", NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(scratch / "site")]
    if config.strict:
        command.append("--strict")
    return subprocess.Popen(command, cwd=view, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def zip_site(site: Path, archive: Path) -> None:
    """``site`` as ``archive``, every file under one folder named ``NAME``, but the 404 page: only
    a server shows it, and its addresses start from the server's root."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(site.rglob("*")):
            if path.is_file() and path != site / "404.html":
                bundle.write(path, f"{NAME}/{path.relative_to(site).as_posix()}")
