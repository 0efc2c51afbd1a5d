"""Detection mechanics: ordered fragments, negation, A-not-A questions, exclusions."""

from __future__ import annotations

from engine.detect import MAX_GAP, Detector
from engine.model import Detection, Objection, Pattern, Text
from engine.patterns import expand


def detector(*patterns: str, exclude: tuple[str, ...] = ()) -> Detector:
    made = tuple(Pattern(p, f, 1.0, "zh-CN", i) for i, p in enumerate(patterns)
                 for f in expand(p))
    excl = tuple(Pattern(p, f, 1.0, "zh-CN") for p in exclude for f in expand(p))
    return Detector([Objection("x", "objection", Text(), made, excl, ())],
                    Detection(0.5, 3, {"zh-CN": ("不是",), "en": ("not", "n't")}))


def found(d: Detector, text: str) -> bool:
    return bool(d.detect(text))


def test_ordered_fragments_try_a_later_middle_occurrence():
    d = detector("aa…bb…cc")
    far = "x" * (MAX_GAP - 2)
    # the first 'bb' has no 'cc' within reach, the second one does
    assert found(d, f"aa bb {far[:4]} bb {far[:5]} cc")
    assert not found(d, f"aa bb {far} {far} cc")
    assert not found(d, "cc bb aa")


def test_negation_and_its_exceptions():
    d = detector("没时间", "too busy")
    assert found(d, "我没时间")
    assert not found(d, "不是没时间")
    assert found(d, "不是,我没时间")          # a clause break ends the negation
    assert not found(d, "i'm not too busy")
    assert found(d, "isn't he too busy?")     # a question opener is not a negation


def test_a_not_a_question_is_not_a_negation():
    d = detector("在整顿")
    assert found(d, "你们是不是在整顿")


def test_exclude_cancels_the_hit_it_covers():
    d = detector("没时间", exclude=("没时间观念",))
    assert found(d, "我没时间")
    assert not found(d, "我没时间观念")


def test_traditional_and_full_width_are_normalized():
    d = detector("风险太大")
    assert found(d, "這個風險太大了")
    d2 = detector("too busy")
    assert found(d2, "ＴＯＯ　ＢＵＳＹ")


def test_weak_cues_combine():
    made = (Pattern("忙", ("忙",), 0.3, "zh-CN", 0), Pattern("改天", ("改天",), 0.3, "zh-CN", 1))
    d = Detector([Objection("x", "objection", Text(), made, (), ())], Detection(0.5, 3, {}))
    assert not d.detect("最近忙")
    hits = d.detect("最近忙,改天吧")
    assert hits and abs(hits[0].score - 0.51) < 1e-6
