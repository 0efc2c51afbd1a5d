"""`playbook lint`: completeness, conflicts and compliance of a pack, beyond validity.

Each rule is one function that yields findings; every finding has a stable code, a
severity, a `path:line:col` and a one-line fix. A pack silences a finding in its manifest
(`lint: {ignore: [{code, reason, where}]}`); a suppression must give its reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from jinja2 import nodes

from .compliance import ComplianceGuard
from .conditions import Not, paths_of
from .errors import Position
from .lintload import LintInput, read_for_lint
from .model import Action, Objection, PackModel, Pattern
from .pack import sample_facts
from .render import render_context
from .satisfiable import satisfiable
from .templates import CompiledTemplate, find_phrase, variables_used
from .yamlsource import LocDict, LocList, where

ERROR, WARNING = "error", "warning"

#: code → (severity, what it finds); the catalogue is documented in docs/lint.md
CODES: dict[str, tuple[str, str]] = {
    "PB001": (ERROR, "the pack does not validate"),
    "PB002": (ERROR, "a lint suppression is malformed or has no reason"),
    "PB003": (WARNING, "a lint suppression matches no finding"),
    "PB101": (ERROR, "a reply (or a whole objection) has no template in a locale"),
    "PB102": (ERROR, "a reply or action condition can never be true"),
    "PB103": (ERROR, "two replies always fire together at equal priority"),
    "PB104": (ERROR, "a phrase belongs to two objections"),
    "PB105": (ERROR, "a stage can never be left, or stops every deal"),
    "PB106": (WARNING, "a stage that is not the last has no exit criteria"),
    "PB107": (WARNING, "a terminate criterion can never be true"),
    "PB108": (WARNING, "a criterion reads a fact that no example or test supplies"),
    "PB109": (WARNING, "an action type is declared but never used"),
    "PB110": (WARNING, "an action type is used but has no description for its handler"),
    "PB111": (ERROR, "a template reads a fact that has no default and no sample"),
    "PB112": (WARNING, "a word list is defined but no pattern uses it"),
    "PB113": (WARNING, "an entry lists the same pattern twice"),
    "PB120": (ERROR, "a reply or action text makes a forbidden claim"),
    "PB121": (ERROR, "a reply lacks a required disclosure"),
}
UNSUPPRESSIBLE = ("PB001", "PB002")


@dataclass(frozen=True)
class Finding:
    code: str
    position: Position
    message: str
    fix: str
    subjects: tuple[str, ...] = ()  # ids a suppression's `where` may name

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def __str__(self) -> str:
        return f"{self.position}: {self.code} {self.message} (fix: {self.fix})"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.position.path, "line": self.position.line,
                "column": self.position.column, "code": self.code,
                "severity": self.severity, "message": self.message, "fix": self.fix,
                "subjects": list(self.subjects)}


@dataclass
class LintReport:
    pack: str
    findings: list[Finding]
    suppressed: int = 0

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"pack": self.pack, "errors": self.errors, "warnings": self.warnings,
                "suppressed": self.suppressed,
                "findings": [f.to_dict() for f in self.findings]}


def lint_pack(name_or_path: str | Path) -> LintReport:
    data = read_for_lint(name_or_path)
    findings = [Finding("PB001", p.position, f"{p.message} [{p.code}]",
                        "run `playbook validate` and correct the pack") for p in data.problems]
    model = data.model
    if model is None:
        return LintReport(str(name_or_path), findings)
    for rule in RULES:
        findings.extend(rule(data, model))
    kept, suppressed = apply_suppressions(data, findings)
    kept.sort(key=lambda f: (f.severity != ERROR, f.position.path, f.position.line,
                             f.position.column, f.code))
    return LintReport(model.id, kept, suppressed)


# rules ------------------------------------------------------------------------------

def missing_templates(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB101: a reply, or every reply of an objection, has no template in a locale."""
    for objection in model.objections:
        replies = [(r.id, r.position) for r in objection.replies]
        if objection.escalation and objection.escalation.reply:
            replies.append((objection.escalation.reply, objection.escalation.position))
        for locale in model.locales:
            missing = [(rid, at) for rid, at in replies if (rid, locale) not in data.templates]
            none_left = all((r.id, locale) not in data.templates for r in objection.replies)
            for rid, at in missing:
                whole = f"; objection '{objection.id}' has no {locale} reply at all" \
                    if none_left else ""
                yield Finding("PB101", at, f"reply '{rid}' has no {locale} template{whole}",
                              f"write {model.responses_root / locale / (rid + '.j2')}",
                              (objection.id, rid))
    if model.escalation and model.escalation.reply:
        for locale in model.locales:
            rid = model.escalation.reply
            if (rid, locale) not in data.templates:
                yield Finding("PB101", model.escalation.position,
                              f"escalation reply '{rid}' has no {locale} template",
                              f"write {model.responses_root / locale / (rid + '.j2')}", (rid,))


