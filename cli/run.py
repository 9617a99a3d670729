"""``escalation run``: run one scenario, print its weekly timeline, optionally save its tables.

Output tables are written to a temporary directory beside the destination and moved into place
only when complete.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cli.usage import UsageError, compile_notice, parse_override
from model.columns import ATTRS_KEY, COLUMNS_FILE, write_parquet
from model.escalation import EscalationModel
from model.files import write_directory
from model.provenance import versions
from world.parameters import World, fields_of
from world.scenario import ScenarioError
from world.signals import TRACKS

FORMATS = ("parquet", "csv")
WEST_ACTION_LABELS = {
    "arms_delivery": "arms",
    "flank_deployment": "flank",
    "sanction_threat": "threats",
    "talks": "talks",
}


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run one scenario and print its weekly timeline")
    run.add_argument("--scenario", default="baseline", help="built-in name or path to a TOML file")
    run.add_argument("--weeks", type=int, default=None, help="horizon in weeks (default: scenario)")
    run.add_argument("--seed", type=int, default=None, help="random seed (default: drawn, printed)")
    run.add_argument("--out", type=Path, default=None, help="directory for the three tables")
    run.add_argument("--format", choices=FORMATS, default="parquet", help="table file format")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter, e.g. --set russia_risk_attitude=0.3 (repeatable)",
    )
    run.add_argument("--quiet", action="store_true", help="do not print the timeline")
    run.set_defaults(handler=command_run)


def timeline(model: EscalationModel) -> str:
    """A readable weekly timeline: date, rung, troops, sanctions, gas storage, talks, actions.

    EU gas storage is shown as the tables hold it, a fraction of capacity (0-1), not a percentage.
    Russia's column lists what it did on each track (a pull-back beside the week's demands),
    not only the sharpest of them.
    """
    history = model.history()
    weekly, agents = history["model"], history["agents"]
    lines = [
        f"Scenario {model.spec.name}: {model.spec.description}",
        f"{'week':>4}  {'date':10}  {'rung':31}  {'troops':>7}  {'sanctions':15}  "
        f"{'gas fill':>8}  {'talks':13}  {'Russia':36}  West",
    ]
    for row in weekly.itertuples(index=False):
        week_agents = agents[agents["week"] == row.week]
        russia = russian_moves(week_agents[week_agents["role"] == "challenger"].iloc[0])
        west_actions = week_agents.loc[week_agents["role"].isin(["state", "union"]), "action"]
        counts = west_actions.map(WEST_ACTION_LABELS).value_counts()
        west = " ".join(f"{label}x{n}" for label, n in counts.items())
        lines.append(
            f"{row.week:>4}  {row.date:%Y-%m-%d}  {row.rung_name:31}  {row.russian_troops:>7,.0f}  "
            f"{row.sanction_tier_name:15}  {row.eu_gas_storage:>8.2f}  {row.talks:13}  "
            f"{russia:36}  {west}"
        )
    if model.invasion:
        ending = f"Full-scale invasion in week {model.invasion_week}"
        ending += f" ({weekly.loc[model.invasion_week, 'date']:%Y-%m-%d})."
    else:
        ending = "No full-scale invasion within the horizon."
    top_tier = weekly["sanction_tier"].idxmax()
    lines.append(
        f"{ending} Highest rung: {weekly['rung_name'][weekly['rung'].idxmax()]}; "
        f"highest sanction tier: {weekly['sanction_tier_name'][top_tier]}; "
        f"seed {model.seed_used}."
    )
    return "\n".join(lines)


def russian_moves(row: pd.Series) -> str:
    """What Russia did on each of its tracks this week, in track order (``pull_back+demands``),
    or its single action where the table has no tracks or every track held."""
    columns = [f"{track}_action" for track in TRACKS]
    moves = [row[c] for c in columns if c in row.index and row[c] not in ("hold", "none")]
    return "+".join(moves) if moves else str(row["action"])


def write_tables(
    tables: dict[str, pd.DataFrame], out: Path, fmt: str, record: dict[str, Any]
) -> list[Path]:
    """Write all tables or none: stage them beside ``out`` and move them in when complete."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")

    dictionaries = {name: frame.attrs.get(ATTRS_KEY, {}) for name, frame in tables.items()}

    def write(staging: Path) -> None:
        for name, frame in tables.items():
            path = staging / f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(path, index=False)
            else:
                write_parquet(frame, path, dictionaries[name])
        if fmt == "csv":  # a CSV file has no place for units: they go beside it
            text = json.dumps(dictionaries, indent=2) + "\n"
            (staging / COLUMNS_FILE).write_text(text, encoding="utf-8")
        text = json.dumps(record, indent=2, default=str) + "\n"
        (staging / "run.json").write_text(text, encoding="utf-8")

    try:
        return write_directory(out, write)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror})") from None


def check_writable(out: Path) -> None:
    """Refuse an --out the tables could not be written to, before the run rather than after:
    its parent is created (as writing would) and a scratch directory made and removed in it."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    try:
        parent = out.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=parent).cleanup()
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def command_run(args: argparse.Namespace) -> int:
    if args.weeks is not None:
        limits = fields_of(World)["weeks"].metadata
        if not limits["lo"] <= args.weeks <= limits["hi"]:
            raise UsageError(
                f"--weeks must be {limits['lo']} to {limits['hi']} weeks, got {args.weeks}"
            )
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    overrides = dict(parse_override(text) for text in args.overrides)
    if args.out is not None:
        check_writable(args.out)
    seed = args.seed
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    if args.weeks is not None and "weeks" in overrides:
        raise UsageError("give the horizon once: --weeks N or --set weeks=N, not both")
    settings = dict(overrides)
    if args.weeks is not None:
        settings["weeks"] = args.weeks
    compile_notice(args.quiet)
    try:
        model = EscalationModel(args.scenario, rng=seed, **settings)
    except ScenarioError as exc:
        from experiments.design import shipped  # only on this error: `run` need not load it

        if str(args.scenario) in shipped():
            raise UsageError(
                f"{exc} ('{args.scenario}' is a shipped experiment: run it with"
                f" `escalation experiment {args.scenario} --out DIR`)"
            ) from None
        raise
    model.run()
    if not args.quiet:
        print(timeline(model))
    if args.out is not None:
        record = {
            "scenario": model.spec.name,
            "scenario_source": str(args.scenario),
            "seed": seed,
            "weeks": model.horizon,
            "overrides": overrides,
            "versions": versions(),
            "parameters": model.spec.parameter_values(),
        }
        written = write_tables(model.history(), args.out, args.format, record)
        print(f"Wrote {', '.join(p.name for p in written)} to {args.out}")
    return 0
