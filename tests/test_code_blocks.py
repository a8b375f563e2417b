"""Code blocks as the reader sees them: doctests shown as sessions, a copy button that copies code
that runs, and no block that scrolls sideways at desktop width.

``hooks/code_blocks.py`` lexes every doctest as ``pycon`` and holds the one list of Python fence
languages that sybil (``conftest.py``) and the chapter notebooks (``hooks/notebooks.py``) use;
``docs/stylesheets/code.css`` styles the sessions, leaves prompts and output out of a copy and
wraps long lines. The browser tests below render the built site in Chromium.
"""

from __future__ import annotations

import textwrap

import pytest

from helpers import ROOT, load_by_path, make_sybil, mkdocs_config, reader_pages

code_blocks = load_by_path("hooks/code_blocks.py")
notebooks = load_by_path("hooks/notebooks.py")

chapters_hook = load_by_path("hooks/chapters.py")
NAV = mkdocs_config()["nav"]
CHAPTERS = [source.removesuffix(".md") + "/" for source in chapters_hook.chapter_sources(NAV)]
LABS = [f"labs/{lab.stem}/" for lab in sorted((ROOT / "docs" / "labs").glob("*.py"))]
ARTIFACTS = ROOT / "test-artifacts" / "code"


def test_a_doctest_fence_becomes_a_session_and_nothing_else_changes():
    page = textwrap.dedent("""\
        ```python
        >>> print("for and in")
        for and in
        ```

        ```python title="x.py"
        x = 1  # >>> not a doctest
        ```

        !!! note

            ```py linenums="1"
            >>> x
            1
            ```

        ```bash
        >>> not python
        ```

        ```pycon
        >>> 1
        1
        ```
        """)
    sessions = code_blocks.doctests_as_sessions(page)
    expected = page.replace('```python\n>>> print("for', '```pycon\n>>> print("for')
    expected = expected.replace('    ```py linenums="1"', '    ```pycon linenums="1"')
    assert sessions == expected and sessions != page


def test_sybil_and_the_notebooks_read_fences_by_the_one_definition(tmp_path):
    """An ``ipython`` fence (one of the shared languages) is run by sybil and becomes a code cell
    of the notebook; a fence in no language is neither."""
    assert "ipython" in code_blocks.PYTHON_FENCE_LANGUAGES
    page = tmp_path / "page.md"
    page.write_text("```ipython\n>>> print(2 + 2)\n4\n```\n\n```\n>>> print(5)\n```\n", encoding="utf-8")
    examples = list(make_sybil().parse(page))
    assert len(examples) == 1
    examples[0].evaluate()
    cells = notebooks.chapter_to_notebook(page.read_text(encoding="utf-8")).cells
    assert [c.source for c in cells if c.cell_type == "code"] == ["print(2 + 2)"]


def test_the_chapters_are_the_nav_section_and_have_doctests():
    assert len(CHAPTERS) >= 9 and "exploding-gradients/" in CHAPTERS
    doctests = sum((ROOT / "docs" / (page[:-1] + ".md")).read_text(encoding="utf-8").count("```python\n>>>")
                   for page in CHAPTERS)
    assert doctests >= 50


@pytest.fixture(scope="module")
def clipboard_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  permissions=["clipboard-read", "clipboard-write"])
    yield context.new_page()
    context.close()


SESSIONS = """() => [...document.querySelectorAll('article div.highlight')]
    .filter(block => block.querySelector('code').textContent.startsWith('>>>'))
    // the prompt ends in a no-break space (hooks/code_blocks.py), which the prompt's own text keeps
    .map(block => ({text: block.querySelector('code').textContent.replace(/^(>>>|\\.\\.\\.)\u00a0/gm, '$1 '),
                    output: [...block.querySelectorAll('.go')].map(span => span.textContent).join(''),
                    prompts: block.querySelectorAll('.gp').length}))"""


def _statements(session: str) -> str:
    return "\n".join(line[4:] for line in session.split("\n") if line.startswith((">>> ", "... "))).rstrip()


@pytest.mark.parametrize("path", CHAPTERS)
def test_doctests_read_as_sessions_and_copy_as_code_that_compiles(clipboard_page, site_url, path):
    """Every doctest block has its prompts and its printed output marked apart from the code, and
    its copy button puts on the clipboard exactly its statements, which compile."""
    page = clipboard_page
    page.goto(site_url + path, wait_until="load")
    page.evaluate("document.querySelectorAll('article details').forEach(d => { d.open = true; })")  # solutions
    sessions = page.evaluate(SESSIONS)
    problems = []
    blocks = page.locator("article div.highlight:has(.gp)")
    assert blocks.count() == len(sessions)
    for index, session in enumerate(sessions):
        printed = "".join(line + "\n" for line in session["text"].split("\n")
                          if line and not line.startswith((">>>", "...")))
        if session["output"].replace("\n", "") != printed.replace("\n", ""):
            problems.append(f"block {index}: output not marked as output: {printed[:80]!r}")
        if session["prompts"] != session["text"].count(">>>") + session["text"].count("\n..."):
            problems.append(f"block {index}: {session['prompts']} prompts marked")
        block = blocks.nth(index)
        block.scroll_into_view_if_needed()
        block.hover()
        page.evaluate("navigator.clipboard.writeText('')")
        block.locator("button[data-md-type=copy]").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        expected = _statements(session["text"])
        if copied != expected:
            problems.append(f"block {index}: copied {copied[:120]!r}, expected {expected[:120]!r}")
            continue
        try:
            compile(copied, f"{path} block {index}", "exec")
        except SyntaxError as error:
            problems.append(f"block {index}: the copied code does not compile: {error}")
    assert sessions, f"{path} has no doctest block"
    assert not problems, f"/{path}:\n  " + "\n  ".join(problems)


