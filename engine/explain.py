"""`playbook explain`: why one turn of a conversation got its replies, actions and gate.

The turn is replayed on a real session (so repeat counts and used variants are those of
the conversation), then every reply, action and criterion the pack considered is read
again with the reference evaluator on the facts of that turn. The text is written for a
sales manager: sentences, fact names and plain values, no code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from . import plain
from .conditions import evaluate, paths_of
from .conversation import Conversation, Turn
from .errors import InputError
from .factvalues import Value, derive
from .model import Action, Objection, Pipeline
from .pack import Pack, as_datetime
from .session import Session


def explain_conversation(pack: Pack, conversation: Conversation, turn: int,
                         locale: str | None = None) -> dict[str, Any]:
    """Replay turns 1..turn-1, then explain turn `turn` (1-based)."""
    if not 1 <= turn <= len(conversation.turns):
        raise InputError(f"--turn must be between 1 and {len(conversation.turns)} for this "
                         "conversation")
    session = pack.session(conversation.session, conversation.facts,
                           locale=locale or conversation.locale)
    for earlier in conversation.turns[:turn - 1]:
        session.turn(utterance=earlier.utterance, facts=earlier.facts,
                     now=earlier.now or conversation.now)
    return explain_turn(session, conversation.turns[turn - 1], conversation.now)


def explain_turn(session: Session, turn: Turn, default_now: str | None = None) -> dict[str, Any]:
    """Run one turn on `session` and explain it; the turn's result is under 'result'."""
    raised = dict(session.raised)
    served = {k: list(v) for k, v in session.served.items()}
    now = turn.now or default_now
    rec = session.turn(utterance=turn.utterance, facts=turn.facts, now=now).to_dict()
    model = session.pack.model
    facts = derive(session.facts, model.facts, as_datetime(now).date())
    out: dict[str, Any] = {"turn": rec["turn"], "utterance": turn.utterance,
                           "locale": rec["locale"], "facts": dict(session.facts),
                           "objections": [], "gate": None, "warnings": rec["warnings"],
                           "result": rec}
    for hit in rec["objections"]:
        objection = model.objection(hit["id"])
        if objection is not None:
            out["objections"].append(_objection(objection, hit, rec, facts,
                                                raised.get(objection.id, 0) + 1,
                                                served.get(objection.id, []), session))
    if rec["gate"] is not None:
        pipeline = model.pipeline(rec["gate"]["pipeline"])
        if pipeline is not None:
            out["gate"] = _gate(pipeline, rec["gate"], facts)
    return out


def _objection(objection: Objection, hit: Mapping[str, Any], rec: Mapping[str, Any],
               facts: Mapping[str, Value], count: int, served: list[str],
               session: Session) -> dict[str, Any]:
    model = session.pack.model
    replies = [{"reply": r.id, "priority": r.priority, "condition": plain.condition(r.when),
                "holds": evaluate(r.when, facts),
                "evidence": plain.evidence(sorted(paths_of(r.when)), facts)}
               for r in objection.replies]
    chosen = next((r for r in rec["replies"] if r["objection"] == objection.id), None)
    escalated = objection.escalate_after is not None and count > objection.escalate_after
    entry: dict[str, Any] = {
        "objection": objection.id, "title": objection.title.get(rec["locale"]),
        "score": hit["score"], "evidence": list(hit["evidence"]), "raise": count,
        "replies": replies, "chosen": chosen["reply"] if chosen else None,
        "escalated": escalated,
    }
    if escalated:
        escalation = objection.escalation or model.escalation
        entry["why"] = (f"This is raise number {count} of this objection and the pack "
                        f"escalates after {objection.escalate_after}, so the normal replies "
                        "are set aside" + (f" and the escalation reply {escalation.reply} is "
                                           "used." if escalation and escalation.reply
                                           else "; the pack names no escalation reply."))
        entry["actions"] = _actions(escalation.actions if escalation else (), facts)
    else:
        entry["why"] = _why(objection, replies, served, count, entry["chosen"])
        entry["actions"] = _actions(objection.next_actions, facts)
    return entry


def _why(objection: Objection, replies: list[dict[str, Any]], served: list[str], count: int,
         chosen: str | None) -> str:
    fitting = sorted((r for r in replies if r["holds"] is True), key=lambda r: -r["priority"])
    if not fitting or chosen is None:
        return "No reply fits these facts, so the rep gets no suggested reply for it."
    best = fitting[0]
    if len(fitting) == 1:
        return "It is the only reply that fits."
    if objection.repeat == "first":
        return (f"It has the highest priority ({best['priority']}) of the replies that "
                "fit; this objection always uses its best reply.")
    used = [r for r in served if r in {f["reply"] for f in fitting}]
    if chosen not in used:
        already = f" (already used: {plain.choices(used)})" if used else ""
        return ("It is the highest-priority reply that fits and has not been used "
                f"yet in this conversation{already}; variants are rotated so the customer "
                "does not hear the same answer twice.")
    return (f"Every reply that fits has been used already, so they take turns: raise number "
            f"{count} gets {chosen}.")


def _actions(actions: tuple[Action, ...], facts: Mapping[str, Value]) -> list[dict[str, Any]]:
    return [{"action": plain.action(a.to_dict()), "condition": plain.condition(a.when),
             "holds": evaluate(a.when, facts),
             "evidence": plain.evidence(sorted(paths_of(a.when)), facts)} for a in actions]


