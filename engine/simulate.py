"""Running training scenarios: one conversation, persona Monte Carlo, and the funnel.

    import engine
    scenario = engine.load_scenario("examples/scenarios/busy_owner.yaml")
    result = engine.run_scenario(scenario, answers="auto")        # or a list of answers
    result.to_dict()                                              # JSON for a CRM or LMS
    engine.monte_carlo(scenario, runs=500, seed=7)                # dict
    engine.simulate_funnel(engine.load_scenario("examples/scenarios/funnel.yaml"), seed=1)

Everything is deterministic: randomness comes only from `random.Random(seed)`, the
evaluation date from the scenario (`now`), and results hold no timestamps.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .factvalues import Value, derive
from .pack import Pack, as_datetime, load_pack
from .persona import PersonaCustomer
from .scenario import Scenario, load_scenario
from .scoring import TurnScore, auto_answer, score_recommendation

RUN_FORMAT = "playbook-simulation/1"
MONTE_CARLO_FORMAT = "playbook-monte-carlo/1"
FUNNEL_FORMAT = "playbook-funnel/1"
MAX_RUNS = 100_000  # Monte Carlo conversations per call (about a millisecond each)
# Bernoulli draws of one funnel simulation (months × names × steps): a few seconds
MAX_FUNNEL_DRAWS = 50_000_000

_PACKS: dict[str, Pack] = {}
_PACKS_LOCK = threading.Lock()


def pack_for(scenario: Scenario) -> Pack:
    """The scenario's pack, loaded once per process (python backend: same results)."""
    with _PACKS_LOCK:
        pack = _PACKS.get(scenario.pack)
        if pack is None:
            pack = load_pack(scenario.pack, backend="python")
            _PACKS[scenario.pack] = pack
        return pack


@dataclass(frozen=True)
class CustomerTurn:
    """What the trainee (or an answerer) is shown: the customer's words and the engine's
    recommendation for them (an answerer for trainees should ignore the latter)."""

    index: int
    stage: str | None
    say: str
    rec: Mapping[str, Any]
    expect_actions: tuple[str, ...] | None = None


Answerer = Callable[[CustomerTurn], str]


@dataclass
class TurnResult:
    index: int
    stage: str | None
    customer: str
    answer: str
    score: TurnScore

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.index, "stage": self.stage, "customer": self.customer,
                "answer": self.answer, **self.score.to_dict()}


def conversation_score(turns: Sequence[TurnResult]) -> float | None:
    """A conversation's score: the mean of its turns' scores (None without turns)."""
    if not turns:
        return None
    return round(sum(t.score.score for t in turns) / len(turns), 1)


def conversation_passed(turns: Sequence[TurnResult], pass_score: float) -> bool:
    """Passed: a score at or above the pass mark and no turn that failed outright."""
    score = conversation_score(turns)
    return score is not None and score >= pass_score and \
        not any(t.score.failed for t in turns)


@dataclass
class RunResult:
    scenario: Scenario
    pack: Pack
    locale: str
    answerer: str
    seed: int | None
    turns: list[TurnResult] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    ended_by: str | None = None

    @property
    def score(self) -> float | None:
        return conversation_score(self.turns)

    @property
    def failed_turns(self) -> list[int]:
        return [t.index for t in self.turns if t.score.failed]

    @property
    def passed(self) -> bool:
        return conversation_passed(self.turns, self.scenario.pass_score)

    def to_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "format": RUN_FORMAT, "scenario": s.id, "title": s.title_in(self.locale),
            "pack": self.pack.id, "version": self.pack.version, "locale": self.locale,
            "kind": s.kind, "answerer": self.answerer, "seed": self.seed,
            "persona": _persona_dict(s),
            "turns": [t.to_dict() for t in self.turns],
            "score": self.score, "pass_score": s.pass_score, "passed": self.passed,
            "failed_turns": self.failed_turns,
            "stages": _stages(s, self.pack), "reached": self.reached,
            "ended_by": self.ended_by,
        }


def _persona_dict(s: Scenario) -> dict[str, Any]:
    p = s.persona
    return {"name": p.name, "honorific": p.honorific, "customer_type": p.customer_type,
            "temperament": p.temperament, "interest": p.interest, "capital": p.capital}


