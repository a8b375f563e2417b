"""Chapter numbers: the site numbers the chapters from the ``Chapters`` section of the nav
(``hooks/chapters.py``), and every "Chapter N" of the prose names the chapter numbered N.

A mention "Chapter N" must be a link to chapter N's page, so that it can be checked and a reader
can follow it. "chapters 5 and 6" or "chapters 7 to 9" must name chapters that exist. Mentions of
another book's chapters (a citation: an italic title before them on the line, or anything on the
references page) are not the course's.
"""

from __future__ import annotations

import re

import pytest

from helpers import ROOT, load_by_path, mkdocs_config

chapters_hook = load_by_path("hooks/chapters.py")
DOCS = ROOT / "docs"
CHAPTERS = chapters_hook.chapter_sources(mkdocs_config()["nav"])
BIBLIOGRAPHY = {"references.md"}

CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]*`", re.DOTALL | re.MULTILINE)
LINKED = re.compile(r"\[Chapter (\d+)\]\(([^)#\s]+)(?:#[^)]*)?\)")
SINGULAR = re.compile(r"\bChapter (\d+)\b")
PLURAL = re.compile(r"\b[Cc]hapters (\d+)(?: (and|to) (\d+))?")
LOWER = re.compile(r"\bchapter (\d+)\b")
CITATION = re.compile(r"\*[^*\n]+\*,[^\n]*$")


def misnumbered(text: str, chapters: list[str]) -> list[str]:
    """What is wrong with the chapter mentions of a page's Markdown ``text``, given the chapter
    files in nav order."""
    text = CODE.sub("", text)
    problems = []
    for match in LINKED.finditer(text):
        number, target = int(match[1]), match[2]
        if not 1 <= number <= len(chapters):
            problems.append(f"{match[0]}: there is no chapter {number}")
        elif target != chapters[number - 1]:
            problems.append(f"{match[0]}: chapter {number} is {chapters[number - 1]}")
    for match in SINGULAR.finditer(LINKED.sub("", text)):
        number = int(match[1])
        target = chapters[number - 1] if 1 <= number <= len(chapters) else "a chapter"
        problems.append(f"{match[0]!r} is not a link to {target}")
    for pattern in (PLURAL, LOWER):
        for match in pattern.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            if CITATION.search(text[line_start : match.start()]):
                continue  # another book's chapters, e.g. "*Neural Networks and Deep Learning*, chapter 5"
            numbers = [int(n) for n in (match[1], match[3] if pattern is PLURAL else None) if n]
            if any(not 1 <= n <= len(chapters) for n in numbers):
                problems.append(f"{match[0]!r}: there are {len(chapters)} chapters")
    return problems


def test_the_chapters_are_the_nav_section():
    assert len(CHAPTERS) >= 9
    assert all((DOCS / chapter).is_file() for chapter in CHAPTERS)
    assert CHAPTERS[0] == "why-deep-was-hard.md" and "curvature.md" in CHAPTERS


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if p.name not in BIBLIOGRAPHY))
def test_every_chapter_mention_names_the_chapter_the_nav_numbers(page):
    problems = misnumbered((DOCS / page).read_text(encoding="utf-8"), CHAPTERS)
    assert not problems, f"docs/{page}:\n  " + "\n  ".join(problems)


def test_the_prose_mentions_chapters_by_number():
    mentions = sum(len(LINKED.findall((DOCS / page).read_text(encoding="utf-8"))) for page in CHAPTERS)
    assert mentions >= 10


def test_a_drifted_mention_is_caught():
    chapters = ["a.md", "b.md", "c.md"]
    assert misnumbered("See [Chapter 2](b.md#x) and chapters 1 and 3.", chapters) == []
    assert misnumbered("M. N., *A Book*, chapters 2 and 5, 2015.", chapters) == []
    assert misnumbered("See [Chapter 2](c.md).", chapters) == ["[Chapter 2](c.md): chapter 2 is b.md"]
    assert misnumbered("As Chapter 2 showed.", chapters) == ["'Chapter 2' is not a link to b.md"]
    assert misnumbered("(chapters 3 to 4)", chapters) == ["'chapters 3 to 4': there are 3 chapters"]
    assert misnumbered("```python\n# Chapter 9\n```\n`Chapter 9`", chapters) == []


def test_the_site_numbers_chapters_in_nav_titles_and_headings(built_site):
    site, _ = built_site
    titles = next(entry for entry in mkdocs_config()["nav"]
                  if isinstance(entry, dict) and "Chapters" in entry)["Chapters"]
    for number, (entry, source) in enumerate(zip(titles, CHAPTERS, strict=True), start=1):
        title = next(iter(entry))
        page = (site / source.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        assert f"<title>{number}. {title}" in page.replace("&#39;", "'"), source
        assert re.search(rf'<h1[^>]*><span class="chapter-number">Chapter {number}</span>', page), source
        assert re.search(rf'md-nav__link[^>]*>\s*<span class="md-ellipsis">\s*{number}\. ', page), source


def test_the_home_page_lists_every_chapter_of_the_nav_with_its_description(built_site):
    """The home page's list is made from the nav and the chapters' front matter (hooks/chapters.py)."""
    from mkdocs.utils.meta import get_data

    site, _ = built_site
    home = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr>\s*<td>(\d+)</td>\s*<td><a href="([^"]+)/">[^<]*</a></td>\s*<td>([^<]*)</td>', home)
    assert [int(number) for number, _, _ in rows] == list(range(1, len(CHAPTERS) + 1))
    assert [href + ".md" for _, href, _ in rows] == CHAPTERS
    for (_, _, shown), chapter in zip(rows, CHAPTERS, strict=True):
        description = get_data((DOCS / chapter).read_text(encoding="utf-8"))[1]["description"]
        assert shown.replace("&#39;", "'") == description, chapter


def test_a_chapter_without_a_description_is_named(tmp_path):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File
    from mkdocs.structure.nav import Navigation, Section
    from mkdocs.structure.pages import Page

    (tmp_path / "new-chapter.md").write_text("# New chapter\n", encoding="utf-8")
    source = File("new-chapter.md", src_dir=str(tmp_path), dest_dir=str(tmp_path / "site"), use_directory_urls=True)
    chapter = Page("New chapter", source, {})
    nav = Navigation([Section("Chapters", [chapter])], [chapter])
    with pytest.raises(PluginError, match=r"docs/new-chapter.md: a chapter needs a 'description:'"):
        chapters_hook.on_nav(nav, None, None)
