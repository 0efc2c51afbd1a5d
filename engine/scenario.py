"""Training scenarios: the schema of a scenario file, and its loader.

A scenario names a pack, a simulated customer (a persona), where the conversation starts,
what the customer says (scripted turns, or a persona-driven generator that picks
utterances from the pack's own examples), a rubric and a pass score. A funnel scenario
instead describes the prospect funnel of the seed (names → ideal → customers).

Every problem is reported as `path:line:col: message`, all of them in one run, checked
against the pack too (unknown objections, stages, facts and action types, with the
nearest valid name). The format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PackError, Position, ProblemLog
from .fields import ID
from .suggest import nearest
from .yamlsource import LocDict, LocList, load_yaml, where

if TYPE_CHECKING:
    from .pack import Pack

TEMPERAMENTS: Mapping[str, int] = {  # temperament → how many times an unresolved objection
    "impatient": 0,                  # is raised again before the customer ends the talk
    "skeptical": 1,
    "cautious": 1,
    "hesitant": 2,
    "friendly": 2,
}
RUBRIC_PARTS = ("objection_addressed", "key_points", "next_step", "compliance")
DEFAULT_WEIGHTS: Mapping[str, float] = {"objection_addressed": 30, "key_points": 40,
                                        "next_step": 20, "compliance": 10}
DEFAULT_NOW = "2026-01-05"
TOP_KEYS = ("scenario", "title", "description", "pack", "locale", "now", "persona", "start",
            "turns", "generator", "rubric", "pass_score", "phrases", "funnel")
PERSONA_KEYS = ("name", "honorific", "customer_type", "temperament", "interest", "capital",
                "objections")
OBJECTION_KEYS = ("id", "raise", "resolve", "stage")
START_KEYS = ("pipeline", "stage", "facts")
TURN_KEYS = ("say", "facts", "expect")
EXPECT_KEYS = ("objection", "actions")
GENERATOR_KEYS = ("until", "max_turns")
FUNNEL_KEYS = ("days", "names_per_day", "steps", "months", "fewer_than")
STEP_KEYS = ("id", "p", "title", "expected")
FEWER_KEYS = ("step", "count")


class ScenarioError(PackError):
    """A scenario file could not be loaded; carries every problem found."""


@dataclass(frozen=True)
class PersonaObjection:
    id: str
    raise_p: float = 1.0      # how likely the customer raises it
    resolve_p: float = 0.8    # how likely a full-score answer resolves it
    stage: str | None = None  # the stage where it is raised (default: the starting stage)


@dataclass(frozen=True)
class Persona:
    name: str = ""
    honorific: str = ""
    customer_type: str | None = None
    temperament: str = "cautious"
    interest: float = 0.5     # chance to agree to go on, at the end of each stage
    capital: float | None = None
    objections: tuple[PersonaObjection, ...] = ()

    @property
    def retries(self) -> int:
        return TEMPERAMENTS.get(self.temperament, 1)


@dataclass(frozen=True)
class ScriptedTurn:
    say: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    expect_objection: str | None = None
    expect_actions: tuple[str, ...] | None = None
    position: Position = Position("<scenario>")


@dataclass(frozen=True)
class FunnelStep:
    id: str
    p: float
    title: Mapping[str, str] = field(default_factory=dict)
    expected: float | None = None


@dataclass(frozen=True)
class Funnel:
    days: int = 31
    names_per_day: int = 8
    steps: tuple[FunnelStep, ...] = ()
    months: int = 10_000
    fewer_than_step: str = ""
    fewer_than_count: int = 2


@dataclass(frozen=True)
class Scenario:
    id: str
    path: Path
    pack: str
    title: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    locale: str | None = None
    now: str = DEFAULT_NOW
    persona: Persona = field(default_factory=Persona)
    pipeline: str | None = None
    start_stage: str | None = None
    start_facts: Mapping[str, Any] = field(default_factory=dict)
    turns: tuple[ScriptedTurn, ...] = ()
    until: str | None = None
    max_turns: int = 12
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    pass_score: float = 80.0
    phrases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    funnel: Funnel | None = None

    @property
    def kind(self) -> str:
        """funnel | scripted | persona."""
        if self.funnel is not None:
            return "funnel"
        return "scripted" if self.turns else "persona"

    def title_in(self, locale: str) -> str:
        if locale in self.title:
            return self.title[locale]
        return next(iter(self.title.values()), self.id)


class _Reader:
    def __init__(self, path: str, problems: ProblemLog) -> None:
        self.path = path
        self.problems = problems

    def error(self, at: Position, message: str, suggestion: str | None = None) -> None:
        self.problems.add(at, message, suggestion, code="S001")

    def mapping(self, raw: Any, container: Any, key: Any, what: str) -> LocDict | None:
        if raw is None:
            return None
        if not isinstance(raw, LocDict):
            self.error(where(container, key), f"{what} must be a mapping")
            return None
        return raw

    def keys(self, raw: LocDict, allowed: tuple[str, ...], what: str,
             required: tuple[str, ...] = ()) -> None:
        for key in raw:
            if key not in allowed:
                self.error(where(raw, key, key_side=True), f"unknown key '{key}' in {what}",
                           nearest(str(key), allowed))
        for key in required:
            if key not in raw:
                self.error(raw.pos, f"{what} needs '{key}'")

    def string(self, raw: LocDict, key: str, what: str, default: str = "") -> str:
        value = raw.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(where(raw, key), f"{what}.{key} must be text")
            return default
        return str(value)

    def number(self, raw: LocDict, key: str, what: str, default: float,
               low: float | None = None, high: float | None = None) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(where(raw, key), f"{what}.{key} must be a number")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(where(raw, key), f"{what}.{key} must be between {low} and {high}, "
                       f"not {value}")
            return default
        return float(value)

    def integer(self, raw: LocDict, key: str, what: str, default: int, low: int = 0,
                high: int = 10**9) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(where(raw, key), f"{what}.{key} must be a whole number from {low} "
                       f"to {high}")
            return default
        return value

    def ident(self, raw: LocDict, key: str, what: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not ID.match(value):
            self.error(where(raw, key), f"{what}.{key} must be an id (snake_case)")
            return ""
        return value

    def facts(self, raw: LocDict, key: str, what: str) -> dict[str, Any]:
        value = raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, LocDict):
            self.error(where(raw, key), f"{what}.{key} must be a mapping of facts")
            return {}
        return {str(k): _plain(v) for k, v in value.items()}

    def localized(self, raw: LocDict, key: str, what: str) -> dict[str, str]:
        value = raw.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {"": value}
        if isinstance(value, LocDict) and all(isinstance(v, str) for v in value.values()):
            return {str(k): str(v) for k, v in value.items()}
        self.error(where(raw, key), f"{what}.{key} must be text or {{locale: text}}")
        return {}

    def items(self, raw: LocDict, key: str, what: str) -> LocList:
        value = raw.get(key)
        if value is None:
            return LocList()
        if not isinstance(value, LocList):
            self.error(where(raw, key), f"{what}.{key} must be a list")
            return LocList()
        return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_scenario(path: str | Path, pack: Pack | None = None) -> Scenario:
    """Read and check a scenario file; raises ScenarioError with every problem.

    The scenario is checked against its pack (loaded by name or path unless given).
    """
    from .simulate import pack_for

    file = Path(path)
    problems = ProblemLog()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add(Position(str(file)), f"cannot read scenario: {error}", code="S000")
        raise ScenarioError(problems.problems) from error
    raw = load_yaml(text, str(file), problems)
    if problems.problems:
        raise ScenarioError(problems.problems)
    if not isinstance(raw, LocDict):
        problems.add(Position(str(file), 1, 1), "a scenario is a mapping (see "
                     "docs/scenarios.md)", code="S001")
        raise ScenarioError(problems.problems)
    scenario, raw_turns = _read(raw, file, _Reader(str(file), problems))
    if problems.problems:
        raise ScenarioError(problems.problems)
    chosen = pack or pack_for(scenario)
    _check_against_pack(scenario, raw, raw_turns, chosen, _Reader(str(file), problems))
    if problems.problems:
        raise ScenarioError(problems.problems)
    return scenario


def _read(raw: LocDict, file: Path, r: _Reader) -> tuple[Scenario, LocList]:
    r.keys(raw, TOP_KEYS, "the scenario", required=("pack",))
    scenario_id = raw.get("scenario", file.stem.replace("-", "_"))
    if not isinstance(scenario_id, str) or not ID.match(scenario_id):
        r.error(where(raw, "scenario"), "'scenario' must be an id (snake_case)")
        scenario_id = "scenario"
    pack_ref = r.string(raw, "pack", "scenario")
    if pack_ref and ("/" in pack_ref or pack_ref.startswith(".")):
        pack_ref = str((file.parent / pack_ref).resolve())
    locale = raw.get("locale")
    if locale is not None and not isinstance(locale, str):
        r.error(where(raw, "locale"), "'locale' must be a locale name such as zh-CN")
        locale = None
    now_raw = raw.get("now", DEFAULT_NOW)
    now = now_raw.isoformat() if isinstance(now_raw, (dt.date, dt.datetime)) else \
        r.string(raw, "now", "scenario", DEFAULT_NOW)
    persona = _persona(raw, r)
    start = r.mapping(raw.get("start"), raw, "start", "'start'")
    pipeline = stage = None
    start_facts: dict[str, Any] = {}
    if start is not None:
        r.keys(start, START_KEYS, "'start'")
        pipeline = r.string(start, "pipeline", "start") or None
        stage = r.string(start, "stage", "start") or None
        start_facts = r.facts(start, "facts", "start")
    raw_turns = r.items(raw, "turns", "scenario")
    turns = [_turn(item, r, raw_turns, i) for i, item in enumerate(raw_turns)]
    until, max_turns = None, 12
    generator = r.mapping(raw.get("generator"), raw, "generator", "'generator'")
    if generator is not None:
        r.keys(generator, GENERATOR_KEYS, "'generator'")
        until = r.string(generator, "until", "generator") or None
        max_turns = r.integer(generator, "max_turns", "generator", 12, 1, 200)
    weights = dict(DEFAULT_WEIGHTS)
    rubric = r.mapping(raw.get("rubric"), raw, "rubric", "'rubric'")
    if rubric is not None:
        r.keys(rubric, RUBRIC_PARTS, "'rubric'")
        for part in RUBRIC_PARTS:
            if part in rubric:
                weights[part] = r.number(rubric, part, "rubric", weights[part], 0, 1000)
        if sum(weights.values()) <= 0:
            r.error(rubric.pos, "the rubric weights must not all be 0")
    pass_score = r.number(raw, "pass_score", "scenario", 80.0, 0, 100)
    funnel = _funnel(raw, r)
    if funnel is None and not turns and not persona.objections:
        r.error(raw.pos, "a scenario needs scripted 'turns', persona objections for the "
                "generator, or a 'funnel'")
    scenario = Scenario(
        id=scenario_id, path=file, pack=pack_ref, title=r.localized(raw, "title", "scenario"),
        description=r.string(raw, "description", "scenario"), locale=locale, now=now,
        persona=persona, pipeline=pipeline, start_stage=stage, start_facts=start_facts,
        turns=tuple(turns), until=until, max_turns=max_turns, weights=weights,
        pass_score=pass_score, phrases=_phrases(raw, r), funnel=funnel)
    return scenario, raw_turns


def _persona(raw: LocDict, r: _Reader) -> Persona:
    data = r.mapping(raw.get("persona"), raw, "persona", "'persona'")
    if data is None:
        return Persona()
    r.keys(data, PERSONA_KEYS, "'persona'")
    temperament = r.string(data, "temperament", "persona", "cautious")
    if temperament not in TEMPERAMENTS:
        r.error(where(data, "temperament"), f"unknown temperament '{temperament}'; use one "
                f"of {', '.join(TEMPERAMENTS)}", nearest(temperament, TEMPERAMENTS))
    capital = data.get("capital")
    if capital is not None and (isinstance(capital, bool) or
                                not isinstance(capital, (int, float)) or capital < 0):
        r.error(where(data, "capital"), "persona.capital must be a number ≥ 0")
        capital = None
    objections = []
    for i, item in enumerate(r.items(data, "objections", "persona")):
        what = f"persona.objections[{i}]"
        if isinstance(item, str):
            item_map = LocDict({"id": item})
            item_map.pos, item_map.key_pos, item_map.value_pos = (
                where(data["objections"], i), {}, {})
            item = item_map
        if not isinstance(item, LocDict):
            r.error(where(data["objections"], i), f"{what} must be a mapping {{id, raise, "
                    "resolve}}")
            continue
        r.keys(item, OBJECTION_KEYS, what, required=("id",))
        objections.append(PersonaObjection(
            id=r.ident(item, "id", what), raise_p=r.number(item, "raise", what, 1.0, 0, 1),
            resolve_p=r.number(item, "resolve", what, 0.8, 0, 1),
            stage=r.string(item, "stage", what) or None))
    customer_type = data.get("customer_type")
    return Persona(
        name=r.string(data, "name", "persona"), honorific=r.string(data, "honorific", "persona"),
        customer_type=str(customer_type) if customer_type is not None else None,
        temperament=temperament if temperament in TEMPERAMENTS else "cautious",
        interest=r.number(data, "interest", "persona", 0.5, 0, 1),
        capital=float(capital) if capital is not None else None,
        objections=tuple(objections))


def _turn(item: Any, r: _Reader, container: LocList, index: int) -> ScriptedTurn:
    what = f"turns[{index}]"
    at = where(container, index)
    if isinstance(item, str):
        return ScriptedTurn(say=item, position=at)
    if not isinstance(item, LocDict):
        r.error(at, f"{what} must be text or a mapping {{say, facts, expect}}")
        return ScriptedTurn(say="", position=at)
    r.keys(item, TURN_KEYS, what, required=("say",))
    expect = r.mapping(item.get("expect"), item, "expect", f"{what}.expect")
    objection: str | None = None
    actions: tuple[str, ...] | None = None
    if expect is not None:
        r.keys(expect, EXPECT_KEYS, f"{what}.expect")
        if "objection" in expect:
            objection = r.ident(expect, "objection", f"{what}.expect") or None
        if "actions" in expect:
            listed = r.items(expect, "actions", f"{what}.expect")
            if not all(isinstance(a, str) for a in listed):
                r.error(where(expect, "actions"), f"{what}.expect.actions must be a list of "
                        "action types")
            actions = tuple(str(a) for a in listed)
    return ScriptedTurn(say=r.string(item, "say", what), facts=r.facts(item, "facts", what),
                        expect_objection=objection, expect_actions=actions, position=at)


def _phrases(raw: LocDict, r: _Reader) -> dict[str, dict[str, tuple[str, ...]]]:
    data = r.mapping(raw.get("phrases"), raw, "phrases", "'phrases'")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    if data is None:
        return out
    for locale, table in data.items():
        if not isinstance(table, LocDict):
            r.error(where(data, locale), f"phrases.{locale} must map action types to phrases")
            continue
        out[str(locale)] = {}
        for action, phrases in table.items():
            if isinstance(phrases, str):
                phrases = [phrases]
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip()
                                                        for p in phrases):
                r.error(where(table, action), f"phrases.{locale}.{action} must be a list of "
                        "phrases")
                continue
            out[str(locale)][str(action)] = tuple(phrases)
    return out


def _funnel(raw: LocDict, r: _Reader) -> Funnel | None:
    data = r.mapping(raw.get("funnel"), raw, "funnel", "'funnel'")
    if data is None:
        return None
    r.keys(data, FUNNEL_KEYS, "'funnel'", required=("steps",))
    steps: list[FunnelStep] = []
    for i, item in enumerate(r.items(data, "steps", "funnel")):
        what = f"funnel.steps[{i}]"
        if not isinstance(item, LocDict):
            r.error(where(data["steps"], i), f"{what} must be a mapping {{id, p}}")
            continue
        r.keys(item, STEP_KEYS, what, required=("id", "p"))
        expected = item.get("expected")
        step_id = r.ident(item, "id", what)
        if step_id == "names" or (step_id and step_id in {s.id for s in steps}):
            r.error(where(item, "id"), f"{what}: step id '{step_id}' is "
                    + ("reserved for the funnel's first row" if step_id == "names"
                       else "already used by an earlier step"))
        steps.append(FunnelStep(
            id=step_id, p=r.number(item, "p", what, 0.0, 0, 1),
            title=r.localized(item, "title", what),
            expected=r.number(item, "expected", what, 0.0) if expected is not None else None))
    if not steps:
        r.error(data.pos, "a funnel needs at least one step")
    fewer_step, fewer_count = (steps[-1].id if steps else ""), 2
    fewer = r.mapping(data.get("fewer_than"), data, "fewer_than", "funnel.fewer_than")
    if fewer is not None:
        r.keys(fewer, FEWER_KEYS, "funnel.fewer_than")
        fewer_step = r.string(fewer, "step", "funnel.fewer_than", fewer_step)
        fewer_count = r.integer(fewer, "count", "funnel.fewer_than", 2, 0, 10**6)
        if fewer_step not in {"names", *(s.id for s in steps)}:
            r.error(where(fewer, "step"), f"funnel.fewer_than.step '{fewer_step}' is not a "
                    "step", nearest(fewer_step, [s.id for s in steps]))
    return Funnel(days=r.integer(data, "days", "funnel", 31, 1, 366),
                  names_per_day=r.integer(data, "names_per_day", "funnel", 8, 0, 10_000),
                  steps=tuple(steps), months=r.integer(data, "months", "funnel", 10_000, 1,
                                                       10_000_000),
                  fewer_than_step=fewer_step, fewer_than_count=fewer_count)


def _check_against_pack(scenario: Scenario, raw: LocDict, raw_turns: LocList, pack: Pack,
                        r: _Reader) -> None:
    model = pack.model
    if scenario.locale is not None and scenario.locale not in model.locales:
        r.error(where(raw, "locale"), f"locale '{scenario.locale}' is not one of the pack's "
                f"({', '.join(model.locales)})", nearest(scenario.locale, model.locales))
    for locale in scenario.phrases:
        if locale not in model.locales:
            r.error(where(raw["phrases"], locale, key_side=True), f"phrases: locale "
                    f"'{locale}' is not one of the pack's", nearest(locale, model.locales))
    known_actions = list(model.action_types) + ["escalate"]
    for table in scenario.phrases.values():
        for action in table:
            if action not in known_actions and not action.startswith("escalate:"):
                r.error(where(raw, "phrases"), f"phrases: unknown action type '{action}'",
                        nearest(action, known_actions))
    if scenario.funnel is not None:
        return
    objection_ids = [o.id for o in model.objections]
    persona_raw = raw.get("persona")
    for i, item in enumerate(scenario.persona.objections):
        at = where(persona_raw["objections"], i) if isinstance(persona_raw, LocDict) else \
            raw.pos
        if item.id not in objection_ids:
            r.error(at, f"pack '{model.id}' has no objection '{item.id}'",
                    nearest(item.id, objection_ids))
    pipeline = model.pipeline(scenario.pipeline)
    if scenario.pipeline and pipeline is None:
        r.error(where(raw["start"], "pipeline"), f"pack '{model.id}' has no pipeline "
                f"'{scenario.pipeline}'", nearest(scenario.pipeline, [p.id for p in
                                                                       model.pipelines]))
    stages = [s.id for s in pipeline.stages] if pipeline else []
    checks = [(scenario.start_stage, where(raw.get("start"), "stage"), "start.stage"),
              (scenario.until, where(raw.get("generator"), "until"), "generator.until")]
    checks += [(o.stage, where(persona_raw["objections"], i) if isinstance(persona_raw, LocDict)
                else raw.pos, f"persona.objections[{i}].stage")
               for i, o in enumerate(scenario.persona.objections)]
    for stage, at, what in checks:
        if stage is not None and stage not in stages:
            r.error(at, f"{what}: '{stage}' is not a stage of pipeline "
                    f"'{pipeline.id if pipeline else '-'}'", nearest(stage, stages))
    _, warnings = pack.normalize_facts(scenario.start_facts)
    for warning in warnings:
        r.error(where(raw.get("start"), "facts"), f"start.facts: {warning['message']}")
    for i, turn in enumerate(scenario.turns):
        at = where(raw_turns, i)
        _, warnings = pack.normalize_facts(turn.facts)
        for warning in warnings:
            r.error(at, f"turns[{i}].facts: {warning['message']}")
        found = [hit.objection for hit in pack.detect(turn.say)]
        if turn.expect_objection is not None:
            if turn.expect_objection not in objection_ids:
                r.error(at, f"turns[{i}].expect.objection: pack '{model.id}' has no objection "
                        f"'{turn.expect_objection}'",
                        nearest(turn.expect_objection, objection_ids))
            elif turn.expect_objection not in found:
                r.error(at, f"turns[{i}]: the pack does not detect '{turn.expect_objection}' "
                        f"in {turn.say!r} (it detects {', '.join(found) or 'nothing'})")
        for action in turn.expect_actions or ():
            if action not in known_actions and not action.startswith("escalate:"):
                r.error(at, f"turns[{i}].expect.actions: unknown action type '{action}'",
                        nearest(action, known_actions))
