"""Training simulations: scenarios, scoring, the simulate command, Monte Carlo, the funnel."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import pytest
from cli_run import run_cli

import engine
from engine.simulate import pack_for, read_answers

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "examples" / "scenarios"
SHIPPED = ["busy_owner", "cautious_retiree", "burned_client", "spouse_decides",
           "key_account_tender", "order_review_refusal"]


# the shipped scenarios -------------------------------------------------------------------

@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_passes_with_the_engines_own_answers(name: str):
    result = engine.run_scenario(engine.load_scenario(SCENARIOS / f"{name}.yaml"), "auto")
    assert result.passed, result.to_dict()
    assert len(result.turns) >= 3
    assert not result.failed_turns


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_fails_with_poor_answers(name: str):
    answers = read_answers(SCENARIOS / "poor_answers" / f"{name}.txt")
    scenario = engine.load_scenario(SCENARIOS / f"{name}.yaml")
    assert len(answers) == len(scenario.turns)
    result = engine.run_scenario(scenario, answers)
    assert not result.passed
    assert result.score is not None and result.score < 50


def test_cli_auto_and_answers_exit_codes():
    code, text = run_cli("simulate", str(SCENARIOS / "busy_owner.yaml"), "--auto")
    assert code == 0 and "PASSED" in text and "recommended (no_time.c)" in text
    code, text = run_cli("simulate", str(SCENARIOS / "busy_owner.yaml"), "--answers",
                         str(SCENARIOS / "poor_answers" / "busy_owner.txt"))
    assert code == 1 and "FAILED" in text
    assert "forbidden claim '稳赚'" in text  # the compliance failure is named
    assert "missed: 十分钟, 包括风险, 这周哪天" in text  # and the key points missed


# scoring ---------------------------------------------------------------------------------

def test_score_answer_key_points_next_step_and_compliance():
    pack = pack_for(engine.load_scenario(SCENARIOS / "busy_owner.yaml"))
    facts = {"customer.type": "business_owner"}
    busy = "我最近太忙了"
    good = engine.score_answer(pack, busy, "理解您忙。约个十分钟,包括风险都讲清楚,这周哪天方便?",
                               facts=facts)
    assert good.score == 100.0 and not good.failed and good.reply == "no_time.c"
    partial = engine.score_answer(pack, busy, "理解,那我这周哪天再给您打电话?", facts=facts)
    assert partial.missed == ["十分钟", "包括风险"] and "schedule_callback" in partial.proposed
    assert 0 < partial.score < 100
    bad = engine.score_answer(pack, busy, "十分钟就好,这周哪天都行,包括风险都没有,保证收益",
                              facts=facts)
    assert bad.failed and bad.score == 0.0
    assert any("保证收益" in v for v in bad.violations)
    # a disclaimer is not a claim: the guard's negation rule applies to trainees too
    fine = engine.score_answer(pack, "这个风险太大了吧",
                               "这不是保本的产品,有杠杆,亏损可能超过投入的资金")
    assert not fine.failed


def test_scoring_is_deterministic_and_explains_itself():
    pack = pack_for(engine.load_scenario(SCENARIOS / "cautious_retiree.yaml"))
    args = (pack, "I'd rather keep my money in the bank", "Sure.")
    a = engine.score_answer(*args, facts={"customer.type": "retiree"}, locale="en")
    b = engine.score_answer(*args, facts={"customer.type": "retiree"}, locale="en")
    assert a.to_dict() == b.to_dict()
    assert a.reply == "bank_is_safer.c" and a.recommended.startswith("In retirement")
    assert any(line.startswith("✗ did not address") for line in a.feedback)
    assert any(line.startswith("recommended (bank_is_safer.c)") for line in a.feedback)


def test_gate_turn_expects_the_actions_of_unmet_criteria():
    scenario = engine.load_scenario(SCENARIOS / "key_account_tender.yaml")
    result = engine.run_scenario(scenario, ["我们会按时提交投标文件", "好的", "签订合同"])
    first, second, third = result.turns
    assert first.score.expected_actions == ["submit_bid", "follow_tender_result"]
    assert first.score.proposed == ["submit_bid"] and first.score.score == 60.0
    assert second.score.proposed == [] and third.score.proposed == ["sign_contract"]
    assert result.reached == ["tender", "negotiation"]


def test_refusing_department_expects_escalation_to_the_president():
    scenario = engine.load_scenario(SCENARIOS / "order_review_refusal.yaml")
    result = engine.run_scenario(scenario, "auto")
    assert result.turns[0].score.expected_actions == ["escalate:president"]
    assert result.turns[1].score.expected_actions == ["requote", "escalate:president"]


# scenario files --------------------------------------------------------------------------

def test_scenario_errors_carry_file_line_and_suggestions(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "pack: brokerage\n"
        "persona:\n"
        "  temperament: impatiant\n"
        "  objections:\n"
        "    - {id: no_tme, raise: 1.5}\n"
        "start: {stage: phone_contct}\n"
        "turns:\n"
        "  - say: 今天天气不错\n"
        "    expect: {objection: no_time}\n"
        "pass_scor: 70\n", encoding="utf-8")
    with pytest.raises(engine.ScenarioError) as caught:
        engine.load_scenario(bad)
    text = str(caught.value)
    assert f"{bad}:3:16: unknown temperament 'impatiant'" in text
    assert "(did you mean 'impatient'?)" in text
    assert f"{bad}:5:27: persona.objections[0].raise must be between 0 and 1, not 1.5" in text
    assert f"{bad}:10:1: unknown key 'pass_scor'" in text and "'pass_score'" in text
    code, _ = run_cli("simulate", str(bad), "--auto")
    assert code == 2


def test_scenario_checked_against_the_pack(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "pack: brokerage\n"
        "persona: {objections: [{id: no_tme}]}\n"
        "start: {stage: phone_contct}\n"
        "turns:\n"
        "  - say: 今天天气不错\n"
        "    expect: {objection: no_time}\n", encoding="utf-8")
    with pytest.raises(engine.ScenarioError) as caught:
        engine.load_scenario(bad)
    text = str(caught.value)
    assert "has no objection 'no_tme' (did you mean 'no_time'?)" in text
    assert "'phone_contct' is not a stage" in text and "'phone_contact'" in text
    assert f"{bad}:5:5: turns[0]: the pack does not detect 'no_time'" in text


# Monte Carlo and reports -----------------------------------------------------------------

def test_monte_carlo_reports_stages_endings_and_scores():
    scenario = engine.load_scenario(SCENARIOS / "busy_owner.yaml")
    result = engine.monte_carlo(scenario, runs=200, seed=11)
    stages = {row["stage"]: row["reached"] for row in result["stages"]}
    assert list(stages) == ["phone_contact", "visit", "follow_up", "account_opened"]
    assert stages["phone_contact"] == 200
    assert stages["phone_contact"] >= stages["visit"] >= stages["follow_up"] >= \
        stages["account_opened"] == result["completed"]
    assert sum(e["count"] for e in result["ended_by"]) + result["completed"] == 200
    assert {e["reason"] for e in result["ended_by"]} <= {"no_time", "too_risky",
                                                         "think_it_over", "ask_spouse",
                                                         "lost_interest", "max_turns"}
    assert sum(h["count"] for h in result["scores"]["histogram"]) == \
        result["scores"]["conversations"]
    poor = engine.monte_carlo(scenario, runs=200, seed=11, answers=["好的"] * 10)
    assert poor["completed"] < result["completed"]
    assert poor["scores"]["passed"] == 0


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_same_seed_same_bytes(fmt: str):
    path = str(SCENARIOS / "burned_client.yaml")
    runs = [run_cli("simulate", path, "--runs", "60", "--seed", "5", "--format", fmt)
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0][0] == 0
    single = [run_cli("simulate", path, "--auto", "--format", fmt) for _ in range(2)]
    assert single[0] == single[1]
    other = run_cli("simulate", path, "--runs", "60", "--seed", "6", "--format", fmt)
    assert other[1] != runs[0][1]


def test_persona_run_is_seeded():
    scenario = engine.load_scenario(SCENARIOS / "spouse_decides.yaml")
    generated = dataclasses.replace(scenario, turns=())
    a = engine.run_scenario(generated, "auto", seed=3).to_dict()
    b = engine.run_scenario(generated, "auto", seed=3).to_dict()
    assert a == b and a["kind"] == "persona" and a["turns"]
    pack = pack_for(scenario)
    examples = set(pack.model.objection("ask_spouse").examples["zh-CN"])
    assert a["turns"][0]["customer"] in examples


def test_html_report_is_self_contained():
    code, page = run_cli("simulate", str(SCENARIOS / "busy_owner.yaml"), "--auto",
                         "--format", "html")
    assert code == 0 and page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<rect" in page and "recommended" in page.lower()
    assert "src=" not in page and "href=" not in page and "<script" not in page
    code, page = run_cli("simulate", str(SCENARIOS / "busy_owner.yaml"), "--runs", "40",
                         "--format", "html")
    assert code == 0 and page.count("<svg") == 2


def test_json_result_is_storable():
    code, text = run_cli("simulate", str(SCENARIOS / "order_review_refusal.yaml"), "--auto",
                         "--format", "json")
    data = json.loads(text)
    assert code == 0 and data["format"] == "playbook-simulation/1" and data["passed"]
    assert [t["turn"] for t in data["turns"]] == [1, 2, 3]
    assert '"now"' not in text and "2026-" not in text  # no timestamps in results


# the seed's funnel -----------------------------------------------------------------------

def test_funnel_means_land_on_the_seed_figures():
    scenario = engine.load_scenario(SCENARIOS / "funnel.yaml")
    result = engine.simulate_funnel(scenario, months=10_000, seed=2026)
    means = {row["step"]: row["mean"] for row in result["steps"]}
    assert means["names"] == 248
    assert abs(means["ideal"] - 24.8) / 24.8 < 0.02
    assert abs(means["customer"] - 2.48) / 2.48 < 0.02
    share = result["fewer_than"]["share"]
    # Binomial(248, 0.01): P(X < 2) = 0.99^248 + 248 · 0.01 · 0.99^247 ≈ 0.290
    assert 0.27 < share < 0.31
    assert sum(v["months"] for v in result["distribution"]["values"]) == 10_000
    code, text = run_cli("simulate", str(SCENARIOS / "funnel.yaml"), "--runs", "500")
    assert code == 0 and "months with fewer than 2 (customer)" in text



def test_funnel_step_ids_must_be_distinct(tmp_path: Path):
    bad = tmp_path / "funnel.yaml"
    bad.write_text(
        "pack: brokerage\n"
        "funnel:\n"
        "  steps:\n"
        "    - {id: ideal, p: 0.1}\n"
        "    - {id: ideal, p: 0.5}\n"
        "    - {id: names, p: 0.5}\n", encoding="utf-8")
    with pytest.raises(engine.ScenarioError) as caught:
        engine.load_scenario(bad)
    text = str(caught.value)
    assert f"{bad}:5:12: funnel.steps[1]: step id 'ideal' is already used" in text
    assert f"{bad}:6:12: funnel.steps[2]: step id 'names' is reserved" in text
    bad.write_text("pack: brokerage\nfunnel:\n  steps:\n    - {id: [a], p: 0.1}\n",
                   encoding="utf-8")  # an id that is not text is an error, not a crash
    with pytest.raises(engine.ScenarioError) as caught:
        engine.load_scenario(bad)
    assert "funnel.steps[0].id must be an id" in str(caught.value)


def test_oversized_simulations_are_refused_before_they_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    huge = tmp_path / "huge.yaml"
    huge.write_text(
        "pack: brokerage\n"
        "funnel:\n"
        "  days: 366\n"
        "  names_per_day: 10000\n"
        "  months: 10000000\n"
        "  steps: [{id: ideal, p: 0.5}]\n", encoding="utf-8")
    code, _ = run_cli("simulate", str(huge))
    error = capsys.readouterr().err
    assert code == 2 and "would draw up to" in error and "run fewer months or names" in error
    code, _ = run_cli("simulate", str(SCENARIOS / "busy_owner.yaml"), "--runs", "10000000")
    assert code == 2 and "runs must be between 1 and 100,000" in capsys.readouterr().err


# the interactive trainee -----------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_interactive_session_in_a_pseudo_terminal():
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "engine", "simulate",
                                           str(SCENARIOS / "cautious_retiree.yaml")],
                          cwd=str(ROOT), env=env, encoding="utf-8", timeout=30)
    try:
        child.expect("Mrs Li: I'd rather keep my money in the bank")
        child.expect("you> ")
        child.sendline("Keeping it safe is the right priority in retirement; margin trading is "
                       "leveraged and losses can exceed what you put in. I'll send you an "
                       "overview.")
        child.expect(r"score: ([0-9.]+)/100")
        assert float(child.match.group(1)) >= 80
        child.expect("you> ")
        child.sendline("It's risk-free.")
        child.expect("FAILED \\(compliance\\)")
        child.expect("you> ")
        child.sendline("No rush at all; take your time, and I can call you in about a week.")
        child.expect(r"final score: ([0-9.]+) \(pass score 80\) → (PASSED|FAILED)")
        assert child.match.group(2) == "FAILED"
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 1
