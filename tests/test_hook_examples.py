"""The examples in the hooks' docstrings run, like the package's (pytest collects doctests only
from ``lesson_code``: the hooks are files MkDocs loads, not an importable package)."""

from __future__ import annotations

import doctest

import pytest

from helpers import ROOT, load_by_path

HOOKS = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "hooks").glob("*.py"))


@pytest.mark.parametrize("hook", HOOKS)
def test_the_examples_in_a_hook_run(hook):
    module = load_by_path(hook)
    failed, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert failed == 0, f"{hook}: {failed} docstring example(s) failed (run: python -m doctest -v {hook})"


def test_the_hooks_have_examples_to_run():
    attempted = sum(doctest.testmod(load_by_path(hook), verbose=False).attempted for hook in HOOKS)
    assert attempted >= 3  # with_narrow_sources, notebook_uri and more: a collection that finds none fails
