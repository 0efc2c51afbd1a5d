"""What `playbook lint` reads: the pack, its templates, its raw manifest and the facts
its examples supply.

Unlike `load_model`, a missing template or a template that fails on sample facts does
not stop here: those are lint findings. Anything else validate reports comes back as
problems, and lint shows them as PB001.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .conversation import load_all_documents
from .durable_backend import check_limits
from .errors import Position, Problem, ProblemLog
from .factvalues import DAYS_AGO, flatten
from .loader import PackLoader, read_file
from .matcher import build_rulebook
from .model import PackModel
from .pack import check_samples
from .packs import locate
from .templates import CompiledTemplate, compile_templates, make_environment, report_orphans
from .yamlsource import LocDict

LINT_HANDLED = ("E040",)  # validate problems that lint reports under its own code


@dataclass
class LintInput:
    root: Path
    model: PackModel | None
    templates: dict[tuple[str, str], CompiledTemplate] = field(default_factory=dict)
    manifest: LocDict | None = None
    problems: list[Problem] = field(default_factory=list)
    provided: frozenset[str] = frozenset()


def read_for_lint(name_or_path: str | Path) -> LintInput:
    root = locate(name_or_path)
    loader = PackLoader(root)
    model = loader.load()
    if model is None or loader.problems.problems:
        problems = loader.problems.problems or [
            Problem(Position(str(root / "pack.yaml"), 1, 1), "the pack cannot be read")]
        return LintInput(root, None, problems=list(problems))
    log = ProblemLog()
    templates = compile_templates(make_environment(), model.responses_root,
                                  model.reply_positions(), model.locales, model.facts.names(),
                                  log)
    log.problems.extend(check_limits(build_rulebook(model), model.facts))
    if not log.problems:  # the same follow-on checks as validate (load_model)
        report_orphans(model.responses_root, model.locales, model.reply_positions(), log)
        check_samples(model, templates, log)
    manifest = read_file(root / "pack.yaml", ProblemLog())
    sources = example_files(root, model.id)
    return LintInput(root, model, templates,
                     manifest if isinstance(manifest, LocDict) else None,
                     [p for p in log.problems if p.code not in LINT_HANDLED],
                     frozenset(provided_facts(sources)))


def example_files(root: Path, pack_id: str) -> list[Path]:
    """Deals of the pack, every recorded conversation, and the pack's own tests."""
    examples = root.parent.parent / "examples"
    files = sorted((examples / "deals" / pack_id).glob("*.y*ml"))
    conversations = examples / "conversations"
    files += sorted(p for p in conversations.glob("*") if p.suffix in (".yaml", ".yml", ".jsonl"))
    files += sorted((root / "tests").rglob("*.y*ml")) + sorted(root.glob("*_test.y*ml"))
    return files


def provided_facts(files: list[Path]) -> set[str]:
    out: set[str] = set()
    for path in files:
        for document in _documents(path):
            out.update(_facts_in(document))
    out.update({p + DAYS_AGO for p in out})
    return out


def _documents(path: Path) -> Iterator[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if path.suffix == ".jsonl":
        for line in text.splitlines():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue
        return
    try:
        yield from load_all_documents(text)  # no aliases: a tiny file could explode
    except yaml.YAMLError:
        return


def _facts_in(node: Any) -> Iterator[str]:
    """The fact paths under every `facts:` mapping, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "facts" and isinstance(value, dict):
                yield from (str(k) for k in flatten(value))
            else:
                yield from _facts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _facts_in(item)