def _stages(s: Scenario, pack: Pack) -> list[str]:
    pipeline = pack.model.pipeline(s.pipeline)
    if pipeline is None:
        return []
    ids = [st.id for st in pipeline.stages]
    first = ids.index(s.start_stage) if s.start_stage in ids else 0
    last = ids.index(s.until) if s.until in ids else len(ids) - 1
    return ids[first:last + 1]


def seeded(seed: int) -> random.Random:
    """The only source of randomness of a simulation (reproducible, not for secrets)."""
    return random.Random(seed)  # noqa: S311 - simulation, not cryptography


# answerers ------------------------------------------------------------------------------

def auto_answerer(scenario: Scenario, locale: str) -> Answerer:
    def answer(turn: CustomerTurn) -> str:
        return auto_answer(turn.rec, locale, scenario.phrases, turn.expect_actions)
    return answer


def list_answerer(answers: Sequence[str]) -> Answerer:
    """Answer i for customer turn i; a missing answer is an empty one."""
    def answer(turn: CustomerTurn) -> str:
        return answers[turn.index - 1] if turn.index - 1 < len(answers) else ""
    return answer


def read_answers(path: str | Path) -> list[str]:
    """One answer per line; blank lines and lines starting with '#' are skipped; a line
    that is only '-' is an empty answer."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read answers: {error}", str(path)) from error
    out = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        out.append("" if text == "-" else text)
    return out


def _answerer(scenario: Scenario, locale: str,
              answers: str | Sequence[str] | Answerer) -> tuple[Answerer, str]:
    if callable(answers):
        return answers, "custom"
    if isinstance(answers, str):
        if answers != "auto":
            raise InputError("answers must be 'auto', a list of answers or a callable")
        return auto_answerer(scenario, locale), "auto"
    return list_answerer(list(answers)), "answers"


# one conversation -----------------------------------------------------------------------

class _Conversation:
    """One session of the pack, with the scenario's persona and starting facts."""

    def __init__(self, scenario: Scenario, pack: Pack, locale: str, answer: Answerer,
                 on_turn: Callable[[TurnResult], None] | None,
                 persona: PersonaCustomer) -> None:
        self.scenario, self.pack, self.locale = scenario, pack, locale
        self.answer, self.on_turn = answer, on_turn
        self.pipeline = pack.model.pipeline(scenario.pipeline)
        facts: dict[str, Any] = dict(persona.facts({s.path: s for s in
                                                    pack.model.facts.declared()}))
        facts.update(scenario.start_facts)
        if self.pipeline is not None and scenario.start_stage:
            facts[self.pipeline.stage_fact] = scenario.start_stage
        self.session = pack.session(scenario.id, facts, locale=locale)
        self.today = as_datetime(scenario.now).date()
        self.turns: list[TurnResult] = []

    @property
    def stage(self) -> str | None:
        if self.pipeline is None:
            return None
        value = self.session.facts.get(self.pipeline.stage_fact)
        return value if isinstance(value, str) else None

    def facts_now(self) -> dict[str, Value]:
        return derive(self.session.facts, self.pack.model.facts, self.today)

    def turn(self, say: str, facts: Mapping[str, Any] | None = None,
             expect_objection: str | None = None,
             expect_actions: tuple[str, ...] | None = None) -> TurnResult:
        rec = self.session.turn(utterance=say, facts=facts or {},
                                now=self.scenario.now).to_dict()
        index = len(self.turns) + 1
        answer = self.answer(CustomerTurn(index, self.stage, say, rec, expect_actions))
        score = score_recommendation(
            self.pack, rec, answer, self.facts_now(), locale=self.locale,
            weights=self.scenario.weights, phrases=self.scenario.phrases,
            expect_objection=expect_objection, expect_actions=expect_actions)
        result = TurnResult(index, self.stage, say, answer, score)
        self.turns.append(result)
        if self.on_turn is not None:
            self.on_turn(result)
        return result

    def move_to(self, stage: str) -> None:
        if self.pipeline is not None:
            self.session.facts[self.pipeline.stage_fact] = stage


