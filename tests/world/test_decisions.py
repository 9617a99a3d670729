"""The decision rules as pure functions: each test pins the direction theory gives a rule."""

from __future__ import annotations

import pytest

from world import decisions
from world.ladder import TIER_COST_WEST

BASE = dict(
    troops=120_000.0,
    buildup_rate=5000.0,
    troop_ceiling=190_000.0,
    capability=1.2,
    growth=0.004,
    arms_trend=0.0,
    arms_lag=7.0,
    horizon=26.0,
    discount=0.98,
    holding_cost_per_troop=0.03 / 100_000,
    even_odds_troops=100_000.0,
    steepness=3.0,
    stake=1.0,
    war_cost=0.35,
    failure_cost=0.5,
    further_costs=0.1,
    deal_chance=0.0,
    deal_value=0.3,
    exit_cost=5.0,
    day_of_year=305.0,
    thaw_peak=80.0,
    thaw_width=35.0,
    thaw_penalty=0.0,
    risk_attitude=0.1,
    loss_aversion=2.25,
    curvature=0.88,
    prospect_theory=True,
)


def waiting(**changes: float) -> float:
    return decisions.waiting_value(**{**BASE, **changes})


def test_success_odds_rise_with_troops_and_fall_with_capability():
    odds = decisions.success_odds
    assert odds(100_000, 1.0, 100_000, 3.0) == pytest.approx(0.5)
    assert odds(150_000, 1.0, 100_000, 3.0) > odds(100_000, 1.0, 100_000, 3.0)
    assert odds(100_000, 1.5, 100_000, 3.0) < odds(100_000, 1.0, 100_000, 3.0)
    assert odds(0.0, 1.0, 100_000, 3.0) == 0.0


def test_a_closing_window_makes_waiting_worth_less():
    """Ukraine growing faster (or arms arriving sooner) lowers the value of a later war."""
    assert waiting(growth=0.02) < waiting(growth=0.0)
    assert waiting(arms_trend=0.01, arms_lag=2.0) < waiting(arms_trend=0.01, arms_lag=20.0)


def test_impatience_makes_a_later_gain_worth_less():
    gain = dict(holding_cost_per_troop=0.0, further_costs=0.0, troops=100_000.0)
    assert waiting(**gain) > 0.0
    assert waiting(discount=0.9, **gain) < waiting(discount=0.99, **gain)


def test_climbing_down_puts_a_floor_under_waiting():
    """With no war worth planning and troops that only cost, the best plan is to climb down."""
    assert waiting(exit_cost=0.05, further_costs=5.0) == pytest.approx(-0.05)
    assert waiting(exit_cost=5.0, further_costs=5.0) < -0.05


def test_coercion_makes_waiting_worth_more():
    assert waiting(deal_chance=0.2, further_costs=5.0) > waiting(further_costs=5.0)


def test_a_deal_is_won_once():
    """However sure the deal and long the horizon, coercion is worth at most the deal itself:
    counted as a weekly flow, a moratorium on offer would outweigh any war (the deal scenarios
    gave P(invasion) 0.00 whatever Russia's calculus)."""
    free = dict(holding_cost_per_troop=0.0, further_costs=5.0, troops=200_000.0)
    for horizon in (4.0, 26.0, 52.0):
        value = waiting(deal_chance=1.0, deal_value=0.3, horizon=horizon, **free)
        assert 0.25 < value <= 0.3
    # A rarer deal is worth less, and more so the sooner the plan must pay.
    assert waiting(deal_chance=0.05, **free) < waiting(deal_chance=1.0, **free)
    assert waiting(deal_chance=0.05, horizon=4.0, **free) < waiting(deal_chance=0.05, **free)


def test_imposed_sanctions_are_sunk_only_the_rest_deters():
    bites = (0.0, 0.08, 0.25, 0.375, 0.575, 0.925)
    assert decisions.sanction_cost(4.0, bites, 1.0) == pytest.approx(0.575)
    assert decisions.sanction_cost(2.5, bites, 1.0) == pytest.approx(0.3125)
    assert decisions.sanction_cost(-1.0, bites, 1.0) == 0.0


