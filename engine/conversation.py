"""Recorded conversations for dry-run: YAML (header + turns) or JSONL (one turn a line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .yamlsource import TIMESTAMP_TAG, construct_timestamp


@dataclass
class Turn:
    utterance: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    now: str | None = None
    speaker: str = "customer"


@dataclass
class Conversation:
    session: str = "dry-run"
    locale: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    now: str | None = None
    turns: list[Turn] = field(default_factory=list)


def _turn(raw: Any, where: str) -> Turn:
    if isinstance(raw, str):
        return Turn(utterance=raw)
    if not isinstance(raw, dict):
        raise InputError("a turn is text or a mapping with 'say' and/or 'facts'", where)
    unknown = set(raw) - {"say", "utterance", "facts", "now", "speaker"}
    if unknown:
        raise InputError(f"unknown key(s) in a turn: {', '.join(sorted(map(str, unknown)))} "
                         "(expected say, facts, now)", where)
    say = raw.get("say", raw.get("utterance", ""))
    facts = raw.get("facts") or {}
    if not isinstance(say, str) or not isinstance(facts, dict):
        raise InputError("'say' must be text and 'facts' a mapping", where)
    now = raw.get("now")
    return Turn(say, facts, str(now) if now is not None else None,
                str(raw.get("speaker", "customer")))


class _NoAliasLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without anchors/aliases: a few bytes of aliases can expand to gigabytes."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML anchors and aliases are not allowed in input files",
                node.start_mark)
        return super().construct_object(node, deep)


_NoAliasLoader.add_constructor(TIMESTAMP_TAG, construct_timestamp)


def parse_yaml(text: str, file: Path) -> Any:
    """Safe YAML of an input file; a syntax error names file:line:col in one line."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(f"invalid YAML: {problem}", where) from error


def load_all_documents(text: str) -> Iterator[Any]:
    """Every document of a multi-document input, with the same safety as parse_yaml."""
    return yaml.load_all(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def read_text(file: Path, what: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"cannot read {what}: {reason}", str(file)) from error


def read_conversation(path: str | Path) -> Conversation:
    file = Path(path)
    text = read_text(file, "conversation")
    if file.suffix == ".jsonl":
        conv = Conversation(session=file.stem)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"invalid JSON: {error.msg}", f"{file}:{number}:{error.colno}") \
                    from error
            conv.turns.append(_turn(raw, f"{file}:{number}"))
        return conv
    return _conversation_from(parse_yaml(text, file), file)


def _is_conversation(raw: Any) -> bool:
    return isinstance(raw, list) or (isinstance(raw, dict) and "turns" in raw)


def _conversation_from(raw: Any, file: Path) -> Conversation:
    if isinstance(raw, list):
        raw = {"turns": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("turns"), list):
        raise InputError("a conversation is a mapping with a 'turns' list", str(file))
    unknown = set(raw) - {"session", "locale", "facts", "now", "turns", "pack", "title"}
    if unknown:
        raise InputError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}", str(file))
    facts = raw.get("facts") or {}
    if not isinstance(facts, dict):
        raise InputError("'facts' must be a mapping", str(file))
    now = raw.get("now")
    return Conversation(
        session=str(raw.get("session", file.stem)), locale=raw.get("locale"), facts=facts,
        now=str(now) if now is not None else None,
        turns=[_turn(t, f"{file}: turn {i + 1}") for i, t in enumerate(raw["turns"])])


def _deal_from(raw: Any, file: Path) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("a deal is a mapping of facts, or {facts: {...}}", str(file))
    if "facts" not in raw:
        raw = {"facts": raw}
    if not isinstance(raw["facts"], dict):
        raise InputError("'facts' must be a mapping", str(file))
    return raw


def read_deal(path: str | Path) -> dict[str, Any]:
    """A deal file: a mapping of facts, or {facts, now?, pipeline?, to?, override?}."""
    file = Path(path)
    return _deal_from(parse_yaml(read_text(file, "deal"), file), file)


def read_recorded(path: str | Path) -> Conversation | dict[str, Any]:
    """A conversation (YAML with `turns`, or JSONL) or a deal, read and parsed once."""
    file = Path(path)
    if file.suffix == ".jsonl":
        return read_conversation(file)
    raw = parse_yaml(read_text(file, "input"), file)
    return _conversation_from(raw, file) if _is_conversation(raw) else _deal_from(raw, file)
