"""Summaries of a batch experiment: invasion odds, timing, rungs and sanctions per scenario.

Every headline number is a share or a mean over seeded runs, so each comes with its 95% interval:
shares use the Wilson score interval (sound at 0 and n of n, unlike the normal approximation),
means a t interval. Runs that ended in an error are left out of every statistic and counted.
The directory is read by :mod:`analysis.results`; the intervals and curves are
:mod:`analysis.stats`.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import plots
from analysis.results import (
    DUMMY,
    SENSITIVITY_SAMPLERS,
    WEEKS_AS,
    ModelNotRecorded,
    NoSuccessfulRuns,
    Results,
    load_results,
    rung_name,
)
from analysis.sensitivity import format_sensitivity, sensitivity_table
from analysis.stats import invasion_curves, mean_interval, wilson_interval
from experiments.store import incomplete_note, read_manifest, read_table
from world.errors import EscalationError
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES, Rung, SanctionTier
from world.scenario import load_scenario

WIDTH = 100  # characters: the default tables and the prose around them fit a terminal this wide

# --- summaries ------------------------------------------------------------------------------


def _groups(frame: pd.DataFrame, by: Sequence[str]):
    return frame.groupby(list(by), sort=False, dropna=False)


def _results(experiment: Results | str | Path) -> Results:
    """An experiment as read by ``load_results``, or its directory, read now."""
    return experiment if isinstance(experiment, Results) else load_results(experiment)


def time_to_invasion(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Week of invasion among the runs that invaded (median, quartiles) and the share with none."""

    def one(group: pd.DataFrame) -> pd.Series:
        weeks = group["invasion_week"].dropna().to_numpy(dtype=float)
        quartiles = np.percentile(weeks, [25, 50, 75]) if weeks.size else [np.nan] * 3
        return pd.Series(
            {
                "runs": len(group),
                "invaded": int(weeks.size),
                "invasion_week_q1": quartiles[0],
                "invasion_week_median": quartiles[1],
                "invasion_week_q3": quartiles[2],
                "no_invasion_share": 1.0 - weeks.size / len(group),
                "horizon": int(group["horizon"].max()),
            }
        )

    return _groups(outcomes, by)[list(outcomes.columns)].apply(one).reset_index()


def _distribution(
    outcomes: pd.DataFrame, by: Sequence[str], column: str, names: dict[int, str], label: str
) -> pd.DataFrame:
    levels = sorted(set(int(k) for k in names) | set(outcomes[column].astype(int)))
    counts = (
        _groups(outcomes, by)[column]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=levels, fill_value=0)
    )
    counts.columns.name = column
    tidy = counts.stack().rename("runs").reset_index()
    tidy = tidy.rename(columns={column: label})
    tidy[f"{label}_name"] = tidy[label].map(lambda v: names.get(int(v), f"{label} {v}"))
    total = tidy.groupby(list(by), dropna=False)["runs"].transform("sum")
    tidy["share"] = tidy["runs"] / total
    tidy["share_lo"], tidy["share_hi"] = wilson_interval(tidy["runs"], total)
    return tidy


