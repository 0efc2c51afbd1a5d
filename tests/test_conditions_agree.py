"""The durable_rules backend and the reference evaluator agree on generated conditions."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.conditions import COMPARISONS, All, AnyOf, Compare, Condition, Exists, Not, evaluate
from engine.durable_backend import DurableMatcher
from engine.factvalues import FactSpec, FactTable
from engine.matcher import FALSE_SUFFIX, PythonMatcher, RuleBook
from engine.model import NOWHERE

FACTS = FactTable({
    "c.kind": FactSpec("c.kind", "enum", ("a", "b", "c", "d")),
    "c.name": FactSpec("c.name", "string"),
    "c.amount": FactSpec("c.amount", "number"),
    "c.count": FactSpec("c.count", "integer"),
    "c.flag": FactSpec("c.flag", "boolean"),
})
NAMES = st.sampled_from(["王", "li", "", "a\"b\\c", "😀", "名字", "x" * 40])
NUMBERS = st.one_of(
    st.integers(-10**6, 10**6),
    st.decimals(min_value=-10**6, max_value=10**6, places=4).map(float),
    st.sampled_from([0.0, -0.0, 1e-4, 99_999_999_999.0, -1e11, 0.1, 0.2, 0.30000000000000004]),
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "c.kind": st.sampled_from(["a", "b", "c", "d"]),
    "c.name": NAMES,
    "c.amount": NUMBERS,
    "c.count": st.integers(-1000, 1000),
    "c.flag": st.booleans(),
}


@st.composite
def comparisons(draw: st.DrawFn) -> Condition:
    path = draw(st.sampled_from(sorted(VALUES)))
    kind = FACTS.get(path).kind  # type: ignore[union-attr]
    ops = [op for op in COMPARISONS if op != "exists"]
    if kind not in ("number", "integer"):
        ops = [op for op in ops if op not in ("lt", "lte", "gt", "gte")]
    op = draw(st.sampled_from(ops))
    if op == "exists" or draw(st.integers(0, 9)) == 0:
        return Exists(path, draw(st.booleans()))
    spec = FACTS.get(path)
    assert spec is not None
    if op in ("in", "not_in"):
        values = draw(st.lists(VALUES[path], min_size=1, max_size=4))
        return Compare(path, op, tuple(spec.normalize(v) for v in values))
    return Compare(path, op, spec.normalize(draw(VALUES[path])))


conditions = st.recursive(
    comparisons(),
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(children, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        children.map(Not),
    ),
    max_leaves=8,
)


@st.composite
def fact_sets(draw: st.DrawFn) -> dict[str, Any]:
    paths = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True))
    return {p: FACTS.get(p).normalize(draw(VALUES[p])) for p in paths}  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conditions, min_size=1, max_size=6), st.lists(fact_sets(), min_size=1,
                                                               max_size=6))
def test_durable_and_reference_agree(conds: list[Condition], contexts: list[dict[str, Any]]):
    book = RuleBook()
    for i, cond in enumerate(conds):
        book.add_three_valued("key", f"r{i}", cond, NOWHERE)
    durable = DurableMatcher(book, FACTS, "prop", "0.0.0")
    python = PythonMatcher(book)
    try:
        for facts in contexts:
            fired = durable.matching("key", facts)
            assert fired == python.matching("key", facts), (conds, facts)
            for i, cond in enumerate(conds):
                truth = evaluate(cond, facts)
                assert (f"r{i}" in fired) == (truth is True)
                assert (f"r{i}{FALSE_SUFFIX}" in fired) == (truth is False)
    finally:
        durable.close()


def test_unknown_is_neither_true_nor_false():
    cond = Not(Compare("c.kind", "eq", "a"))
    assert evaluate(cond, {}) is None
    assert evaluate(AnyOf((cond, Compare("c.flag", "eq", True))), {"c.flag": True}) is True
    assert evaluate(All((cond, Compare("c.flag", "eq", True))), {"c.flag": False}) is False


def test_numbers_compare_exactly_at_four_decimals():
    book = RuleBook()
    book.add("key", "r", Compare("c.amount", "eq", 0.3), NOWHERE)
    durable = DurableMatcher(book, FACTS, "num", "0")
    try:
        for value in (0.1 + 0.2, 0.3, 0.3001):
            assert ("r" in durable.matching("key", {"c.amount": value})) == \
                (evaluate(Compare("c.amount", "eq", 0.3), {"c.amount": value}) is True)
        assert durable.matching("key", {"c.amount": 0.3001}) == frozenset()
    finally:
        durable.close()
