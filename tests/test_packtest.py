"""`playbook test`: cases beside a pack, failures with a diff, coverage and a threshold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli as run

import engine

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

PACKS = engine.shipped_packs()


@pytest.fixture()
def mini_copy(tmp_path: Path, mini_path: Path) -> Path:
    base = mini_path.parent.parent
    shutil.copytree(base, tmp_path / "mini")
    return tmp_path / "mini" / "rules" / "mini"


def write_tests(pack: Path, text: str) -> None:
    (pack / "tests").mkdir(exist_ok=True)
    (pack / "tests" / "cases.yaml").write_text(text, encoding="utf-8")


PASSING = """
now: 2026-01-10
cases:
  - name: owner rotates then escalates
    facts: {customer.type: business_owner, customer.capital: 20000}
    turns:
      - say: 我最近太忙了
        expect:
          objections: [no_time]
          replies: [no_time.a]
          actions: [{type: schedule_callback, within_days: 2}, send_material]
      - say: 太忙
        expect: {replies: [no_time.b]}
      - say: 太忙
        expect: {replies: [escalate.manager], actions: [handover_manager]}
  - name: qualify advances
    facts: {deal.stage: qualify, deal.need: true, deal.budget: 10}
    expect: {decision: advance, next_stage: propose, unmet: [], unknown: []}
"""


def test_shipped_packs_reach_full_coverage():
    code, out = run("test", *PACKS, "--coverage", "--threshold", "100")
    assert code == 0, out
    assert out.count("coverage 100.0% ok") == len(PACKS)
    assert "FAIL" not in out


def test_passing_cases_and_partial_coverage(mini_copy: Path):
    write_tests(mini_copy, PASSING)
    code, out = run("test", str(mini_copy), "--coverage")
    assert code == 0, out
    assert "PASS  owner rotates then escalates" in out and "2 passed, 0 failed" in out
    assert "not covered (objections):\n      too_risky" in out
    assert "sales/qualify/need_confirmed (never unmet)" in out
    code, out = run("test", str(mini_copy), "--threshold", "100")
    assert code == 1 and "BELOW THRESHOLD 100%" in out


def test_failure_shows_expected_and_actual(mini_copy: Path):
    write_tests(mini_copy, PASSING.replace("replies: [no_time.b]", "replies: [no_time.a]")
                .replace("decision: advance", "decision: hold"))
    code, out = run("test", str(mini_copy))
    assert code == 1
    assert "FAIL  owner rotates then escalates" in out
    assert "turn 2 · replies" in out
    assert "- no_time.a   (expected, missing)" in out
    assert "+ no_time.b   (actual, not expected)" in out
    assert "gate · decision" in out and "expected: hold" in out and "actual:   advance" in out
    assert "0 passed, 2 failed" in out


def test_run_selects_and_json_reports(mini_copy: Path):
    write_tests(mini_copy, PASSING)
    code, out = run("test", str(mini_copy), "--run", "^qual", "--format", "json", "--coverage")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["passed"] == 1
    pack = report["packs"][0]
    assert [c["name"] for c in pack["cases"]] == ["qualify advances"]
    assert pack["coverage"]["objections"]["missing"] == ["no_time", "too_risky"]
    code, out = run("test", str(mini_copy), "--run", "nothing-matches")
    assert code == 1 and "no test cases match" in out


def test_text_contains_and_unexpected_warnings(mini_copy: Path):
    write_tests(mini_copy, """
cases:
  - name: text
    locale: en
    facts: {customer.typo: 1}
    turns:
      - say: it's too risky
        expect: {replies: [too_risky.a], contains: [no such phrase]}
""")
    code, out = run("test", str(mini_copy), "--format", "json")
    failures = json.loads(out)["packs"][0]["cases"][0]["failures"]
    assert code == 1
    assert {f["field"] for f in failures} == {"contains", "warnings"}


def test_broken_test_file_exits_2_with_positions(mini_copy: Path, capsys):
    write_tests(mini_copy, """
cases:
  - name: typo
    turns:
      - say: 太忙
        expect: {replies: [no_time.x], objections: [no_tim]}
  - name: deal
    fact: {deal.stage: qualify}
    expect: {decision: maybe}
""")
    code, _ = run("test", str(mini_copy))
    err = capsys.readouterr().err
    assert code == 2
    assert "cases.yaml:6:" in err and "no reply 'no_time.x'" in err
    assert "did you mean 'no_time'" in err
    assert "unknown key 'fact'" in err and "decision 'maybe'" in err
    assert "Traceback" not in err


def test_broken_yaml_and_bad_regex_exit_2(mini_copy: Path, capsys):
    write_tests(mini_copy, "cases: [\n")
    assert run("test", str(mini_copy))[0] == 2
    assert "cases.yaml:" in capsys.readouterr().err
    write_tests(mini_copy, PASSING)
    assert run("test", str(mini_copy), "--run", "(")[0] == 2


def test_subprocess_run():
    proc = subprocess.run([sys.executable, "-m", "engine", "test", "complaints",
                           "--coverage", "--threshold", "100"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "coverage 100.0% ok" in proc.stdout
