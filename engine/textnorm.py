"""Text normalization shared by patterns (at load) and utterances (per turn).

Full-width → half-width and other compatibility forms (NFKC), traditional → simplified
Chinese (OpenCC), lower case, curly quotes → straight, invisible characters removed,
runs of whitespace collapsed to one space, and spaces between two Chinese characters
removed (speech-to-text and segmenters write "我 最近 很 忙"). Colloquial spellings are
folded to standard ones (俺 → 我, 啥 → 什么, 咋 → 怎么; "dont" → "don't", "gonna" →
"going to"), so a pack writes each phrase once in standard form and still hears how
people talk and type.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence

import opencc

_WHITESPACE = re.compile(r"\s+")
_HAN = "\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK = re.compile(f"[{_HAN}]")
_HAN_GAP = re.compile(f"(?<=[{_HAN}])\\s+(?=[{_HAN}])")  # dropped before OpenCC: 乾 隆 = 乾隆
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_ZH_FOLD = {"俺": "我", "咱": "我", "啥": "什么", "咋": "怎么"}
_ZH_COLLOQUIAL = re.compile("|".join(sorted(_ZH_FOLD, key=len, reverse=True)))
_EN_FOLD = {
    "u": "you", "ur": "your", "im": "i'm", "ive": "i've", "dont": "don't", "doesnt": "doesn't",
    "didnt": "didn't", "cant": "can't", "wont": "won't", "isnt": "isn't", "arent": "aren't",
    "wasnt": "wasn't", "havent": "haven't", "wouldnt": "wouldn't", "couldnt": "couldn't",
    "shouldnt": "shouldn't", "gonna": "going to", "wanna": "want to", "gotta": "got to",
    "lemme": "let me", "gimme": "give me", "kinda": "kind of", "sorta": "sort of",
    "tho": "though", "thx": "thanks", "pls": "please", "plz": "please", "cuz": "because",
    "coz": "because", "rn": "right now", "tbh": "to be honest",
}
# not next to "." or "-": "U.S.", "a U-turn" are not texting
_EN_COLLOQUIAL = re.compile(r"(?<![\w'.-])(" + "|".join(_EN_FOLD) + r")(?![\w'.-])")
_local = threading.local()  # OpenCC converters are not documented as thread-safe


def _converter() -> opencc.OpenCC:
    conv = getattr(_local, "t2s", None)
    if conv is None:
        conv = opencc.OpenCC("t2s")
        _local.t2s = conv
    return conv


def normalize(text: str) -> str:
    # invisible characters go first: NFKC could otherwise compose across them
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).translate(_QUOTES)
    if _CJK.search(text):
        text = _HAN_GAP.sub("", text)
        try:
            text = _converter().convert(text)
        except UnicodeEncodeError:  # lone surrogates cannot reach OpenCC: replace them
            text = _converter().convert(text.encode("utf-8", "replace").decode("utf-8"))
        text = _fold_zh(text)
    return _WHITESPACE.sub(" ", _fold_en(text.lower())).strip()


def _fold_zh(text: str) -> str:
    return _ZH_COLLOQUIAL.sub(lambda m: _ZH_FOLD[m.group()], text)


def _fold_en(text: str) -> str:
    return _EN_COLLOQUIAL.sub(lambda m: _EN_FOLD[m.group()], text)


def normalize_many(texts: Sequence[str]) -> list[str]:
    """[normalize(t) for t in texts], in a few calls instead of one per text: a pack
    expands to hundreds of thousands of short strings at load. Every step of normalize()
    works within a line, so the texts are joined by newlines and split again; a text that
    holds a newline itself, or a batch that does not split back, takes the slow path."""
    if len(texts) < 2 or any("\n" in t for t in texts):
        return [normalize(t) for t in texts]
    joined = unicodedata.normalize("NFKC", "\n".join(texts).translate(_INVISIBLE))
    lines = joined.translate(_QUOTES).split("\n")
    if len(lines) != len(texts):
        return [normalize(t) for t in texts]
    chinese = [i for i, line in enumerate(lines) if _CJK.search(line)]
    if chinese:  # only lines with Chinese go through OpenCC, as in normalize()
        batch = "\n".join(_HAN_GAP.sub("", lines[i]) for i in chinese)
        try:
            converted = _converter().convert(batch).split("\n")
        except UnicodeEncodeError:
            return [normalize(t) for t in texts]
        if len(converted) != len(chinese):
            return [normalize(t) for t in texts]
        for i, line in zip(chinese, converted, strict=True):
            lines[i] = _fold_zh(line)
    folded = _fold_en("\n".join(lines).lower())
    return [_WHITESPACE.sub(" ", line).strip() for line in folded.split("\n")]


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


def is_wordy(fragment: str) -> bool:
    """Fragments with Latin letters or digits match on word boundaries only."""
    return _ASCII_ALNUM.search(fragment) is not None


def is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "'")
