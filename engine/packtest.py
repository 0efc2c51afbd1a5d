"""Running a pack's test cases and comparing what the pack did with what the case expects.

Lists of ids (objections, replies, criteria, warning codes) are compared as sets: the
actual set must equal the expected one. Expected actions are types, or mappings of a type
and the parameters to match. Only the keys a case writes are checked, except that a fact
the pack ignored (`unknown_fact`, `bad_fact`) fails the case unless `warnings` expects it:
a typo in a test's facts must not pass silently.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .coverage import Coverage
from .errors import InputError
from .pack import Pack
from .testfile import Case, read_tests

SILENT_WARNINGS = {"unknown_fact", "bad_fact"}


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold."""

    where: str  # "turn 2", "turn 2 gate", "gate"
    field: str
    expected: Any
    actual: Any
    note: str = ""

    def lines(self) -> list[str]:
        head = f"{self.where} · {self.field}" + (f": {self.note}" if self.note else "")
        out = [head]
        if isinstance(self.expected, list) and isinstance(self.actual, list):
            out += [f"  - {_show(x)}   (expected, missing)" for x in self.expected
                    if x not in self.actual]
            out += [f"  + {_show(x)}   (actual, not expected)" for x in self.actual
                    if x not in self.expected]
        else:
            out += [f"  expected: {_show(self.expected)}", f"  actual:   {_show(self.actual)}"]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "field": self.field, "expected": self.expected,
                "actual": self.actual, "note": self.note}


@dataclass
class CaseResult:
    case: Case
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None  # the case's input could not be run (bad now, locale, ...)

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.case.name, "where": str(self.case.position),
                "status": "pass" if self.passed else "fail", "error": self.error,
                "failures": [f.to_dict() for f in self.failures]}


@dataclass
class PackResult:
    pack: str
    cases: list[CaseResult]
    coverage: Coverage
    seconds: float

    @property
    def failed(self) -> int:
        return sum(1 for c in self.cases if not c.passed)


def run_pack_tests(pack: Pack, select: re.Pattern[str] | None = None) -> PackResult:
    """Run the pack's test cases (those whose name matches `select`)."""
    started = time.perf_counter()
    coverage = Coverage(pack.model)
    results = []
    for case in read_tests(pack.model):
        if select is not None and not select.search(case.name):
            continue
        result = CaseResult(case)
        try:
            if case.is_deal:
                _run_deal(pack, case, coverage, result)
            else:
                _run_conversation(pack, case, coverage, result)
        except InputError as error:
            result.error = str(error)
        results.append(result)
    return PackResult(pack.id, results, coverage, time.perf_counter() - started)


def _run_conversation(pack: Pack, case: Case, coverage: Coverage, result: CaseResult) -> None:
    session = pack.session(f"test:{case.name}", case.facts, locale=case.locale)
    for number, turn in enumerate(case.turns, start=1):
        rec = session.turn(utterance=turn.say, facts=turn.facts, now=turn.now or case.now)
        data = rec.to_dict()
        coverage.turn(data)
        where = f"turn {number}"
        result.failures += check_turn(where, turn.expect or {}, data)


def _run_deal(pack: Pack, case: Case, coverage: Coverage, result: CaseResult) -> None:
    gate = pack.gate(case.facts, now=case.now, pipeline=case.pipeline, locale=case.locale,
                     move_to=case.move_to, override=case.override)
    coverage.gate(gate)
    result.failures += check_gate("gate", case.expect or {}, gate)


