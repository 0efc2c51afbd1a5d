"""What a pack's tests exercised: objections, replies, actions and criteria.

An item is covered when a test run produced it: an objection detected, a reply served, an
action recommended (matched to the rule that declared it), an exit criterion seen both met
and not met, a terminate criterion seen holding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Action, Objection, PackModel

KINDS = ("objections", "replies", "actions", "criteria")


def _action_label(action: Action | dict[str, Any]) -> str:
    data = action.to_dict() if isinstance(action, Action) else action
    params = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("type", "because"))
    return f"{data['type']}({params})" if params else str(data["type"])


@dataclass
class Coverage:
    """The coverable items of one pack and which of them a run has covered."""

    model: PackModel
    items: dict[str, list[str]] = field(default_factory=dict)
    covered: dict[str, set[str]] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items = {kind: [] for kind in KINDS}
        self.covered = {kind: set() for kind in KINDS}
        model = self.model
        uses_pack_escalation = False
        for o in model.objections:
            self.items["objections"].append(o.id)
            self.items["replies"].extend(r.id for r in o.replies)
            self.items["actions"].extend(f"{o.id} → {_action_label(a)}" for a in o.next_actions)
            if o.escalate_after is not None and o.escalation is not None:
                if o.escalation.reply:
                    self.items["replies"].append(o.escalation.reply)
                self.items["actions"].extend(f"{o.id} escalation → {_action_label(a)}"
                                             for a in o.escalation.actions)
            uses_pack_escalation |= o.escalate_after is not None and o.escalation is None
        if uses_pack_escalation and model.escalation is not None:
            if model.escalation.reply:
                self.items["replies"].append(model.escalation.reply)
            self.items["actions"].extend(f"escalation → {_action_label(a)}"
                                         for a in model.escalation.actions)
        for p in model.pipelines:
            for s in p.stages:
                for c in s.exit:
                    self.items["criteria"].append(f"{p.id}/{s.id}/{c.id}")
                    if c.action is not None:
                        self.items["actions"].append(
                            f"{p.id}/{s.id}/{c.id} → {_action_label(c.action)}")
                self.items["criteria"].extend(f"{p.id}/{s.id}/{c.id} (terminate)"
                                              for c in s.terminate)
        for kind in KINDS:
            self.items[kind] = list(dict.fromkeys(self.items[kind]))

    # recording ------------------------------------------------------------------------

    def turn(self, rec: dict[str, Any]) -> None:
        """Record one turn's result (`Recommendation.to_dict()`)."""
        escalated = {r["objection"] for r in rec["replies"] if r.get("escalated")}
        for hit in rec["objections"]:
            self.covered["objections"].add(hit["id"])
        for reply in rec["replies"]:
            self.covered["replies"].add(reply["reply"])
        for action in rec["actions"]:
            objection = self.model.objection(str(action.get("because")))
            if objection is not None:
                self._objection_action(objection, action, objection.id in escalated)
        if rec.get("gate"):
            self.gate(rec["gate"])

    def _objection_action(self, objection: Objection, action: dict[str, Any],
                          escalated: bool) -> None:
        label = _action_label(action)
        if not escalated:
            self.covered["actions"].add(f"{objection.id} → {label}")
        elif objection.escalation is not None:
            self.covered["actions"].add(f"{objection.id} escalation → {label}")
        else:
            self.covered["actions"].add(f"escalation → {label}")

    def gate(self, result: dict[str, Any]) -> None:
        """Record one gate result."""
        prefix = f"{result['pipeline']}/{result.get('stage')}"
        for c in result.get("criteria", []):
            key = f"{prefix}/{c['criterion']}"
            if c["kind"] == "terminate":
                if c["status"] == "met":
                    self.covered["criteria"].add(f"{key} (terminate)")
                continue
            seen = self._seen.setdefault(key, set())
            seen.add("met" if c["status"] == "met" else "not met")
            if len(seen) == 2:
                self.covered["criteria"].add(key)
            if c["status"] != "met" and c.get("action"):
                self.covered["actions"].add(f"{key} → {_action_label(c['action'])}")

    # reporting ------------------------------------------------------------------------

    def missing(self, kind: str) -> list[str]:
        out = []
        for item in self.items[kind]:
            if item in self.covered[kind]:
                continue
            seen = self._seen.get(item)
            if kind == "criteria" and seen:
                item += " (never met)" if "met" not in seen else " (never unmet)"
            out.append(item)
        return out

    def counts(self, kind: str) -> tuple[int, int]:
        items = self.items[kind]
        return sum(1 for i in items if i in self.covered[kind]), len(items)

    def percent(self, kinds: Iterable[str] = KINDS) -> float:
        done = total = 0
        for kind in kinds:
            d, t = self.counts(kind)
            done, total = done + d, total + t
        return 100.0 if total == 0 else 100.0 * done / total

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"percent": round(self.percent(), 2)}
        for kind in KINDS:
            done, total = self.counts(kind)
            out[kind] = {"covered": done, "total": total,
                         "percent": round(self.percent([kind]), 2),
                         "missing": self.missing(kind)}
        return out
