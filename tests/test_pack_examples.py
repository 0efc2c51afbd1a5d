"""Every shipped pack validates, and every example written inside a pack holds."""

from __future__ import annotations

import pytest

import engine
from engine.pack import load_model

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

PACKS = engine.shipped_packs()


def test_the_shipped_packs_are_found_by_name():
    assert {"brokerage", "new_customer", "key_account", "order_review", "agent_onboarding",
            "real_estate_touchpoints", "complaints"} <= set(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_shipped_pack_validates(name: str):
    assert engine.validate_pack(name) == []


def _cases() -> list[tuple[str, str, str, str]]:
    out = []
    for name in PACKS:
        model, _ = load_model(name)
        for objection in model.objections:
            for locale, texts in objection.examples.items():
                out.extend((name, objection.id, locale, t) for t in texts)
        for locale, texts in model.match_nothing.items():
            out.extend((name, "", locale, t) for t in texts)
    return out


CASES = _cases()
DETECTORS = {name: engine.load_pack(name, backend="python") for name in PACKS}


@pytest.mark.parametrize(("pack", "entry", "locale", "text"), CASES,
                         ids=[f"{c[0]}:{c[1] or 'nothing'}:{i}" for i, c in enumerate(CASES)])
def test_pack_example(pack: str, entry: str, locale: str, text: str):
    found = [hit.objection for hit in DETECTORS[pack].detect(text)]
    if entry:
        assert found == [entry], f"{text!r} should detect exactly {entry}, got {found}"
    else:
        assert found == [], f"{text!r} should detect nothing, got {found}"


def test_brokerage_examples_are_plentiful():
    model, _ = load_model("brokerage")
    assert len(model.objections) == 32
    for objection in model.objections:
        assert len(objection.examples.get("zh-CN", ())) >= 5, objection.id
        assert len(objection.examples.get("en", ())) >= 3, objection.id