HARM = (0.0, 0.09, 0.27, 0.41, 0.62, 1.0)


def costs(exposure: float, retaliation: float = 0.5) -> list[float]:
    return decisions.tier_costs(
        tuple(sum(TIER_COST_WEST[: t + 1]) for t in range(6)), exposure, retaliation, 1.0
    )


def backed(push: float, **changes: float) -> int:
    arguments = dict(
        push=push,
        harm=HARM,
        costs=tuple(costs(0.3)),
        committed=0.0,
        audience_cost=0.0,
        allies_tier=0.0,
        solidarity=0.0,
        reserve=0.0,
    )
    arguments.update(changes)
    return decisions.backed_tier(**arguments)


def test_every_tier_costs_more_to_an_exposed_sanctioner():
    low, high = costs(0.1), costs(0.9)
    assert all(h >= lo for lo, h in zip(low, high, strict=True))
    assert high[5] - low[5] == pytest.approx(0.8)  # the embargo costs the whole exposure


def test_a_deed_confirms_a_fear_and_never_eases_it():
    assert decisions.confirmed(0.5, 1.0, 0.4) == pytest.approx(0.7)
    assert decisions.confirmed(0.5, 0.0, 0.4) == 0.5
    assert decisions.confirmed(1.0, 1.0, 1.0) == 1.0
    fear = 0.0
    for _ in range(50):
        fear, last = decisions.confirmed(fear, 0.5, 0.35), fear
        assert last < fear <= 1.0


def test_a_sanctioner_sure_of_the_gas_cut_finds_the_embargo_a_small_step():
    unsure = decisions.tier_costs(TIER_COST_WEST, 0.5, 0.2, 1.0)
    sure = decisions.tier_costs(TIER_COST_WEST, 0.5, 1.0, 1.0)
    assert sure[4] > unsure[4] and sure[5] == pytest.approx(unsure[5])
    assert sure[5] - sure[4] < unsure[5] - unsure[4]


def test_more_push_backs_a_higher_tier():
    tiers = [backed(p / 10) for p in range(11)]
    assert tiers == sorted(tiers) and tiers[0] == 0 and tiers[-1] >= 4


def test_holding_the_deterrent_in_reserve_stops_sanctions_before_a_move():
    assert backed(0.8) > 0
    assert backed(0.8, reserve=1.0) == 0


def test_a_line_carried_out_spends_no_reserve():
    """The reserve weighs only on harm beyond the tier committed to: once Russia has made the
    move a tier was tied to, the tier is owed (Schelling 1966), with no audience cost needed
    to carry it out; more than that is still held back."""
    assert backed(0.8, reserve=1.0, committed=2.0) == 2
    assert backed(0.8, reserve=1.0, committed=0.0) == 0


def test_a_declared_line_binds_a_state_as_far_as_it_backs_sanctions():
    recognition, incursion, invasion = 1, 2, 3
    # Its own line for a war binds it to the declared line before it has threatened anything.
    assert decisions.committed_tier(recognition, 0, 4, 2, 3) == 2
    assert decisions.committed_tier(recognition, 0, 1, 2, 3) == 1
    assert decisions.committed_tier(incursion, 4, 0, 2, 3) == 3
    assert decisions.committed_tier(invasion, 4, 5, 2, 3) == 4
    assert decisions.committed_tier(0, 4, 5, 2, 3) == 0


def test_a_public_commitment_binds_the_threatener():
    """Tying hands (Fearon 1997): falling short of a tier tied to Russia's move costs."""
    assert backed(0.3, reserve=1.0) == 0
    assert backed(0.3, reserve=1.0, committed=3.0, audience_cost=0.2) == 3


def test_solidarity_pulls_toward_the_allies_line():
    assert backed(0.35, allies_tier=5.0, solidarity=0.1) >= backed(0.35)
    assert backed(0.9, allies_tier=0.0, solidarity=0.5) <= backed(0.9)


