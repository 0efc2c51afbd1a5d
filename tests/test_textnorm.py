"""Text normalization: what a pack author can rely on when writing phrases once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.detect import Detector
from engine.model import Detection, Objection, Pattern, Text
from engine.textnorm import normalize, normalize_many


def test_width_script_case_and_quotes_are_folded():
    assert normalize("ＡＢＣ，我沒時間！") == "abc,我没时间!"
    assert normalize("I\u2019m  NOT\u200b interested") == "i'm not interested"


def test_spaces_between_chinese_characters_are_dropped():
    # speech-to-text and word segmenters put spaces between Chinese words
    assert normalize("我 最近 很\u3000忙") == "我最近很忙"
    assert normalize("我用 APP 买, 很 方便 ok") == "我用 app 买, 很方便 ok"
    assert normalize("too busy") == "too busy"  # words of other scripts keep their spaces
    assert normalize("乾 隆 〇 一 𠮷 野") == normalize("乾隆〇一𠮷野")  # before t2s: 乾隆 stays


def test_colloquial_chinese_is_folded_to_standard_forms():
    assert normalize("俺咋整啊,啥意思") == "我怎么整啊,什么意思"
    assert normalize("咱俩商量商量") == "我俩商量商量"


def test_colloquial_english_is_folded_on_word_boundaries_only():
    assert normalize("I dont have time rn") == "i don't have time right now"
    assert normalize("im gonna think") == "i'm going to think"
    assert normalize("U盘 donut import") == "u盘 donut import"  # not inside other words


def test_a_standard_phrase_hears_the_colloquial_spelling():
    pattern = Pattern.phrase(normalize("我不懂这个"), "zh-CN")
    english = Pattern.phrase(normalize("don't have time"), "en")
    d = Detector([Objection("x", "objection", Text(), (pattern, english), (), ())],
                 Detection(0.5, 3, {}))
    assert d.detect("俺不懂这个")
    assert d.detect("sorry i dont have time")


@given(st.text())
def test_normalization_is_idempotent(text: str):
    once = normalize(text)
    assert normalize(once) == once


# pieces a pack's strings are made of, and the characters most likely to differ in a batch
_PIECES = st.sampled_from(["俺", "啥", "咋", "這個", "乾", "後", "发", "u", "dont", "rn", " ",
                           "忙 ", "\u3000", "\u200b", "Σ", "ς", "ΑΣ", "İ", "'", ".", "-", "\u0301",
                           "ｆｅｅ", "Ⅻ", "\u2028", "\x85", "\t", "gonna", "U.S.", "A"])
_BATCH_TEXT = st.lists(_PIECES | st.text(max_size=4), max_size=6).map("".join)


@given(st.lists(_BATCH_TEXT, max_size=8))
def test_batch_normalization_equals_one_by_one(texts: list[str]):
    assert normalize_many(texts) == [normalize(t) for t in texts]
