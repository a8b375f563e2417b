"""What hooks/build_cache.py keeps between builds: the memo behind the hooks' own caches (what it
keeps, what it drops) and the compiled Jinja templates."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import DictLoader, Environment
from mkdocs.exceptions import PluginError

from helpers import load_by_path

build_cache = load_by_path("hooks/build_cache.py")


@pytest.fixture
def memo_file(tmp_path, monkeypatch):
    monkeypatch.delenv(build_cache.SWITCH, raising=False)
    return tmp_path / "cache" / "memo.json"


def test_a_saved_result_is_found_by_the_next_build(memo_file):
    memo = build_cache.JsonMemo(memo_file, salt="v1")
    key = memo.key("page text")
    assert memo.get(key) is None and memo.misses == 1
    memo.put(key, {"html": "<p>converted</p>"})
    memo.save()
    again = build_cache.JsonMemo(memo_file, salt="v1")
    assert again.get(again.key("page text")) == {"html": "<p>converted</p>"}
    assert (again.hits, again.misses) == (1, 0)
    assert again.summary() == "1 of 1"


def test_the_salt_and_every_input_are_part_of_the_key(memo_file):
    memo = build_cache.JsonMemo(memo_file, salt="v1")
    keys = {memo.key("a", "b"), memo.key("a", "c"), memo.key("ab"), memo.key("a", "b", ""),
            build_cache.JsonMemo(memo_file, salt="v2").key("a", "b")}
    assert len(keys) == 5


def test_entries_not_used_by_a_build_are_dropped(memo_file):
    memo = build_cache.JsonMemo(memo_file, salt="s")
    memo.put(memo.key("kept"), 1)
    memo.put(memo.key("dropped"), 2)
    memo.save()
    second = build_cache.JsonMemo(memo_file, salt="s")
    assert second.get(second.key("kept")) == 1
    second.save()
    third = build_cache.JsonMemo(memo_file, salt="s")
    assert third.get(third.key("kept")) == 1 and third.get(third.key("dropped")) is None


def test_a_build_of_one_page_keeps_the_entries_it_did_not_use(memo_file, monkeypatch):
    memo = build_cache.JsonMemo(memo_file, salt="s")
    memo.put(memo.key("other page"), 1)
    memo.save()
    monkeypatch.setattr(build_cache, "keep_unused_entries", True)
    one_page = build_cache.JsonMemo(memo_file, salt="s")
    one_page.put(one_page.key("edited page"), 2)
    one_page.save()
    after = build_cache.JsonMemo(memo_file, salt="s")
    assert after.get(after.key("other page")) == 1 and after.get(after.key("edited page")) == 2


def test_a_damaged_file_starts_an_empty_memo(memo_file):
    memo_file.parent.mkdir(parents=True)
    memo_file.write_text('{"cut short', encoding="utf-8")
    memo = build_cache.JsonMemo(memo_file, salt="s")
    assert memo.get(memo.key("anything")) is None
    memo.put(memo.key("anything"), "value")
    memo.save()
    assert json.loads(memo_file.read_text(encoding="utf-8")) == {memo.key("anything"): "value"}
    assert [path.name for path in memo_file.parent.iterdir()] == ["memo.json"]  # no temporary left


@pytest.mark.parametrize("value", ["off", "0", "false", "No", " OFF "])
def test_switched_off_it_neither_reads_nor_writes(memo_file, monkeypatch, value):
    memo = build_cache.JsonMemo(memo_file, salt="s")
    memo.put(memo.key("x"), 1)
    memo.save()
    monkeypatch.setenv(build_cache.SWITCH, value)
    off = build_cache.JsonMemo(memo_file, salt="s")
    assert off.get(off.key("x")) is None
    off.put(off.key("y"), 2)
    off.save()
    monkeypatch.delenv(build_cache.SWITCH)
    on = build_cache.JsonMemo(memo_file, salt="s")
    assert on.get(on.key("x")) == 1 and on.get(on.key("y")) is None


@pytest.mark.parametrize("value", ["", "on", "1", "true", "YES"])
def test_caching_is_on_unless_switched_off(monkeypatch, value):
    monkeypatch.setenv(build_cache.SWITCH, value)
    assert build_cache.caching_enabled()


def test_an_unknown_switch_value_is_an_error_naming_the_variable_and_the_values(monkeypatch):
    monkeypatch.setenv(build_cache.SWITCH, "disabled")
    with pytest.raises(PluginError, match=r"COURSE_BUILD_CACHE must be 1 or 0 \(also true/false, yes/no, "
                                          r"on/off\), got 'disabled'"):
        build_cache.caching_enabled()


def test_the_salt_follows_the_hook_source_and_the_library_versions(tmp_path):
    hook = tmp_path / "hook.py"
    hook.write_text("A = 1\n")
    before = build_cache.file_salt(str(hook), ("jinja2",))
    assert before != build_cache.file_salt(str(hook), ("jinja2", "mkdocs"))
    hook.write_text("A = 2\n")
    assert before != build_cache.file_salt(str(hook), ("jinja2",))


def test_get_or_make_makes_a_result_once_and_keeps_it(memo_file):
    calls = []
    memo = build_cache.JsonMemo(memo_file, salt="s")
    make = lambda: calls.append(1) or "made"
    assert memo.get_or_make(memo.key("x"), make) == "made"
    assert memo.get_or_make(memo.key("x"), make) == "made"
    memo.save()
    again = build_cache.JsonMemo(memo_file, salt="s")
    assert again.get_or_make(again.key("x"), make) == "made"
    assert len(calls) == 1 and (again.hits, again.misses) == (1, 0)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv(build_cache.SWITCH, raising=False)
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    return SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), plugins={})


def test_the_theme_templates_compile_once_into_a_folder_named_after_the_versions(project):
    environment = build_cache.on_env(Environment(loader=DictLoader({"page.html": "{{ 1 + 1 }}"})), project, None)
    assert environment.get_template("page.html").render() == "2"
    folder = Path(project.config_file_path).parent / ".cache" / "jinja"
    assert [path.parent.parent.name for path in folder.glob("*/theme/__jinja2_*.cache")] == [
        build_cache.versions_digest(build_cache.JINJA_PACKAGES)
    ]


def test_switched_off_no_template_is_stored(project, monkeypatch):
    monkeypatch.setenv(build_cache.SWITCH, "off")
    environment = build_cache.on_env(Environment(loader=DictLoader({"page.html": "x"})), project, None)
    assert environment.get_template("page.html").render() == "x" and environment.bytecode_cache is None
    assert not (Path(project.config_file_path).parent / ".cache").exists()


def test_templates_compiled_by_other_versions_are_deleted(project):
    jinja = Path(project.config_file_path).parent / ".cache" / "jinja"
    current = jinja / build_cache.versions_digest(build_cache.JINJA_PACKAGES) / "theme"
    older = jinja / "0123456789abcdef" / "theme"
    for folder in (current, older):
        folder.mkdir(parents=True)
        (folder / "__jinja2_x.cache").write_bytes(b"compiled")
    build_cache.on_config(project)
    assert (current / "__jinja2_x.cache").exists() and not older.parent.exists()
