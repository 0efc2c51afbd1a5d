"""The `playbook` command line: validate, dry-run, detect, gate, graph.

Every authoring or input error is printed as one or two lines and exits 2; a traceback
reaching a user is a bug, so unexpected exceptions are reported as an internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .conversation import read_conversation, read_deal, read_text
from .errors import InputError, PackError, PlaybookError
from .pack import Pack, load_model, load_pack
from .replay import gate_deal
from .textui import print_gate, print_turn

EPILOG = """examples:
  playbook validate brokerage rules/new_customer
  playbook dry-run brokerage examples/conversations/busy_owner.yaml --locale en
  playbook detect brokerage --text "我最近太忙了,下次再说吧"
  playbook gate new_customer examples/deals/new_customer/hold_missing_champion.yaml
  playbook graph key_account --format mermaid
PACK is a shipped pack's name (see `playbook packs`) or a path to a pack folder."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Objection handling and stage gating from YAML rule packs.", epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=f"{help_text}  e.g. {example}", description=help_text,
                              epilog=f"example: {example}")

    p = command("validate", "check packs; one path:line:col line per problem",
                "playbook validate brokerage")
    p.add_argument("packs", nargs="+", metavar="PACK")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("dry-run", "run a recorded conversation through a pack",
                "playbook dry-run brokerage examples/conversations/busy_owner.yaml")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("conversation", metavar="CONVERSATION", help="YAML or JSONL file of turns")
    p.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    p.add_argument("--locale", help="reply locale (default: the conversation's or the pack's)")
    p.add_argument("--backend", choices=("durable", "python"), default="durable")
    p.add_argument("--explain", action="store_true",
                   help="after each turn, explain every rule considered (see `explain`)")

    p = command("detect", "print the objections detected in utterances",
                'playbook detect brokerage --text "我要跟老婆商量一下"')
    p.add_argument("pack", metavar="PACK")
    p.add_argument("file", nargs="?", help="utterances, one per line (default: stdin)")
    p.add_argument("--text", action="append", help="an utterance (repeatable)")
    p.add_argument("--format", choices=("text", "jsonl"), default="text")

    p = command("gate", "may this deal advance? a checklist of what is missing",
                "playbook gate new_customer examples/deals/new_customer/advance.yaml")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("deal", metavar="DEAL", help="YAML/JSON file: {facts: {...}} or facts")
    p.add_argument("--now", help="evaluation time, ISO date (default: the deal's or now)")
    p.add_argument("--pipeline", help="pipeline id (default: the deal's or the first)")
    p.add_argument("--locale")
    p.add_argument("--to", dest="move_to", help="the stage the deal wants to move to")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("graph", "draw a pack's pipelines", "playbook graph key_account --format mermaid")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("--locale")

    command("packs", "list the shipped packs", "playbook packs")

    p = command("test", "run the test cases beside a pack (rules/<pack>/tests/*.yaml)",
                "playbook test brokerage --coverage --threshold 100")
    p.add_argument("packs", nargs="+", metavar="PACK")
    p.add_argument("--run", metavar="REGEX", help="only the cases whose name matches")
    p.add_argument("--coverage", action="store_true", help="report what no test exercised")
    p.add_argument("--threshold", type=float, metavar="P", help="fail below P%% coverage")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--backend", choices=("durable", "python"), default="durable")

    p = command("diff", "replay conversations and deals through two versions of a pack",
                "playbook diff old/rules/brokerage brokerage examples/conversations/*.yaml")
    p.add_argument("old", metavar="OLD_PACK")
    p.add_argument("new", metavar="NEW_PACK")
    p.add_argument("inputs", nargs="+", metavar="FILE", help="conversation or deal files")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("init", "scaffold a new pack that passes validate and test",
                "playbook init my_pack --dir .")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--dir", default=".", help="where rules/ and responses/ are (default: .)")
    p.add_argument("--locale", action="append", dest="locales", choices=("en", "zh-CN"),
                   help="a locale of the pack (repeatable; default: en)")

    p = command("lint", "completeness, conflicts and compliance; exit 1 on an error",
                "playbook lint brokerage --format json")
    p.add_argument("packs", nargs="+", metavar="PACK")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("explain", "why one turn got its replies, actions and gate decision",
                "playbook explain brokerage examples/conversations/busy_owner.yaml --turn 3")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("conversation", metavar="CONVERSATION", help="YAML or JSONL file of turns")
    p.add_argument("--turn", type=int, required=True, metavar="N", help="turn number, from 1")
    p.add_argument("--locale")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = command("docs", "the pack as a readable playbook for reps",
                "playbook docs brokerage --format html -o brokerage.html")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--locale", help="language of titles and stages (default: the pack's)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    from .simcli import add_arguments as simulate_arguments

    simulate_arguments(command("simulate", "role-play a training scenario; score the answers",
                               "playbook simulate examples/scenarios/busy_owner.yaml --auto"))
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # never fail on a terminal that lacks UTF-8
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    out = out or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(out)
        return 0
    handler: Callable[[argparse.Namespace, TextIO], int] = COMMANDS[args.command]
    try:
        return handler(args, out)
    except PackError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s)", file=sys.stderr)
        return 2
    except PlaybookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        print(f"internal error: {type(error).__name__}: {error} (please report this)",
              file=sys.stderr)
        return 3


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    failed = 0
    report = []
    for name in args.packs:
        try:
            model, _ = load_model(name)
            report.append({"pack": name, "ok": True, "problems": []})
            if args.format == "text":
                print(f"{name}: ok ({model.id} {model.version}, {len(model.objections)} "
                      f"entries, {len(model.pipelines)} pipelines)", file=out)
        except PackError as error:
            failed += 1
            report.append({"pack": name, "ok": False,
                           "problems": [p.to_dict() for p in error.problems]})
            if args.format == "text":
                for problem in error.problems:
                    print(problem, file=out)
        except PlaybookError as error:
            failed += 1
            report.append({"pack": name, "ok": False, "problems": [{"message": str(error)}]})
            if args.format == "text":
                print(f"{name}: {error}", file=out)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2), file=out)
    return 2 if failed else 0


