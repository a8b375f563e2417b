"""The labs are executed by the site build, and their cached outputs follow ``lesson_code``.

mkdocs-jupyter executes each lab during the build and fails it on any error
(``allow_errors: false``). Its cache of executed labs is keyed on the notebook's text only;
``hooks/lab_execution.py`` moves that cache into a folder named after the package's sources and
the hook itself, so a change in ``lesson_code`` re-executes every lab on the next build instead of showing
the old outputs.
The built pages are checked for outputs in ``test_site_build.py`` and in a browser in
``test_browser.py``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import jupytext
import pytest

from helpers import ROOT, load_by_path, mkdocs_config

LABS = sorted((ROOT / "docs" / "labs").glob("*.py"))


execution = load_by_path("hooks/lab_execution.py")
pages = load_by_path("hooks/lab_pages.py")
lab_math = load_by_path("hooks/lab_math.py")


def test_there_are_labs_and_each_opens_with_a_title():
    assert LABS
    for lab in LABS:
        first = jupytext.read(lab).cells[0]
        assert first.cell_type == "markdown" and first.source.startswith("# "), lab.name


def test_the_build_executes_labs_and_fails_on_an_error():
    plugins = mkdocs_config()["plugins"]
    options = next(p["mkdocs-jupyter"] for p in plugins if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert options["execute"] is True and options["allow_errors"] is False


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(ROOT / "lesson_code", tmp_path / "lesson_code", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_lab_cache_changes_with_the_package_and_only_with_it(project):
    first = execution.lab_cache_dir(project)
    assert first.parent == project / ".cache" / "mkdocs-jupyter"
    assert execution.lab_cache_dir(project) == first
    (project / "lesson_code" / "unrelated_notes.txt").write_text("not Python", encoding="utf-8")
    assert execution.lab_cache_dir(project) == first
    with (project / "lesson_code" / "network.py").open("a", encoding="utf-8") as module:
        module.write("\n# an edit\n")
    assert execution.lab_cache_dir(project) != first


def test_the_hook_points_mkdocs_jupyter_at_it_and_drops_stale_outputs(project):
    (project / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    stale_folder = project / ".cache" / "mkdocs-jupyter" / "0123456789abcdef"
    stale_folder.mkdir(parents=True)
    stale_file = stale_folder.parent / "from-an-older-layout.json"
    stale_file.write_text("{}", encoding="utf-8")
    plugin = SimpleNamespace(config={"cache_dir": ".cache/mkdocs-jupyter"})
    config = SimpleNamespace(config_file_path=str(project / "mkdocs.yml"), plugins={"mkdocs-jupyter": plugin})
    execution.on_config(config)
    assert plugin.config["cache_dir"] == str(execution.lab_cache_dir(project))
    assert not stale_folder.exists() and not stale_file.exists()


def test_cells_are_numbered_in_page_order_whatever_ids_nbformat_drew():
    page = '<div id="cell-id=9f3a01bc">a</div><div id="other">b</div><div id="cell-id=0c1d2e3f">c</div>'
    assert pages.number_cells(page) == (
        '<div id="notebook-cell-0">a</div><div id="other">b</div><div id="notebook-cell-1">c</div>'
    )


def test_lab_math_becomes_mathml_and_an_unknown_command_warns_naming_the_lab(caplog, monkeypatch, tmp_path):
    monkeypatch.setattr(lab_math, "_memo", lab_math.build_cache.JsonMemo(tmp_path / "lab-mathml.json", salt="s"))
    page = ('<p>$a$ outside a cell</p><div class="jp-RenderedMarkdown jp-MarkdownOutput">'
            "slope $x^2$ and $$\\nosuch{y}$$</div>")
    lab = SimpleNamespace(file=SimpleNamespace(src_uri="labs/planted.py"))
    typeset = lab_math.on_post_page(page, lab, None)
    assert "<math" in typeset and "$x^2$" not in typeset and "$a$ outside a cell" in typeset
    assert "$$\\nosuch{y}$$" in typeset
    assert "docs/labs/planted.py: unknown TeX command \\nosuch" in caplog.text
    chapter = SimpleNamespace(file=SimpleNamespace(src_uri="curvature.md"))
    assert lab_math.on_post_page(page, chapter, None) == page


def test_each_figure_gets_the_alt_text_of_its_cell_and_a_missing_one_warns(caplog):
    def cell(comments: list[str], figures: int) -> str:
        code = "".join(f'<span class="c1"># alt: {text}</span>\n' for text in comments)
        return f'<div class="jp-Cell jp-CodeCell">{code}' + f"<img {pages.DEFAULT_ALT} src=x>" * figures + "</div>"

    page = cell(["loss per epoch, log scale", "the path on &quot;G&quot;"], 2) + cell(["unused"], 0) + cell([], 1)
    described = pages.describe_figures(page, "labs/planted.py")
    assert described.count('alt="loss per epoch, log scale"') == 1
    assert described.count('alt="the path on &quot;G&quot;"') == 1
    assert described.count(pages.DEFAULT_ALT) == 1  # the last cell has no comment for its figure
    assert "docs/labs/planted.py: a cell draws 1 figures but has 0 '# alt: ...' comments" in caplog.text


def test_built_lab_figures_are_described(built_site):
    site, _ = built_site
    for lab in LABS:
        page = (site / "labs" / lab.stem / "index.html").read_text(encoding="utf-8")
        figures = re.findall(r'<img alt="([^"]*)"[^>]*src="data:image/png', page)
        assert figures, f"{lab.name}: no figure in the built page"
        assert all(len(alt) >= 40 and "No description" not in alt for alt in figures), (lab.name, figures)


@pytest.mark.parametrize("lab", [lab.stem for lab in LABS])
def test_on_a_phone_the_prompt_is_a_label_above_the_code_not_a_gutter(browser, site_url, lab):
    """At 390 px the "In [n]:" prompt sat in a 90 px gutter beside every cell; now code and
    figures take the column's width, and the prompt is still shown above the cell."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site_url}labs/{lab}/", wait_until="load")
    cells = page.evaluate("""() => {
        const article = document.querySelector('article').getBoundingClientRect();
        return [...document.querySelectorAll('.jp-CodeCell .jp-InputArea')].map(area => {
            const prompt = area.querySelector('.jp-InputPrompt').getBoundingClientRect();
            const code = area.querySelector('.jp-InputArea-editor').getBoundingClientRect();
            return {code_share: code.width / article.width, prompt_above: prompt.bottom <= code.top + 1,
                    prompt: area.querySelector('.jp-InputPrompt').innerText};
        });
    }""")
    images = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedImage img')].map(
        img => img.getBoundingClientRect().width / document.querySelector('article').getBoundingClientRect().width)""")
    page.close()
    assert cells and images
    labelled = [c["prompt_above"] and c["prompt"].replace("\xa0", " ").startswith("In [") for c in cells]
    assert all(labelled) and all(c["code_share"] > 0.85 for c in cells), cells
    assert all(share > 0.85 for share in images), images


def test_kernels_get_one_blas_thread_and_no_backend_and_the_environment_comes_back(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    execution.on_pre_build(None)
    assert "MPLBACKEND" not in os.environ and os.environ["OPENBLAS_NUM_THREADS"] == "1"
    execution.on_post_build(None)
    assert os.environ["MPLBACKEND"] == "Agg" and "OPENBLAS_NUM_THREADS" not in os.environ


def test_what_a_cell_prints_is_one_output_however_the_kernel_split_it(tmp_path):
    """Two prints half a second apart reach nbclient as two messages; with the build's nbconvert
    configuration they are one output, as they are when the prints come close together."""
    from mkdocs_jupyter.convert import nb2html

    lab = tmp_path / "split.py"
    lab.write_text("# %%\nimport time\nprint('first', flush=True)\ntime.sleep(0.6)\nprint('second')\n", encoding="utf-8")
    execution.on_pre_build(None)
    try:
        html = nb2html(str(lab), execute=True, allow_errors=False)
    finally:
        execution.on_post_build(None)
    outputs = re.findall(r'data-mime-type="text/plain"[^>]*>\s*<pre>(.*?)</pre>', html, re.DOTALL)
    assert outputs == ["first\nsecond\n"], outputs
