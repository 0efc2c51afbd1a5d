"""The Session API as a CRM uses it: turns, variants, escalation, snapshots, threads."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import engine

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector


@pytest.fixture(scope="module", params=["durable", "python"])
def brokerage(request: pytest.FixtureRequest) -> engine.Pack:
    return engine.load_pack("brokerage", backend=request.param)


def test_three_lines_give_a_recommendation(brokerage: engine.Pack):
    session = brokerage.session("c-42", facts={"customer.type": "business_owner"})
    rec = session.turn(utterance="我最近太忙了").to_dict()
    assert [o["id"] for o in rec["objections"]] == ["no_time"]
    assert rec["objections"][0]["evidence"]
    assert rec["replies"][0]["objection"] == "no_time"
    assert rec["replies"][0]["text"]
    assert rec["actions"] and all(a["because"] == "no_time" for a in rec["actions"])
    assert json.loads(json.dumps(rec)) == rec  # plain JSON


def test_first_raise_repeat_then_escalation(brokerage: engine.Pack):
    session = brokerage.session("c-1", facts={"customer.type": "individual"})
    replies = [session.turn(utterance=u).to_dict()["replies"][0]
               for u in ("我没兴趣", "真的没兴趣", "说了没兴趣")]
    assert replies[0]["reply"] != replies[1]["reply"]
    assert not replies[0].get("escalated") and not replies[1].get("escalated")
    assert replies[2].get("escalated") is True
    assert replies[2]["reply"] == "escalate.manager_meeting"


def test_locale_en(brokerage: engine.Pack):
    session = brokerage.session("c-2", locale="en")
    rec = session.turn(utterance="I need to talk it over with my wife").to_dict()
    assert rec["objections"][0]["id"] == "ask_spouse"
    assert rec["replies"][0]["locale"] == "en"
    assert rec["replies"][0]["text"].isascii()


def test_snapshot_restore_continues_the_same_way(brokerage: engine.Pack):
    live = brokerage.session("c-3", facts={"customer.type": "retiree"})
    live.turn(utterance="钱放银行比较安全")
    snapshot = json.loads(json.dumps(live.snapshot()))
    restored = brokerage.restore(snapshot)
    a = live.turn(utterance="我还是觉得存银行稳妥").to_dict()
    b = restored.turn(utterance="我还是觉得存银行稳妥").to_dict()
    assert a == b


def test_bad_facts_are_warnings_not_failures(brokerage: engine.Pack):
    session = brokerage.session("c-4")
    rec = session.turn(utterance="太忙了", facts={"customer.typo": 1, "customer.type": "alien",
                                                "customer.capital": "lots"}).to_dict()
    codes = {w["code"] for w in rec["warnings"]}
    assert codes == {"unknown_fact", "bad_fact"}
    assert any("customer.type" in w["message"] for w in rec["warnings"])
    assert rec["objections"]


def test_unknown_pack_suggests_the_nearest_name():
    with pytest.raises(engine.PackNotFoundError) as error:
        engine.load_pack("brokerge")
    assert "brokerage" in str(error.value)


def test_one_shot_recommend(brokerage: engine.Pack):
    rec = brokerage.recommend({"utterance": "我要和老婆商量一下", "facts": {}})
    assert rec["objections"][0]["id"] == "ask_spouse"


def test_threads_give_the_same_results_as_sequential(brokerage: engine.Pack):
    script = ["我最近太忙了", "风险太大了吧", "我要和太太商量", "能保证赚钱吗", "手续费怎么算",
              "好的谢谢", "我再考虑考虑"]

    def run(n: int) -> list[dict]:
        session = brokerage.session(f"t-{n}", facts={"customer.type": "business_owner"})
        return [session.turn(utterance=u, now="2026-11-26").to_dict() for u in script]

    def scrub(recs: list[dict]) -> list[dict]:
        return [{**r, "session": ""} for r in recs]

    expected = scrub(run(0))
    barrier = threading.Barrier(8)

    def worker(n: int) -> list[dict]:
        barrier.wait()
        return scrub(run(n))

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert all(r == expected for r in results)


def test_gate_rides_along_with_the_conversation(brokerage: engine.Pack):
    session = brokerage.session("c-5", facts={"stage": "phone_contact"})
    rec = session.turn(utterance="", now="2026-11-26").to_dict()
    assert rec["gate"]["pipeline"] == "brokerage_development"
    assert rec["gate"]["stage"] == "phone_contact"
    assert rec["gate"]["decision"] == "hold"  # nothing is known yet about this customer
    assert rec["gate"]["unknown"] and all(c.get("question") for c in rec["gate"]["unknown"])


def test_compliance_guard_tells_claims_from_disclaimers():
    from engine.compliance import ComplianceGuard
    from engine.model import Compliance, Detection

    guard = ComplianceGuard(
        Compliance(forbid={"zh-CN": ("保证收益", "稳赚"), "en": ("guaranteed return",)}),
        Detection(0.5, 3, {"zh-CN": ("不是",), "en": ("not",)}))
    assert guard.claims("我们保证收益") == ["保证收益"]
    assert guard.claims("这是稳赚的") == ["稳赚"]
    assert guard.claims("We offer a guaranteed return") == ["guaranteed return"]
    for disclaimer in ("没有人能保证收益", "我们不能向您保证收益", "这不是稳赚的",
                       "No one can promise a guaranteed return"):
        assert guard.claims(disclaimer) == [], disclaimer


def test_a_failed_turn_changes_nothing(monkeypatch: pytest.MonkeyPatch):
    pack = engine.load_pack("brokerage", backend="python")
    session = pack.session("atomic")
    session.turn(utterance="我没兴趣")
    before = session.snapshot()

    def broken(*_args: object, **_kwargs: object) -> frozenset[str]:
        raise engine.MatcherError("matcher down")

    monkeypatch.setattr(pack.matcher, "matching", broken)
    with pytest.raises(engine.MatcherError):
        session.turn(utterance="真的没兴趣", facts={"customer.type": "retiree"})
    assert session.snapshot() == before


def test_session_state_stays_small_however_long_the_conversation(mini_path):
    pack = engine.load_pack(mini_path, backend="python")  # too_risky never escalates
    session = pack.session("long")
    for _ in range(500):
        session.turn(utterance="这个风险太大了")
    snapshot = session.snapshot()
    assert snapshot["raised"]["too_risky"] == 500
    assert snapshot["served"]["too_risky"] == ["too_risky.a"]
