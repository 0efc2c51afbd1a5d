"""Reading a pack's test files: `rules/<pack>/tests/*.yaml` and `rules/<pack>/*_test.yaml`.

A test file holds named cases; each is a conversation (turns, with expectations per turn)
or a deal (facts and `now`, with expectations on the gate). Everything a case names is
checked against the pack first, so a typo in an expectation is reported as `path:line:col`
instead of failing as a test. The format is described in docs/pack-tests.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Position, ProblemLog, TestFileError
from .gate import DECISIONS
from .model import PackModel
from .suggest import nearest
from .yamlsource import LocDict, LocList, load_yaml, where

TURN_EXPECT = ("objections", "replies", "actions", "gate", "contains", "not_contains",
               "warnings")
GATE_EXPECT = ("decision", "stage", "next_stage", "unmet", "unknown", "terminated_by",
               "actions", "escalate_to", "contains", "not_contains", "warnings")
FILE_KEYS = ("cases", "now", "locale", "title")
CONVERSATION_KEYS = ("name", "locale", "facts", "now", "turns", "session")
DEAL_KEYS = ("name", "locale", "facts", "now", "pipeline", "to", "override", "expect")
TURN_KEYS = ("say", "facts", "now", "expect")


@dataclass(frozen=True)
class CaseTurn:
    say: str
    facts: dict[str, Any]
    now: str | None
    expect: dict[str, Any] | None
    position: Position


@dataclass(frozen=True)
class Case:
    """One named case: `turns` for a conversation, or deal facts with `expect`."""

    name: str
    position: Position
    locale: str | None = None
    now: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    turns: tuple[CaseTurn, ...] = ()
    is_deal: bool = False
    pipeline: str | None = None
    move_to: str | None = None
    override: dict[str, Any] | None = None
    expect: dict[str, Any] | None = None


def find_test_files(root: Path) -> list[Path]:
    """The test files of the pack folder `root`, in a stable order."""
    files = sorted((root / "tests").glob("*.yaml")) if (root / "tests").is_dir() else []
    return files + sorted(root.glob("*_test.yaml"))


def read_tests(model: PackModel) -> list[Case]:
    """Every case of the pack's test files; raises TestFileError listing every problem."""
    problems = ProblemLog()
    cases: list[Case] = []
    for path in find_test_files(model.root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.add(Position(str(path)), f"cannot read test file: {error}", code="T001")
            continue
        raw = load_yaml(text, str(path), problems)
        if raw is not None:
            cases.extend(_Reader(model, str(path), problems).file(raw))
    seen: dict[str, Position] = {}
    for case in cases:
        if case.name in seen:
            problems.add(case.position, f"duplicate case name '{case.name}' (first at "
                         f"{seen[case.name]})", code="T002")
        seen.setdefault(case.name, case.position)
    if problems.problems:
        raise TestFileError(problems.problems)
    return cases


class _Reader:
    def __init__(self, model: PackModel, path: str, problems: ProblemLog) -> None:
        self.model = model
        self.path = path
        self.problems = problems
        self.replies = model.reply_ids()
        self.objections = [o.id for o in model.objections]
        self.criteria = sorted({c.id for p in model.pipelines for s in p.stages
                                for c in s.exit + s.terminate})
        self.stages = sorted({s.id for p in model.pipelines for s in p.stages})
        self.pipelines = [p.id for p in model.pipelines]

    def error(self, position: Position, message: str, suggestion: str | None = None) -> None:
        self.problems.add(position, message, suggestion, code="T003")

    def file(self, raw: Any) -> list[Case]:
        if not isinstance(raw, LocDict) or not isinstance(raw.get("cases"), LocList):
            self.error(where(raw) if isinstance(raw, LocDict) else Position(self.path),
                       "a test file is a mapping with a 'cases' list")
            return []
        self._keys(raw, FILE_KEYS)
        defaults = {"now": _text(raw.get("now")), "locale": raw.get("locale")}
        self._locale(raw, "locale")
        out = []
        for i, item in enumerate(raw["cases"]):
            case = self.case(item, where(raw["cases"], i), defaults)
            if case is not None:
                out.append(case)
        return out

    def case(self, raw: Any, position: Position, defaults: dict[str, Any]) -> Case | None:
        if not isinstance(raw, LocDict):
            self.error(position, "a case is a mapping with 'name' and 'turns' or 'facts'")
            return None
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.error(position, "a case needs a 'name'")
            return None
        facts = raw.get("facts") or {}
        if not isinstance(facts, dict):
            self.error(where(raw, "facts"), "'facts' must be a mapping")
            facts = {}
        self._locale(raw, "locale")
        locale = raw.get("locale", defaults["locale"])
        now = _text(raw.get("now")) or defaults["now"]
        if "turns" in raw:
            return self._conversation(raw, name, position, locale, now, dict(facts))
        self._keys(raw, DEAL_KEYS)
        expect = raw.get("expect")
        if expect is None:
            self.error(position, f"case '{name}' has neither 'turns' nor 'expect': "
                       "it asserts nothing")
            return None
        pipeline = raw.get("pipeline")
        if pipeline is not None and pipeline not in self.pipelines:
            self.error(where(raw, "pipeline"), f"no pipeline '{pipeline}' in the pack",
                       nearest(str(pipeline), self.pipelines))
        move_to = raw.get("to")
        if move_to is not None:
            self._names(raw, "to", [move_to], self.stages, "stage")
        override = raw.get("override")
        if override is not None and not isinstance(override, dict):
            self.error(where(raw, "override"), "'override' must be a mapping")
            override = None
        return Case(name, position, locale, now, dict(facts), is_deal=True,
                        pipeline=pipeline, move_to=move_to,
                        override=dict(override) if override else None,
                        expect=self._expect(expect, where(raw, "expect"), GATE_EXPECT))

    def _conversation(self, raw: LocDict, name: str, position: Position, locale: Any,
                      now: str | None, facts: dict[str, Any]) -> Case | None:
        self._keys(raw, CONVERSATION_KEYS, hint="in a conversation, 'expect' goes on a turn")
        turns_raw = raw["turns"]
        if not isinstance(turns_raw, LocList) or not turns_raw:
            self.error(where(raw, "turns"), "'turns' must be a non-empty list")
            return None
        turns = []
        for i, item in enumerate(turns_raw):
            turn = self._turn(item, where(turns_raw, i))
            if turn is not None:
                turns.append(turn)
        if not any(t.expect is not None for t in turns):
            self.error(position, f"case '{name}' asserts nothing: give a turn an 'expect'")
        return Case(name, position, locale, now, facts, tuple(turns))

    def _turn(self, raw: Any, position: Position) -> CaseTurn | None:
        if isinstance(raw, str):
            return CaseTurn(raw, {}, None, None, position)
        if not isinstance(raw, LocDict):
            self.error(position, "a turn is text or a mapping with 'say', 'facts', 'expect'")
            return None
        self._keys(raw, TURN_KEYS)
        say = raw.get("say", "")
        facts = raw.get("facts") or {}
        if not isinstance(say, str):
            self.error(where(raw, "say"), "'say' must be text")
            say = ""
        if not isinstance(facts, dict):
            self.error(where(raw, "facts"), "'facts' must be a mapping")
            facts = {}
        expect = raw.get("expect")
        checked = (self._expect(expect, where(raw, "expect"), TURN_EXPECT)
                   if expect is not None else None)
        return CaseTurn(say, dict(facts), _text(raw.get("now")), checked, position)

    def _expect(self, raw: Any, position: Position, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(raw, LocDict):
            self.error(position, "'expect' must be a mapping")
            return {}
        self._keys(raw, keys)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in keys:
                continue
            if key == "gate":
                out[key] = self._gate(raw, value)
                continue
            if key in ("decision", "stage", "next_stage", "escalate_to"):
                out[key] = self._scalar(raw, key, value)
                continue
            items = _listed(value)
            if items is None:
                self.error(where(raw, key), f"'{key}' must be a list (or one item)")
                continue
            out[key] = self._items(raw, key, items)
        return out

    def _gate(self, raw: LocDict, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return {"decision": self._scalar(raw, "gate", value)}
        return self._expect(value, where(raw, "gate"), GATE_EXPECT)

    def _scalar(self, raw: LocDict, key: str, value: Any) -> Any:
        if key in ("decision", "gate") and value not in DECISIONS:
            self.error(where(raw, key), f"decision '{value}' is not one of "
                       f"{', '.join(DECISIONS)}", nearest(str(value), DECISIONS))
        elif key in ("stage", "next_stage") and value is not None:
            self._names(raw, key, [value], self.stages, "stage")
        return value

    def _items(self, raw: LocDict, key: str, items: list[Any]) -> list[Any]:
        if key == "objections":
            self._names(raw, key, items, self.objections, "objection")
        elif key == "replies":
            self._names(raw, key, items, self.replies, "reply")
        elif key in ("unmet", "unknown", "terminated_by"):
            self._names(raw, key, items, self.criteria, "criterion")
        elif key == "actions":
            return [self._action(raw, item) for item in items]
        elif any(not isinstance(item, str) for item in items):
            self.error(where(raw, key), f"'{key}' must list text")
        return [str(item) for item in items]

    def _action(self, raw: LocDict, item: Any) -> dict[str, Any]:
        spec = {"type": item} if isinstance(item, str) else dict(item) \
            if isinstance(item, dict) else {}
        kind = spec.get("type")
        types = list(self.model.action_types)
        if not isinstance(kind, str):
            self.error(where(raw, "actions"), "an expected action is a type name or a "
                       "mapping with 'type'")
        elif kind not in self.model.action_types:
            self.error(where(raw, "actions"), f"no action type '{kind}' in the pack",
                       nearest(kind, types))
        return spec

    def _names(self, raw: LocDict, key: str, items: list[Any], known: list[str],
               what: str) -> None:
        for item in items:
            if item not in known:
                self.error(where(raw, key), f"no {what} '{item}' in the pack",
                           nearest(str(item), known))

    def _keys(self, raw: LocDict, allowed: tuple[str, ...], hint: str = "") -> None:
        for key in raw:
            if key not in allowed:
                extra = f"; {hint}" if hint and key == "expect" else ""
                self.error(where(raw, key, key_side=True), f"unknown key '{key}' "
                           f"(expected {', '.join(allowed)}){extra}",
                           nearest(str(key), allowed))

    def _locale(self, raw: LocDict, key: str) -> None:
        value = raw.get(key)
        if value is not None and value not in self.model.locales:
            self.error(where(raw, key), f"locale '{value}' is not one of the pack's "
                       f"locales ({', '.join(self.model.locales)})")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _listed(value: Any) -> list[Any] | None:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    if isinstance(value, list):
        return list(value)
    return None