def _dry_run(args: argparse.Namespace, out: TextIO) -> int:
    conversation = read_conversation(args.conversation)
    pack = load_pack(args.pack, backend=args.backend)
    locale = args.locale or conversation.locale
    session = pack.session(conversation.session, conversation.facts, locale=locale)
    results = []
    for turn in conversation.turns:
        if args.explain:
            from .explain import explain_turn, to_text

            explanation = explain_turn(session, turn, conversation.now)
            rec = dict(explanation.pop("result"), explanation=explanation)
        else:
            rec = session.turn(utterance=turn.utterance, facts=turn.facts,
                               now=turn.now or conversation.now).to_dict()
        results.append(rec)
        if args.format == "jsonl":
            print(json.dumps(rec, ensure_ascii=False), file=out)
        elif args.format == "text":
            print_turn(out, turn.utterance, rec)
            if args.explain:
                print(to_text(rec["explanation"]), file=out)
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False, indent=2), file=out)
    return 0


def _detect(args: argparse.Namespace, out: TextIO) -> int:
    pack_model, templates = load_model(args.pack)
    pack = Pack(pack_model, templates, backend="python")
    if args.text:
        lines: Any = args.text
    elif args.file and args.file != "-":
        lines = read_text(Path(args.file), "utterances").splitlines()
    elif sys.stdin is None:
        raise InputError("standard input is closed: pass --text or a FILE of utterances")
    else:
        lines = (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        found_hits = pack.detect(line)
        if args.format == "jsonl":
            hits = [h.to_dict() for h in found_hits]
            print(json.dumps({"text": line, "objections": hits}, ensure_ascii=False), file=out)
        else:
            found = "; ".join(f"{h.objection} {h.score:.2f} ({', '.join(h.evidence)})"
                              for h in found_hits) or "-"
            print(f"{line}\n  → {found}", file=out)
    return 0


def _gate(args: argparse.Namespace, out: TextIO) -> int:
    deal = read_deal(args.deal)
    pack = load_pack(args.pack)
    result = gate_deal(pack, deal, now=args.now, pipeline=args.pipeline,
                       move_to=args.move_to, locale=args.locale)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str), file=out)
    else:
        print_gate(out, result)
    return 0


def _graph(args: argparse.Namespace, out: TextIO) -> int:
    from .graph import to_dot, to_mermaid

    model, _ = load_model(args.pack)
    if not model.pipelines:
        raise InputError(f"pack '{model.id}' has no pipelines to draw")
    locale = model.locale(args.locale)
    render = to_mermaid if args.format == "mermaid" else to_dot
    print(render(model, locale), file=out)
    return 0


def _packs(args: argparse.Namespace, out: TextIO) -> int:
    from .packs import shipped_packs

    for name in shipped_packs():
        print(name, file=out)
    return 0


def _test(args: argparse.Namespace, out: TextIO) -> int:
    from .testreport import run_command

    return run_command(args.packs, args.run, args.format, args.coverage, args.threshold,
                       args.backend, out)


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    from .diff import run_command

    return run_command(args.old, args.new, args.inputs, args.format, out)


def _init(args: argparse.Namespace, out: TextIO) -> int:
    from .scaffold import run_command

    return run_command(args.name, args.dir, args.locales or ["en"], out)


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    from .lint import run_command

    return run_command(args.packs, args.format, out)


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from .explain import run_command

    return run_command(args.pack, args.conversation, args.turn, args.locale, args.format, out)


def _docs(args: argparse.Namespace, out: TextIO) -> int:
    from .docs import run_command

    return run_command(args.pack, args.format, args.locale, args.output, out)


def _simulate(args: argparse.Namespace, out: TextIO) -> int:
    from .simcli import run as run_command

    return run_command(args, out)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "validate": _validate, "dry-run": _dry_run, "detect": _detect, "gate": _gate,
    "graph": _graph, "packs": _packs, "test": _test, "diff": _diff, "init": _init,
    "lint": _lint, "explain": _explain, "docs": _docs, "simulate": _simulate,
}
