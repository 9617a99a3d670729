"""``escalation scenarios``: list the built-in scenarios with their descriptions."""

from __future__ import annotations

import argparse

from world.scenario import list_scenarios


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("scenarios", help="list the built-in scenarios")
    parser.set_defaults(handler=command_scenarios)


def command_scenarios(args: argparse.Namespace) -> int:
    scenarios = list_scenarios()
    width = max(map(len, scenarios))
    for name, description in scenarios.items():
        print(f"{name:<{width}}  {description}")
    return 0
