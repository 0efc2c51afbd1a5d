"""The command line as a pack author uses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli as run

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

ROOT = Path(__file__).resolve().parent.parent
CONV = ROOT / "examples" / "conversations"


def test_help_lists_every_command_with_an_example():
    done = subprocess.run([sys.executable, "-m", "engine", "--help"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0
    for command in ("validate", "dry-run", "detect", "gate", "graph", "packs"):
        assert command in done.stdout
    assert done.stdout.count("e.g. playbook") >= 6


def test_dry_run_repeat_shows_a_then_b_then_escalation():
    code, out = run("dry-run", "brokerage", str(CONV / "repeat_objection.yaml"),
                    "--format", "jsonl")
    assert code == 0
    replies = [json.loads(line)["replies"][0] for line in out.splitlines()]
    assert [r["reply"] for r in replies] == ["no_time.a", "no_time.b",
                                            "escalate.manager_meeting"]
    assert replies[2]["escalated"] is True


def test_dry_run_text_in_both_locales():
    code, zh = run("dry-run", "brokerage", str(CONV / "busy_owner.yaml"))
    assert code == 0 and "reply no_time" in zh and "detected: no_time" in zh
    code, en = run("dry-run", "brokerage", str(CONV / "busy_owner.yaml"), "--locale", "en")
    assert code == 0
    texts = [line.strip() for line in en.splitlines() if line.startswith("  ") and
             not line.strip().startswith("why")]
    assert texts and all(t.isascii() for t in texts)


def test_dry_run_json_and_jsonl_are_the_recommendation_shape():
    code, out = run("dry-run", "brokerage", str(CONV / "cautious_retiree.jsonl"),
                    "--format", "json")
    assert code == 0
    recs = json.loads(out)
    assert len(recs) == 4
    for rec in recs:
        assert set(rec) == {"session", "turn", "locale", "objections", "replies", "actions",
                            "gate", "warnings", "trace"}


def test_detect_jsonl_one_object_per_input_line(tmp_path: Path):
    lines = ["我最近太忙了", "好的谢谢", "I need to ask my wife first", ""]
    src = tmp_path / "u.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run("detect", "brokerage", str(src), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in rows] == lines
    assert rows[0]["objections"][0]["id"] == "no_time"
    assert rows[1]["objections"] == []
    assert rows[2]["objections"][0]["id"] == "ask_spouse"
    for row in rows:
        scores = [o["score"] for o in row["objections"]]
        assert scores == sorted(scores, reverse=True)


def test_detect_reads_stdin():
    done = subprocess.run([sys.executable, "-m", "engine", "detect", "brokerage", "--format",
                           "jsonl"], input="风险太大了\n", capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0
    assert json.loads(done.stdout)["objections"][0]["id"] == "too_risky"


def test_input_errors_exit_2_without_traceback(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("turns: [ {say: 'x'\n", encoding="utf-8")
    for args in (["dry-run", "brokerage", str(bad)], ["dry-run", "brokerge", str(bad)],
                 ["dry-run", "brokerage", str(tmp_path / "missing.yaml")],
                 ["gate", "new_customer", str(bad)]):
        done = subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                              text=True, cwd=ROOT)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        assert len(done.stderr.strip().splitlines()) <= 2


def test_gate_reads_the_target_stage_of_a_deal_file_like_diff(tmp_path: Path):
    deal = (ROOT / "examples" / "deals" / "new_customer" / "advance.yaml").read_text("utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(deal, encoding="utf-8")
    targeted = tmp_path / "targeted.yaml"
    targeted.write_text(deal + "to: close\n", encoding="utf-8")  # a skip: refused
    flags = ("--format", "json")
    code, out = run("gate", "new_customer", str(targeted), *flags)
    _, flagged = run("gate", "new_customer", str(plain), "--to", "close", *flags)
    _, default = run("gate", "new_customer", str(plain), *flags)
    assert code == 0
    assert json.loads(out)["decision"] == json.loads(flagged)["decision"]
    assert json.loads(out)["decision"] != json.loads(default)["decision"]


def test_impossible_dates_and_closed_stdin_are_user_errors(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("now: 2024-13-45\nfacts: {deal.stage: collect_info}\n", encoding="utf-8")
    assert run("gate", "new_customer", str(bad))[0] == 2
    assert "bad.yaml:1:6" in capsys.readouterr().err
    assert run("graph", "new_customer", "--locale", "xx")[0] == 2
    done = subprocess.run([sys.executable, "-m", "engine", "detect", "brokerage"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0  # an empty input is fine
    closed = subprocess.run([sys.executable, "-c", "import sys; sys.stdin.close(); "
                             "sys.stdin = None; from engine.cli import main; "
                             "sys.exit(main(['detect', 'brokerage']))"],
                            capture_output=True, text=True, cwd=ROOT)
    assert closed.returncode == 2 and "standard input is closed" in closed.stderr
