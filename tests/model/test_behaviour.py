"""Mechanisms do what the brief says, checked over many seeds.

Each comparison runs ``SEEDS`` replicates per arm with common seeds and asks for a difference
well outside sampling noise: for shares, a two-proportion z statistic above ``Z_MIN`` (3, i.e.
a one-sided false-alarm rate of about 0.1% if the mechanism did nothing); for means, a gap
larger than ``Z_MIN`` standard errors of the difference. Each test fails if its mechanism is
removed or reversed.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from model import EscalationModel

SEEDS = 200
WIDE_SEEDS = 600  # for effects too small to clear Z_MIN reliably with SEEDS
Z_MIN = 3.0

pytestmark = pytest.mark.slow


@cache
def outcomes(
    scenario: str = "baseline", seeds: int = SEEDS, **overrides: float
) -> dict[str, np.ndarray]:
    """Per-seed outcome arrays for one arm (cached: several tests share arms)."""
    rows: dict[str, list[float]] = {
        "invasion": [],
        "max_tier": [],
        "cohesion": [],
        "capability_w8": [],
        "capability_end": [],
        "arms": [],  # deliveries before any invasion
        "germany_support": [],
        "poland_support": [],
        "eu_support": [],
        "storage_w14": [],
    }
    for seed in range(seeds):
        model = EscalationModel(scenario, rng=seed, **overrides)
        support = {"Germany": 0.0, "Poland": 0.0, "EU": 0.0}
        while model.running:
            model.step()
            for actor in support:
                support[actor] += model.actors[actor].sanction_support / model.horizon
        weekly = model.datacollector.model_vars
        rows["invasion"].append(float(model.invasion))
        rows["max_tier"].append(float(max(weekly["sanction_tier"])))
        rows["cohesion"].append(float(np.mean(weekly["alliance_cohesion"])))
        rows["capability_w8"].append(float(weekly["ukraine_capability"][8]))
        rows["capability_end"].append(float(weekly["ukraine_capability"][-1]))
        peace_until = model.invasion_week if model.invasion else model.horizon + 1
        arms = sum(s.kind == "arms_delivery" and s.week < peace_until for s in model.signal_log)
        rows["arms"].append(float(arms))
        rows["germany_support"].append(support["Germany"])
        rows["poland_support"].append(support["Poland"])
        rows["eu_support"].append(support["EU"])
        rows["storage_w14"].append(float(weekly["eu_gas_storage"][14]))
    return {key: np.array(values) for key, values in rows.items()}


def share_z(higher: np.ndarray, lower: np.ndarray) -> float:
    """Two-proportion z statistic for mean(higher) > mean(lower)."""
    p1, p2 = higher.mean(), lower.mean()
    n1, n2 = len(higher), len(lower)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(max(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2), 1e-12))
    return (p1 - p2) / se


def mean_z(higher: np.ndarray, lower: np.ndarray) -> float:
    se = math.sqrt(higher.var(ddof=1) / len(higher) + lower.var(ddof=1) / len(lower))
    return (higher.mean() - lower.mean()) / max(se, 1e-12)


def test_russian_risk_acceptance_raises_invasion_share():
    bold = outcomes(russia_risk_attitude=0.4)["invasion"]
    cautious = outcomes(russia_risk_attitude=-0.1)["invasion"]
    assert share_z(bold, cautious) > Z_MIN, (bold.mean(), cautious.mean())


def test_weaker_expected_sanctions_raise_invasion_share():
    weak = outcomes(sanction_cost_scale=0.2)["invasion"]
    strong = outcomes(sanction_cost_scale=1.2)["invasion"]
    assert share_z(weak, strong) > Z_MIN, (weak.mean(), strong.mean())


def test_russia_doubting_western_resolve_expects_milder_sanctions_until_it_learns():
    """The prior on Western resolve sets what Russia expects at the start; the West's signals
    then teach it. Measured (20 seeds): expected tier at week 4 about 2.1 from a prior of 0.1
    and 4.0 from 0.9, both near 3.7 by week 12. Invasions come later (median week 16), so the
    prior barely moves P(invasion) (0.11 vs 0.14 at 200 seeds): the ablation registry marks it
    known decorative."""
    expected = {}
    for prior in (0.1, 0.9):
        tiers = []
        for seed in range(40):
            model = EscalationModel("baseline", rng=seed, assumed_western_resolve=prior)
            for _ in range(4):
                model.step()
            tiers.append(model.challenger.expected_tier)
        expected[prior] = np.array(tiers)
    assert mean_z(expected[0.9], expected[0.1]) > Z_MIN, (
        expected[0.1].mean(),
        expected[0.9].mean(),
    )


def test_gas_dependence_lowers_support_for_energy_sanctions():
    dependent = outcomes(germany_gas_import_share=0.9)["germany_support"]
    independent = outcomes(germany_gas_import_share=0.05)["germany_support"]
    assert mean_z(independent, dependent) > Z_MIN, (independent.mean(), dependent.mean())


def test_germany_is_more_restrained_than_poland_in_baseline():
    base = outcomes()
    assert mean_z(base["poland_support"], base["germany_support"]) > Z_MIN


def test_energy_diversification_lets_germany_back_harder_sanctions():
    """Sanctions are imposed once Russia invades, so diversification shows in what Germany
    would back (measured: mean support tier 4.7 vs 3.3 over 200 seeds) and in the gas stored
    by mid-February (0.55 vs 0.36 full), not in the tier imposed before a war."""
    diversified, base = outcomes("energy_diversified"), outcomes()
    assert mean_z(diversified["germany_support"], base["germany_support"]) > Z_MIN
    assert mean_z(diversified["storage_w14"], base["storage_w14"]) > Z_MIN


def test_freeze_deal_lowers_invasion_share():
    assert share_z(outcomes()["invasion"], outcomes("freeze_deal")["invasion"]) > Z_MIN


def test_nato_moratorium_lowers_invasion_share():
    assert share_z(outcomes()["invasion"], outcomes("nato_moratorium")["invasion"]) > Z_MIN


def test_divided_west_is_less_cohesive_and_invites_invasion():
    divided, base = outcomes("divided_west"), outcomes()
    assert mean_z(base["cohesion"], divided["cohesion"]) > Z_MIN
    # The invasion share rises by about 0.15 from about 0.67: with 200 seeds per arm the
    # expected z is only about 3.5, so this comparison uses WIDE_SEEDS (expected z about 6).
    divided, base = outcomes("divided_west", WIDE_SEEDS), outcomes(seeds=WIDE_SEEDS)
    assert share_z(divided["invasion"], base["invasion"]) > Z_MIN


def test_sanctions_only_sends_no_arms_before_invasion_and_leaves_ukraine_weaker():
    only, base = outcomes("sanctions_only"), outcomes()
    assert only["arms"].sum() == 0
    # Arms take the delivery lag and the training time to count (7 weeks at the defaults), so
    # the gap shows late: about +0.02 capability by week 26 over 200 seeds (paired z about 4.5).
    assert mean_z(base["capability_end"], only["capability_end"]) > Z_MIN


def test_arms_now_ships_more_but_major_systems_work_only_later():
    """004: major systems take weeks to deliver and more to train on; in the first weeks
    arms_now ships far more, yet Ukraine is no stronger by week 8 than under baseline."""
    early, base = outcomes("arms_now"), outcomes()
    assert mean_z(early["arms"], base["arms"]) > Z_MIN
    assert early["capability_w8"].mean() <= base["capability_w8"].mean() + 0.01


def test_baseline_is_neither_certain_war_nor_certain_peace():
    """The sources disagree (000 vs 004): baseline must leave the outcome open."""
    share = outcomes()["invasion"].mean()
    assert 0.1 < share < 0.9, share


def test_the_two_readings_of_the_sources_bracket_baseline():
    """000's view (not viable) invades less than baseline; 004's (closing window) more."""
    base = outcomes()["invasion"]
    not_viable = outcomes("invasion_not_viable")["invasion"]
    assert share_z(base, not_viable) > Z_MIN, (base.mean(), not_viable.mean())
    # 0.46 against 0.32 on SEEDS is z about 3, so this side uses WIDE_SEEDS (z about 5).
    window = outcomes("closing_window", WIDE_SEEDS)["invasion"]
    base = outcomes(seeds=WIDE_SEEDS)["invasion"]
    assert share_z(window, base) > Z_MIN, (window.mean(), base.mean())
