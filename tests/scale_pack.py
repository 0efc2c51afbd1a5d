"""Generates very large packs for the scale tests (run as a script in a subprocess so a
hang or a crash in the native matcher cannot take the test runner down)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

SEGMENTS = 2_000


def write_pack(root: Path, objections: int) -> Path:
    pack = root / "rules" / "scale"
    pack.mkdir(parents=True)
    templates = root / "responses" / "scale" / "en"
    templates.mkdir(parents=True)
    segments = ", ".join(f"s{i}" for i in range(SEGMENTS))
    (pack / "pack.yaml").write_text(f"""pack: scale
version: 1.0.0
locales: [en]
include: [objections.yaml]
facts:
  customer.segment: {{enum: [{segments}], sample: s0}}
  customer.score: {{type: number, sample: 1}}
action_types:
  call: {{params: {{}}}}
""", encoding="utf-8")
    lines = ["objections:"]
    for i in range(objections):
        lines += [
            f"  - id: o{i}",
            f"    title: O{i}",
            f"    detect: {{patterns: {{en: [kw{i}q]}}}}",
            "    replies:",
            f"      - {{id: o{i}.a, priority: 2, when: {{customer.segment: s{i % SEGMENTS}}}}}",
            f"      - {{id: o{i}.b, priority: 1, when: {{customer.score: {{gte: {i % 100}}}}}}}",
            f"      - {{id: o{i}.c}}",
            "    next_actions: [{type: call}]",
        ]
        for variant in "abc":
            (templates / f"o{i}.{variant}.j2").write_text(f"reply {variant} to {i}",
                                                          encoding="utf-8")
    (pack / "objections.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pack


def main(root: str, objections: int) -> None:
    import engine

    started = time.perf_counter()
    path = write_pack(Path(root), objections)
    durable = engine.load_pack(path, backend="durable")
    python = engine.load_pack(path, backend="python")
    loaded = time.perf_counter() - started
    checked = 0
    for i in range(0, objections, max(1, objections // 400)):
        for segment, score in ((f"s{i % SEGMENTS}", 0), ("s1999", 100), ("s0", -1)):
            facts = {"customer.segment": segment, "customer.score": score}
            got = durable.session("x", facts=facts).turn(utterance=f"well kw{i}q then")
            want = python.session("x", facts=facts).turn(utterance=f"well kw{i}q then")
            assert got.to_dict() == want.to_dict()
            expected = "a" if segment == f"s{i % SEGMENTS}" else "b" if score >= i % 100 else "c"
            assert got.replies[0]["reply"] == f"o{i}.{expected}", (i, segment, score, got.replies)
            checked += 1
    shards = getattr(durable.matcher, "shard_count", 0)
    print(f"ok objections={objections} shards={shards} checked={checked} "
          f"load_seconds={loaded:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