def run_scenario(scenario: Scenario, answers: str | Sequence[str] | Answerer = "auto", *,
                 seed: int = 0, pack: Pack | None = None, locale: str | None = None,
                 on_turn: Callable[[TurnResult], None] | None = None) -> RunResult:
    """One conversation: the scripted turns, or one persona-driven conversation (seeded).

    `answers` is "auto" (the engine's own recommendations), a list (one answer per
    customer turn), or a callable given each CustomerTurn (an interactive trainee).
    """
    if scenario.funnel is not None:
        raise InputError(f"scenario '{scenario.id}' is a funnel: use simulate_funnel()")
    pack = pack or pack_for(scenario)
    loc = locale or scenario.locale or pack.model.default_locale
    answer, kind = _answerer(scenario, loc, answers)
    persona = PersonaCustomer(scenario, pack, loc)
    conv = _Conversation(scenario, pack, loc, answer, on_turn, persona)
    result = RunResult(scenario, pack, loc, kind, None if scenario.turns else seed)
    if scenario.turns:
        seen: list[str] = []
        for turn in scenario.turns:
            conv.turn(turn.say, turn.facts, turn.expect_objection, turn.expect_actions)
            if conv.stage and conv.stage not in seen:
                seen.append(conv.stage)
        order = _stages(scenario, pack)
        result.reached = [s for s in order if s in seen] or seen
    else:
        result.reached, result.ended_by = _persona_conversation(
            conv, persona, seeded(seed), _stages(scenario, pack))
    result.turns = conv.turns
    return result


def _persona_conversation(conv: _Conversation, persona: PersonaCustomer,
                          rng: random.Random, stages: list[str]) -> tuple[list[str], str | None]:
    scenario = conv.scenario
    reached: list[str] = []
    walk: list[str | None] = list(stages) or [None]
    for position, stage in enumerate(walk):
        if stage is not None:
            conv.move_to(stage)
            reached.append(stage)
        for item in persona.raised_at(stage, scenario.start_stage if stages else None):
            if not persona.raises(item, rng):
                continue
            for _attempt in range(persona.persona.retries + 1):
                if len(conv.turns) >= scenario.max_turns:
                    return reached, "max_turns"
                turn = conv.turn(persona.say(item, rng), expect_objection=item.id)
                if persona.resolved(item, turn.score.score, turn.score.failed, rng):
                    break
            else:
                return reached, item.id
        if position + 1 < len(stages) and not persona.goes_on(rng):
            return reached, "lost_interest"
    return reached, None


# Monte Carlo ----------------------------------------------------------------------------

