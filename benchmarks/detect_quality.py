"""Detection quality on labelled utterances that are not the pack's own examples.

Prints precision, recall and F1 per entry, exact-set accuracy per set, locale and style,
and the false-positive rate on negatives. By default it reads the held-out test sets
`detect_eval*.jsonl`, which nobody tunes on; the dev sets (`detect_dev*.jsonl`) are the
ones pack authors study. See benchmarks/data/README.md.

    python benchmarks/detect_quality.py [--pack brokerage] [--data FILE ...] [--errors]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engine

DATA = Path(__file__).parent / "data"
HELD_OUT = sorted(DATA.glob("detect_eval*.jsonl"))


@dataclass
class Tally:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    exact: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    negatives: int = 0
    negatives_hit: int = 0
    errors: list[tuple[str, str, str, list[str], list[str]]] = field(default_factory=list)

    def add(self, row: dict[str, Any], got: set[str], set_name: str) -> None:
        want = {str(label) for label in row["labels"]}
        for label in got & want:
            self.tp[label] += 1
        for label in got - want:
            self.fp[label] += 1
        for label in want - got:
            self.fn[label] += 1
        ok = got == want
        locale, style = str(row["locale"]), str(row["style"])
        for key in ("all", set_name, locale, style, f"{locale}/{style}"):
            self.exact[key].append(ok)
        if not want:
            self.negatives += 1
            self.negatives_hit += bool(got)
        if not ok:
            self.errors.append((locale, style, str(row["text"]), sorted(want), sorted(got)))


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def report(tally: Tally, show_errors: bool) -> None:
    labels = sorted(set(tally.tp) | set(tally.fn) | set(tally.fp))
    print(f"{'entry':22} {'prec':>6} {'recall':>6} {'f1':>6}  tp  fp  fn")
    for label in labels:
        tp, fp, fn = tally.tp[label], tally.fp[label], tally.fn[label]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{label:22} {p:6.3f} {r:6.3f} {f:6.3f} {tp:3} {fp:3} {fn:3}")
    tp, fp, fn = (sum(c.values()) for c in (tally.tp, tally.fp, tally.fn))
    print(f"\nmicro precision {tp / max(1, tp + fp):.3f}  micro recall {tp / max(1, tp + fn):.3f}")
    print("exact-set accuracy:")
    for key in sorted(tally.exact, key=lambda k: (k != "all", k)):
        values = tally.exact[key]
        print(f"  {key:22} {sum(values) / len(values):.3f}  (n={len(values)})")
    print(f"false positives on negatives: {tally.negatives_hit}/{tally.negatives} = "
          f"{tally.negatives_hit / max(1, tally.negatives):.2%}")
    if show_errors:
        print("\nerrors:")
        for locale, style, text, want, got in tally.errors:
            print(f"  [{locale} {style}] {text}  want={want} got={got}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", default="brokerage")
    parser.add_argument("--data", nargs="+", type=Path, default=HELD_OUT,
                        help="labelled JSONL files (default: the held-out test sets)")
    parser.add_argument("--errors", action="store_true", help="list every wrong utterance")
    args = parser.parse_args()
    pack = engine.load_pack(args.pack, backend="python")
    tally = Tally()
    per_set: dict[str, Tally] = {}
    for path in args.data:
        per_set[path.stem] = Tally()
        for row in read_rows(path):
            got = {hit.objection for hit in pack.detect(str(row["text"]))}
            tally.add(row, got, f"set {path.stem}")
            per_set[path.stem].add(row, got, f"set {path.stem}")
    report(tally, args.errors)
    if len(per_set) > 1:
        print("\nfalse positives on negatives per set:")
        for name, one in per_set.items():
            print(f"  {name:22} {one.negatives_hit}/{one.negatives} = "
                  f"{one.negatives_hit / max(1, one.negatives):.2%}")


if __name__ == "__main__":
    main()
