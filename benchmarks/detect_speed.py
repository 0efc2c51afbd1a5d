"""Detection speed: utterances per second on the brokerage pack, and how the cost per
utterance grows when a pack has 100, 1,000 and 10,000 phrases. Prints figures and ratios.

    python benchmarks/detect_speed.py
"""

from __future__ import annotations

import random
import time

import engine
from engine.detect import Detector
from engine.model import Detection, Objection, Pattern, Text

SAMPLE = ["我最近太忙了,下次再说吧", "这个风险太大了", "我要跟老婆商量一下", "能保证赚钱吗?",
          "手续费怎么收?", "好的,谢谢你,明天下午三点可以", "I'm not interested at all",
          "let me sleep on it and call you back", "钱能随时取出来吗", "今天天气不错,你吃了吗"]


def synthetic(phrases: int, seed: int = 7) -> Detector:
    rng = random.Random(seed)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    objections = []
    per = 10
    for i in range(phrases // per):
        patterns = tuple(
            Pattern.phrase("".join(rng.choice(alphabet) for _ in range(4)), "zh-CN")
            for _ in range(per))
        objections.append(Objection(f"o{i}", "objection", Text(), patterns, (), ()))
    return Detector(objections, Detection(0.5, 3, {"zh-CN": ("不是",)}))


def rate(detect, utterances: list[str], rounds: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(rounds):
        for u in utterances:
            detect(u)
    return (time.perf_counter() - start) / (rounds * len(utterances))


def best_rates(detectors: dict[int, Detector], repeats: int = 7) -> dict[int, float]:
    """Per size, the best of several short runs, the sizes taking turns: a busy machine
    slows whichever size happens to run during the noise, and the ratios would show it."""
    best = dict.fromkeys(detectors, float("inf"))
    for _ in range(repeats):
        for size, detector in detectors.items():
            best[size] = min(best[size], rate(detector.detect, SAMPLE, 300))
    return best


def main() -> None:
    pack = engine.load_pack("brokerage", backend="python")
    per = min(rate(pack.detect, SAMPLE, 300) for _ in range(7))
    print(f"brokerage pack: {1 / per:,.0f} utterances/s ({per * 1e6:.1f} µs each)")
    costs = best_rates({size: synthetic(size) for size in (100, 1_000, 10_000)})
    for size, cost in costs.items():
        print(f"{size:>6} phrases: {cost * 1e6:7.1f} µs/utterance   ratio to 100: "
              f"{cost / costs[100]:5.2f}")


if __name__ == "__main__":
    main()
