"""Detection quality on the held-out set benchmarks/data/detect_eval.jsonl.

Prints precision, recall and F1 per entry, exact-set accuracy per locale and style, and
the false-positive rate on negatives. Two sets, both written independently of the pack's
phrases and examples (see benchmarks/data/README.md): `detect_dev.jsonl`, which pack
authors may study to improve patterns, and `detect_eval.jsonl`, the held-out test set
nobody tunes on; the figures we quote come from the latter.

    python benchmarks/detect_quality.py [--pack brokerage] [--errors]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import engine

DATA = Path(__file__).parent / "data" / "detect_eval.jsonl"
DEV = Path(__file__).parent / "data" / "detect_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", default="brokerage")
    parser.add_argument("--data", default=str(DATA),
                        help="labelled JSONL (default: the held-out test set; "
                        "benchmarks/data/detect_dev.jsonl is the set authors tune on)")
    parser.add_argument("--errors", action="store_true", help="list every wrong utterance")
    args = parser.parse_args()
    pack = engine.load_pack(args.pack, backend="python")
    rows = [json.loads(line) for line in Path(args.data).read_text("utf-8").splitlines()
            if line.strip()]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact: dict[str, list[bool]] = defaultdict(list)
    negatives_hit = 0
    negatives = 0
    errors = []
    for row in rows:
        want = set(row["labels"])
        got = {hit.objection for hit in pack.detect(row["text"])}
        for label in got & want:
            tp[label] += 1
        for label in got - want:
            fp[label] += 1
        for label in want - got:
            fn[label] += 1
        ok = got == want
        for key in ("all", row["locale"], row["style"], f"{row['locale']}/{row['style']}"):
            exact[key].append(ok)
        if not want:
            negatives += 1
            negatives_hit += bool(got)
        if not ok:
            errors.append((row["locale"], row["style"], row["text"], sorted(want), sorted(got)))
    labels = sorted(set(tp) | set(fn) | set(fp))
    print(f"{'entry':22} {'prec':>6} {'recall':>6} {'f1':>6}  tp  fp  fn")
    for label in labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 1.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{label:22} {p:6.3f} {r:6.3f} {f:6.3f} {tp[label]:3} {fp[label]:3} {fn[label]:3}")
    micro_p = sum(tp.values()) / max(1, sum(tp.values()) + sum(fp.values()))
    micro_r = sum(tp.values()) / max(1, sum(tp.values()) + sum(fn.values()))
    print(f"\nmicro precision {micro_p:.3f}  micro recall {micro_r:.3f}")
    print("exact-set accuracy:")
    for key in sorted(exact):
        values = exact[key]
        print(f"  {key:22} {sum(values) / len(values):.3f}  (n={len(values)})")
    print(f"false positives on negatives: {negatives_hit}/{negatives} = "
          f"{negatives_hit / max(1, negatives):.3%}")
    if args.errors:
        print("\nerrors:")
        for locale, style, text, want, got in errors:
            print(f"  [{locale} {style}] {text}  want={want} got={got}")


if __name__ == "__main__":
    main()