def monte_carlo(scenario: Scenario, runs: int, seed: int = 0,
                answers: str | Sequence[str] | Answerer = "auto",
                pack: Pack | None = None, locale: str | None = None) -> dict[str, Any]:
    """Many persona-driven conversations: stages reached, what ended them, the scores."""
    if scenario.funnel is not None:
        return simulate_funnel(scenario, months=runs, seed=seed)
    if not scenario.persona.objections:
        raise InputError(f"scenario '{scenario.id}' has no persona objections to generate "
                         "conversations from")
    if not 1 <= runs <= MAX_RUNS:
        raise InputError(f"runs must be between 1 and {MAX_RUNS:,}, not {runs:,}")
    pack = pack or pack_for(scenario)
    loc = locale or scenario.locale or pack.model.default_locale
    answer, kind = _answerer(scenario, loc, answers)
    persona = PersonaCustomer(scenario, pack, loc)
    stages = _stages(scenario, pack)
    rng = seeded(seed)
    reached = dict.fromkeys(stages, 0)
    ended: dict[str, int] = {}
    scores: list[float] = []
    passed = completed = 0
    turns_total = 0
    for _ in range(runs):
        conv = _Conversation(scenario, pack, loc, answer, None, persona)
        stages_hit, ended_by = _persona_conversation(conv, persona, rng, stages)
        for stage in stages_hit:
            reached[stage] += 1
        if ended_by is None:
            completed += 1
        else:
            ended[ended_by] = ended.get(ended_by, 0) + 1
        turns_total += len(conv.turns)
        score = conversation_score(conv.turns)
        if score is not None:
            scores.append(score)
            passed += conversation_passed(conv.turns, scenario.pass_score)
    histogram = [0] * 10
    for score in scores:
        histogram[min(int(score // 10), 9)] += 1
    return {
        "format": MONTE_CARLO_FORMAT, "scenario": scenario.id,
        "title": scenario.title_in(loc), "pack": pack.id, "version": pack.version,
        "locale": loc, "answerer": kind, "runs": runs, "seed": seed,
        "persona": _persona_dict(scenario),
        "stages": [{"stage": s, "reached": n, "share": round(n / runs, 4)}
                   for s, n in reached.items()],
        "completed": completed,
        "ended_by": [{"reason": k, "count": v, "share": round(v / runs, 4)}
                     for k, v in sorted(ended.items(), key=lambda kv: (-kv[1], kv[0]))],
        "turns_mean": round(turns_total / runs, 4),
        "scores": {
            "conversations": len(scores),
            "mean": round(sum(scores) / len(scores), 2) if scores else None,
            "min": min(scores) if scores else None, "max": max(scores) if scores else None,
            "passed": passed, "pass_score": scenario.pass_score,
            "histogram": [{"from": 10 * i, "to": 10 * i + 10, "count": c}
                          for i, c in enumerate(histogram)],
        },
    }


# the funnel -----------------------------------------------------------------------------

def _binomial(n: int, p: float, rnd: Callable[[], float]) -> int:
    """Binomial(n, p) as a sum of Bernoulli draws (exact; n is small here)."""
    if p <= 0.0 or n <= 0:
        return 0
    if p >= 1.0:
        return n
    hits = 0
    for _ in range(n):
        if rnd() < p:
            hits += 1
    return hits


def simulate_funnel(scenario: Scenario, months: int | None = None,
                    seed: int = 0) -> dict[str, Any]:
    """The prospect funnel, month by month: names → each step with its probability."""
    funnel = scenario.funnel
    if funnel is None:
        raise InputError(f"scenario '{scenario.id}' has no funnel")
    count = months if months is not None else funnel.months
    if count < 1:
        raise InputError("months must be at least 1")
    names = funnel.days * funnel.names_per_day
    draws = count * names * len(funnel.steps)  # at most; later steps draw from fewer
    if draws > MAX_FUNNEL_DRAWS:
        raise InputError(f"the funnel of '{scenario.id}' would draw up to {draws:,} times "
                         f"({count:,} months × {names:,} names × {len(funnel.steps)} step(s)); "
                         f"at most {MAX_FUNNEL_DRAWS:,}: run fewer months or names")
    rnd = seeded(seed).random
    ids = ["names", *(s.id for s in funnel.steps)]
    series: dict[str, list[int]] = {i: [] for i in ids}
    for _ in range(count):
        n = names
        series["names"].append(n)
        for each in funnel.steps:
            n = _binomial(n, each.p, rnd)
            series[each.id].append(n)
    expected = float(names)
    rows = []
    for step_id in ids:
        step = next((s for s in funnel.steps if s.id == step_id), None)
        if step is not None:
            expected *= step.p
        target = step.expected if step is not None and step.expected is not None else expected
        rows.append(_stats(step_id, series[step_id], target,
                           dict(step.title) if step else {"zh-CN": "新名字", "en": "new names"}))
    last = series[funnel.fewer_than_step]
    fewer = sum(1 for v in last if v < funnel.fewer_than_count)
    top = max(last) if last else 0
    spread = [{"value": v, "months": sum(1 for x in last if x == v)} for v in range(top + 1)]
    return {
        "format": FUNNEL_FORMAT, "scenario": scenario.id,
        "title": scenario.title_in(scenario.locale or "zh-CN"), "months": count, "seed": seed,
        "days": funnel.days, "names_per_day": funnel.names_per_day,
        "probabilities": {s.id: s.p for s in funnel.steps},
        "steps": rows,
        "fewer_than": {"step": funnel.fewer_than_step, "count": funnel.fewer_than_count,
                       "months": fewer, "share": round(fewer / count, 4)},
        "distribution": {"step": funnel.fewer_than_step, "values": spread},
    }


def _stats(step_id: str, values: list[int], expected: float,
           title: Mapping[str, str]) -> dict[str, Any]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / n
    ordered = sorted(values)

    def pct(q: float) -> int:
        return ordered[min(n - 1, int(q * n))]

    return {"step": step_id, "title": dict(title), "mean": round(mean, 4),
            "expected": round(expected, 4),
            "relative_error": round((mean - expected) / expected, 4) if expected else None,
            "sd": round(var ** 0.5, 4), "min": ordered[0], "p5": pct(0.05), "p50": pct(0.5),
            "p95": pct(0.95), "max": ordered[-1]}


def run_file(path: str | Path, answers: str | Sequence[str] | Answerer = "auto",
             seed: int = 0) -> dict[str, Any]:
    """Load a scenario file and run it once (a funnel runs its months): JSON-ready."""
    scenario = load_scenario(path)
    if scenario.funnel is not None:
        return simulate_funnel(scenario, seed=seed)
    return run_scenario(scenario, answers, seed=seed).to_dict()