SIDEWAYS = """() => [...document.querySelectorAll(
        'article pre, article pre > code, article .highlight-ipynb, article .jp-RenderedText')]
    .filter(box => ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
                   && box.scrollWidth > box.clientWidth + 1)
    .map(box => box.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 90))"""

CONTINUATIONS = """() => {
    // Every visual line of a code block that starts in the middle of a source line (a wrapped
    // part) must start at least 4 characters right of where the block's lines start.
    const found = [];
    for (const pre of document.querySelectorAll('article pre')) {
        const box = (pre.querySelector(':scope > code') || pre);
        const style = getComputedStyle(box);
        const left = box.getBoundingClientRect().left + parseFloat(style.paddingLeft);
        const probe = document.createElement('span');
        probe.textContent = '0000000000';
        box.appendChild(probe);
        const ch = probe.getBoundingClientRect().width / 10;
        probe.remove();
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let previous = null, lastTop = -Infinity;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const rect = range.getBoundingClientRect();
                const character = node.data[i];
                if (character === '\\n' || rect.width === 0) { previous = character; continue; }
                if (rect.top > lastTop + 2) {
                    if (previous !== null && previous !== '\\n') {
                        found.push({indent: (rect.left - left) / ch, text: node.data.slice(i, i + 30)});
                    }
                    lastTop = rect.top;
                }
                previous = character;
            }
        }
    }
    return found;
}"""


@pytest.fixture(scope="module")
def reader_tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", CHAPTERS + LABS)
def test_no_code_block_scrolls_sideways_at_desktop_width(reader_tab, site_url, path):
    """At 1280 px no code block or printed output of a chapter or lab scrolls sideways (80 did
    before long lines wrapped). At 390 px the count is recorded in test-artifacts/code/."""
    page = reader_tab
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_url + path, wait_until="load")
    desktop = page.evaluate(SIDEWAYS)
    page.set_viewport_size({"width": 390, "height": 844})
    phone = page.evaluate(SIDEWAYS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "_")
    (ARTIFACTS / f"{name}-sideways.txt").write_text(
        f"1280 px: {len(desktop)}\n390 px: {len(phone)}\n" + "\n".join(phone), encoding="utf-8")
    assert page.evaluate("document.querySelectorAll('article pre').length") > 0
    assert not desktop, f"/{path}: {len(desktop)} code blocks scroll sideways at 1280 px:\n  " + "\n  ".join(desktop)


@pytest.mark.parametrize("path, width", [("exploding-gradients/", 1280), ("exploding-gradients/", 390),
                                         ("labs/gradient-flow/", 390)])
def test_a_wrapped_line_is_indented_as_a_continuation(reader_tab, site_url, path, width):
    page = reader_tab
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url + path, wait_until="load")
    continuations = page.evaluate(CONTINUATIONS)
    assert continuations, f"no line wraps on /{path} at {width} px: nothing was checked"
    flat = [c for c in continuations if c["indent"] < 4]
    assert not flat, f"/{path} at {width} px: wrapped parts that start like a new line: {flat[:5]}"


PROMPTS_ALONE = """() => {
    // The first character of code after each prompt must sit on the prompt's own line.
    const alone = [];
    for (const gp of document.querySelectorAll('article .highlight .gp')) {
        const walker = document.createTreeWalker(gp.closest('code'), NodeFilter.SHOW_TEXT);
        walker.currentNode = gp.lastChild || gp;
        let node = walker.nextNode(), gap = '';
        while (node && !node.data.trim()) { gap += node.data; node = walker.nextNode(); }
        if (!node) continue;
        const start = node.data.search(/\\S/);
        if ((gap + node.data.slice(0, start)).includes('\\n')) continue;  // an empty prompt line
        const range = document.createRange();
        range.setStart(node, start); range.setEnd(node, start + 1);
        if (range.getBoundingClientRect().top > gp.getBoundingClientRect().top + 2) {
            alone.push(node.data.slice(start, start + 40));
        }
    }
    return alone;
}"""


@pytest.mark.parametrize("path", [page for page in reader_pages() if not page.startswith("labs/")])
def test_a_prompt_never_stands_alone_on_a_phone_line(reader_tab, site_url, path):
    """A statement too long for a phone wraps after its first word, never right after ``>>>``."""
    page = reader_tab
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + path, wait_until="load")
    assert page.evaluate("document.querySelectorAll('article .highlight .gp').length") > 0
    alone = page.evaluate(PROMPTS_ALONE)
    assert not alone, f"/{path} at 390 px: prompts left alone before {alone[:5]}"
