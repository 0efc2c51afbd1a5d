"""What one turn returns: JSON-serializable, with a trace of why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Recommendation:
    session: str
    turn: int
    locale: str
    objections: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    gate: dict[str, Any] | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)
    trace: list[dict[str, str]] = field(default_factory=list)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append({"code": code, "message": message})

    def because(self, rule: str, reason: str) -> None:
        self.trace.append({"rule": rule, "because": reason})

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "turn": self.turn,
            "locale": self.locale,
            "objections": self.objections,
            "replies": self.replies,
            "actions": self.actions,
            "gate": self.gate,
            "warnings": self.warnings,
            "trace": self.trace,
        }
