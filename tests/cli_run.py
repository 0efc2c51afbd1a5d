"""Run the playbook command line in-process: exit code and everything it printed."""

from __future__ import annotations

import io

from engine.cli import main


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()
