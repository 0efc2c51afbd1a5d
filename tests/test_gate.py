"""Stage gates: every example deal gets its expected decision; generated deals obey the
rules a sales manager relies on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.cli import main as cli

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

ROOT = Path(__file__).resolve().parent.parent
DEALS = sorted((ROOT / "examples" / "deals").glob("*/*.yaml"))
PACKS: dict[str, engine.Pack] = {}


def pack(name: str) -> engine.Pack:
    if name not in PACKS:
        PACKS[name] = engine.load_pack(name)
    return PACKS[name]


@pytest.mark.parametrize("path", DEALS, ids=[f"{p.parent.name}/{p.stem}" for p in DEALS])
def test_example_deal(path: Path):
    deal = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = pack(path.parent.name).gate(deal["facts"], now=deal.get("now"),
                                         pipeline=deal.get("pipeline"))
    expect = deal["expect"]
    assert result["decision"] == expect["decision"], result["reason"]
    assert result["stage"] == expect["stage"]
    if "next_stage" in expect:
        assert result["next_stage"] == expect["next_stage"]
    if "unmet" in expect:
        assert sorted(c["criterion"] for c in result["unmet"]) == sorted(expect["unmet"])
    if "unknown" in expect:
        assert sorted(c["criterion"] for c in result["unknown"]) == sorted(expect["unknown"])


def test_every_pipeline_reaches_every_decision_in_its_examples():
    seen: dict[str, set[str]] = {}
    for path in DEALS:
        deal = yaml.safe_load(path.read_text(encoding="utf-8"))
        seen.setdefault(path.parent.name, set()).add(deal["expect"]["decision"])
    for name, decisions in seen.items():
        assert decisions == {"advance", "hold", "terminate", "escalate"}, name


def test_unknown_fact_is_a_question_not_false():
    result = pack("new_customer").gate({"deal.stage": "identify_target"}, now="2026-11-26")
    assert result["decision"] == "hold"
    assert result["unknown"]
    assert all("question" in c and c["missing"] for c in result["unknown"])


def test_override_is_recorded():
    deal = {"deal.stage": "identify_target"}
    result = pack("new_customer").gate(deal, now="2026-11-26", override={
        "decision": "advance", "by": "sales manager Li", "reason": "met the buyer in person"})
    assert result["decision"] == "advance"
    assert result["override"]["original_decision"] == "hold"
    assert result["override"]["by"] == "sales manager Li"
    with pytest.raises(engine.InputError):
        pack("new_customer").gate(deal, override={"decision": "advance", "by": "x"})


def test_skipping_a_stage_is_refused():
    model = pack("key_account").model
    pipeline = model.pipelines[0]
    first, third = pipeline.stages[0].id, pipeline.stages[2].id
    result = pack("key_account").gate({pipeline.stage_fact: first}, now="2026-11-26",
                                      move_to=third)
    assert result["move"]["allowed"] is False
    assert "skipping" in result["move"]["reason"]
    assert result["decision"] != "advance"


def test_gate_cli_text_and_json(capsys: pytest.CaptureFixture[str]):
    path = next(p for p in DEALS if p.parent.name == "new_customer")
    assert cli(["gate", "new_customer", str(path)]) == 0
    text = capsys.readouterr().out
    assert "decision:" in text and any(mark in text for mark in "✓✗?")
    assert cli(["gate", "new_customer", str(path), "--format", "json"]) == 0
    import json
    data = json.loads(capsys.readouterr().out)
    assert {"decision", "stage", "next_stage", "criteria", "unmet", "unknown", "pack",
            "version", "approvals"} <= set(data)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph(capsys: pytest.CaptureFixture[str], fmt: str):
    assert cli(["graph", "key_account", "--format", fmt]) == 0
    out = capsys.readouterr().out
    model = pack("key_account").model
    for stage in model.pipelines[0].stages:
        assert stage.id in out
    assert out.startswith("flowchart LR" if fmt == "mermaid" else "digraph")


# properties over generated deals -----------------------------------------------------

def _value(spec: Any) -> st.SearchStrategy[Any]:
    if spec.kind == "enum":
        return st.sampled_from(spec.enum)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind in ("number", "integer"):
        return st.integers(-5, 200)
    if spec.kind == "date":
        return st.dates(dt.date(2026, 1, 1), dt.date(2026, 11, 26)).map(dt.date.isoformat)
    return st.sampled_from(["x", "客户"])


@st.composite
def deals(draw: st.DrawFn, name: str) -> tuple[str, dict[str, Any]]:
    model = pack(name).model
    pipeline = model.pipelines[0]
    stage = draw(st.sampled_from(pipeline.stages))
    facts: dict[str, Any] = {pipeline.stage_fact: stage.id}
    for spec in model.facts.specs.values():
        if spec.path == pipeline.stage_fact or spec.path.endswith(".days_ago"):
            continue
        if draw(st.integers(0, 3)):
            facts[spec.path] = draw(_value(spec))
    return stage.id, facts


GATE_PACKS = ["new_customer", "key_account", "order_review", "agent_onboarding",
              "real_estate_touchpoints", "complaints", "brokerage"]


@pytest.mark.parametrize("name", GATE_PACKS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_gate_properties(name: str, data: st.DataObject):
    stage_id, facts = data.draw(deals(name))
    gate = pack(name).gate(facts, now="2026-11-26")
    again = pack(name).gate(facts, now="2026-11-26")
    assert gate == again  # same input, same now: same result
    crits = {c["criterion"]: c for c in gate["criteria"]}
    terminated = [c for c in gate["criteria"] if c["kind"] == "terminate" and c["status"] == "met"]
    required = [c for c in gate["criteria"] if c["kind"] == "exit" and c["required"]]
    if terminated:
        assert gate["decision"] == "terminate"
    if any(c["status"] == "unknown" for c in required):
        assert gate["decision"] != "advance"
    approvals = gate["approvals"]
    if (not terminated and all(c["status"] == "met" for c in required)
            and not gate["overdue"] and (approvals is None or all(
                s == "approved" for s in approvals["parties"].values()))):
        assert gate["decision"] == "advance"
    assert gate["stage"] == stage_id
    assert set(crits) >= {c["criterion"] for c in gate["unmet"]}


@pytest.mark.parametrize("name", ["new_customer", "order_review"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_both_backends_gate_alike(name: str, data: st.DataObject):
    _stage, facts = data.draw(deals(name))
    if ("python", name) not in PYTHON:
        PYTHON[("python", name)] = engine.load_pack(name, backend="python")
    assert pack(name).gate(facts, now="2026-11-26") == \
        PYTHON[("python", name)].gate(facts, now="2026-11-26")


PYTHON: dict[tuple[str, str], engine.Pack] = {}


def test_override_keeps_the_result_consistent():
    deal_path = next(p for p in DEALS if p.parent.name == "new_customer"
                     and "escalate" in p.stem)
    deal = yaml.safe_load(deal_path.read_text(encoding="utf-8"))
    gate = pack("new_customer").gate(deal["facts"], now=deal.get("now"))
    assert gate["decision"] == "escalate" and gate["escalate_to"]
    overridden = pack("new_customer").gate(deal["facts"], now=deal.get("now"), override={
        "decision": "hold", "by": "director", "reason": "customer asked for a pause"})
    assert overridden["decision"] == "hold"
    assert overridden["escalate_to"] is None
    assert overridden["override"]["original_decision"] == "escalate"


def test_bad_override_and_locale_are_input_errors():
    with pytest.raises(engine.InputError):
        pack("new_customer").gate({"deal.stage": "identify_target"}, override="advance")
    with pytest.raises(engine.InputError):
        pack("new_customer").gate({"deal.stage": "identify_target"}, locale=["x"])
    with pytest.raises(engine.InputError):
        pack("new_customer").gate(["not", "a", "deal"])  # type: ignore[arg-type]
