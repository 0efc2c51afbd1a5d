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


class _PackLoader(yaml.SafeLoader):
    source_path: str = "<string>"
    problems: ProblemLog

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            self.problems.add(
                _position(self.source_path, event.start_mark),
                "YAML anchors and aliases are not allowed in packs; write the value out",
                code="E002",
            )
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


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


_PackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_PackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, path: str, problems: ProblemLog) -> Any:
    """Parse one YAML document; syntax errors become problems with file:line:col."""
    loader = _PackLoader(text)
    loader.source_path = path
    loader.problems = problems
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _position(path, mark) if mark else Position(path)
        message = f"YAML syntax error: {error.problem or error}"
        if error.context and error.context_mark and error.context_mark is not mark:
            message += (f" ({error.context} started at line {error.context_mark.line + 1}, "
                        f"column {error.context_mark.column + 1}; quote text that contains "
                        "',', ':', '?', '[' or '{')")
        problems.add(where, message, code="E001")
        return None
    except yaml.YAMLError as error:
        problems.add(Position(path), f"YAML error: {error}", code="E001")
        return None
    finally:
        loader.dispose()


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
