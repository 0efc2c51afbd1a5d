"""Scoring a trainee's free-text answer against the pack, deterministically.

Four parts, weighted by the scenario's rubric; a part that does not apply to a turn (no
objection raised, no key points, no next step to propose) is left out and the others
are rescaled:

- objection addressed: the answer covers at least one key point of some reply to the
  objection, or names the concern itself (the pack's detector finds it in the answer);
- key points: the share of the recommended reply's key points the answer covers (the
  best of the reply variants that apply to this customer); a key point counts when its
  normalized text (engine.textnorm.normalize) occurs in the normalized answer;
- next step: the answer proposes one of the pack's next actions for the objection, or,
  on a turn that is about the deal's stage, every action the gate asks for (the unmet
  required criteria, and the escalation); actions are recognised by phrases per locale
  (a built-in table, extended by the scenario's `phrases`); internal actions with no
  phrase (record_note) are not asked of the trainee;
- compliance: a forbidden claim of the pack's policy, or a missing required disclosure,
  fails the turn (score 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .conditions import evaluate
from .model import Objection, Reply
from .scenario import DEFAULT_WEIGHTS
from .textnorm import normalize

if TYPE_CHECKING:
    from .factvalues import Value
    from .pack import Pack

Phrases = Mapping[str, Sequence[str]]

# Phrases that show an answer proposes an action, per locale. The first phrase of each is
# what --auto says for an action the engine recommends without a reply text.
ACTION_PHRASES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "zh-CN": {
        "schedule_callback": ("再给您打电话", "哪天", "约个", "什么时候方便", "哪个时间",
                              "过几天", "过一周", "回头联系", "再联系", "再约", "改天"),
        "invite_visit": ("欢迎您来公司", "来公司", "当面", "见面", "拜访", "坐坐"),
        "invite_seminar": ("欢迎您来参加讲座", "讲座", "座谈", "说明会", "培训"),
        "send_material": ("我把资料发给您", "资料", "简介", "说明书", "揭示书", "发给您",
                          "寄给您", "指南", "收费表"),
        "handover_manager": ("请我们经理和您谈", "经理", "主管"),
        "end_politely": ("不再打扰您", "不再打扰", "不再联系"),
        "book_appointment": ("约个见面的时间", "约个时间", "见面"),
        "gather_information": ("核实项目的范围、预算和时间", "核实", "确认项目", "预算"),
        "analyse_account": ("分析客户情况", "分析"),
        "request_presales_approval": ("申请售前立项", "立项"),
        "develop_relationship": ("推进与客户的关系", "推进关系", "加深关系"),
        "deliver_proposal": ("提交方案", "方案", "提案"),
        "prepare_bid": ("逐项核对招标要求", "核对", "招标要求"),
        "submit_bid": ("按时提交投标文件", "提交投标", "投标文件", "递交标书"),
        "follow_tender_result": ("跟进评标结果", "跟进结果", "跟进评标", "跟踪评标"),
        "request_contract_review": ("提交合同审批", "合同审批"),
        "sign_contract": ("签订合同", "签合同", "签约"),
        "plan_implementation": ("制定实施计划", "实施计划"),
        "request_acceptance": ("组织验收", "验收"),
        "close_project": ("办理结项", "结项"),
        "complete_quote_request": ("补全报价联系单", "报价联系单"),
        "note_market_outlook": ("说明市场前景", "市场前景"),
        "confirm_quote_with_customer": ("和客户确认报价", "确认报价"),
        "submit_review_form": ("提交产品报价评审单", "评审单"),
        "requote": ("重新报价", "重新核算报价", "新报价"),
        "state_contract_terms": ("在合同中写明成本、利润、质量、交期和回款时间", "写明"),
        "file_contract": ("报品质监督部备案", "备案"),
        "prepare_plans": ("编制采购和生产计划", "采购计划", "生产计划"),
        "drop_order": ("放弃这个订单", "放弃"),
        "escalate": ("上报领导决定", "上报", "请示"),
        "escalate:president": ("提交总裁决定", "总裁"),
        "escalate:sales_director": ("上报销售总监", "销售总监"),
        "escalate:branch_manager": ("请分公司经理定夺", "分公司经理"),
        "escalate:general_manager": ("上报总经理", "总经理"),
    },
    "en": {
        "schedule_callback": ("I'll call you back", "call you", "check in", "which day",
                              "a time that suits", "later today", "tomorrow", "next week",
                              "in a few days", "in about a week", "follow up", "set a time",
                              "set something up"),
        "invite_visit": ("you're welcome to come in", "come in", "come by", "drop by",
                         "face to face", "visit", "meet"),
        "invite_seminar": ("you're welcome at our seminar", "seminar", "session", "workshop"),
        "send_material": ("I'll send you our overview", "send you", "send a", "i'll send",
                          "overview", "summary", "brochure", "guide", "disclosure",
                          "material"),
        "handover_manager": ("I'll ask my manager to speak with you", "manager"),
        "end_politely": ("I won't call again", "won't call again", "won't contact you again",
                         "won't take up"),
        "book_appointment": ("let's agree a time to meet", "a time to meet", "meet"),
        "gather_information": ("confirm the scope, budget and timing", "confirm the scope",
                               "budget", "timeline"),
        "analyse_account": ("review the account", "analyse", "analyze"),
        "request_presales_approval": ("request pre-sales approval", "pre-sales approval"),
        "develop_relationship": ("build the relationship", "relationship"),
        "deliver_proposal": ("deliver the proposal", "proposal"),
        "prepare_bid": ("check the bid against every requirement", "every requirement",
                        "checklist"),
        "submit_bid": ("submit the bid on time", "submit the bid", "submit our bid",
                       "bid in on time"),
        "follow_tender_result": ("follow up on the tender result", "tender result",
                                 "evaluation", "award"),
        "request_contract_review": ("send the contract for internal review",
                                    "contract review", "internal approval"),
        "sign_contract": ("sign the contract", "signing"),
        "plan_implementation": ("agree the implementation plan", "implementation plan"),
        "request_acceptance": ("arrange the acceptance", "acceptance"),
        "close_project": ("close out the project", "close out"),
        "complete_quote_request": ("complete the quote request", "quote request"),
        "note_market_outlook": ("write up the market outlook", "market outlook"),
        "confirm_quote_with_customer": ("confirm the quote with the customer",
                                        "confirm the quote"),
        "submit_review_form": ("send the quote review form", "review form"),
        "requote": ("prepare a revised quote", "revised quote", "requote", "re-quote",
                    "new quote"),
        "state_contract_terms": ("state cost, profit, quality, lead time and payment date in "
                                 "the contract", "payment date"),
        "file_contract": ("file the contract with quality supervision", "file the contract"),
        "prepare_plans": ("draw up the purchasing and production plans",
                          "production plan"),
        "drop_order": ("drop the order", "drop it"),
        "escalate": ("escalate it for a decision", "escalate"),
        "escalate:president": ("take it to the president for a decision", "president"),
        "escalate:sales_director": ("take it to the sales director", "sales director"),
        "escalate:branch_manager": ("ask the branch manager to decide", "branch manager"),
        "escalate:general_manager": ("take it to the general manager", "general manager"),
    },
}


def phrase_table(locale: str, extra: Mapping[str, Mapping[str, Sequence[str]]] | None = None
                 ) -> dict[str, tuple[str, ...]]:
    """The built-in phrases of a locale, extended (scenario phrases first) by `extra`."""
    table = {k: v for k, v in ACTION_PHRASES.get(locale, {}).items() if v}
    for action, phrases in (extra or {}).get(locale, {}).items():
        table[action] = tuple(dict.fromkeys([*phrases, *table.get(action, ())]))
    return table


@dataclass(frozen=True)
class Part:
    name: str
    weight: float
    applicable: bool
    value: float  # 0..1

    def to_dict(self) -> dict[str, Any]:
        return {"weight": self.weight, "applicable": self.applicable,
                "value": round(self.value, 4)}


@dataclass
class TurnScore:
    """The score of one answer, with everything needed to explain it."""

    score: float
    failed: bool
    parts: list[Part]
    objections: list[str] = field(default_factory=list)
    addressed: list[str] = field(default_factory=list)
    reply: str | None = None
    recommended: str = ""
    covered: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    expected_actions: list[str] = field(default_factory=list)
    action_mode: str = "any"  # any: one of them is enough; all: each is needed
    proposed: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score, "failed": self.failed,
            "parts": {p.name: p.to_dict() for p in self.parts},
            "objections": self.objections, "addressed": self.addressed,
            "reply": self.reply, "covered": self.covered, "missed": self.missed,
            "expected_actions": self.expected_actions, "action_mode": self.action_mode,
            "proposed": self.proposed, "violations": self.violations,
            "feedback": self.feedback, "recommended": self.recommended,
        }


def _has(text: str, phrase: str) -> bool:
    needle = normalize(phrase)
    return bool(needle) and needle in text


def _eligible(objection: Objection, facts: Mapping[str, Value]) -> list[Reply]:
    return [r for r in objection.replies if evaluate(r.when, facts) is True]


def _key_points(reply: Reply, locale: str) -> tuple[str, ...]:
    return tuple(reply.key_points.get(locale, ()))


def expected_actions(rec: Mapping[str, Any], table: Phrases,
                     explicit: Sequence[str] | None = None) -> tuple[list[str], str]:
    """The actions the answer should propose, and whether one (any) or each (all) is needed."""
    if explicit is not None:
        return list(dict.fromkeys(explicit)), "all"
    if rec.get("objections"):
        types = [a["type"] for a in rec.get("actions", [])]
        return [t for t in dict.fromkeys(types) if table.get(t)], "any"
    gate = rec.get("gate") or {}
    wanted: list[str] = []
    for criterion in gate.get("criteria", []):
        if criterion.get("kind") == "exit" and criterion.get("required") and \
                criterion.get("status") != "met" and criterion.get("action"):
            wanted.append(criterion["action"]["type"])
    if gate.get("decision") == "escalate":
        role = gate.get("escalate_to")
        wanted.append(f"escalate:{role}" if role and table.get(f"escalate:{role}")
                      else "escalate")
    return [t for t in dict.fromkeys(wanted) if table.get(t)], "all"


def score_recommendation(pack: Pack, rec: Mapping[str, Any], answer: str,
                         facts: Mapping[str, Value], *, locale: str | None = None,
                         weights: Mapping[str, float] | None = None,
                         phrases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                         expect_objection: str | None = None,
                         expect_actions: Sequence[str] | None = None) -> TurnScore:
    """Score `answer` to the customer turn the engine recommended `rec` for."""
    model = pack.model
    loc = locale or str(rec.get("locale") or model.default_locale)
    weights = dict(weights or DEFAULT_WEIGHTS)
    table = phrase_table(loc, phrases)
    text = normalize(answer or "")
    result = TurnScore(score=0.0, failed=False, parts=[])
    ids = [o["id"] for o in rec.get("objections", [])]
    if expect_objection and expect_objection not in ids:
        ids.insert(0, expect_objection)
    result.objections = ids
    answer_hits = {h.objection for h in pack.detect(answer or "")} if ids else set()

    # objection addressed and key points, averaged over the objections raised
    addressed_values: list[float] = []
    coverage_values: list[float] = []
    for objection_id in ids:
        objection = model.objection(objection_id)
        if objection is None:
            continue
        every_point = [kp for r in objection.replies for kp in _key_points(r, loc)]
        ok = objection_id in answer_hits or any(_has(text, kp) for kp in every_point)
        addressed_values.append(1.0 if ok else 0.0)
        if ok:
            result.addressed.append(objection_id)
        served = next((r for r in rec.get("replies", []) if r.get("objection") == objection_id),
                      None)
        recommended = next((r for r in objection.replies
                            if served is not None and r.id == served.get("reply")), None)
        if served is not None and not result.recommended:
            result.reply, result.recommended = served.get("reply"), served.get("text") or ""
        if served is not None and recommended is None:
            continue  # an escalation reply: its key points are not the trainee's to hit
        candidates = ([recommended] if recommended else []) + \
            [r for r in _eligible(objection, facts) if r is not recommended]
        candidates = [r for r in candidates if _key_points(r, loc)]
        if not candidates:
            continue
        best = max(candidates, key=lambda r: sum(_has(text, kp) for kp in _key_points(r, loc))
                   / len(_key_points(r, loc)))  # max keeps the first (recommended) on ties
        points = _key_points(best, loc)
        covered = [kp for kp in points if _has(text, kp)]
        coverage_values.append(len(covered) / len(points))
        result.covered += covered
        result.missed += [kp for kp in points if kp not in covered]

    # next step
    wanted, mode = expected_actions(rec, table, expect_actions)
    proposed = [a for a in wanted if any(_has(text, p) for p in table.get(a, ()))]
    result.expected_actions, result.action_mode, result.proposed = wanted, mode, proposed
    if wanted:
        step_value = (1.0 if proposed else 0.0) if mode == "any" else len(proposed) / len(wanted)
    else:
        step_value = 0.0

    # compliance
    for claim in pack.guard.claims(answer or ""):
        result.violations.append(f"forbidden claim '{claim}'")
    for objection_id in ids:
        for disclosure in pack.guard.disclosures_for(objection_id):
            if not _has(text, disclosure.text.get(loc)):
                result.violations.append(f"missing disclosure '{disclosure.id}': "
                                         f"{disclosure.text.get(loc)}")
    result.failed = bool(result.violations)

    result.parts = [
        Part("objection_addressed", weights["objection_addressed"], bool(addressed_values),
             sum(addressed_values) / len(addressed_values) if addressed_values else 0.0),
        Part("key_points", weights["key_points"], bool(coverage_values),
             sum(coverage_values) / len(coverage_values) if coverage_values else 0.0),
        Part("next_step", weights["next_step"], bool(wanted), step_value),
        Part("compliance", weights["compliance"], True, 0.0 if result.failed else 1.0),
    ]
    total = sum(p.weight for p in result.parts if p.applicable)
    earned = sum(p.weight * p.value for p in result.parts if p.applicable)
    result.score = 0.0 if result.failed or total <= 0 else round(100 * earned / total, 1)
    result.feedback = _feedback(result, model, loc, table)
    return result


def _feedback(result: TurnScore, model: Any, locale: str, table: Phrases) -> list[str]:
    lines: list[str] = []
    for objection_id in result.objections:
        objection = model.objection(objection_id)
        title = objection.title.get(locale) if objection else objection_id
        if objection_id in result.addressed:
            lines.append(f"✓ addressed the objection '{objection_id}' ({title})")
        else:
            lines.append(f"✗ did not address the objection '{objection_id}' ({title})")
    if result.covered or result.missed:
        total = len(result.covered) + len(result.missed)
        lines.append(f"{'✓' if not result.missed else '✗'} key points {len(result.covered)}/"
                     f"{total}" + (f"; missed: {', '.join(result.missed)}" if result.missed
                                   else ""))
    if result.expected_actions:
        missing = [a for a in result.expected_actions if a not in result.proposed]
        if result.action_mode == "any":
            if result.proposed:
                lines.append(f"✓ proposed a next step: {', '.join(result.proposed)}")
            else:
                hints = "; ".join(f"{a} (e.g. “{table[a][0]}”)" for a in result.expected_actions)
                lines.append(f"✗ no next step proposed; propose one of: {hints}")
        elif missing:
            hints = "; ".join(f"{a} (e.g. “{table[a][0]}”)" for a in missing)
            lines.append(f"✗ next steps missed: {hints}")
        else:
            lines.append(f"✓ proposed every next step: {', '.join(result.proposed)}")
    for violation in result.violations:
        lines.append(f"✗ compliance: {violation}; the turn fails")
    if result.recommended:
        lines.append(f"recommended ({result.reply}): {result.recommended}")
    return lines


def auto_answer(rec: Mapping[str, Any], locale: str,
                phrases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                expect_actions: Sequence[str] | None = None) -> str:
    """What the engine itself would say: its reply texts, or its next actions in words."""
    texts = [r["text"] for r in rec.get("replies", []) if r.get("text")]
    table = phrase_table(locale, phrases)
    wanted, _ = expected_actions(rec, table, expect_actions)
    if texts and expect_actions is None:
        return " ".join(texts)
    said = normalize(" | ".join(texts))  # not a space: 我 | 你 must not join across replies
    extra = [table[a][0] for a in wanted
             if not any(_has(said, p) for p in table.get(a, ()))]
    sep = "；" if locale.startswith("zh") else "; "
    return " ".join([*texts, sep.join(extra)]).strip()


def score_answer(pack: Pack, customer: str, answer: str, *,
                 facts: Mapping[str, Any] | None = None, locale: str | None = None,
                 weights: Mapping[str, float] | None = None,
                 phrases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                 now: str = "2026-01-05") -> TurnScore:
    """Score one answer to one customer utterance, in a fresh session (library API)."""
    from .factvalues import derive
    from .pack import as_datetime

    session = pack.session("score", facts or {}, locale=locale)
    rec = session.turn(utterance=customer, now=now).to_dict()
    derived = derive(session.facts, pack.model.facts, as_datetime(now).date())
    return score_recommendation(pack, rec, answer, derived, locale=session.locale,
                                weights=weights, phrases=phrases)
