"""`playbook diff`: what changes between two versions of a pack, on recorded inputs.

Each conversation and deal is replayed through both packs; a turn is reported when its
objections, reply ids, reply texts, actions or gate decision differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .pack import Pack, load_pack
from .replay import Step, replay


@dataclass(frozen=True)
class Change:
    field: str  # objections | replies | text | actions | gate
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def _summary(step: Step) -> dict[str, Any]:
    result = step.result
    if step.label == "deal":
        return {"gate": result.get("decision"),
                "actions": [_action(a) for a in result.get("actions", [])]}
    gate = result.get("gate")
    return {
        "objections": [o["id"] for o in result["objections"]],
        "replies": [r["reply"] for r in result["replies"]],
        "text": {r["reply"]: r["text"] for r in result["replies"]},
        "actions": [_action(a) for a in result["actions"]],
        "gate": gate.get("decision") if gate else None,
    }


def _action(action: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in action.items() if k not in ("type", "because"))
    text = f"{action['type']}({params})" if params else str(action["type"])
    return f"{text} ← {action['because']}" if "because" in action else text


def compare(old: Step, new: Step) -> list[Change]:
    """The differences between the same step replayed through two packs."""
    before, after = _summary(old), _summary(new)
    changes = []
    for key in ("objections", "replies", "actions", "gate"):
        if key in before and before[key] != after[key]:
            changes.append(Change(key, before[key], after[key]))
    if "text" in before:
        for reply_id, text in after["text"].items():
            if reply_id in before["text"] and before["text"][reply_id] != text:
                changes.append(Change(f"text of {reply_id}", before["text"][reply_id], text))
    return changes


def diff_file(old: Pack, new: Pack, path: Path) -> list[tuple[Step, list[Change]]]:
    """Every step of the file whose result changed, with what changed."""
    out = []
    for before, after in zip(replay(old, path), replay(new, path), strict=True):
        changes = compare(before, after)
        if changes:
            out.append((after, changes))
    return out


def run_command(old_name: str, new_name: str, inputs: list[str], fmt: str,
                out: TextIO) -> int:
    old, new = load_pack(old_name), load_pack(new_name)
    report = []
    for name in inputs:
        changed = diff_file(old, new, Path(name))
        report.append({"file": name, "changed": [
            {"step": step.label, "said": step.said, "changes": [c.to_dict() for c in changes]}
            for step, changes in changed]})
        if fmt == "text":
            _print_file(out, name, changed)
    if fmt == "json":
        print(json.dumps({"old": f"{old.id}@{old.version}", "new": f"{new.id}@{new.version}",
                          "files": report}, ensure_ascii=False, indent=2), file=out)
    else:
        total = sum(len(f["changed"]) for f in report)
        print(f"{total} changed step(s) in {len(inputs)} file(s): {old.id}@{old.version} → "
              f"{new.id}@{new.version}", file=out)
    return 0


def _print_file(out: TextIO, name: str, changed: list[tuple[Step, list[Change]]]) -> None:
    print(name, file=out)
    if not changed:
        print("  no change", file=out)
    for step, changes in changed:
        said = f' "{step.said}"' if step.said else ""
        print(f"  {step.label}{said}", file=out)
        for change in changes:
            print(f"    {change.field}:", file=out)
            print(f"      - {_show(change.old)}", file=out)
            print(f"      + {_show(change.new)}", file=out)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "(none)"
    return "(none)" if value is None else str(value)
