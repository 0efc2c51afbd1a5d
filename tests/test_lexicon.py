"""Word lists, `speaker:` and `alone:` as a pack author writes them in YAML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import engine
from engine import loader
from engine.errors import PackError

MINI = Path(__file__).resolve().parent / "packs" / "mini"


def mini_copy(tmp_path: Path, manifest_extra: str = "", no_time_patterns: str = "") -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    root = tmp_path / "mini" / "rules" / "mini"
    manifest = root / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + manifest_extra, encoding="utf-8")
    if no_time_patterns:
        objections = root / "objections.yaml"
        text = objections.read_text(encoding="utf-8")
        old = '        zh-CN: [没时间, 太忙, "抽不出{空,时间}", 忙…没空, {text: 忙, weight: 0.3}]'
        assert old in text
        text = text.replace(old, no_time_patterns)
        # the first entry is no_time: it describes the speaker's own situation
        text = text.replace("    detect:\n", "    detect:\n      speaker: self\n", 1)
        objections.write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(PackError) as error:
        engine.load_pack(root, backend="python")
    return [p.message for p in error.value.problems]


def test_word_lists_speaker_and_alone_work_from_yaml(tmp_path: Path):
    root = mini_copy(
        tmp_path,
        "lexicon:\n  busy_words: {zh-CN: [太忙, 忙死了, 脚不沾地]}\n",
        '        zh-CN: [没时间, "{@busy_words}", {text: 改天再说, alone: true}]')
    text = (root / "pack.yaml").read_text(encoding="utf-8")
    text = text.replace("detection:\n", "detection:\n  speaker: {others: {zh-CN: [老公]}, "
                        "self: {zh-CN: [我]}}\n", 1) if "detection:\n" in text else \
        text + "detection:\n  speaker: {others: {zh-CN: [老公]}, self: {zh-CN: [我]}}\n"
    (root / "pack.yaml").write_text(text, encoding="utf-8")
    pack = engine.load_pack(root, backend="python")
    ids = lambda text: [h.objection for h in pack.detect(text)]  # noqa: E731
    assert ids("最近脚不沾地") == ["no_time"]
    assert ids("老公脚不沾地") == []                 # someone else's situation
    assert ids("改天再说吧") == ["no_time"]           # alone: heard when nothing else is
    assert ids("风险太大,改天再说") == ["too_risky"]  # ... and not beside another entry


def test_an_oversized_word_list_is_an_error_at_its_word(tmp_path: Path):
    words = ", ".join(f'"{{a,b}}{{c,d}}{{e,f}}{i}"' for i in range(80))  # 8 strings each
    root = mini_copy(tmp_path, f"lexicon:\n  huge: {{zh-CN: [{words}]}}\n")
    messages = problems_of(root)
    assert any("word list 'huge' stands for more than 512 strings" in m for m in messages)


def test_the_pack_wide_string_budget_is_an_error_not_a_hang(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loader, "MAX_PACK_STRINGS", 50)
    words = ", ".join(f"词{i}" for i in range(40))
    root = mini_copy(tmp_path, f"lexicon:\n  many: {{zh-CN: [{words}]}}\n",
                     '        zh-CN: ["{@many}", "{@many}忙"]')
    messages = problems_of(root)
    assert any("stand for more than 50 strings" in m for m in messages)
