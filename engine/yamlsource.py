"""Safe YAML reading that keeps the position of every key and value.

Built on `yaml.SafeLoader` (no Python tags, no code). Anchors/aliases are refused: a pack
never needs them and they are the way to make a small file expand without bound.
Duplicate keys, which plain YAML silently overwrites, are reported.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import Position, ProblemLog


class LocDict(dict[Any, Any]):
    """A mapping that remembers where it, its keys and its values were written."""

    pos: Position
    key_pos: dict[Any, Position]
    value_pos: dict[Any, Position]


class LocList(list[Any]):
    """A sequence that remembers where it and each item were written."""

    pos: Position
    item_pos: list[Position]


def _position(path: str, mark: Any) -> Position:
    return Position(path, mark.line + 1, mark.column + 1)


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _PackLoader(_Base):
    source_path: str = "<string>"
    problems: ProblemLog
    saw_alias: bool = False

    def construct_object(self, node: Any, deep: bool = False) -> Any:  # noqa: D102
        # a node constructed twice is an alias (*name) of an anchored node; libyaml
        # gives no position for the alias itself, so load_yaml finds them afterwards
        if node in self.constructed_objects:
            self.saw_alias = True
        return super().construct_object(node, deep)


def _construct_mapping(loader: _PackLoader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
    result = LocDict()
    result.pos = _position(loader.source_path, node.start_mark)
    result.key_pos = {}
    result.value_pos = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            loader.problems.add(
                _position(loader.source_path, key_node.start_mark),
                "a mapping key must be a plain name",
                code="E003",
            )
            continue
        if key in result:
            loader.problems.add(
                _position(loader.source_path, key_node.start_mark),
                f"duplicate key '{key}' (first written at line {result.key_pos[key].line})",
                code="E004",
            )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _position(loader.source_path, key_node.start_mark)
        result.value_pos[key] = _position(loader.source_path, value_node.start_mark)
    return result


def _construct_sequence(loader: _PackLoader, node: yaml.SequenceNode) -> LocList:
    result = LocList(loader.construct_object(child, deep=True) for child in node.value)
    result.pos = _position(loader.source_path, node.start_mark)
    result.item_pos = [_position(loader.source_path, child.start_mark) for child in node.value]
    return result


def construct_timestamp(loader: Any, node: Any) -> Any:
    """A YAML date that does not exist (2024-13-45) is a located YAML error, not a crash;
    every YAML reader of the engine registers this."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a valid date or time", node.start_mark
        ) from error


TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PackLoader.add_constructor(TIMESTAMP_TAG, construct_timestamp)
_PackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_PackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, path: str, problems: ProblemLog) -> Any:
    """Parse one YAML document; syntax errors become problems with file:line:col."""
    loader = _PackLoader(text)
    loader.source_path = path
    loader.problems = problems
    try:
        data = loader.get_single_data()
        if loader.saw_alias:
            _report_aliases(text, path, problems)
        return data
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _position(path, mark) if mark else Position(path)
        problems.add(where, _syntax_message(error, text, mark), code="E001")
        return None
    except yaml.YAMLError as error:
        problems.add(Position(path), f"YAML error: {error}", code="E001")
        return None
    finally:
        loader.dispose()


def _syntax_message(error: yaml.MarkedYAMLError, text: str, mark: Any) -> str:
    message = f"YAML syntax error: {error.problem or error}"
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1 if mark is not None else 0]:
        return message + " (a tab: YAML is indented with spaces only)"
    context = error.context or ""
    if "flow" in context and error.context_mark is not None:
        message += (f" ({context} started at line {error.context_mark.line + 1}, column "
                    f"{error.context_mark.column + 1}: close it, or quote text that contains "
                    "',', ':', '?', '[' or '{')")
    return message


def _report_aliases(text: str, path: str, problems: ProblemLog) -> None:
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            problems.add(_position(path, event.start_mark),
                         "YAML anchors and aliases are not allowed in packs; write the value out",
                         code="E002")


def where(container: Any, key: Any = None, *, key_side: bool = False) -> Position:
    """The position of `container[key]` (or of the container itself)."""
    if isinstance(container, LocDict):
        if key is None:
            return container.pos
        table = container.key_pos if key_side else container.value_pos
        return table.get(key, container.pos)
    if isinstance(container, LocList):
        if isinstance(key, int) and 0 <= key < len(container.item_pos):
            return container.item_pos[key]
        return container.pos
    return Position("<unknown>")
