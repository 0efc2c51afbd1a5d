"""Printing `playbook test` results: a test-runner listing, or one JSON document."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from .coverage import KINDS
from .errors import InputError
from .pack import load_pack
from .packtest import PackResult, run_pack_tests


def print_text(out: TextIO, results: list[PackResult], coverage: bool,
               threshold: float | None) -> None:
    for pack in results:
        print(f"{pack.pack}", file=out)
        for case in pack.cases:
            mark = "PASS" if case.passed else "FAIL"
            print(f"  {mark}  {case.case.name}", file=out)
            if case.passed:
                continue
            print(f"        at {case.case.position}", file=out)
            if case.error:
                print(f"        error: {case.error}", file=out)
            for failure in case.failures:
                for line in failure.lines():
                    print(f"        {line}", file=out)
        passed = len(pack.cases) - pack.failed
        print(f"  {passed} passed, {pack.failed} failed in {pack.seconds:.2f}s", file=out)
        if coverage or threshold is not None:
            print_coverage(out, pack, threshold)
    total = sum(len(p.cases) for p in results)
    failed = sum(p.failed for p in results)
    print(f"{total - failed} passed, {failed} failed", file=out)


def print_coverage(out: TextIO, pack: PackResult, threshold: float | None) -> None:
    cov = pack.coverage
    parts = []
    for kind in KINDS:
        done, total = cov.counts(kind)
        if total:
            parts.append(f"{kind} {done}/{total} ({cov.percent([kind]):.0f}%)")
    verdict = ""
    if threshold is not None:
        verdict = " ok" if cov.percent() >= threshold else f" BELOW THRESHOLD {threshold:g}%"
    print(f"  coverage {cov.percent():.1f}%{verdict}: {', '.join(parts) or 'nothing to cover'}",
          file=out)
    for kind in KINDS:
        missing = cov.missing(kind)
        if missing:
            print(f"    not covered ({kind}):", file=out)
            for item in missing:
                print(f"      {item}", file=out)


def print_json(out: TextIO, results: list[PackResult], coverage: bool,
               threshold: float | None) -> None:
    packs: list[dict[str, Any]] = []
    for pack in results:
        entry: dict[str, Any] = {
            "pack": pack.pack, "passed": len(pack.cases) - pack.failed, "failed": pack.failed,
            "seconds": round(pack.seconds, 3), "cases": [c.to_dict() for c in pack.cases]}
        if coverage or threshold is not None:
            entry["coverage"] = pack.coverage.to_dict()
        packs.append(entry)
    total = sum(len(p.cases) for p in results)
    failed = sum(p.failed for p in results)
    report = {"passed": total - failed, "failed": failed, "threshold": threshold,
              "ok": ok(results, threshold), "packs": packs}
    print(json.dumps(report, ensure_ascii=False, indent=2), file=out)


def ok(results: list[PackResult], threshold: float | None) -> bool:
    if not any(p.cases for p in results):
        return False
    if any(p.failed for p in results):
        return False
    return threshold is None or all(p.coverage.percent() >= threshold for p in results)


def run_command(packs: list[str], run: str | None, fmt: str, coverage: bool,
                threshold: float | None, backend: str, out: TextIO) -> int:
    """`playbook test`: 0 when every case passes (and coverage reaches the threshold)."""
    try:
        select = re.compile(run) if run else None
    except re.error as error:
        raise InputError(f"--run: not a regular expression: {error}") from error
    if threshold is not None and not 0 <= threshold <= 100:
        raise InputError("--threshold is a percentage between 0 and 100")
    results = [run_pack_tests(load_pack(name, backend=backend), select) for name in packs]
    if fmt == "json":
        print_json(out, results, coverage, threshold)
    else:
        print_text(out, results, coverage, threshold)
        if not any(p.cases for p in results):
            print("no test cases" + (f" match --run '{run}'" if run else
                  " found: write them in rules/<pack>/tests/*.yaml"), file=out)
    return 0 if ok(results, threshold) else 1
