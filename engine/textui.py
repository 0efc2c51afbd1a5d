"""Plain-terminal rendering of turns and gates for the CLI (no colour codes needed)."""

from __future__ import annotations

from typing import Any, TextIO

MARK = {"met": "✓", "unmet": "✗", "unknown": "?"}


def print_turn(out: TextIO, utterance: str, rec: dict[str, Any]) -> None:
    print(f"── turn {rec['turn']} ──", file=out)
    if utterance:
        print(f"customer: {utterance}", file=out)
    if rec["objections"]:
        found = ", ".join(f"{o['id']} ({o['score']:.2f}: {' / '.join(o['evidence'])})"
                          for o in rec["objections"])
        print(f"detected: {found}", file=out)
    else:
        print("detected: nothing", file=out)
    for reply in rec["replies"]:
        tag = " [escalation]" if reply.get("escalated") else ""
        print(f"reply {reply['reply']}{tag}:", file=out)
        print(f"  {reply['text'] or '(withheld: see warnings)'}", file=out)
    for action in rec["actions"]:
        params = ", ".join(f"{k}={v}" for k, v in action.items() if k not in ("type", "because"))
        print(f"next: {action['type']}{f' ({params})' if params else ''}"
              f"  ← {action['because']}", file=out)
    if rec.get("gate"):
        gate = rec["gate"]
        print(f"gate: {gate['decision']} at {gate['stage']} → {gate['next_stage']}", file=out)
    for warning in rec["warnings"]:
        print(f"warning [{warning['code']}]: {warning['message']}", file=out)
    for step in rec["trace"]:
        print(f"  why {step['rule']}: {step['because']}", file=out)


def print_gate(out: TextIO, gate: dict[str, Any]) -> None:
    print(f"{gate['pipeline']} · stage {gate['stage']} → {gate['next_stage'] or '(last)'}",
          file=out)
    print(f"decision: {gate['decision'].upper()} — {gate.get('reason', '')}", file=out)
    for c in gate["criteria"]:
        if c["kind"] == "terminate":
            if c["status"] == "met":
                print(f"  ✗ STOP {c['criterion']}: {c['message']}", file=out)
            continue
        note = "" if c["required"] else " (advisory)"
        print(f"  {MARK[c['status']]} {c['criterion']}{note}: {c['message']}", file=out)
        if c["status"] == "unknown" and c.get("question"):
            print(f"      ask: {c['question']}", file=out)
        if c["status"] != "met" and c.get("action"):
            action = c["action"]
            params = ", ".join(f"{k}={v}" for k, v in action.items() if k != "type")
            print(f"      do: {action['type']}{f' ({params})' if params else ''}", file=out)
    approvals = gate.get("approvals")
    if approvals:
        states = ", ".join(f"{MARK.get(_approval(s), '?')} {p}" for p, s in
                           approvals["parties"].items())
        print(f"  approvals: {states}", file=out)
    if gate.get("overdue"):
        print(f"  overdue: {gate['overdue']['days']} days (max {gate['overdue']['max_days']})",
              file=out)
    if gate.get("escalate_to"):
        print(f"  escalate to: {gate['escalate_to']}", file=out)
    if gate.get("override"):
        o = gate["override"]
        print(f"  override by {o['by']}: {o['decision']} (was {o['original_decision']}) — "
              f"{o['reason']}", file=out)
    for warning in gate.get("warnings", []):
        print(f"  warning [{warning['code']}]: {warning['message']}", file=out)


def _approval(state: str) -> str:
    return {"approved": "met", "refused": "unmet"}.get(state, "unknown")
