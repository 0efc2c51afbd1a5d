"""`playbook simulate SCENARIO`: interactive role-play, recorded answers, --auto, Monte Carlo.

Interactive mode works in a plain terminal: the customer speaks, the trainee types one
line, feedback follows each turn, then the final score. End of input ends the session
(remaining turns get empty answers).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .report import render, summary, turn_feedback, turn_header
from .scenario import Scenario, load_scenario
from .simulate import (
    CustomerTurn,
    TurnResult,
    monte_carlo,
    read_answers,
    run_scenario,
    simulate_funnel,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file "
                   "(see docs/scenarios.md)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--answers", metavar="FILE", help="the trainee's answers, one per "
                      "customer turn (one per line)")
    mode.add_argument("--auto", action="store_true", help="answer with the engine's own "
                      "recommendations (a pack self-check)")
    p.add_argument("--runs", type=int, metavar="N", help="persona-driven Monte Carlo of N "
                   "conversations (a funnel scenario: N months)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--locale", help="locale of the conversation (default: the scenario's)")
    p.add_argument("--format", choices=("text", "json", "html"), default="text")


def run(args: argparse.Namespace, out: TextIO) -> int:
    scenario = load_scenario(args.scenario)
    if scenario.funnel is not None:
        print(render(simulate_funnel(scenario, months=args.runs, seed=args.seed),
                     args.format), file=out)
        return 0
    if args.runs is not None:
        answers: list[str] | str = read_answers(args.answers) if args.answers else "auto"
        result = monte_carlo(scenario, args.runs, seed=args.seed, answers=answers,
                             locale=args.locale)
        print(render(result, args.format), file=out)
        return 0
    if args.auto or args.answers:
        run_result = run_scenario(scenario, read_answers(args.answers) if args.answers
                                  else "auto", seed=args.seed, locale=args.locale)
        print(render(run_result.to_dict(), args.format), file=out)
        return 0 if run_result.passed else 1
    return _interactive(args, scenario, out)


def _interactive(args: argparse.Namespace, scenario: Scenario, out: TextIO) -> int:
    persona = scenario.persona
    who = persona.honorific or persona.name or "customer"
    print(f"scenario {scenario.id}: {scenario.title_in(args.locale or scenario.locale or '')}",
          file=out)
    print("type your answer on one line and press Enter (Ctrl-D ends the session)", file=out)
    ended = False

    def ask(turn: CustomerTurn) -> str:
        nonlocal ended
        print(turn_header({"turn": turn.index, "stage": turn.stage}), file=out)
        print(f"{who}: {turn.say}", file=out)
        if ended:
            return ""
        out.flush()
        try:
            if sys.stdin is None:
                raise EOFError  # a closed standard input ends the conversation
            if out is sys.stdout:
                return input("you> ")
            print("you> ", end="", file=out, flush=True)
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            return line.rstrip("\n")
        except EOFError:
            ended = True
            print(file=out)
            return ""

    def show(result: TurnResult) -> None:
        for line in turn_feedback(result.to_dict()):
            print(line, file=out)
        out.flush()

    result = run_scenario(scenario, ask, seed=args.seed, locale=args.locale, on_turn=show)
    data = result.to_dict()
    if args.format == "text":
        print("──", file=out)
        for line in summary(data):
            print(line, file=out)
    else:
        print(render(data, args.format), file=out)
    return 0 if result.passed else 1
