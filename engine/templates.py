"""Reply templates: sandboxed Jinja2, strict undefined, compiled once per pack.

A pack is untrusted input: the sandbox refuses attribute tricks, `StrictUndefined` makes
a misspelt variable an error instead of an empty string, and every template is checked
against the declared facts and rendered with sample values when the pack loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import Position, ProblemLog
from .suggest import nearest

RESERVED_PATHS = ("objection.id", "objection.title", "locale", "evidence", "pack")
MAX_TEMPLATE_BYTES = 64_000
MAX_OUTPUT = 20_000


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus bounds on the operators that can allocate without limit
    (`'a' * 10**11`, `2 ** 10**9`)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError("exponent too large in a template")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and \
                        len(seq) * count > MAX_OUTPUT:
                    raise SecurityError("repetition too large in a template")
        return super().call_binop(context, operator, left, right)


def make_environment() -> jinja2.Environment:
    env = _BoundedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass(frozen=True)
class CompiledTemplate:
    reply: str
    locale: str
    path: Path
    template: jinja2.Template
    ast: nodes.Template  # kept for lint, which inspects branches and variables

    def render(self, context: Mapping[str, Any]) -> str:
        text = self.template.render(context).strip()
        return text[:MAX_OUTPUT]


def _dotted(node: nodes.Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    if isinstance(node, nodes.Name) and node.ctx == "load":
        parts.append(node.name)
        return ".".join(reversed(parts))
    return None


def variables_used(ast: nodes.Template) -> list[tuple[str, int]]:
    """Longest dotted names read by a template, with their line, loop variables excluded."""
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found: dict[str, int] = {}
    inner: set[int] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        path = _dotted(node)
        if path is None:
            continue
        for child in node.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
            inner.add(id(child))
        if id(node) not in inner and path.split(".")[0] not in assigned:
            found.setdefault(path, node.lineno)
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and id(name) not in inner and name.name not in assigned:
            found.setdefault(name.name, name.lineno)
    return sorted(found.items(), key=lambda item: item[1])


def compile_templates(
    env: jinja2.Environment,
    responses_root: Path,
    reply_positions: Mapping[str, Position],
    locales: Iterable[str],
    fact_names: Iterable[str],
    problems: ProblemLog,
) -> dict[tuple[str, str], CompiledTemplate]:
    """Find, parse, check and compile the template of every reply in every locale."""
    known = list(fact_names)
    allowed = set(known) | set(RESERVED_PATHS)
    prefixes = {p.rsplit(".", i)[0] for p in allowed for i in range(p.count(".") + 1)}
    out: dict[tuple[str, str], CompiledTemplate] = {}
    for locale in locales:
        folder = responses_root / locale
        for reply, declared_at in reply_positions.items():
            path = folder / f"{reply}.j2"
            if not path.is_file():
                problems.add(declared_at, f"reply '{reply}' has no {locale} template: "
                             f"expected {path}", code="E040")
                continue
            raw = path.read_bytes()
            if len(raw) > MAX_TEMPLATE_BYTES:
                problems.add(Position(str(path), 1, 1), "template larger than 64 KB", code="E041")
                continue
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.add(Position(str(path), 1, 1), f"template is not UTF-8: {error}",
                             code="E041")
                continue
            try:
                ast = env.parse(source, name=reply, filename=str(path))
                template = env.from_string(ast)
            except jinja2.TemplateSyntaxError as error:
                problems.add(Position(str(path), error.lineno or 1, 1),
                             f"template syntax error: {error.message}", code="E042")
                continue
            bad = False
            for loop in ast.find_all(nodes.For):
                if any(True for _ in loop.find_all(nodes.For)):
                    problems.add(Position(str(path), loop.lineno, 1), "nested loops are not "
                                 "allowed in reply templates", code="E046")
                    bad = True
                    break
            for name, line in variables_used(ast):
                if name in allowed or name in prefixes:
                    continue
                root_ok = any(name.startswith(a + ".") for a in ("objection", "evidence"))
                if root_ok:
                    continue
                problems.add(Position(str(path), line, 1),
                             f"template uses '{name}', which the pack does not declare as a fact",
                             nearest(name, sorted(allowed)), code="E043")
                bad = True
            if not bad:
                out[(reply, locale)] = CompiledTemplate(reply, locale, path, template, ast)
    return out


def report_orphans(responses_root: Path, locales: Iterable[str], replies: Iterable[str],
                   problems: ProblemLog) -> None:
    """Templates no reply uses: usually a misspelt reply id or file name."""
    known = list(replies)
    for path in _unused_templates(responses_root, locales, set(known)):
        problems.add(Position(str(path), 1, 1),
                     f"template '{path.stem}' belongs to no reply of the pack",
                     nearest(path.stem, known), code="E044")


def _unused_templates(root: Path, locales: Iterable[str], replies: set[str]) -> list[Path]:
    out: list[Path] = []
    for locale in locales:
        folder = root / locale
        if folder.is_dir():
            out.extend(p for p in sorted(folder.glob("*.j2")) if p.stem not in replies)
    return out


def find_phrase(template: CompiledTemplate, phrase: str) -> Position:
    """The line and column of a phrase in a template's source (1:1 when not literal)."""
    source = template.path.read_text(encoding="utf-8")
    for number, line in enumerate(source.splitlines(), start=1):
        column = line.lower().find(phrase.lower())
        if column >= 0:
            return Position(str(template.path), number, column + 1)
    return Position(str(template.path), 1, 1)