def _gate(pipeline: Pipeline, gate: Mapping[str, Any],
          facts: Mapping[str, Value]) -> dict[str, Any]:
    stage = pipeline.stage(gate["stage"]) if gate.get("stage") else None
    whens = {(c.id, kind): c.when for kind, items in
             (("exit", stage.exit if stage else ()), ("terminate", stage.terminate if stage
                                                      else ())) for c in items}
    criteria = []
    for c in gate["criteria"]:
        when = whens.get((c["criterion"], c["kind"]))
        criteria.append({
            "criterion": c["criterion"], "kind": c["kind"], "required": c["required"],
            "status": c["status"], "message": c["message"],
            "condition": plain.condition(when) if when is not None else c["condition"],
            "evidence": plain.evidence(sorted(c["facts"]), facts),
            "question": c.get("question"),
            "action": plain.action(c["action"]) if c.get("action") else None})
    return {"pipeline": pipeline.id, "stage": gate["stage"], "next_stage": gate["next_stage"],
            "decision": gate["decision"], "reason": gate.get("reason", ""),
            "criteria": criteria, "approvals": gate.get("approvals"),
            "overdue": gate.get("overdue"), "escalate_to": gate.get("escalate_to")}


# text ---------------------------------------------------------------------------------

_STATUS = {"met": "met", "unmet": "NOT met", "unknown": "not known yet"}


def to_text(explanation: Mapping[str, Any]) -> str:
    lines = [f"Turn {explanation['turn']}: the customer said \u201c"
             f"{explanation['utterance']}\u201d"]
    known = explanation["facts"]
    lines.append("What we know at this point: " + (
        "; ".join(f"{k} is {plain.value(v)}" for k, v in sorted(known.items())) or
        "nothing yet") + ".")
    if not explanation["objections"]:
        lines.append("No objection or question was recognised, so no reply is suggested.")
    for entry in explanation["objections"]:
        lines.extend(_objection_text(entry))
    if explanation["gate"] is not None:
        lines.extend(_gate_text(explanation["gate"]))
    for warning in explanation["warnings"]:
        lines.append(f"Note: {warning['message']}.")
    return "\n".join(lines)


def _objection_text(entry: Mapping[str, Any]) -> list[str]:
    lines = ["", f"Objection {entry['objection']} (\u201c{entry['title']}\u201d) was "
             f"recognised from the words {plain.choices(entry['evidence'])}. It is raise "
             f"number {entry['raise']} of it in this conversation."]
    lines.append("Replies considered:")
    for r in entry["replies"]:
        fits = {True: "fits", False: "does not fit", None: "cannot be judged yet"}[r["holds"]]
        need = "it has no condition" if r["condition"] == "always" else \
            f"it needs {r['condition']}; here {r['evidence']}"
        lines.append(f"  - {r['reply']} (priority {r['priority']}) {fits}: {need}.")
    chosen = entry["chosen"] or "no reply"
    lines.append(f"Chosen: {chosen}. {entry['why']}")
    if entry["actions"]:
        lines.append("Next steps considered:")
    for a in entry["actions"]:
        verdict = "recommended" if a["holds"] is True else "not recommended"
        need = "no condition" if a["condition"] == "always" else \
            f"needs {a['condition']}; here {a['evidence']}"
        lines.append(f"  - {a['action']}: {verdict} ({need}).")
    return lines


def _gate_text(gate: Mapping[str, Any]) -> list[str]:
    target = f" toward {gate['next_stage']}" if gate["next_stage"] else ""
    lines = ["", f"Stage gate of {gate['pipeline']}: the deal is at stage {gate['stage']}"
             f"{target}. Decision: {gate['decision'].upper()} ({gate['reason']})."]
    for c in gate["criteria"]:
        if c["kind"] == "terminate":
            state = "applies, the deal stops" if c["status"] == "met" else \
                "does not apply" if c["status"] == "unmet" else "cannot be judged yet"
            lines.append(f"  - Stop rule {c['criterion']} ({c['message']}): {state}; "
                         f"it checks {c['condition']}; here {c['evidence']}.")
            continue
        kind = "required" if c["required"] else "advisory"
        line = (f"  - {c['criterion']} ({kind}, {c['message']}): {_STATUS[c['status']]}; "
                f"it checks {c['condition']}; here {c['evidence']}.")
        if c["status"] == "unknown" and c["question"]:
            line += f" Ask: {c['question']}"
        if c["status"] != "met" and c["action"]:
            line += f" Next step: {c['action']}."
        lines.append(line)
    approvals = gate.get("approvals")
    if approvals:
        states = ", ".join(f"{p} {s}" for p, s in approvals["parties"].items())
        lines.append(f"  Approvals: {states}.")
    if gate.get("overdue"):
        lines.append(f"  The stage is overdue: {gate['overdue']['days']} days, the limit is "
                     f"{gate['overdue']['max_days']}.")
    if gate.get("escalate_to"):
        lines.append(f"  Escalated to {gate['escalate_to']}.")
    return lines


def run_command(pack_name: str, conversation_path: str, turn: int, locale: str | None,
                fmt: str, out: TextIO) -> int:
    """`playbook explain PACK CONVERSATION --turn N`."""
    from .conversation import read_conversation
    from .pack import load_pack

    conversation = read_conversation(conversation_path)
    pack = load_pack(pack_name)
    try:
        explanation = explain_conversation(pack, conversation, turn, locale)
    finally:
        pack.close()
    if fmt == "json":
        explanation.pop("result")
        print(json.dumps(explanation, ensure_ascii=False, indent=2, default=str), file=out)
    else:
        print(to_text(explanation), file=out)
    return 0
