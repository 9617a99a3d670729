"""The patterns the sources report, measured on run histories (pattern-oriented modelling).

Each pattern is a statement of the source documents (ids 000-004, listed in docs/SOURCES.md)
turned into a number per run (a *measure*) and a judgement over many runs (a *check* with a
stated tolerance). The same definitions serve the pattern tests, the calibration and the
validation report, so they cannot drift apart.

Measures read only the tidy tables of :meth:`model.EscalationModel.history` (or the runner's
tables, keyed by ``run_id``), never model internals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Calendar anchors (the model's default start is Monday 2021-11-01, so these are week starts).
DEC_JAN = ("2021-12-06", "2022-01-24")  # "nearly 100,000 ... December 2021 to January 2022"
MID_FEB = "2022-02-14"  # "about 130,000 by mid-February"
TRIGGERS = ("recognition", "limited_incursion", "invade")  # Russian moves that trigger sanctions
EASTERN_MEMBERS = ("Poland", "Lithuania", "Latvia", "Estonia", "Romania")
MEASURES = (  # the columns of measures(), one row per run
    "troops_dec_jan",
    "troops_mid_feb",
    "invaded",
    "invasion_week",
    "tier_before_trigger",
    "threats_before_trigger",
    "support_germany",
    "support_uk",
    "support_eastern",
    "us_deployments_by_mid_feb",
    "us_first_deployment_week",
    "share_of_weeks_talking",
    "agreement",
)
TALKING = ("contacts", "formal talks", "negotiation")


def _by_run(table: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    if "run_id" not in table.columns:
        table = table.assign(run_id=0)
    return table.groupby("run_id", sort=True)


def _first_trigger_week(agents: pd.DataFrame) -> pd.Series:
    """Week of Russia's first recognition, incursion or invasion per run (inf if none)."""
    frame = agents if "run_id" in agents.columns else agents.assign(run_id=0)
    russia = frame[frame["role"] == "challenger"]
    hit = russia[russia["action"].isin(TRIGGERS)]
    first = hit.groupby("run_id")["week"].min()
    runs = frame["run_id"].unique()
    return first.reindex(sorted(runs)).fillna(np.inf)


def _invasion_week(weekly: pd.DataFrame) -> pd.Series:
    frame = weekly if "run_id" in weekly.columns else weekly.assign(run_id=0)
    first = frame[frame["invasion"].astype(bool)].groupby("run_id")["week"].min()
    return first.reindex(sorted(frame["run_id"].unique())).fillna(np.inf)


