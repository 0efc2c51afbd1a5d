"""Stage gates: may this deal leave its stage, and if not, exactly what is missing.

The result is a checklist, not a boolean: every exit criterion is met, unmet or unknown
(unknown = a fact the deal does not have yet, reported as a question to ask), every
terminate criterion is checked, approvals are counted, and time comes only from `now`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import describe, paths_of
from .errors import InputError
from .factvalues import Value
from .matcher import FALSE_SUFFIX, Matcher, stage_key
from .model import Criterion, PackModel, Pipeline, Stage

DECISIONS = ("advance", "hold", "terminate", "escalate")


@dataclass(frozen=True)
class Override:
    decision: str
    by: str
    reason: str

    @staticmethod
    def parse(raw: Any) -> Override:
        if not isinstance(raw, Mapping):
            raise InputError("an override is a mapping: {decision, by, reason}")
        decision = raw.get("decision")
        if decision not in DECISIONS:
            raise InputError(f"override decision must be one of {', '.join(DECISIONS)}")
        by, reason = raw.get("by"), raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError("an override needs a reason")
        if not isinstance(by, str) or not by.strip():
            raise InputError("an override needs 'by': who decided")
        return Override(str(decision), by, reason)


def evaluate_gate(model: PackModel, matcher: Matcher, pipeline: Pipeline,
                  facts: Mapping[str, Value], locale: str, now: dt.datetime,
                  move_to: str | None = None,
                  override: Override | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "pack": model.id, "version": model.version, "pipeline": pipeline.id,
        "now": now.isoformat(), "stage": None, "next_stage": None,
    }
    stage_id = facts.get(pipeline.stage_fact)
    stage = pipeline.stage(stage_id) if isinstance(stage_id, str) else None
    if stage is None:
        result.update(decision="hold", criteria=[], unmet=[], unknown=[{
            "criterion": "stage", "facts": [pipeline.stage_fact],
            "question": f"{pipeline.stage_fact}?"}], terminated_by=[], approvals=None,
            overdue=None, actions=[], escalate_to=None, override=None, move=None,
            reason=f"the deal has no known stage ('{pipeline.stage_fact}')")
        return result
    index = pipeline.index(stage.id)
    next_stage = pipeline.stages[index + 1].id if index + 1 < len(pipeline.stages) else None
    result["stage"], result["next_stage"] = stage.id, next_stage
    fired = matcher.matching(stage_key(pipeline.id, stage.id), facts)

    criteria = [_criterion(c, "exit", fired, facts, locale, model) for c in stage.exit]
    terminations = [_criterion(c, "terminate", fired, facts, locale, model)
                    for c in stage.terminate]
    required = [c for c in criteria if c["required"]]
    unmet = [c for c in required if c["status"] == "unmet"]
    unknown = [c for c in required if c["status"] == "unknown"]
    terminated_by = [c for c in terminations if c["status"] == "met"]
    approvals = _approvals(stage, facts)
    overdue = _overdue(pipeline, stage, facts)

    reason: str
    if terminated_by:
        decision, reason = "terminate", "a terminate criterion holds"
    elif approvals and approvals["refused"]:
        on_refusal = stage.approvals.on_refusal if stage.approvals else "escalate"
        decision = "terminate" if on_refusal == "terminate" else "escalate"
        reason = f"refused by {', '.join(approvals['refused'])}"
    elif overdue:
        decision, reason = "escalate", f"the stage is overdue ({overdue['days']} days)"
    elif not unmet and not unknown and not (approvals and approvals["pending"]):
        decision, reason = "advance", "every required criterion is met"
    else:
        decision, reason = "hold", _hold_reason(unmet, unknown, approvals)

    move = _move(pipeline, stage, move_to, decision)
    if move is not None and not move["allowed"] and decision == "advance":
        decision, reason = "hold", move["reason"]
    actions = [dict(c["action"], because=f"gate:{c['criterion']}")
               for c in criteria if c["status"] != "met" and c.get("action")]
    recorded = None
    if override is not None:  # a manager's decision wins; the result stays consistent
        recorded = {"decision": override.decision, "by": override.by,
                    "reason": override.reason, "original_decision": decision}
        decision, reason = override.decision, f"override by {override.by}: {override.reason}"
        move = _move(pipeline, stage, move_to, decision)
    result.update(
        decision=decision, reason=reason, criteria=criteria + terminations,
        unmet=[_brief(c) for c in unmet], unknown=[_brief(c) for c in unknown],
        terminated_by=[_brief(c) for c in terminated_by], approvals=approvals,
        overdue=overdue, actions=actions, move=move,
        escalate_to=pipeline.escalate_to if decision == "escalate" else None,
        override=recorded)
    return result


def _criterion(c: Criterion, kind: str, fired: frozenset[str], facts: Mapping[str, Value],
               locale: str, model: PackModel) -> dict[str, Any]:
    rule = f"{kind}:{c.id}"
    status = "met" if rule in fired else "unmet" if rule + FALSE_SUFFIX in fired else "unknown"
    paths = sorted(paths_of(c.when))
    entry: dict[str, Any] = {
        "criterion": c.id, "kind": kind, "required": c.required, "status": status,
        "message": c.message.get(locale, model.default_locale),
        "condition": describe(c.when),
        "facts": {p: facts.get(p) for p in paths},
        "missing": [p for p in paths if p not in facts],
    }
    if c.question is not None:
        entry["question"] = c.question.get(locale, model.default_locale)
    if c.action is not None and (kind == "exit"):
        entry["action"] = c.action.to_dict()
    return entry


def _brief(c: dict[str, Any]) -> dict[str, Any]:
    out = {"criterion": c["criterion"], "message": c["message"]}
    for key in ("action", "question"):
        if key in c:
            out[key] = c[key]
    if c["status"] == "unknown":
        out["missing"] = c["missing"]
    return out


def _approvals(stage: Stage, facts: Mapping[str, Value]) -> dict[str, Any] | None:
    if stage.approvals is None:
        return None
    states = {p: str(facts.get(f"approvals.{p}", "pending")) for p in stage.approvals.parties}
    return {"parties": states,
            "pending": [p for p, s in states.items() if s == "pending"],
            "refused": [p for p, s in states.items() if s == "refused"],
            "on_refusal": stage.approvals.on_refusal}


def _overdue(pipeline: Pipeline, stage: Stage, facts: Mapping[str, Value]) -> dict[str, Any] | None:
    if stage.max_days is None or pipeline.entered_fact is None:
        return None
    days = facts.get(pipeline.entered_fact + ".days_ago")
    if isinstance(days, int) and days > stage.max_days:
        return {"days": days, "max_days": stage.max_days}
    return None


def _hold_reason(unmet: list[Any], unknown: list[Any], approvals: dict[str, Any] | None) -> str:
    parts = []
    if unmet:
        parts.append(f"{len(unmet)} required criteria unmet")
    if unknown:
        parts.append(f"{len(unknown)} unknown")
    if approvals and approvals["pending"]:
        parts.append(f"approval pending from {', '.join(approvals['pending'])}")
    return "; ".join(parts) or "waiting"


def _move(pipeline: Pipeline, stage: Stage, move_to: str | None,
          decision: str) -> dict[str, Any] | None:
    if move_to is None:
        return None
    target = pipeline.index(move_to)
    current = pipeline.index(stage.id)
    if target < 0:
        return {"to": move_to, "allowed": False, "reason": f"'{move_to}' is not a stage of "
                f"{pipeline.id}"}
    if target <= current:
        allowed = pipeline.allow_backward and target < current
        return {"to": move_to, "allowed": allowed,
                "reason": "moving backward is allowed by the pipeline" if allowed
                else "moving backward is not allowed by this pipeline"}
    if target > current + 1 and not pipeline.allow_skip:
        return {"to": move_to, "allowed": False,
                "reason": "skipping stages is not allowed by this pipeline"}
    return {"to": move_to, "allowed": decision == "advance",
            "reason": "the gate allows it" if decision == "advance" else "the gate holds"}
