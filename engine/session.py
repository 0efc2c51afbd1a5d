"""A conversation: plain data (facts, what was raised, which variants were served).

`Session.turn()` is the hot path: detection, one matcher call per detected objection,
reply choice, rendering, compliance, and the gate when the deal's stage is known.
A snapshot is plain JSON; restoring it gives the same recommendations.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .conditions import describe
from .errors import InputError
from .factvalues import Value, derive, normalize_facts
from .model import Action, Objection, Reply
from .recommendation import Recommendation
from .render import render_reply

if TYPE_CHECKING:
    from .pack import Pack

SNAPSHOT_FORMAT = "playbook-session/1"


def _whole(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and \
        float(value).is_integer() and value >= 0


class Session:
    def __init__(self, pack: Pack, session_id: str, facts: Mapping[str, Any],
                 locale: str | None = None) -> None:
        self.pack = pack
        self.id = str(session_id)
        self.locale = pack.model.locale(locale)
        self.facts: dict[str, Value] = {}
        self.turns = 0
        self.raised: dict[str, int] = {}
        self.served: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.facts, self._pending_warnings = normalize_facts(pack.model.facts, facts)

    # the hot path ---------------------------------------------------------------------

    def turn(self, utterance: str = "", facts: Mapping[str, Any] | None = None,
             locale: str | None = None, now: Any = None) -> Recommendation:
        with self._lock:
            saved = self._state()
            try:
                return self._turn(utterance, facts, locale, now)
            except BaseException:
                self._set_state(saved)  # a failed turn changes nothing
                raise

    def _state(self) -> tuple[int, dict[str, Value], dict[str, int], dict[str, list[str]],
                              list[dict[str, str]]]:
        return (self.turns, dict(self.facts), dict(self.raised),
                {k: list(v) for k, v in self.served.items()}, list(self._pending_warnings))

    def _set_state(self, state: tuple[int, dict[str, Value], dict[str, int],
                                      dict[str, list[str]], list[dict[str, str]]]) -> None:
        self.turns, self.facts, self.raised, self.served, self._pending_warnings = state

    def _turn(self, utterance: str, facts: Mapping[str, Any] | None, locale: str | None,
              now: Any) -> Recommendation:
        from .pack import as_datetime

        turn_locale = self.pack.model.locale(locale) if locale else self.locale
        self.turns += 1
        rec = Recommendation(self.id, self.turns, turn_locale)
        for warning in self._pending_warnings:
            rec.warn(warning["code"], warning["message"])
        self._pending_warnings = []
        update, warnings = normalize_facts(self.pack.model.facts, facts)
        for warning in warnings:
            rec.warn(warning["code"], warning["message"])
        self.facts.update(update)
        when = as_datetime(now)
        facts_now = derive(self.facts, self.pack.model.facts, when.date())
        text = utterance if isinstance(utterance, str) else ""
        if not isinstance(utterance, str) and utterance is not None:
            rec.warn("bad_utterance", "the utterance must be text; ignored")
        for hit in self.pack.detect(text):
            objection = self.pack.objections.get(hit.objection)
            if objection is None:
                continue
            rec.objections.append(hit.to_dict())
            rec.because(f"detect:{hit.objection}",
                        f"matched {', '.join(repr(e) for e in hit.evidence)} "
                        f"(score {hit.score:.2f})")
            self._respond(objection, hit.evidence, facts_now, turn_locale, rec)
        self._gate(facts_now, turn_locale, when, rec)
        return rec

    def _respond(self, objection: Objection, evidence: tuple[str, ...],
                 facts: Mapping[str, Value], locale: str, rec: Recommendation) -> None:
        count = self.raised.get(objection.id, 0) + 1
        self.raised[objection.id] = count
        fired = self.pack.matcher.matching(f"objection:{objection.id}", facts)
        limit = objection.escalate_after
        if limit is not None and count > limit:
            self._escalate(objection, count, evidence, facts, locale, rec, fired)
            return
        candidates = sorted((r for r in objection.replies if f"reply:{r.id}" in fired),
                            key=lambda r: -r.priority)
        if not candidates:
            rec.warn("no_reply", f"no reply of '{objection.id}' applies to these facts")
            rec.because(f"reply:{objection.id}", "no reply condition holds")
        else:
            reply, why = self._choose(objection, candidates, count)
            served = self.served.setdefault(objection.id, [])
            if reply.id not in served:  # distinct ids: the raise count does the rest
                served.append(reply.id)
            self._add_reply(objection, reply.id, evidence, facts, locale, rec)
            rec.because(f"reply:{reply.id}", f"raise {count} of '{objection.id}'; {why}; "
                        f"condition: {describe(reply.when)}")
        self._add_actions(objection.next_actions, "action", objection.id, fired, rec)

    def _choose(self, objection: Objection, candidates: list[Reply],
                count: int) -> tuple[Reply, str]:
        names = ", ".join(f"{c.id} (priority {c.priority})" for c in candidates)
        if objection.repeat == "first" or len(candidates) == 1:
            return candidates[0], f"best of [{names}]"
        served = self.served.get(objection.id, [])
        unused = [c for c in candidates if c.id not in served]
        if unused:
            return unused[0], f"first variant not yet used, of [{names}]"
        return candidates[(count - 1) % len(candidates)], f"all used, rotating over [{names}]"

    def _escalate(self, objection: Objection, count: int, evidence: tuple[str, ...],
                  facts: Mapping[str, Value], locale: str, rec: Recommendation,
                  fired: frozenset[str]) -> None:
        own = objection.escalation
        escalation = own or self.pack.model.escalation
        rec.because(f"escalation:{objection.id}", f"raised {count} times; the pack escalates "
                    f"after {objection.escalate_after}")
        if escalation is None:
            rec.warn("no_escalation", f"'{objection.id}' should escalate but the pack "
                     "declares no escalation")
            return
        if escalation.reply:
            self._add_reply(objection, escalation.reply, evidence, facts, locale, rec,
                            escalated=True)
        if not own:  # the pack-wide escalation's actions are their own rule group
            fired = self.pack.matcher.matching("escalation", facts)
        self._add_actions(escalation.actions, "escalation_action", objection.id, fired, rec)

    def _add_reply(self, objection: Objection, reply_id: str, evidence: tuple[str, ...],
                   facts: Mapping[str, Value], locale: str, rec: Recommendation,
                   escalated: bool = False) -> None:
        text = render_reply(self.pack, reply_id, objection, facts, locale, evidence, rec)
        entry: dict[str, Any] = {"objection": objection.id, "reply": reply_id,
                                 "locale": locale, "text": text}
        if escalated:
            entry["escalated"] = True
        rec.replies.append(entry)

    @staticmethod
    def _add_actions(actions: tuple[Action, ...], prefix: str, because: str,
                     fired: frozenset[str], rec: Recommendation) -> None:
        for i, action in enumerate(actions):
            if f"{prefix}:{i}" in fired:
                rec.actions.append({**action.to_dict(), "because": because})

    def _gate(self, facts: Mapping[str, Value], locale: str, when: dt.datetime,
              rec: Recommendation) -> None:
        from .gate import evaluate_gate

        for pipeline in self.pack.model.pipelines:
            if pipeline.stage_fact in facts:
                rec.gate = evaluate_gate(self.pack.model, self.pack.matcher, pipeline, facts,
                                         locale, when)
                rec.because(f"gate:{pipeline.id}", f"decision {rec.gate['decision']}: "
                            f"{rec.gate.get('reason', '')}")
                return

    # state as data --------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "format": SNAPSHOT_FORMAT, "pack": self.pack.id, "version": self.pack.version,
                "session": self.id, "locale": self.locale, "turn": self.turns,
                "facts": dict(self.facts), "raised": dict(self.raised),
                "served": {k: list(v) for k, v in self.served.items()},
            }

    @classmethod
    def from_snapshot(cls, pack: Pack, snapshot: Mapping[str, Any]) -> Session:
        if not isinstance(snapshot, Mapping) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise InputError(f"not a session snapshot (expected format '{SNAPSHOT_FORMAT}')")
        if snapshot.get("pack") != pack.id:
            raise InputError(f"snapshot belongs to pack '{snapshot.get('pack')}', "
                             f"not '{pack.id}'")
        session = cls(pack, str(snapshot.get("session", "")), snapshot.get("facts") or {},
                      snapshot.get("locale"))
        turn = snapshot.get("turn", 0)
        raised = snapshot.get("raised") or {}
        served = snapshot.get("served") or {}
        if isinstance(turn, bool) or not isinstance(turn, int) or turn < 0 or \
                not isinstance(raised, Mapping) or not isinstance(served, Mapping):
            raise InputError("snapshot fields 'turn', 'raised' or 'served' are malformed")
        session.turns = turn
        # counts may come back as 1.0 from a JSON column; anything else is malformed
        if not all(_whole(v) for v in raised.values()):
            raise InputError("snapshot field 'raised' must map objection ids to counts")
        session.raised = {str(k): int(v) for k, v in raised.items()}
        if snapshot.get("version") != pack.version:
            session._pending_warnings.append({
                "code": "version_changed", "message": f"session was saved with "
                f"{pack.id} {snapshot.get('version')}, continued with {pack.version}"})
        session.served = {str(k): [str(x) for x in v] for k, v in served.items()
                          if isinstance(v, list)}
        return session
