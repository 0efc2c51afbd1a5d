"""Packs with equal patterns share one compiled detector, and only while one is alive."""

from __future__ import annotations

import gc
import shutil
import weakref
from dataclasses import fields, replace
from pathlib import Path

import engine
from engine.model import Detection
from engine.shared_detector import shared_detector


def mini_with(phrase: str, mini_path: Path, tmp_path: Path) -> Path:
    """A copy of the mini pack (rules and responses) with one more no_time phrase."""
    root = tmp_path / "copy"
    shutil.copytree(mini_path.parent.parent, root)  # packs/mini: rules/ and responses/
    pack = root / "rules" / mini_path.name
    objections = pack / "objections.yaml"
    text = objections.read_text("utf-8")
    assert "zh-CN: [没时间, " in text
    objections.write_text(text.replace("zh-CN: [没时间, ", f"zh-CN: [没时间, {phrase}, ", 1),
                          "utf-8")
    return pack


def test_a_pack_loaded_again_reuses_the_detector_of_the_live_one(mini_path: Path):
    first = engine.load_pack(mini_path, backend="python")
    again = engine.load_pack(mini_path, backend="durable")
    assert again.detector is first.detector


def test_an_equal_pack_in_another_folder_shares_the_detector(mini_path: Path,
                                                            tmp_path: Path):
    first = engine.load_pack(mini_path, backend="python")
    shutil.copytree(mini_path.parent.parent, tmp_path / "copy")
    copy = engine.load_pack(tmp_path / "copy" / "rules" / mini_path.name, backend="python")
    assert copy.detector is first.detector


# a value other than the default for every field of Detection: a field added later without
# one here fails the test below, so the sharing key cannot silently miss it
_OTHER_SETTING = {"threshold": 0.7, "negation_window": 5,
                  "negation_cues": {"en": ("nope",)},
                  "speaker_words": {"self": {"en": ("me",)}}}


def test_every_detection_setting_tells_detectors_apart(mini_path: Path):
    objections = engine.load_pack(mini_path, backend="python").model.objections
    base = shared_detector(objections, Detection())
    for field in fields(Detection):
        changed = replace(Detection(), **{field.name: _OTHER_SETTING[field.name]})
        assert shared_detector(objections, changed) is not base, field.name
    assert shared_detector(objections, Detection()) is base


def test_a_pack_with_other_patterns_gets_its_own_detector(mini_path: Path, tmp_path: Path):
    first = engine.load_pack(mini_path, backend="python")
    copy = mini_with("一个新的说法", mini_path, tmp_path)
    changed = engine.load_pack(copy, backend="python")
    assert changed.detector is not first.detector
    assert changed.detect("一个新的说法") and not first.detect("一个新的说法")


def test_the_detector_is_freed_with_the_last_pack_that_uses_it(mini_path: Path,
                                                               tmp_path: Path):
    copy = mini_with("只在这个测试里", mini_path, tmp_path)  # a pack no other test holds
    packs = [engine.load_pack(copy, backend="python") for _ in range(2)]
    detector = weakref.ref(packs[0].detector)
    del packs
    gc.collect()
    assert detector() is None