def measures(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per run with every pattern's measure; needs the ``model`` and ``agents`` tables."""
    weekly, agents = tables["model"], tables["agents"]
    if "run_id" not in weekly.columns:
        weekly, agents = weekly.assign(run_id=0), agents.assign(run_id=0)
    dates = pd.to_datetime(weekly["date"])
    in_dec_jan = (dates >= DEC_JAN[0]) & (dates <= DEC_JAN[1])
    out = pd.DataFrame(index=pd.Index(sorted(weekly["run_id"].unique()), name="run_id"))
    out["troops_dec_jan"] = weekly[in_dec_jan].groupby("run_id")["russian_troops"].mean()
    out["troops_mid_feb"] = weekly[dates == MID_FEB].groupby("run_id")["russian_troops"].first()

    trigger = _first_trigger_week(agents)
    invasion = _invasion_week(weekly)
    out["invaded"] = np.isfinite(invasion).astype(float)
    out["invasion_week"] = invasion

    before_trigger = weekly["week"].to_numpy() < trigger.reindex(weekly["run_id"]).to_numpy()
    out["tier_before_trigger"] = (
        weekly[before_trigger].groupby("run_id")["sanction_tier"].max().reindex(out.index)
    )
    agent_before = agents["week"].to_numpy() < trigger.reindex(agents["run_id"]).to_numpy()
    threats = agents[agent_before & (agents["action"] == "sanction_threat")]
    out["threats_before_trigger"] = (
        threats.groupby("run_id").size().reindex(out.index).fillna(0).astype(float)
    )

    agent_pre = agents["week"].to_numpy() < invasion.reindex(agents["run_id"]).to_numpy()
    support = agents[agent_pre].pivot_table(
        index="run_id", columns="actor", values="sanction_support", aggfunc="mean"
    )
    out["support_germany"] = support.get("Germany")
    out["support_uk"] = support.get("United Kingdom")
    eastern = [c for c in EASTERN_MEMBERS if c in support.columns]
    out["support_eastern"] = support[eastern].mean(axis=1) if eastern else np.nan

    mid_feb_week = int(((pd.Timestamp(MID_FEB) - dates.min()).days) // 7)
    us = agents[
        (agents["actor"] == "United States")
        & (agents["action"] == "flank_deployment")
        & (agents["week"] <= mid_feb_week)
    ]
    out["us_deployments_by_mid_feb"] = (
        us.groupby("run_id").size().reindex(out.index).fillna(0).astype(float)
    )
    out["us_first_deployment_week"] = (
        us.groupby("run_id")["week"].min().reindex(out.index).fillna(np.inf)
    )

    weekly_pre = weekly["week"].to_numpy() < invasion.reindex(weekly["run_id"]).to_numpy()
    pre = weekly[weekly_pre]
    out["share_of_weeks_talking"] = pre["talks"].isin(TALKING).groupby(pre["run_id"]).mean()
    out["agreement"] = (pre["talks"] == "agreement").groupby(pre["run_id"]).any().astype(float)
    return out[list(MEASURES)]


@dataclass(frozen=True)
class Pattern:
    """A reported pattern, the statistic that judges it over runs, and the accepted range."""

    name: str
    claim: str
    source: str
    statistic: Callable[[pd.DataFrame], float]
    low: float
    high: float
    tolerance: str

    def value(self, per_run: pd.DataFrame) -> float:
        return float(self.statistic(per_run))

    def met(self, per_run: pd.DataFrame) -> bool:
        return self.low <= self.value(per_run) <= self.high


def _share(condition: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], float]:
    return lambda runs: float(condition(runs).mean())


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "troops_dec_jan",
        "nearly 100,000 Russian troops near Ukraine in December 2021 and January 2022",
        "003, 001, 000",
        lambda runs: runs["troops_dec_jan"].mean(),
        85_000,
        110_000,
        "'nearly 100,000' is a rounded figure; reports of the period ranged about 90,000-100,000+."
        " Mean over runs of the Dec 6 - Jan 24 average within 85,000-110,000.",
    ),
    Pattern(
        "troops_mid_feb",
        "about 130,000 troops by mid-February 2022",
        "002",
        lambda runs: runs["troops_mid_feb"].mean(),
        115_000,
        145_000,
        "'about 130,000'; estimates of mid-February ranged 130,000-150,000 with different"
        " counting. Mean over runs on Feb 14 within 115,000-145,000.",
    ),
    Pattern(
        "threats_not_sanctions",
        "Western sanctions are threatened as a deterrent, not imposed, until Russia moves",
        "001, 003, 004",
        _share(
            lambda runs: (runs["tier_before_trigger"] == 0) & (runs["threats_before_trigger"] > 0)
        ),
        0.95,
        1.0,
        "In at least 95% of runs, no sanction tier is imposed before Russia's first recognition,"
        " incursion or invasion, and at least one sanction threat has been issued by then.",
    ),
    Pattern(
        "germany_restrained",
        "Germany's response is more restrained than the UK's and the eastern members'",
        "001",
        _share(
            lambda runs: (
                (runs["support_germany"] < runs["support_uk"])
                & (runs["support_germany"] < runs["support_eastern"])
            )
        ),
        0.9,
        1.0,
        "In at least 90% of runs, Germany's mean backed sanction tier before any invasion is"
        " below the UK's and below the eastern members' average.",
    ),
    Pattern(
        "us_flank_deployments",
        "US deployments to the eastern flank in late January and mid-February",
        "001, 002",
        _share(lambda runs: runs["us_deployments_by_mid_feb"] >= 2),
        0.8,
        1.0,
        "In at least 80% of runs the US deploys to the eastern flank at least twice by mid-"
        "February (the record has two waves: 8,500 on alert and deployments from late January,"
        " 3,000 more to Poland on 11 February). Dates are not calibrated, only the count.",
    ),
    Pattern(
        "talks_without_breakthrough",
        "talks continue without a breakthrough",
        "000, 001, 002",
        lambda runs: min(
            runs["share_of_weeks_talking"].mean(),
            1.0 - runs["agreement"].mean(),
        ),
        0.7,
        1.0,
        "Before any invasion the parties are in contact, formal talks or negotiation in at least"
        " 70% of weeks on average, and fewer than 30% of runs reach an agreement.",
    ),
)


def check(per_run: pd.DataFrame) -> pd.DataFrame:
    """A table of every pattern: its value over these runs, the accepted range, met or not."""
    rows = [
        {
            "pattern": p.name,
            "claim": p.claim,
            "source": p.source,
            "value": p.value(per_run),
            "low": p.low,
            "high": p.high,
            "met": p.met(per_run),
        }
        for p in PATTERNS
    ]
    return pd.DataFrame(rows)
