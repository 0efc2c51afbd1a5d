"""Malformed packs that once crashed validate: each is a located problem, not a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pack import validate_pack

MINI = Path(__file__).resolve().parent / "packs" / "mini"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("when: {deal.budget: {gt: 0}}", "when: {deal.budget: {gt: x}}", "deal.budget"),
    ("when: {deal.need: true}", "when: {deal.need: {in: [true, [false]]}}", "deal.need"),
    ("approvals: {parties: [finance, legal]}", "approvals: {parties: 5}",
     "approvals need a list of parties"),
    ("approvals: {parties: [finance, legal]}", "approvals: {parties: [finance, Legal]}",
     "approval party 'Legal' must be snake_case"),
])
def test_malformed_pipeline_is_a_located_problem(tmp_path: Path, old: str, new: str,
                                                 expected: str) -> None:
    shutil.copytree(MINI, tmp_path / "mini")
    pipeline = tmp_path / "mini" / "rules" / "mini" / "pipeline.yaml"
    text = pipeline.read_text(encoding="utf-8")
    assert old in text
    pipeline.write_text(text.replace(old, new), encoding="utf-8")
    problems = validate_pack(tmp_path / "mini" / "rules" / "mini")
    assert problems, "the mistake must be reported"
    located = [p for p in problems if p.position.line and expected in str(p)]
    assert located, [str(p) for p in problems]


def test_a_title_missing_several_locales_names_each(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "mini")
    manifest = tmp_path / "mini" / "rules" / "mini" / "pack.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("locales: [zh-CN, en]", "locales: [zh-CN, en, fr, de]", 1)
    manifest.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_pack(tmp_path / "mini" / "rules" / "mini")]
    title = [p for p in problems if "'title' has no" in p and "pack.yaml:3:" in p]
    assert any("has no fr text" in p for p in title), problems
    assert any("has no de text" in p for p in title), problems
