"""The durable_rules wrapper: isolation between packs, empty results, surfaced errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import engine
from engine.conditions import Compare
from engine.durable_backend import DurableMatcher
from engine.factvalues import FactSpec, FactTable
from engine.matcher import RuleBook
from engine.model import NOWHERE

FACTS = FactTable({"c.kind": FactSpec("c.kind", "enum", ("a", "b"))})


def copy_pack(mini_path: Path, tmp_path: Path, version: str, reply_text: str) -> Path:
    root = tmp_path / version
    shutil.copytree(mini_path.parent.parent, root)
    manifest = root / "rules" / "mini" / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "version: 0.1.0", f"version: {version}"), encoding="utf-8")
    (root / "responses" / "mini" / "zh-CN" / "no_time.b.j2").write_text(reply_text,
                                                                       encoding="utf-8")
    return root / "rules" / "mini"


def test_two_versions_of_a_pack_answer_side_by_side(mini_path: Path, tmp_path: Path):
    old = engine.load_pack(copy_pack(mini_path, tmp_path, "1.0.0", "旧版回复"))
    new = engine.load_pack(copy_pack(mini_path, tmp_path, "2.0.0", "新版回复"))
    for _ in range(3):
        a = old.session("x").turn(utterance="太忙了").to_dict()
        b = new.session("x").turn(utterance="太忙了").to_dict()
        assert a["replies"][0]["text"] == "旧版回复"
        assert b["replies"][0]["text"] == "新版回复"


def test_the_same_pack_loaded_twice_does_not_collide(mini_path: Path):
    first, second = engine.load_pack(mini_path), engine.load_pack(mini_path)
    assert first.session("a").turn(utterance="太忙").to_dict()["replies"] == \
        second.session("a").turn(utterance="太忙").to_dict()["replies"]


def test_no_match_is_an_empty_result():
    book = RuleBook()
    book.add("key", "r", Compare("c.kind", "eq", "a"), NOWHERE)
    matcher = DurableMatcher(book, FACTS, "t", "1")
    try:
        assert matcher.matching("key", {"c.kind": "b"}) == frozenset()
        assert matcher.matching("key", {}) == frozenset()
        assert matcher.matching("no-such-key", {"c.kind": "a"}) == frozenset()
        assert matcher.matching("key", {"c.kind": "a"}) == {"r"}
    finally:
        matcher.close()


def test_engine_errors_surface_as_matcher_errors(monkeypatch: pytest.MonkeyPatch):
    book = RuleBook()
    book.add("key", "r", Compare("c.kind", "eq", "a"), NOWHERE)
    matcher = DurableMatcher(book, FACTS, "t", "1")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise Exception("Could not assert fact, error code: 101")  # what durable raises

    monkeypatch.setattr(matcher._host, "assert_fact", broken)
    with pytest.raises(engine.MatcherError) as error:
        matcher.matching("key", {"c.kind": "a"})
    assert "key" in str(error.value)
    matcher.close()


def test_rules_are_sharded_below_the_native_limits():
    book = RuleBook()
    for i in range(3000):
        book.add(f"k{i % 600}", f"r{i}", Compare("c.kind", "eq", "a" if i % 2 else "b"),
                 NOWHERE)
    matcher = DurableMatcher(book, FACTS, "shard", "1")
    try:
        assert matcher.shard_count >= 3  # ≤1,024 rules and ≤256 literals of a property each
        assert matcher.matching("k7", {"c.kind": "a"}) == {f"r{i}" for i in range(3000)
                                                          if i % 600 == 7 and i % 2}
    finally:
        matcher.close()
