"""Cost of one conversation turn on the shipped brokerage pack, both backends, beside the
cost of a bare durable_rules call. Prints figures and ratios; not a test.

    python benchmarks/turn.py [--turns 3000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import engine

UTTERANCES = [
    "我最近太忙了,下次再说吧", "这个风险太大了", "我要跟老婆商量一下", "能保证赚钱吗?",
    "手续费怎么收?", "好的,谢谢你", "I'm not interested", "let me sleep on it",
    "钱能随时取出来吗", "今天天气不错",
]


def measure_turns(backend: str, turns: int) -> list[float]:
    pack = engine.load_pack("brokerage", backend=backend)
    latencies = []
    session = pack.session("bench", facts={"customer.type": "business_owner",
                                           "stage": "phone_contact"})
    for i in range(turns):
        if i % 50 == 0:  # fresh sessions now and then, as a CRM would have
            session = pack.session(f"bench-{i}", facts={"customer.type": "business_owner",
                                                        "stage": "phone_contact"})
        start = time.perf_counter()
        session.turn(utterance=UTTERANCES[i % len(UTTERANCES)], now="2026-11-26")
        latencies.append(time.perf_counter() - start)
    return latencies


def measure_bare_durable(calls: int) -> tuple[float, float]:
    from durable import engine as durable

    class Host(durable.Host):
        def _run(self) -> None:
            pass

    host = Host()
    host.register_rulesets({"bare": {"r": {"all": [{"m": {"k": 1}}], "run": lambda c: None}}})
    start = time.perf_counter()
    for i in range(calls):
        host.post("bare", {"sid": "s", "k": 1, "n": i})
    post = (time.perf_counter() - start) / calls
    start = time.perf_counter()
    for i in range(calls):
        fact = {"sid": "s", "k": 1, "n": i}
        host.assert_fact("bare", fact)
        host.retract_fact("bare", fact)
    assert_retract = (time.perf_counter() - start) / calls
    return post, assert_retract


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3000)
    args = parser.parse_args()
    post, assert_retract = measure_bare_durable(5000)
    print(f"bare durable_rules post:               {post * 1e6:8.1f} µs")
    print(f"bare durable_rules assert+retract:     {assert_retract * 1e6:8.1f} µs")
    results = {}
    for backend in ("durable", "python"):
        measure_turns(backend, 200)  # warm up
        lat = measure_turns(backend, args.turns)
        results[backend] = lat
        mean = statistics.fmean(lat)
        print(f"session.turn [{backend:7}] {1 / mean:8.0f} turns/s   "
              f"p50 {pct(lat, .5) * 1e6:7.1f} µs   p99 {pct(lat, .99) * 1e6:7.1f} µs")
    d, p = statistics.fmean(results["durable"]), statistics.fmean(results["python"])
    print(f"ratio turn(durable) / turn(python):    {d / p:8.2f}")
    print(f"ratio turn(durable) / bare post:       {d / post:8.1f}")
    print(f"ratio turn(durable) / assert+retract:  {d / assert_retract:8.1f}")


if __name__ == "__main__":
    main()
