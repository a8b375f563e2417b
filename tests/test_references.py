"""The references page resolves every citation of the chapters, once each, in unbroken lists."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from helpers import ROOT

DOCS = ROOT / "docs"
ANCHOR = re.compile(r"\{#([a-z0-9-]+)\}")
LINK = re.compile(r"references\.md#([A-Za-z0-9-]+)")
REFERENCE_SECTION = re.compile(r"^## (?:References|Further reading)\s*$(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
CHAPTERS = sorted(p for p in DOCS.glob("*.md") if p.name not in ("references.md", "contributing.md", "index.md"))


def reference_anchors() -> Counter:
    return Counter(ANCHOR.findall((DOCS / "references.md").read_text(encoding="utf-8")))


def test_every_entry_of_the_references_page_has_one_anchor():
    repeated = [name for name, count in reference_anchors().items() if count > 1]
    assert not repeated, f"anchors defined more than once in docs/references.md: {repeated}"


def test_the_lists_of_the_references_page_are_unbroken():
    """A blank line inside a section's list splits it into two lists (seen once: Goh, then Bray)."""
    text = (DOCS / "references.md").read_text(encoding="utf-8")
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        body = section.split("\n", 1)[1].strip("\n")
        entries = [block for block in re.split(r"\n\s*\n", body) if block.startswith("- ")]
        assert len(entries) <= 1, f"section {section.splitlines()[0]!r} of references.md has a blank line inside its list"


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.name)
def test_every_citation_of_a_chapter_resolves_on_the_references_page(page):
    text = page.read_text(encoding="utf-8")
    anchors = reference_anchors()
    missing = sorted(set(LINK.findall(text)) - set(anchors))
    assert not missing, f"{page.name} links to references.md anchors that do not exist: {missing}"
    section = REFERENCE_SECTION.search(text)
    if section is None:
        return
    items = [item for item in re.split(r"(?m)^- ", section.group(1))[1:] if item.strip()]
    unlinked = [item.split("\n")[0][:70] for item in items if not LINK.search(item)]
    assert not unlinked, f"{page.name}: reference items without a link to the references page: {unlinked}"