def never_true(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB102: a reply or action whose condition no facts can make true."""
    for objection in model.objections:
        for reply in objection.replies:
            if satisfiable(reply.when, model.facts) is False:
                yield Finding("PB102", reply.position, f"reply '{reply.id}' can never be "
                              "chosen: its condition can never be true",
                              "remove the contradiction from its 'when'",
                              (objection.id, reply.id))
        for action in _objection_actions(objection):
            if satisfiable(action.when, model.facts) is False:
                yield Finding("PB102", action.position, f"action '{action.type}' of "
                              f"'{objection.id}' is never recommended: its condition can "
                              "never be true", "remove the contradiction from its 'when'",
                              (objection.id, action.type))


def conflicting_replies(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB103: with `repeat: first`, equal priority and condition make the later reply dead.

    With `repeat: rotate` (the default) such replies are variants served in turn, which
    is how variants are written, so they are not reported.
    """
    for objection in model.objections:
        if objection.repeat != "first":
            continue
        for i, later in enumerate(objection.replies):
            for earlier in objection.replies[:i]:
                if earlier.priority == later.priority and earlier.when == later.when:
                    yield Finding("PB103", later.position, f"replies '{earlier.id}' and "
                                  f"'{later.id}' always fire together at priority "
                                  f"{later.priority}; with repeat: first, '{later.id}' is "
                                  "never chosen", "give one a different priority or "
                                  "condition, or use repeat: rotate",
                                  (objection.id, later.id))
                    break


def shared_phrases(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB104: one phrase alone detects two objections.

    A plain phrase is compared string by string (after `{a,b}` and `{@list}` expansion); a
    pattern of several parts is compared as a whole. Weak cues (a weight below the
    detection threshold) only add to a score, so sharing them is not reported.
    """
    owner: dict[tuple[str, object], str] = {}
    reported: set[tuple[str, object, str]] = set()
    for objection in model.objections:
        for pattern in objection.patterns:
            if pattern.weight < model.detection.threshold:
                continue
            keys: list[tuple[object, str]] = [(s, s) for s in sorted(pattern.slots[0])] \
                if len(pattern.slots) == 1 else [((pattern.slots, pattern.ordered),
                                                  pattern.source)]
            for shape, shown in keys:
                key = (pattern.locale, shape)
                first = owner.setdefault(key, objection.id)
                if first != objection.id and (*key, objection.id) not in reported:
                    reported.add((*key, objection.id))
                    yield Finding("PB104", pattern.position, f"phrase '{shown}' "
                                  f"({pattern.locale}) belongs to both '{first}' and "
                                  f"'{objection.id}'", "keep the phrase in one objection, or "
                                  "make one of them longer", (objection.id, first))


def unused_word_lists(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB112: a `lexicon:` list that no pattern refers to as {@name}."""
    for name, at in model.unused_word_lists:
        yield Finding("PB112", at, f"word list '{name}' is not used by any pattern",
                      f"use it as {{@{name}}} in a pattern, or delete it", (name,))


def repeated_patterns(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB113: an entry lists the same pattern twice (the same strings after expansion, in
    the same order and locale). A repeated pattern's weight is combined twice, so two weak
    cues that each stay below the threshold can detect on their own; a repeated exclusion
    does nothing."""
    for objection in model.objections:
        for kind, patterns in (("pattern", objection.patterns),
                               ("exclusion", objection.exclude)):
            first: dict[tuple[object, ...], Pattern] = {}
            for pattern in patterns:
                earlier = first.setdefault((pattern.locale, pattern.slots, pattern.ordered),
                                           pattern)
                if earlier is not pattern:
                    yield Finding("PB113", pattern.position, f"{kind} '{pattern.source}' "
                                  f"({pattern.locale}) of '{objection.id}' repeats the one "
                                  f"at line {earlier.position.line}",
                                  "delete one of them, or give the one left the weight both "
                                  "were meant to have", (objection.id,))


def dead_end_stages(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB105, PB106, PB107: stages no deal can leave or pass, and checks that never fire."""
    for pipeline in model.pipelines:
        for index, stage in enumerate(pipeline.stages):
            pinned = {pipeline.stage_fact: stage.id}
            later = [s.id for s in pipeline.stages[index + 1:]]
            beyond = f"; {', '.join(later)} cannot be reached" if later else ""
            subjects = (pipeline.id, stage.id)
            for c in stage.exit:
                if c.required and satisfiable(c.when, model.facts, pinned) is False:
                    yield Finding("PB105", c.position, f"stage '{stage.id}' can never be "
                                  f"left: its required criterion '{c.id}' can never be "
                                  f"true{beyond}", "correct the criterion's 'when'",
                                  (*subjects, c.id))
            for c in stage.terminate:
                result = satisfiable(c.when, model.facts, pinned)
                if result is False:
                    yield Finding("PB107", c.position, f"terminate criterion '{c.id}' of "
                                  f"stage '{stage.id}' can never be true",
                                  "correct its 'when' or remove it", (*subjects, c.id))
                elif satisfiable(Not(c.when), model.facts, pinned) is False:
                    yield Finding("PB105", c.position, f"terminate criterion '{c.id}' of "
                                  f"stage '{stage.id}' can never be false: it stops every "
                                  f"deal whose facts are known{beyond}",
                                  "correct the criterion's 'when'", (*subjects, c.id))
            if not stage.exit and stage.approvals is None and later:
                yield Finding("PB106", stage.position, f"stage '{stage.id}' of "
                              f"'{pipeline.id}' has no exit criteria: every deal passes it "
                              "unchecked", "add the criteria that show the stage is done",
                              subjects)


def unprovided_facts(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB108: a criterion reads a fact that no deal, conversation or pack test supplies."""
    for pipeline in model.pipelines:
        for stage in pipeline.stages:
            for c in stage.exit + stage.terminate:
                for path in sorted(paths_of(c.when)):
                    if path not in data.provided:
                        yield Finding("PB108", c.position, f"criterion '{c.id}' of stage "
                                      f"'{stage.id}' reads '{path}', which no example deal, "
                                      "conversation or pack test supplies",
                                      f"add a deal under examples/deals/{model.id}/ that "
                                      f"sets {path}", (pipeline.id, stage.id, c.id, path))


def action_handlers(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB109, PB110: action types nobody uses, or used without a handler description."""
    used = {a.type for a in _all_actions(model)}
    declared = data.manifest.get("action_types") if data.manifest is not None else None
    if not isinstance(declared, LocDict):
        return
    for name, decl in declared.items():
        at = where(declared, name, key_side=True)
        if name not in used:
            yield Finding("PB109", at, f"action type '{name}' is declared but no objection, "
                          "escalation or criterion uses it", "use it or remove it",
                          (str(name),))
        elif not (isinstance(decl, LocDict) and isinstance(decl.get("description"), str)
                  and decl["description"].strip()):
            yield Finding("PB110", at, f"action type '{name}' has no description: the CRM "
                          "team cannot tell what handling it expects",
                          "add description: <what the CRM should do>", (str(name),))


def unsupplied_variables(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB111: a template reads a fact with no default and no sample."""
    owners = _reply_owners(model)
    for (reply_id, _locale), template in sorted(data.templates.items()):
        for name, line in variables_used(template.ast):
            spec = model.facts.get(name)
            if spec is None or spec.virtual or spec.default is not None or \
                    spec.sample is not None:
                continue
            yield Finding("PB111", Position(str(template.path), line, 1),
                          f"template of '{reply_id}' uses '{name}', which has no default and "
                          "no sample: the reply is withheld when a turn does not supply it",
                          f"give fact '{name}' a default (or a sample)",
                          (owners.get(reply_id, ""), reply_id, name))


def forbidden_claims(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB120: a forbidden claim in a template (any branch), key point or action text."""
    guard = ComplianceGuard(model.compliance, model.detection)
    owners = _reply_owners(model)
    for (reply_id, locale), template in sorted(data.templates.items()):
        texts = [node.data for node in template.ast.find_all(nodes.TemplateData)]
        rendered = _render(model, template, owners.get(reply_id), locale)
        if rendered is not None:
            texts.append(rendered)
        claims = dict.fromkeys(c for text in texts for c in guard.claims(text))
        for claim in claims:
            yield Finding("PB120", find_phrase(template, claim), f"reply '{reply_id}' ({locale}) "
                          f"makes the forbidden claim '{claim}'", "reword it, or state it as "
                          "a disclaimer (\"no one can promise ...\")",
                          (owners.get(reply_id, ""), reply_id))
    for objection in model.objections:
        for reply in objection.replies:
            for locale, points in reply.key_points.items():
                for claim in dict.fromkeys(c for p in points for c in guard.claims(p)):
                    yield Finding("PB120", reply.position, f"key points of '{reply.id}' "
                                  f"({locale}) make the forbidden claim '{claim}'",
                                  "reword the key point", (objection.id, reply.id))
    for action in _all_actions(model):
        for key, value in action.params.items():
            if isinstance(value, str):
                for claim in guard.claims(value):
                    yield Finding("PB120", action.position, f"action '{action.type}' "
                                  f"({key}) makes the forbidden claim '{claim}'",
                                  "reword the action text", (action.type,))
    for pipeline in model.pipelines:
        for stage in pipeline.stages:
            for c in stage.exit + stage.terminate:
                texts = [*c.message.by_locale.values(),
                         *(c.question.by_locale.values() if c.question else ())]
                for claim in dict.fromkeys(x for t in texts for x in guard.claims(t)):
                    yield Finding("PB120", c.position, f"criterion '{c.id}' makes the "
                                  f"forbidden claim '{claim}'", "reword its message",
                                  (pipeline.id, stage.id, c.id))


def missing_disclosures(data: LintInput, model: PackModel) -> Iterator[Finding]:
    """PB121: a reply of an objection that requires a disclosure does not carry it."""
    for disclosure in model.compliance.disclosures:
        for objection_id in disclosure.objections:
            objection = model.objection(objection_id)
            if objection is None:
                continue
            for reply in objection.replies:
                for locale in model.locales:
                    template = data.templates.get((reply.id, locale))
                    if template is None:
                        continue
                    text = _render(model, template, objection, locale)
                    required = disclosure.text.get(locale)
                    if text is not None and required not in text:
                        yield Finding("PB121", Position(str(template.path), 1, 1),
                                      f"reply '{reply.id}' ({locale}) lacks the required "
                                      f"disclosure '{disclosure.id}'",
                                      f"add the text: {required}", (objection.id, reply.id))


RULES: tuple[Callable[[LintInput, PackModel], Iterator[Finding]], ...] = (
    missing_templates, never_true, conflicting_replies, shared_phrases, unused_word_lists,
    repeated_patterns,
    dead_end_stages,
    unprovided_facts, action_handlers, unsupplied_variables, forbidden_claims,
    missing_disclosures,
)


# suppressions -----------------------------------------------------------------------

def apply_suppressions(data: LintInput, findings: list[Finding]) -> tuple[list[Finding], int]:
    """Drop the findings the manifest's `lint: {ignore: [...]}` silences, with a reason."""
    section = data.manifest.get("lint") if data.manifest is not None else None
    if section is None:
        return findings, 0
    bad: list[Finding] = []
    rules: list[tuple[str, str | None, Position]] = []
    entries = section.get("ignore") if isinstance(section, LocDict) else None
    if not isinstance(section, LocDict) or set(section) - {"ignore"} or \
            not isinstance(entries, LocList):
        at = where(data.manifest, "lint")
        return findings + [Finding("PB002", at, "'lint' expects {ignore: [{code, reason, "
                                   "where}]}", "write lint: {ignore: [{code: PB104, reason: "
                                   "...}]}")], 0
    for i, entry in enumerate(entries):
        at = where(entries, i)
        if not isinstance(entry, LocDict) or set(entry) - {"code", "reason", "where"}:
            bad.append(Finding("PB002", at, "a suppression is {code, reason, where}",
                               "keep only code, reason and where"))
            continue
        code, reason, scope = entry.get("code"), entry.get("reason"), entry.get("where")
        if not isinstance(code, str) or code not in CODES or code in UNSUPPRESSIBLE:
            bad.append(Finding("PB002", where(entry, "code"), f"'{code}' is not a lint code "
                               "that can be suppressed", "use a code that lint printed"))
        elif not isinstance(reason, str) or not reason.strip():
            bad.append(Finding("PB002", at, f"the suppression of {code} gives no reason",
                               "add reason: why this finding is acceptable"))
        elif scope is not None and not isinstance(scope, str):
            bad.append(Finding("PB002", where(entry, "where"), "'where' is an objection, "
                               "reply, stage, criterion, action type or fact id",
                               "write where: <id>"))
        else:
            rules.append((str(code), scope, at))
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        match = next((i for i, (code, scope, _at) in enumerate(rules)
                      if code == finding.code and (scope is None or scope in finding.subjects)),
                     None)
        if match is None or finding.code in UNSUPPRESSIBLE:
            kept.append(finding)
        else:
            used.add(match)
    unused = [Finding("PB003", at, f"the suppression of {code}"
                      f"{f' at {scope}' if scope else ''} matches no finding",
                      "remove it") for i, (code, scope, at) in enumerate(rules) if i not in used]
    return kept + bad + unused, len(findings) - len(kept)


# helpers ----------------------------------------------------------------------------

def _objection_actions(objection: Objection) -> list[Action]:
    actions = list(objection.next_actions)
    if objection.escalation:
        actions.extend(objection.escalation.actions)
    return actions


def _all_actions(model: PackModel) -> list[Action]:
    actions = [a for o in model.objections for a in _objection_actions(o)]
    if model.escalation:
        actions.extend(model.escalation.actions)
    for pipeline in model.pipelines:
        for stage in pipeline.stages:
            actions.extend(c.action for c in stage.exit + stage.terminate if c.action)
    return actions


def _reply_owners(model: PackModel) -> dict[str, str]:
    owners: dict[str, str] = {}
    for objection in model.objections:
        for reply in objection.replies:
            owners[reply.id] = objection.id
        if objection.escalation and objection.escalation.reply:
            owners.setdefault(objection.escalation.reply, objection.id)
    return owners


def _render(model: PackModel, template: CompiledTemplate, objection: Objection | str | None,
            locale: str) -> str | None:
    entry = model.objection(objection) if isinstance(objection, str) else objection
    context = render_context(model, sample_facts(model.facts), locale, entry, ())
    try:
        return template.render(context)
    except Exception:  # noqa: BLE001 - a template failing on samples is PB111's business
        return None


def run_command(packs: list[str], fmt: str, out: TextIO) -> int:
    """`playbook lint`: exit 1 when any pack has an error finding, else 0."""
    reports = [lint_pack(name) for name in packs]
    if fmt == "json":
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2),
              file=out)
    else:
        for report in reports:
            for finding in report.findings:
                print(finding, file=out)
            hidden = f", {report.suppressed} suppressed" if report.suppressed else ""
            print(f"{report.pack}: {report.errors} error(s), {report.warnings} warning(s)"
                  f"{hidden}", file=out)
    return 1 if any(r.errors for r in reports) else 0
