"""``escalation summarize DIR``: reprint an experiment's report and redraw its figures.

Registered by ``cli.experiment.register``; bad input raises ``cli.run.UsageError`` so that
``escalation`` prints one line and exits with status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.results import WEEKS_AS
from analysis.sensitivity import OUTCOMES
from cli.usage import UsageError
from model.files import write_atomic


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``summarize`` subcommand to the ``escalation`` parser."""
    summarize = commands.add_parser(
        "summarize",
        help="print an experiment's comparison and sensitivity tables, redraw its figures",
    )
    summarize.add_argument("dir", type=Path, metavar="DIR", help="experiment output directory")
    summarize.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="NAME",
        help=f"sensitivity outcome(s), repeatable or comma-separated (default all): "
        f"{', '.join(OUTCOMES)}",
    )
    summarize.add_argument(
        "--csv",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the comparison table (with --by-point: the per-point table)",
    )
    summarize.add_argument(
        "--wide",
        action="store_true",
        help="show every column under full names (the default tables fit 100 characters)",
    )
    summarize.add_argument(
        "--weeks-as",
        choices=WEEKS_AS,
        default="week",
        help="invasion weeks as week numbers or as dates from the scenario's start_date",
    )
    summarize.add_argument(
        "--by-point",
        action="store_true",
        help="one line per design point (scenario, sample) with its parameter values, "
        "instead of the pooled comparison; for latin, sobol and morris sweeps (100 columns: "
        "parameters numbered, columns left out if need be; --wide or --csv for all)",
    )
    summarize.add_argument(
        "--sensitivity-csv",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the sensitivity table (sobol and morris designs)",
    )
    summarize.add_argument("--no-figures", action="store_true", help="do not write figures")
    summarize.set_defaults(handler=command_summarize)


def write_csv(table: pd.DataFrame, path: Path, option: str) -> None:
    """Write a CSV completely or not at all (temporary file beside it, then rename)."""

    if path.is_dir():
        raise UsageError(f"{option} {path}: is a directory")
    try:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda temporary: table.to_csv(temporary, index=False))
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there ({exc.strerror})") from None


def command_summarize(args: argparse.Namespace) -> int:
    """Handler of ``escalation summarize``."""
    from analysis import summary
    from analysis.results import SENSITIVITY_SAMPLERS, load_results
    from analysis.sensitivity import check_outcomes, sensitivity_table
    from experiments.store import ResultsError

    outcomes = [name.strip() for text in args.outcome for name in text.split(",") if name.strip()]
    try:
        check_outcomes(outcomes)
        experiment = load_results(args.dir)
        sensitivity = None
        if experiment.sampler in SENSITIVITY_SAMPLERS:
            sensitivity = sensitivity_table(experiment, outcomes or None)
        elif outcomes or args.sensitivity_csv is not None:
            option = "--outcome" if outcomes else "--sensitivity-csv"
            raise UsageError(
                f"{option} needs a sobol or morris design; {args.dir} has '{experiment.sampler}'"
            )
        report = summary.report_text(
            experiment,
            sensitivity,
            wide=args.wide,
            weeks_as=args.weeks_as,
            by_point=args.by_point,
        )
    except ResultsError as exc:
        raise UsageError(str(exc)) from None
    # Files first: a bad --csv path then fails before anything is printed.
    wrote = []
    if args.csv is not None:
        if args.by_point:
            write_csv(summary.point_outcomes(experiment), args.csv, "--csv")
            wrote.append(f"Wrote the per-point table to {args.csv}")
        else:
            write_csv(summary.comparison_table(experiment), args.csv, "--csv")
            wrote.append(f"Wrote the comparison table to {args.csv}")
    if args.sensitivity_csv is not None and sensitivity is not None:
        write_csv(sensitivity, args.sensitivity_csv, "--sensitivity-csv")
        wrote.append(f"Wrote the sensitivity table to {args.sensitivity_csv}")
    print(report)
    if wrote:
        print("\n" + "\n".join(wrote))
    if not args.no_figures:
        try:
            written = summary.write_figures(experiment, sensitivity)
        except OSError as exc:
            raise UsageError(f"{args.dir}/figures: cannot write there ({exc.strerror})") from None
        print("\n" + summary.figures_line(args.dir / "figures", written))
    return 0
