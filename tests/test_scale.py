"""Limits of the native matcher never reach a user: huge packs load and answer correctly,
and many sessions do not grow memory. Each runs in a subprocess with a timeout, so a hang
or a crash inside durable_rules fails the test instead of the test run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(args: list[str], timeout: int) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=HERE.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_5000_objections_with_3_replies_and_2000_values_of_one_fact(tmp_path: Path):
    # 15,000 reply rules (beyond durable_rules' 4,096 per ruleset) whose conditions test
    # 2,000 distinct values of one fact (beyond its 512, where it hangs): sharded
    out = run([str(HERE / "scale_pack.py"), str(tmp_path), "5000"], timeout=240)
    assert out.startswith("ok objections=5000")
    shards = int(out.split("shards=")[1].split()[0])
    assert shards >= 8


def test_100000_sessions_keep_memory_flat():
    script = textwrap.dedent("""
        import gc, engine
        pack = engine.load_pack("brokerage")
        def rss_mb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096 / 2**20
        utterances = ["我最近太忙了", "风险太大", "好的谢谢", "手续费多少"]
        marks = []
        for i in range(100_000):
            session = pack.session(f"s{i}", facts={"customer.type": "retiree"})
            session.turn(utterance=utterances[i % 4], now="2026-11-26")
            if i in (20_000, 99_999):
                gc.collect()
                marks.append(rss_mb())
        print(f"{marks[0]:.1f} {marks[1]:.1f}")
    """)
    first, last = map(float, run(["-c", script], timeout=400).split())
    assert last - first < 15, f"memory grew from {first} MB to {last} MB"