def check_turn(where: str, expect: dict[str, Any], rec: dict[str, Any]) -> list[Failure]:
    failures: list[Failure] = []
    actual_ids = {
        "objections": [o["id"] for o in rec["objections"]],
        "replies": [r["reply"] for r in rec["replies"]],
    }
    for key, actual in actual_ids.items():
        if key in expect and set(expect[key]) != set(actual):
            failures.append(Failure(where, key, expect[key], actual))
    if "actions" in expect:
        failures += _check_actions(where, expect["actions"], rec["actions"])
    texts = [r["text"] or "" for r in rec["replies"]]
    failures += _check_text(where, expect, texts)
    failures += _check_warnings(where, expect, rec["warnings"])
    if "gate" in expect:
        if expect["gate"] is None or rec["gate"] is None:
            if expect["gate"] != rec["gate"]:
                failures.append(Failure(where, "gate", _decision(expect["gate"]),
                                        _decision(rec["gate"])))
        else:
            failures += check_gate(f"{where} gate", expect["gate"], rec["gate"])
    return failures


def check_gate(where: str, expect: dict[str, Any], gate: dict[str, Any]) -> list[Failure]:
    failures: list[Failure] = []
    for key in ("decision", "stage", "next_stage", "escalate_to"):
        if key in expect and expect[key] != gate.get(key):
            note = gate.get("reason", "") if key == "decision" else ""
            failures.append(Failure(where, key, expect[key], gate.get(key), note))
    for key in ("unmet", "unknown", "terminated_by"):
        actual = [c["criterion"] for c in gate.get(key, [])]
        if key in expect and set(expect[key]) != set(actual):
            failures.append(Failure(where, key, expect[key], actual))
    if "actions" in expect:
        failures += _check_actions(where, expect["actions"], gate.get("actions", []))
    texts = [str(gate.get("reason", ""))] + [
        str(c.get(k, "")) for c in gate.get("criteria", []) for k in ("message", "question")]
    failures += _check_text(where, expect, texts)
    failures += _check_warnings(where, expect, gate.get("warnings", []))
    return failures


def _check_actions(where: str, expected: list[dict[str, Any]],
                   actual: list[dict[str, Any]]) -> list[Failure]:
    def fits(spec: dict[str, Any], action: dict[str, Any]) -> bool:
        return all(action.get(k) == v for k, v in spec.items())

    unmatched = [a for a in actual if not any(fits(s, a) for s in expected)]
    missing = [s for s in expected if not any(fits(s, a) for a in actual)]
    if not unmatched and not missing:
        return []
    shown_actual = [_action_text(a) for a in actual]
    return [Failure(where, "actions", [_action_text(s) for s in expected], shown_actual,
                    _action_note(missing, unmatched))]


def _action_note(missing: list[dict[str, Any]], unmatched: list[dict[str, Any]]) -> str:
    parts = []
    if missing:
        parts.append("missing " + ", ".join(_action_text(s) for s in missing))
    if unmatched:
        parts.append("unexpected " + ", ".join(_action_text(a) for a in unmatched))
    return "; ".join(parts)


def _action_text(action: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in action.items() if k not in ("type", "because"))
    return f"{action.get('type')}({params})" if params else str(action.get("type"))


def _check_text(where: str, expect: dict[str, Any], texts: Iterable[str]) -> list[Failure]:
    joined = "\n".join(texts)
    failures = []
    for phrase in expect.get("contains", []):
        if phrase.lower() not in joined.lower():
            failures.append(Failure(where, "contains", phrase, _clip(joined),
                                    f"'{phrase}' not in the text"))
    for phrase in expect.get("not_contains", []):
        if phrase.lower() in joined.lower():
            failures.append(Failure(where, "not_contains", phrase, _clip(joined),
                                    f"'{phrase}' is in the text"))
    return failures


def _check_warnings(where: str, expect: dict[str, Any],
                    warnings: list[dict[str, str]]) -> list[Failure]:
    codes = [w["code"] for w in warnings]
    if "warnings" in expect:
        if set(expect["warnings"]) != set(codes):
            return [Failure(where, "warnings", expect["warnings"], codes)]
        return []
    silent = [w for w in warnings if w["code"] in SILENT_WARNINGS]
    if silent:
        return [Failure(where, "warnings", [], [w["code"] for w in silent],
                        "; ".join(w["message"] for w in silent))]
    return []


def _decision(gate: dict[str, Any] | None) -> Any:
    return None if gate is None else gate.get("decision")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _clip(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
