"""A loaded, compiled pack: the object a CRM holds and asks for sessions and gates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compliance import ComplianceGuard
from .detect import Hit
from .durable_backend import DurableMatcher, check_limits
from .errors import InputError, PackError, Position, Problem, ProblemLog
from .factvalues import FactTable, Value, derive, normalize_facts
from .gate import Override, evaluate_gate
from .loader import PackLoader
from .matcher import Matcher, PythonMatcher, build_rulebook
from .model import Objection, PackModel
from .packs import locate
from .render import fact_defaults
from .shared_detector import shared_detector
from .templates import (
    CompiledTemplate,
    compile_templates,
    find_phrase,
    make_environment,
    report_orphans,
)

if TYPE_CHECKING:
    from .session import Session

BACKENDS = ("durable", "python")


def load_model(name_or_path: str | Path) -> tuple[PackModel, dict[tuple[str, str],
                                                                 CompiledTemplate]]:
    """Read and check a pack without compiling its matcher; raises PackError."""
    root = locate(name_or_path)
    loader = PackLoader(root)
    model = loader.load()
    problems = loader.problems
    if model is None:
        problems.raise_if_any()
        raise PackError([])
    positions = model.reply_positions()
    templates = compile_templates(make_environment(), model.responses_root, positions,
                                  model.locales, model.facts.names(), problems)
    if not problems.problems:  # follow-on checks, only meaningful on an otherwise sound pack
        # (a condition with a bad literal would not compile into matcher rules)
        problems.problems.extend(check_limits(build_rulebook(model), model.facts))
    if not problems.problems:
        report_orphans(model.responses_root, model.locales, positions, problems)
        check_samples(model, templates, problems)
    problems.raise_if_any()
    return model, templates


def check_samples(model: PackModel, templates: Mapping[tuple[str, str], CompiledTemplate],
                   problems: ProblemLog) -> None:
    """Render every template with sample facts and run the compliance guard on it."""
    from .render import render_context  # noqa: PLC0415

    guard = ComplianceGuard(model.compliance, model.detection)
    owners: dict[str, Objection] = {}
    for entry in model.objections:
        for reply in entry.replies:
            owners[reply.id] = entry
    for (reply_id, locale), template in templates.items():
        objection = owners.get(reply_id)
        context = render_context(model, sample_facts(model.facts), locale, objection, ())
        try:
            text = template.render(context)
        except Exception as error:  # noqa: BLE001 - any failure here is an authoring error
            problems.add(Position(str(template.path), 1, 1),
                         f"template fails with sample facts: {error}",
                         code="E045")
            continue
        for violation in guard.check(text, objection.id if objection else "", locale):
            problems.add(find_phrase(template, violation.detail), f"reply '{reply_id}' ({locale}) "
                         f"{violation.message()}", code="E060")


def sample_facts(facts: FactTable) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for spec in facts.declared():
        if spec.sample is not None:
            out[spec.path] = spec.normalize(spec.sample)
        elif spec.enum:
            out[spec.path] = spec.enum[0]
    return out


class Pack:
    """A compiled pack. Thread-safe; create sessions from it, or gate deals."""

    def __init__(self, model: PackModel, templates: Mapping[tuple[str, str], CompiledTemplate],
                 backend: str = "durable") -> None:
        if backend not in BACKENDS:
            raise InputError(f"unknown backend '{backend}'; use one of {', '.join(BACKENDS)}")
        self.model = model
        self.templates = dict(templates)
        self.backend = backend
        book = build_rulebook(model)
        self.matcher: Matcher = (DurableMatcher(book, model.facts, model.id, model.version)
                                 if backend == "durable" else PythonMatcher(book))
        self.detector = shared_detector(model.objections, model.detection)
        self.objections = {o.id: o for o in model.objections}
        self.defaults = {locale: fact_defaults(model, locale) for locale in model.locales}
        self.guard = ComplianceGuard(model.compliance, model.detection)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    def detect(self, utterance: str) -> list[Hit]:
        return self.detector.detect(utterance)

    def session(self, session_id: str, facts: Mapping[str, Any] | None = None,
                locale: str | None = None) -> Session:
        from .session import Session

        return Session(self, session_id, facts or {}, locale)

    def restore(self, snapshot: Mapping[str, Any]) -> Session:
        from .session import Session

        return Session.from_snapshot(self, snapshot)

    def recommend(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """One-shot: {utterance, facts, locale, session?, now?} → Recommendation dict."""
        if not isinstance(context, Mapping):
            raise InputError("recommend() expects a mapping with 'utterance' and 'facts'")
        snapshot = context.get("session")
        if isinstance(snapshot, Mapping):
            session = self.restore(snapshot)
        else:
            session = self.session(str(snapshot or "one-shot"), locale=context.get("locale"))
        rec = session.turn(utterance=context.get("utterance") or "",
                           facts=context.get("facts") or {}, locale=context.get("locale"),
                           now=context.get("now"))
        return rec.to_dict()

    def gate(self, deal: Mapping[str, Any], now: dt.datetime | dt.date | str | None = None,
             pipeline: str | None = None, locale: str | None = None, move_to: str | None = None,
             override: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Gate decision for a deal (a mapping of facts, flat or nested)."""
        chosen = self.model.pipeline(pipeline)
        if chosen is None:
            known = [p.id for p in self.model.pipelines]
            raise InputError(f"pack '{self.id}' has no pipeline '{pipeline}'; it has "
                             f"{', '.join(known) or 'none'}")
        locale = self.model.locale(locale)
        if not isinstance(deal, Mapping):
            raise InputError("a deal is a mapping of facts")
        when = as_datetime(now)
        facts, warnings = self.normalize_facts(deal)
        facts = derive(facts, self.model.facts, when.date())
        result = evaluate_gate(self.model, self.matcher, chosen, facts,
                               locale, when, move_to,
                               Override.parse(override) if override else None)
        result["warnings"] = warnings
        return result

    def normalize_facts(self, raw: Mapping[str, Any]) -> tuple[dict[str, Value],
                                                               list[dict[str, str]]]:
        """Keep the facts the pack declares, typed; everything else becomes a warning."""
        return normalize_facts(self.model.facts, raw)

    def close(self) -> None:
        self.matcher.close()


def as_datetime(now: dt.datetime | dt.date | str | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(now, dt.datetime):
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    if isinstance(now, dt.date):
        return dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
    if isinstance(now, str):
        try:
            parsed = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError as error:
            raise InputError(f"'now' is not an ISO date or time: {now!r}") from error
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise InputError(f"'now' must be a date, a datetime or an ISO string, not {now!r}")


def load_pack(name_or_path: str | Path, backend: str = "durable") -> Pack:
    """Load, check and compile a pack by shipped name or folder path."""
    model, templates = load_model(name_or_path)
    return Pack(model, templates, backend)


def validate_pack(name_or_path: str | Path) -> list[Problem]:
    """Every problem of a pack (empty when it is valid)."""
    try:
        load_model(name_or_path)
    except PackError as error:
        return error.problems
    return []