def test_allies_views_pull_by_tie_and_weight():
    assert decisions.pulled_toward_allies(0.2, (1.0,), (1.0,), 0.5) == pytest.approx(0.6)
    assert decisions.pulled_toward_allies(0.2, (1.0, 0.0), (3.0, 1.0), 1.0) == pytest.approx(0.75)
    assert decisions.pulled_toward_allies(0.2, (1.0,), (0.0,), 1.0) == 0.2  # no tie, no pull


def test_cohesion_moves_the_consent_rule():
    assert decisions.consensus_quantile(0.25, 0.9, 0.5) > decisions.consensus_quantile(
        0.25, 0.3, 0.5
    )
    assert decisions.consensus_quantile(0.0, 0.0, 2.0) == 0.0
    assert decisions.consensus_quantile(0.9, 1.0, 2.0) == 1.0


def test_the_energy_embargo_needs_a_stricter_consent():
    tiers, weights = (5.0, 5.0, 4.0), (0.5, 0.35, 0.15)
    # At dissent 0.25 the 15% member is outvoted; at an energy dissent of 0.1 it is not.
    assert decisions.consent_tier(tiers, weights, 0.25) == 5.0
    assert decisions.union_consent_tier(tiers, weights, 0.25, 0.1, 5.0) == 4.0
    assert decisions.union_consent_tier(tiers, weights, 0.25, 0.2, 5.0) == 5.0
    # Below the embargo the ordinary rule decides, and a stricter ordinary rule wins.
    assert decisions.union_consent_tier((3.0, 3.0, 1.0), weights, 0.25, 0.0, 5.0) == 3.0
    assert decisions.union_consent_tier(tiers, weights, 0.0, 0.5, 5.0) == 4.0


def test_a_nuclear_threat_pays_as_far_as_nato_is_feared():
    lottery = decisions.nuclear_threat_lottery(0.5, 0.2, 1.0, 0.05)
    assert lottery == ((0.5, pytest.approx(0.15)), (0.5, pytest.approx(-0.25)))
    expected = [
        sum(p * v for p, v in decisions.nuclear_threat_lottery(0.5, 0.2, t, 0.05))
        for t in (0.0, 0.5, 1.0)
    ]
    assert expected == sorted(expected) and expected[0] < 0.0


def test_the_spring_thaw_weighs_on_an_attack_and_closes_a_window():
    ground = decisions.ground_factor
    assert ground(15, 80, 35, 0.3) == 1.0  # frozen January
    assert ground(80, 80, 35, 0.3) == pytest.approx(0.7)  # the thaw at its height
    assert 0.7 < ground(65, 80, 35, 0.3) < 1.0
    assert ground(80, 80, 35, 0.0) == 1.0
    # On 1 March every later war falls in the thaw: waiting is worth less with it than without.
    early = dict(day_of_year=60.0, horizon=6.0, holding_cost_per_troop=0.0, further_costs=0.0)
    assert waiting(thaw_penalty=0.5, **early) < waiting(thaw_penalty=0.0, **early)


def test_the_spiral_raises_the_stake_with_the_threat_read_above_the_prior():
    assert decisions.spiral_stake(1.0, 0.3, 0.3, 1.0) == 1.0  # at the prior: the stake itself
    assert decisions.spiral_stake(1.0, 0.8, 0.3, 1.0) == pytest.approx(1.5)
    assert decisions.spiral_stake(2.0, 0.1, 0.3, 1.0) == pytest.approx(1.6)  # reassured
    assert decisions.spiral_stake(1.0, 0.9, 0.3, 0.0) == 1.0  # no spiral: threat only deters
    assert decisions.spiral_stake(1.0, 0.0, 1.0, 5.0) == 0.0  # never a negative stake


def test_winning_costs_more_against_a_more_resolute_ukraine():
    """002: the main costs of an assault are inflicted by Ukraine's military and partisans."""
    assert decisions.resisted_war_cost(0.39, 1.0) == pytest.approx(0.39)
    assert decisions.resisted_war_cost(0.39, 0.3) == pytest.approx(0.117)
    assert decisions.resisted_war_cost(0.39, 0.0) == 0.0
