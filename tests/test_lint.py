"""`playbook lint`: every rule fires on a tiny pack made to trigger it, and not on one that
avoids it. Packs are copies of tests/packs/mini in tmp_path with one edit."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_run import run_cli as _run

import engine
from engine.lint import CODES, lint_pack

MINI = Path(__file__).resolve().parent / "packs" / "mini"
Edit = Callable[[Path], None]


def _pack(tmp_path: Path, *edits: Edit) -> Path:
    shutil.copytree(MINI, tmp_path, dirs_exist_ok=True)
    root = tmp_path / "rules" / "mini"
    for edit in edits:
        edit(tmp_path)
    return root


def _replace(file: str, old: str, new: str) -> Edit:
    def edit(base: Path) -> None:
        path = base / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _write(file: str, text: str) -> Edit:
    def edit(base: Path) -> None:
        (base / file).parent.mkdir(parents=True, exist_ok=True)
        (base / file).write_text(text, encoding="utf-8")
    return edit


def _remove(file: str) -> Edit:
    return lambda base: (base / file).unlink()


OBJ = "rules/mini/objections.yaml"
PIPE = "rules/mini/pipeline.yaml"
MANIFEST = "rules/mini/pack.yaml"
EN = "responses/mini/en"
A_REPLY = "      - id: no_time.a\n        when: {customer.type: business_owner}\n" \
          "        priority: 10\n"
DESCRIBED = [
    _replace(MANIFEST, "schedule_callback: {params: {within_days: integer}}",
             "schedule_callback: {params: {within_days: integer}, description: book a call}"),
    _replace(MANIFEST, "handover_manager: {}", "handover_manager: {description: hand over}"),
    _replace(MANIFEST, "send_material: {params: {material: string}}",
             "send_material: {params: {material: string}, description: send it}"),
    _replace(MANIFEST, "qualify_call: {}", "qualify_call: {description: call to qualify}"),
]
DEAL = _write("examples/deals/mini/qualify.yaml",
              "facts: {deal.stage: qualify, deal.need: true, deal.budget: 10, "
              "deal.credit_problem: false}\n")

RISKY = "zh-CN: [风险太大, 风险…大]"

# code → (edits that trigger it, edits on a similar pack that does not)
CASES: dict[str, tuple[list[Edit], list[Edit]]] = {
    "PB001": ([_replace(OBJ, "customer.type: business_owner", "customer.kind: owner")], []),
    "PB101": ([_remove(f"{EN}/too_risky.a.j2")], []),
    "PB102": ([_replace(OBJ, "when: {customer.type: business_owner}",
                        "when: {all: [{customer.type: business_owner}, "
                        "{customer.type: retiree}]}")],
              [_replace(OBJ, "when: {customer.type: business_owner}",
                        "when: {any: [{customer.type: business_owner}, "
                        "{customer.type: retiree}]}")]),
    "PB103": ([_replace(OBJ, A_REPLY, "      - id: no_time.a\n"),
               _replace(OBJ, "    escalate_after: 2\n", "    escalate_after: 2\n"
                        "    repeat: first\n")],
              [_replace(OBJ, A_REPLY, "      - id: no_time.a\n")]),
    "PB104": ([_replace(OBJ, "zh-CN: [风险太大, 风险…大]", "zh-CN: [风险太大, 风险…大, 太忙]")],
              [_replace(OBJ, "zh-CN: [风险太大, 风险…大]",
                        "zh-CN: [风险太大, 风险…大, {text: 太忙, weight: 0.3}]")]),
    "PB105": ([_replace(PIPE, "when: {deal.need: true}",
                        "when: {all: [{deal.need: true}, {deal.need: false}]}")],
              [_replace(PIPE, "when: {deal.need: true}",
                        "when: {any: [{deal.need: true}, {deal.budget: {gt: 100}}]}")]),
    "PB106": ([_replace(PIPE, "        approvals: {parties: [finance, legal]}\n", "")], []),
    "PB107": ([_replace(PIPE, "when: {deal.credit_problem: true}", "when: {deal.stage: close}")],
              []),
    "PB108": ([], [DEAL]),
    "PB109": ([_replace(MANIFEST, "qualify_call: {}", "qualify_call: {}\n  unused_one: {}")],
              []),
    "PB110": ([], DESCRIBED),
    "PB111": ([_replace(MANIFEST, "  deal.need:", "  customer.nick: {type: string}\n  deal.need:"),
               _write(f"{EN}/no_time.b.j2", "{% if customer.nick is defined %}"
                      "{{ customer.nick }}, {% endif %}Let's find a better time.\n")],
              [_replace(MANIFEST, "  deal.need:",
                        "  customer.nick: {type: string, default: friend}\n  deal.need:"),
               _write(f"{EN}/no_time.b.j2", "{{ customer.nick }}, let's find a better time.\n")]),
    "PB112": ([_replace(MANIFEST, "examples:", "lexicon:\n  busy_words: {zh-CN: [太忙, 忙死]}\n"
                        "examples:")],
              [_replace(MANIFEST, "examples:", "lexicon:\n  busy_words: {zh-CN: [太忙, 忙死]}\n"
                        "examples:"),
               _replace(OBJ, "zh-CN: [没时间, 太忙,", "zh-CN: [没时间, \"{@busy_words}\",")]),
    "PB113": ([_replace(OBJ, RISKY, "zh-CN: [风险太大, 风险…大, 风险太大]")],
              [_replace(OBJ, RISKY, "zh-CN: [风险太大, 风险…大, 风险很大]")]),
    "PB120": ([_write(f"{EN}/no_time.b.j2", "{% if customer.type == 'retiree' %}It is a "
                      "guaranteed return.{% endif %}Let's find a better time.\n")],
              [_write(f"{EN}/no_time.b.j2", "{% if customer.type == 'retiree' %}We never "
                      "promise returns.{% endif %}Let's find a better time.\n")]),
    "PB121": ([_write(f"{EN}/too_risky.a.j2", "The risk is real.\n")], []),
}


def _codes(root: Path) -> list[str]:
    return [f.code for f in lint_pack(root).findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers(tmp_path: Path, code: str) -> None:
    trigger, _ = CASES[code]
    found = _codes(_pack(tmp_path, *trigger))
    assert code in found, found


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet(tmp_path: Path, code: str) -> None:
    _, quiet = CASES[code]
    found = _codes(_pack(tmp_path, *quiet))
    assert code not in found, found


def test_every_code_has_a_case() -> None:
    assert set(CODES) - set(CASES) == {"PB002", "PB003"}  # tested with suppressions below


def test_action_text_claim_and_never_true_action(tmp_path: Path) -> None:
    root = _pack(tmp_path, _replace(OBJ, "material: brochure, when: {customer.capital: "
                                    "{gte: 10000}}", "material: risk-free plan, when: "
                                    "{customer.capital: {gt: 100, lt: 50}}"))
    findings = lint_pack(root).findings
    assert any(f.code == "PB120" and "send_material" in f.message for f in findings)
    assert any(f.code == "PB102" and "send_material" in f.message for f in findings)


def test_integer_range_without_a_whole_number_is_empty(tmp_path: Path) -> None:
    root = _pack(tmp_path, _replace(PIPE, "when: {deal.need: true}",
                                    "when: {deal.entered.days_ago: {gt: 1, lt: 2}}"))
    assert "PB105" in _codes(root)


# suppressions ---------------------------------------------------------------------------

def _lint_section(text: str) -> Edit:
    return _replace(MANIFEST, "examples:\n", f"lint:\n{text}examples:\n")


def test_suppression_with_reason_hides_findings(tmp_path: Path) -> None:
    root = _pack(tmp_path, _lint_section(
        "  ignore:\n    - {code: PB110, reason: handlers are documented in the CRM}\n"))
    report = lint_pack(root)
    assert "PB110" not in [f.code for f in report.findings]
    assert report.suppressed == 4


def test_suppression_where_limits_it_to_one_subject(tmp_path: Path) -> None:
    root = _pack(tmp_path, _lint_section(
        "  ignore:\n    - {code: PB110, reason: known, where: qualify_call}\n"))
    messages = [f.message for f in lint_pack(root).findings if f.code == "PB110"]
    assert len(messages) == 3 and not any("qualify_call" in m for m in messages)


def test_suppression_without_reason_is_an_error(tmp_path: Path) -> None:
    root = _pack(tmp_path, _lint_section("  ignore:\n    - {code: PB110}\n"))
    report = lint_pack(root)
    assert [f.code for f in report.findings].count("PB002") == 1
    assert "PB110" in [f.code for f in report.findings]
    assert report.errors >= 1


def test_unused_suppression_is_reported(tmp_path: Path) -> None:
    root = _pack(tmp_path, _lint_section("  ignore:\n    - {code: PB109, reason: later}\n"))
    assert "PB003" in _codes(root)
    assert engine.validate_pack(root) == []  # the loader accepts the lint section


# command line ---------------------------------------------------------------------------

LINE = re.compile(r"^\S+:\d+:\d+: PB\d{3} .+ \(fix: .+\)$")


def test_cli_lint_text_and_exit_codes(tmp_path: Path) -> None:
    code, text = _run("lint", str(_pack(tmp_path / "ok")))
    assert code == 0
    lines = text.splitlines()
    assert all(LINE.match(line) for line in lines[:-1]), lines
    assert lines[-1].startswith("mini: 0 error(s)")
    code, text = _run("lint", str(_pack(tmp_path / "bad", *CASES["PB121"][0])))
    assert code == 1 and "PB121" in text


def test_cli_lint_json(tmp_path: Path) -> None:
    code, text = _run("lint", "--format", "json", str(_pack(tmp_path, *CASES["PB104"][0])))
    report = json.loads(text)[0]
    assert code == 1 and report["errors"] >= 1
    finding = next(f for f in report["findings"] if f["code"] == "PB104")
    assert finding["severity"] == "error" and finding["line"] > 0 and finding["fix"]


def test_cli_lint_unknown_pack_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("lint", "no_such_pack")
    assert code == 2 and "no pack" in capsys.readouterr().err


def test_shipped_packs_have_no_lint_errors() -> None:
    for name in engine.shipped_packs():
        report = lint_pack(name)
        errors = [str(f) for f in report.findings if f.severity == "error"]
        assert not errors, "\n".join(errors)


def test_lint_reports_what_validate_reports_after_loading(tmp_path: Path) -> None:
    """An orphan template (validate E044) is a lint error too, as PB001."""
    root = _pack(tmp_path, _write(f"{EN}/nobody_uses_me.j2", "Hello.\n"))
    findings = lint_pack(root).findings
    assert any(f.code == "PB001" and "nobody_uses_me" in f.position.path for f in findings), \
        findings


def test_a_malformed_suppression_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    root = _pack(tmp_path, _replace(MANIFEST, "examples:",
                                    "lint:\n  ignore:\n    - {code: [PB104], reason: x}\n"
                                    "examples:"))
    assert "PB002" in _codes(root)