def rung_distribution(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Share of runs whose highest rung was each of the ladder's rungs (all rungs listed)."""
    return _distribution(outcomes, by, "highest_rung", dict(RUNG_NAMES), "rung")


def sanction_distribution(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Share of runs whose highest sanction tier was each tier (all tiers listed)."""
    return _distribution(outcomes, by, "max_sanction_tier", dict(SANCTION_TIER_NAMES), "tier")


def comparison_table(experiment: Results | str | Path) -> pd.DataFrame:
    """One row per compared group: the headline numbers set side by side."""
    experiment = _results(experiment)
    outcomes, by = experiment.outcomes, experiment.by
    timing = time_to_invasion(outcomes, by)
    lower, upper = wilson_interval(timing["invaded"], timing["runs"])
    table = timing[list(by)].copy()
    table["runs"] = timing["runs"].astype(int)
    table["invaded"] = timing["invaded"].astype(int)
    errors = experiment.errors
    if len(errors):
        counted = _groups(errors, by).size().rename("errors").reset_index()
        table = table.merge(counted, on=list(by), how="left")
        table["errors"] = table["errors"].fillna(0).astype(int)
    else:
        table["errors"] = 0
    table["horizon"] = timing["horizon"].astype(int)
    table["p_invasion"] = timing["invaded"] / timing["runs"]
    table["p_invasion_lo"], table["p_invasion_hi"] = lower, upper
    for column in ("invasion_week_median", "invasion_week_q1", "invasion_week_q3"):
        table[column] = timing[column]
    table["no_invasion_share"] = timing["no_invasion_share"]

    rungs = rung_distribution(outcomes, by)
    modal = rungs.sort_values(["runs", "rung"], ascending=[False, False]).drop_duplicates(list(by))
    modal = modal[[*by, "rung_name", "share"]].rename(
        columns={"rung_name": "modal_rung", "share": "modal_rung_share"}
    )
    table = table.merge(modal, on=list(by), how="left")
    highest = _groups(outcomes, by)["highest_rung"].max().rename("top").reset_index()
    table = table.merge(highest, on=list(by), how="left")
    table["highest_rung"] = table.pop("top").map(rung_name)
    tiers_seen = sanction_distribution(outcomes, by)
    modal_tier = tiers_seen.sort_values(["runs", "tier"], ascending=[False, False])
    modal_tier = modal_tier.drop_duplicates(list(by))[[*by, "tier", "tier_name", "share"]]
    modal_tier = modal_tier.rename(
        columns={
            "tier": "modal_sanction_tier_code",
            "tier_name": "modal_sanction_tier",
            "share": "modal_sanction_tier_share",
        }
    )
    table = table.merge(modal_tier, on=list(by), how="left")

    # A t interval can overrun the tier scale for skewed small samples; the scale bounds it.
    top = max(SANCTION_TIER_NAMES)
    tiers = [
        (mean, max(lo, 0.0), min(hi, float(top)))
        for mean, lo, hi in (
            mean_interval(g["max_sanction_tier"]) for _, g in _groups(outcomes, by)
        )
    ]
    keys = _groups(outcomes, by).size().reset_index()[list(by)]
    tiers_frame = keys.assign(
        mean_max_sanction_tier=[t[0] for t in tiers],
        mean_max_sanction_tier_lo=[t[1] for t in tiers],
        mean_max_sanction_tier_hi=[t[2] for t in tiers],
    )
    return table.merge(tiers_frame, on=list(by), how="left")


# --- per design point ---------------------------------------------------------------------

POINT_KEYS = ("scenario", "sample")


def point_outcomes(experiment: Results | str | Path) -> pd.DataFrame:
    """One row per design point (scenario, sample): its parameter values and its outcomes.

    For plotting an outcome against a parameter of a latin, sobol or morris sweep, which the
    comparison table pools into one row per scenario. ``experiment`` is what
    :func:`~analysis.results.load_results` returns, or the results directory itself.

    Columns: scenario, sample, one column per varied parameter, runs (without error), errors,
    invaded, p_invasion with its Wilson bounds p_invasion_lo and p_invasion_hi,
    invasion_week_median (among the runs that invaded), mean_max_sanction_tier and
    mean_highest_rung. A point whose runs all failed has runs 0,
    a missing p_invasion and the bounds (0, 1).
    """
    experiment = _results(experiment)
    keys = list(POINT_KEYS)
    every = experiment.runs
    points = (
        every.groupby(keys, sort=True, dropna=False)[experiment.parameters].first().reset_index()
        if experiment.parameters
        else every[keys].drop_duplicates().sort_values(keys, ignore_index=True)
    )
    grouped = _groups(experiment.outcomes, keys)
    outcomes = pd.DataFrame(
        {
            "runs": grouped.size(),
            "invaded": grouped["invaded"].sum(),
            "invasion_week_median": grouped["invasion_week"].median(),
            "mean_max_sanction_tier": grouped["max_sanction_tier"].mean(),
            "mean_highest_rung": grouped["highest_rung"].mean(),
        }
    ).reset_index()
    table = points.merge(outcomes, on=keys, how="left")
    errors = _groups(experiment.errors, keys).size().rename("errors").reset_index()
    table = table.merge(errors, on=keys, how="left")
    for column in ("runs", "invaded", "errors"):
        table[column] = table[column].fillna(0).astype(int)
    table["p_invasion"] = np.where(
        table["runs"] > 0, table["invaded"] / table["runs"].where(table["runs"] > 0), np.nan
    )
    table["p_invasion_lo"], table["p_invasion_hi"] = wilson_interval(
        table["invaded"], table["runs"]
    )
    table["invasion_week_median"] = table["invasion_week_median"].astype(float)
    order = [
        *keys,
        *experiment.parameters,
        "runs",
        "errors",
        "invaded",
        "p_invasion",
        "p_invasion_lo",
        "p_invasion_hi",
        "invasion_week_median",
        "mean_max_sanction_tier",
        "mean_highest_rung",
    ]
    return table[order]


def format_points(
    table: pd.DataFrame,
    parameters: Sequence[str],
    *,
    wide: bool = False,
    weeks_as: str = "week",
    start_dates: dict[str, dt.date] | None = None,
    width: int = WIDTH,
) -> str:
    """A plain-text table of ``point_outcomes``: one line per design point.

    By default it fits ``width`` characters, giving up detail in this order until it does:
    parameter values to three significant figures; parameters under numbered headers (p1, p2,
    ..., named below the table); the mean sanction tier, then the median invasion week; then
    parameters from the last (the dummy first). What is left out is named below the table.
    ``wide`` shows every column under its full name, the mean highest rung included.
    """
    weeks = _Weeks(weeks_as, start_dates, wide=True)
    what = "date" if weeks.as_dates else "week"
    names = list(parameters)
    fixed: list[tuple[str, list[str], bool]] = [
        ("scenario", [str(v) for v in table["scenario"]], False),
        ("sample", [str(v) for v in table["sample"]], True),
    ]
    outcomes: list[tuple[str, list[str], bool]] = []
    if wide or (table["errors"] > 0).any():
        outcomes.append(("errors", [str(v) for v in table["errors"]], True))
    outcomes += [
        (
            "invaded",
            [f"{k}/{n}" for k, n in zip(table["invaded"], table["runs"], strict=True)],
            True,
        ),
        (
            "P [95% CI]",
            [
                f"{share_text(p)} [{share_text(lo)}, {share_text(hi)}]"
                for p, lo, hi in zip(
                    table["p_invasion"], table["p_invasion_lo"], table["p_invasion_hi"], strict=True
                )
            ],
            False,
        ),
    ]
    means = [("mean top tier", "mean_max_sanction_tier")]
    if wide:
        means.append(("mean top rung", "mean_highest_rung"))
    extras: list[tuple[str, list[str], bool]] = [
        (
            f"median {what}",
            [
                weeks.one(str(s), w)
                for s, w in zip(table["scenario"], table["invasion_week_median"], strict=True)
            ],
            not weeks.as_dates,
        ),
        *(
            (header, ["-" if pd.isna(m) else f"{m:.2f}" for m in table[column]], True)
            for header, column in means
        ),
    ]

    def layout(rounded: bool, numbered: bool, extras_kept: int, shown: list[str]) -> list[str]:
        value = _short_value if rounded else _value
        columns = [
            *fixed,
            *(
                (f"p{names.index(n) + 1}" if numbered else n, [value(v) for v in table[n]], True)
                for n in shown
            ),
            *outcomes,
            *extras[:extras_kept],
        ]
        widths = [max(len(h), *(len(v) for v in vals)) for h, vals, _ in columns]

        def line(cells: list[str]) -> str:
            return "  ".join(
                text.rjust(w) if right else text.ljust(w)
                for text, w, (_, _, right) in zip(cells, widths, columns, strict=True)
            ).rstrip()

        lines = [line([h for h, _, _ in columns])]
        lines += [line([vals[r] for _, vals, _ in columns]) for r in range(len(table))]
        return lines

    # Each step gives up a little more: (rounded, numbered, extra columns kept, parameters).
    drop_order = sorted(names, key=lambda n: (n != DUMMY, -names.index(n)))
    steps = [(False, False, len(extras), names)]
    if not wide:
        steps += [(True, False, len(extras), names), (True, True, len(extras), names)]
        steps += [(True, True, kept, names) for kept in reversed(range(len(extras)))]
        steps += [
            (True, True, 0, [n for n in names if n not in drop_order[: k + 1]])
            for k in range(len(names))
        ]
    for rounded, numbered, kept, shown in steps:
        lines = layout(rounded, numbered, kept, shown)
        if max(len(line) for line in lines) <= width:
            break
    if (rounded, numbered, kept, shown) == steps[0]:
        return "\n".join(lines)
    left_out = [header for header, _, _ in extras[kept:]]
    left_out += [n for n in names if n not in shown]
    notes = []
    if numbered and shown:
        notes.append(", ".join(f"p{names.index(n) + 1}={n}" for n in shown))
    lost = []
    if rounded and any(_short_value(v) != _value(v) for n in shown for v in table[n]):
        lost.append("parameter values to 3 significant figures")
    if left_out:
        lost.append(f"left out to fit: {', '.join(left_out)}")
    if lost:
        notes.append("; ".join(lost))
    notes.append("--wide shows every column in full; --csv FILE writes the whole table")
    return "\n".join([*lines, "", *(wrapped for note in notes for wrapped in fit(note))])


def _short_value(value: Any) -> str:
    """A parameter value in few characters: three significant figures, no exponent above 1,000."""
    if isinstance(value, float) and np.isfinite(value):
        return f"{value:.0f}" if abs(value) >= 999.5 else f"{value:.3g}"
    return _value(value)


def start_dates(experiment: Results | str | Path) -> dict[str, dt.date]:
    """Week 0 of each scenario of the experiment: its ``world.start_date``.

    Read from the scenario (built-in name, or the file the experiment named); a scenario that
    can no longer be loaded gives the date of week 0 in its recorded model table instead.
    """
    experiment = _results(experiment)
    manifest = experiment.manifest
    sources = dict(
        zip(manifest.get("scenarios", []), manifest.get("scenario_sources", []), strict=False)
    )
    found: dict[str, dt.date] = {}
    missing = []
    for scenario in dict.fromkeys(str(s) for s in experiment.runs["scenario"]):
        for source in dict.fromkeys([sources.get(scenario, scenario), scenario]):
            try:
                found[scenario] = load_scenario(source).world.start_date
                break
            except (EscalationError, OSError):
                continue
        else:
            missing.append(scenario)
    if missing:
        model = read_table(experiment.out_dir, "model", ["run_id", "week", "date"])
        first = model[model["week"] == 0].merge(experiment.runs[["run_id", "scenario"]])
        for scenario in missing:
            dates = first.loc[first["scenario"] == scenario, "date"]
            if len(dates):
                found[scenario] = pd.Timestamp(dates.iloc[0]).date()
    return found


def common_start(experiment: Results | str | Path) -> dt.date | None:
    """Week 0's date if every scenario of the experiment starts on it (a calendar axis then
    reads for all of them), else None."""
    starts = set(start_dates(experiment).values())
    return starts.pop() if len(starts) == 1 else None


# --- the comparison as text -----------------------------------------------------------------

# Short names of the rungs and tiers, for the default (narrow) table; --wide shows the full ones.
RUNG_SHORT = {
    Rung.STATUS_QUO: "status quo",
    Rung.MILITARY_POSTURING: "posturing",
    Rung.COERCIVE_DIPLOMACY: "coercion",
    Rung.HYBRID_OPERATIONS: "hybrid",
    Rung.LIMITED_INCURSION: "incursion",
    Rung.FULL_SCALE_INVASION: "invasion",
    Rung.NATO_RUSSIA_CLASH: "NATO clash",
    Rung.NUCLEAR_THREAT: "nuclear",
}
TIER_SHORT = {
    SanctionTier.NONE: "none",
    SanctionTier.TARGETED: "targeted",
    SanctionTier.BANKS: "banks",
    SanctionTier.SWIFT: "SWIFT",
    SanctionTier.EXPORT_CONTROLS: "export ctrl",
    SanctionTier.ENERGY: "embargo",
}


def _bounded(p: float, form: str, below: str, above: str) -> str:
    """``p`` in ``form``, or ``below``/``above`` where rounding to two decimals (a whole
    percent) would show a false 0 or 1."""
    if 0.0 < p < 0.005:
        return below
    if 0.995 < p < 1.0:
        return above
    return form.format(p)


def share_text(p: float) -> str:
    """A share with two decimals, never rounded to a false 0 or 1: '<0.01', '>0.99'."""
    return "-" if pd.isna(p) else _bounded(p, "{:.2f}", "<0.01", ">0.99")


def percent_text(p: float) -> str:
    """A share as a whole percentage, never rounded to a false 0% or 100%: '<1%', '>99%'."""
    return _bounded(p, "{:.0%}", "<1%", ">99%")


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class _Weeks:
    """Weeks of the run as week numbers, or as calendar dates from each scenario's start."""

    def __init__(self, weeks_as: str, starts: dict[str, dt.date] | None, wide: bool) -> None:
        if weeks_as not in WEEKS_AS:
            raise ValueError(f"weeks_as must be one of {', '.join(WEEKS_AS)}, got {weeks_as!r}")
        if weeks_as == "date" and not starts:
            raise ValueError("weeks_as='date' needs the start date of every scenario")
        self.as_dates, self.starts, self.wide = weeks_as == "date", starts or {}, wide

    def one(self, scenario: str, week: float, short: bool = False) -> str:
        if pd.isna(week):
            return "-"
        if not self.as_dates:
            return f"{week:.3g}"
        date = self.starts[scenario] + dt.timedelta(days=round(7 * float(week)))
        return f"{date.day} {date:%b}" if short else f"{date:%Y-%m-%d}"

    def span(self, scenario: str, median: float, q1: float, q3: float, iqr: bool) -> str:
        if pd.isna(median):
            return "-"
        # Within a horizon shorter than a year, day and month name a date uniquely.
        short = self.as_dates and not self.wide
        text = self.one(scenario, median, short)
        if iqr:
            dash = ", " if self.as_dates and not short else "-"
            text += f" [{self.one(scenario, q1, short)}{dash}{self.one(scenario, q3, short)}]"
        return text


def format_comparison(
    table: pd.DataFrame,
    by: Sequence[str] = ("scenario",),
    *,
    wide: bool = False,
    weeks_as: str = "week",
    start_dates: dict[str, dt.date] | None = None,
    width: int = WIDTH,
) -> str:
    """A plain-text table of ``comparison_table`` for the terminal and for logs.

    By default it fits ``width`` characters: rungs and tiers under short names, each shown as
    the commonest highest rung (tier) a run reached with its share of runs; columns that do not
    fit are left out and named below the table. ``wide`` shows every column under full names.
    ``weeks_as="date"`` shows invasion weeks as dates counted from ``start_dates[scenario]``
    (week 0 of that scenario).
    """
    # Day and month name a date uniquely only within a year: longer horizons show the year.
    over_a_year = "horizon" in table and len(table) > 0 and int(table["horizon"].max()) > 52
    weeks = _Weeks(weeks_as, start_dates, wide or over_a_year)
    scenarios = [str(s) for s in table["scenario"]] if "scenario" in table else [""] * len(table)
    rows = range(len(table))
    keys: dict[str, list[str]] = {name: [_value(v) for v in table[name]] for name in by}
    invaded = [f"{k}/{n}" for k, n in zip(table["invaded"], table["runs"], strict=True)]
    chance = [
        f"{share_text(p)} [{share_text(lo)}, {share_text(hi)}]"
        for p, lo, hi in zip(
            table["p_invasion"], table["p_invasion_lo"], table["p_invasion_hi"], strict=True
        )
    ]

    def timing(iqr: bool) -> list[str]:
        return [
            weeks.span(
                scenarios[i],
                table["invasion_week_median"].iloc[i],
                table["invasion_week_q1"].iloc[i],
                table["invasion_week_q3"].iloc[i],
                iqr,
            )
            for i in rows
        ]

    rung_codes = {v: k for k, v in RUNG_NAMES.items()}
    table = table.assign(modal_rung_code=table["modal_rung"].map(rung_codes))

    def modal(names: dict[int, str], code: str, share: str) -> list[str]:
        """'name 54%' (wide: 'name (54%)'): the commonest level and its share of runs."""
        form = "{} ({})" if wide else "{} {}"
        return [
            form.format(names.get(int(c), str(c)), percent_text(s))
            for c, s in zip(table[code], table[share], strict=True)
        ]

    what = "date" if weeks.as_dates else "week"
    # Each column: header, its renderings from fullest to most compact, right-aligned or not.
    columns: list[tuple[str, list[list[str]], bool]] = [
        (name, [values], False) for name, values in keys.items()
    ]
    if wide:
        columns += [
            ("runs", [[str(v) for v in table["runs"]]], True),
            ("errors", [[str(v) for v in table["errors"]]], True),
            ("invaded", [invaded], True),
            ("P(invasion) [95% CI]", [chance], False),
            (f"invasion {what} median [IQR]", [timing(True)], False),
            (
                "modal highest rung (share)",
                [modal(RUNG_NAMES, "modal_rung_code", "modal_rung_share")],
                False,
            ),
            ("highest rung seen", [list(table["highest_rung"])], False),
            (
                "modal highest sanction tier (share)",
                [
                    modal(
                        SANCTION_TIER_NAMES, "modal_sanction_tier_code", "modal_sanction_tier_share"
                    )
                ],
                False,
            ),
            (
                "sanction tier mean [95% CI]",
                [
                    [
                        f"{m:.2f}" + ("" if pd.isna(lo) else f" [{lo:.2f}, {hi:.2f}]")
                        for m, lo, hi in zip(
                            table["mean_max_sanction_tier"],
                            table["mean_max_sanction_tier_lo"],
                            table["mean_max_sanction_tier_hi"],
                            strict=True,
                        )
                    ]
                ],
                False,
            ),
        ]
    else:
        if (table["errors"] > 0).any():
            columns.append(("errors", [[str(v) for v in table["errors"]]], True))
        columns += [
            ("invaded", [invaded], True),
            ("P [95% CI]", [chance], False),
            (f"{what} [IQR]", [timing(True), timing(False)], False),
            ("top rung", [modal(RUNG_SHORT, "modal_rung_code", "modal_rung_share")], False),
            (
                "top sanctions",
                [modal(TIER_SHORT, "modal_sanction_tier_code", "modal_sanction_tier_share")],
                False,
            ),
        ]
    chosen = [0] * len(columns)
    kept = [True] * len(columns)

    def width_of(index: int) -> int:
        header, variants, _ = columns[index]
        header = header if chosen[index] == 0 else header.replace(" [IQR]", "")
        return max(len(header), *(len(v) for v in variants[chosen[index]]))

    def total() -> int:
        shown = [width_of(i) for i in range(len(columns)) if kept[i]]
        return sum(shown) + 2 * (len(shown) - 1)

    left_out: list[str] = []
    if not wide:
        # Too wide: first the compact renderings, then the columns least needed, dropped.
        for index in range(len(columns)):
            while total() > width and chosen[index] + 1 < len(columns[index][1]):
                chosen[index] += 1
        for index in reversed(range(len(by), len(columns))):
            if total() <= width:
                break
            if columns[index][0] in ("invaded", "P [95% CI]"):
                continue
            kept[index] = False
            left_out.append(columns[index][0])
    shown = [i for i in range(len(columns)) if kept[i]]
    widths = {i: width_of(i) for i in shown}

    def header(i: int) -> str:
        return columns[i][0] if chosen[i] == 0 else columns[i][0].replace(" [IQR]", "")

    def cell(i: int, text: str) -> str:
        return text.rjust(widths[i]) if columns[i][2] else text.ljust(widths[i])

    lines = ["  ".join(cell(i, header(i)) for i in shown).rstrip()]
    for r in rows:
        lines.append("  ".join(cell(i, columns[i][1][chosen[i]][r]) for i in shown).rstrip())
    week_column = next(i for i, c in enumerate(columns) if c[0].endswith("[IQR]"))
    quartiles = kept[week_column] and chosen[week_column] == 0
    lines += _notes(table, weeks, wide, quartiles, left_out)
    return "\n".join(lines)


def _notes(
    table: pd.DataFrame, weeks: _Weeks, wide: bool, quartiles: bool, left_out: list[str]
) -> list[str]:
    """What the columns mean, one line each below the table."""
    horizons = sorted({int(h) for h in table["horizon"]}) if len(table) else [0]
    by_week = f"week {horizons[0]}" if len(horizons) == 1 else "the last week"
    starts = sorted({str(weeks.starts[s]) for s in table["scenario"]}) if weeks.as_dates else []
    week0 = f"week 0 = {starts[0]}" if len(starts) == 1 else "from each scenario's start_date"
    what = f"date ({week0})" if weeks.as_dates else "week"
    spread = " [quartiles]" if quartiles else ""
    lines = [
        "",
        f"invaded: runs invading by {by_week} / runs without error; "
        "P: that share, 95% Wilson interval",
        f"{what}: first week of invasion, median{spread} over the runs that invaded",
    ]
    if not wide:
        lines.append(
            "top rung, top sanctions: commonest highest rung (sanction tier) of a run, its share"
        )
    if left_out:
        lines.append(f"left out to fit: {', '.join(left_out)} (--wide shows every column)")
    return lines


# --- the report ---------------------------------------------------------------------------


def write_figures(
    experiment: Results | str | Path, sensitivity: pd.DataFrame | None = None
) -> list[Path]:
    """Write the report's PNG figures to DIR/figures/ and return their paths."""
    experiment = _results(experiment)
    figures = experiment.out_dir / "figures"
    outcomes, by = experiment.outcomes, experiment.by
    written = [
        plots.invasion_curves_figure(
            invasion_curves(outcomes, by),
            by,
            figures / "invasion_probability.png",
            common_start(experiment),
        ),
        plots.distribution_figure(
            rung_distribution(outcomes, by),
            by,
            "rung",
            "highest rung reached",
            figures / "highest_rung.png",
        ),
        plots.distribution_figure(
            sanction_distribution(outcomes, by),
            by,
            "tier",
            "highest sanction tier",
            figures / "sanction_tier.png",
        ),
    ]
    if sensitivity is not None and len(sensitivity):
        for scenario, table in sensitivity.groupby("scenario", sort=False):
            path = figures / f"sensitivity_{plots.file_stem(str(scenario))}.png"
            written.append(plots.sensitivity_figure(table, path))
    return written


def _heading(manifest: dict[str, Any], out_dir: Path, runs: pd.DataFrame, ok: int) -> list[str]:
    lines = [
        f"Experiment {manifest.get('name', out_dir.name)} ({out_dir}): {len(runs):,} runs, "
        f"{ok:,} ok, {len(runs) - ok:,} excluded as errors; "
        f"design {manifest.get('design', {}).get('sampler', 'none')}, "
        f"seed {manifest.get('seed', '-')}"
    ]
    if note := incomplete_note(len(runs), manifest.get("total_runs")):
        lines.append(f"{note}; run `escalation experiment` again with the same --out to finish")
        # Built-in names are the names runs are stored under (a file's may differ from its path).
        named = [s for s in manifest.get("scenarios", []) if Path(s).name == s and "." not in s]
        seen = set(runs["scenario"]) if "scenario" in runs else set()
        if missing := [s for s in named if s not in seen]:
            lines.append(f"No runs yet, so not in the tables: {', '.join(missing)}")
    errors = runs[runs["status"] != "ok"]
    if len(errors) and "error" in errors.columns:
        first = errors.iloc[0]
        message = str(first["error"]).strip().splitlines()
        lines.append(f"First error (run {first['run_id']}): {message[-1] if message else '?'}")
    return [wrapped for line in lines for wrapped in fit(line)]


def fit(line: str, whole_words: bool = False) -> list[str]:
    """A line of prose around the tables, wrapped to the terminal width the tables keep.

    A word longer than a line is split, unless ``whole_words``: then a path or a call to be
    copied stays whole on a line of its own, however long.
    """
    return textwrap.wrap(
        line,
        WIDTH,
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=not whole_words,
    ) or [""]


def figures_line(folder: Path, written: Sequence[Path]) -> str:
    return "\n".join(fit(f"Figures in {folder}: {', '.join(p.name for p in written)}"))


def report_text(
    experiment: Results | str | Path,
    sensitivity: pd.DataFrame | None = None,
    *,
    wide: bool = False,
    weeks_as: str = "week",
    by_point: bool = False,
) -> str:
    """The report's text: a heading, the comparison table and, if any, the sensitivity table.

    ``wide`` shows every column of the comparison; ``weeks_as="date"`` gives invasion weeks as
    dates; ``by_point`` replaces the comparison by one line per design point.
    """
    experiment = _results(experiment)
    starts = start_dates(experiment) if weeks_as == "date" else None
    if by_point:
        table = format_points(
            point_outcomes(experiment),
            experiment.parameters,
            wide=wide,
            weeks_as=weeks_as,
            start_dates=starts,
        )
    else:
        table = format_comparison(
            comparison_table(experiment),
            experiment.by,
            wide=wide,
            weeks_as=weeks_as,
            start_dates=starts,
        )
    lines = [
        *_heading(
            experiment.manifest, experiment.out_dir, experiment.runs, len(experiment.outcomes)
        ),
        "",
        table,
    ]
    pooled = [p for p in experiment.parameters if p not in experiment.by and p != DUMMY]
    if pooled and not by_point:
        lines += [
            "",
            *fit(
                f"Pooled over the design's points ({', '.join(pooled)} varied within each row):"
                f" `escalation summarize {experiment.out_dir} --by-point` gives one line per"
                " point.",
                whole_words=True,
            ),
        ]
    if sensitivity is not None and len(sensitivity):
        lines += ["", format_sensitivity(sensitivity, WIDTH)]
    return "\n".join(lines)


def print_report(out_dir: Path, outcomes: Sequence[str] | None = None) -> None:
    """Print the comparison (and, for sobol/morris designs, sensitivity) tables; write figures.

    Called at the end of ``escalation experiment`` and by ``escalation summarize``. An
    experiment whose runs all failed gets a heading with the first error instead of tables;
    a directory that is not an experiment raises ``ResultsError``.
    """
    out_dir = Path(out_dir)
    try:
        experiment = load_results(out_dir)
    except ModelNotRecorded:
        print('No summary: the model table was not recorded (add "model" to record).')
        return
    except NoSuccessfulRuns:
        runs = read_table(out_dir, "runs")
        print("\n".join(_heading(read_manifest(out_dir), out_dir, runs, 0)))
        print("No successful runs: no tables or figures.")
        return
    sensitivity = None
    if experiment.sampler in SENSITIVITY_SAMPLERS:
        sensitivity = sensitivity_table(experiment, outcomes)
    print(report_text(experiment, sensitivity))
    written = write_figures(experiment, sensitivity)
    print("\n" + figures_line(out_dir / "figures", written))
