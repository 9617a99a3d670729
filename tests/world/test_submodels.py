"""Each submodel on its own, against expectations computed by hand from its equations."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

# ``model`` must be imported before ``agents``: see test_agents_package_imports_on_its_own.
from model import EscalationModel, load_scenario

# isort: split
from process import week as weekly
from process.layout import KIND_CODE, A, G
from process.week import Replica
from world import draws
from world.alliance import (
    ADVERSARY,
    ENERGY_SUPPLY,
    EU_MEMBER,
    NATO_ALLY,
    SECURITY_PARTNER,
    AllianceGraph,
)
from world.choice import choice_probabilities, logit_choice, lottery_value, prospect_value
from world.decisions import consent_tier
from world.energy import energy_exposure, gas_price, next_storage, storage_change, winter_load
from world.ladder import Rung, next_rung
from world.parameters import World
from world.signals import Kind, Signal, credibility, perceived


def increasing(values):
    return all(a < b for a, b in itertools.pairwise(values))


def decreasing(values):
    return all(a > b for a, b in itertools.pairwise(values))


def arrays(model):
    """A model's structure, parameter point and state: what `process.week`'s rules take."""
    return model.replicate.structure, model.replicate.point, model.replicate.state


def copied(rep):
    """A replicate state of its own, for a rule to change without touching the model's."""
    return Replica(*(array.copy() for array in rep))


# --- choice ----------------------------------------------------------------------------------


def test_prospect_value_is_identity_at_one_and_zero():
    assert prospect_value(0.0, 0.88, 2.25) == 0.0
    assert prospect_value(1.0, 0.88, 2.25) == 1.0
    assert prospect_value(-1.0, 0.88, 2.25) == -2.25


def test_prospect_value_hand_computed():
    assert prospect_value(4.0, 0.5, 2.0) == pytest.approx(2.0)
    assert prospect_value(-4.0, 0.5, 2.0) == pytest.approx(-4.0)


def test_prospect_value_is_concave_in_gains():
    first = prospect_value(1.0, 0.88, 2.25) - prospect_value(0.0, 0.88, 2.25)
    second = prospect_value(2.0, 0.88, 2.25) - prospect_value(1.0, 0.88, 2.25)
    assert 0.0 < second < first


@pytest.mark.parametrize("x", [0.1, 0.5, 1.0, 3.0])
def test_losses_loom_larger_by_the_loss_aversion_ratio(x):
    assert prospect_value(-x, 0.88, 2.25) == pytest.approx(-2.25 * prospect_value(x, 0.88, 2.25))


SURE = [(1.0, 0.0)]
SPREAD = [(0.5, -1.0), (0.5, 1.0)]  # same mean as SURE


def test_lottery_value_of_a_sure_outcome_is_its_value():
    assert lottery_value([(1.0, 0.3)], 0.7, 2.25, 0.88, True) == pytest.approx(0.3**0.88)
    assert lottery_value([(1.0, -0.3)], 0.7, 2.25, 0.88, False) == pytest.approx(-0.3)


def test_risk_seeker_prefers_a_spread_lottery_with_equal_mean():
    assert lottery_value(SPREAD, 0.5, 1.0, 1.0, False) > lottery_value(SURE, 0.5, 1.0, 1.0, False)


def test_risk_averse_actor_avoids_a_spread_lottery_with_equal_mean():
    assert lottery_value(SPREAD, -0.5, 1.0, 1.0, False) < lottery_value(SURE, -0.5, 1.0, 1.0, False)


def test_risk_neutral_linear_actor_is_indifferent():
    assert lottery_value(SPREAD, 0.0, 2.25, 0.88, False) == pytest.approx(0.0)


def test_linear_lottery_value_is_mean_plus_attitude_times_sd():
    lottery = [(0.25, -2.0), (0.75, 2.0)]  # mean 1, sd sqrt(0.25*9 + 0.75*1) = sqrt(3)
    assert lottery_value(lottery, 0.5, 9.0, 0.3, False) == pytest.approx(1.0 + 0.5 * math.sqrt(3))


def test_prospect_theory_makes_a_fair_gamble_unattractive():
    # values -2.25 and 1: mean -0.625
    assert lottery_value(SPREAD, 0.0, 2.25, 1.0, True) == pytest.approx(-0.625)


def test_choice_probabilities_hand_computed():
    probabilities = choice_probabilities({"a": 0.0, "b": math.log(3.0)}, 1.0)
    assert probabilities == pytest.approx({"a": 0.25, "b": 0.75})


def test_equal_options_are_equally_likely():
    probabilities = choice_probabilities({"a": 0.2, "b": 0.2, "c": 0.2}, 0.03)
    assert probabilities == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})


def test_logit_choice_frequencies_match_probabilities():
    values = {"hold": 0.0, "talks": 0.03, "threat": -0.02, "invade": 0.05}
    draws = 20_000
    draw = random.Random(20211101)
    counts = Counter(logit_choice(values, 0.03, draw.random()) for _ in range(draws))
    for option, p in choice_probabilities(values, 0.03).items():
        # 0.015 is more than four standard errors of a share at n = 20,000
        assert counts[option] / draws == pytest.approx(p, abs=0.015), option


def test_logit_choice_is_reproducible_with_the_same_seed():
    values = {"a": 0.0, "b": 0.01, "c": 0.02}
    draw_a, draw_b = random.Random(7), random.Random(7)
    picks = [logit_choice(values, 0.03, draw_a.random()) for _ in range(200)]
    assert picks == [logit_choice(values, 0.03, draw_b.random()) for _ in range(200)]
    assert set(picks) == set(values)


def test_near_zero_temperature_picks_the_best_option():
    draw = random.Random(1)
    values = {"a": 0.0, "b": 1.0, "c": 0.5}
    assert {logit_choice(values, 0.005, draw.random()) for _ in range(200)} == {"b"}


# --- energy ----------------------------------------------------------------------------------


def test_winter_load_is_one_on_the_coldest_day():
    assert winter_load(dt.date(2022, 1, 15), 15) == pytest.approx(1.0)


def test_winter_load_peaks_at_the_coldest_day():
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    loads = [winter_load(day, 40) for day in days]
    assert days[loads.index(max(loads))] == dt.date(2022, 2, 9)  # day 40 of the year
    assert min(loads) == pytest.approx(-1.0, abs=1e-3)


def test_storage_falls_faster_in_january_than_in_november():
    world = World()
    november = storage_change(world, winter_load(dt.date(2021, 11, 1), 15), 0.5, 0.5, 0.8)
    january = storage_change(world, winter_load(dt.date(2022, 1, 15), 15), 0.5, 0.5, 0.8)
    assert january < november


def test_storage_change_hand_computed():
    world = World()  # injection 0.006, peak withdrawal 0.036, shortfall effect 0.06
    assert storage_change(world, 1.0, 0.5, 0.5, 1.0) == pytest.approx(-0.030)
    assert storage_change(world, 1.0, 0.5, 0.5, 0.0) == pytest.approx(-0.060)


def test_russian_shortfall_makes_storage_fall_faster():
    world = World()
    full = storage_change(world, 0.5, 0.5, 0.5, 1.0)
    half = storage_change(world, 0.5, 0.5, 0.5, 0.5)
    stopped = storage_change(world, 0.5, 0.5, 0.5, 0.0)
    assert stopped < half < full
    # an actor with no uncovered dependence does not feel the shortfall
    assert storage_change(world, 0.5, 0.5, 0.0, 0.0) == pytest.approx(full)


def test_next_storage_stays_a_fraction():
    assert next_storage(0.02, -0.05) == 0.0
    assert next_storage(0.98, 0.05) == 1.0
    assert next_storage(0.5, -0.1) == pytest.approx(0.4)


def test_gas_price_at_reference_storage_and_flow_is_the_reference_price():
    world = World()
    assert gas_price(world, world.reference_storage, world.initial_gas_flow) == pytest.approx(90.0)


def test_gas_price_hand_computed():
    world = World()  # reference 90 EUR/MWh at 60% storage and 0.8 flow, elasticities 1
    assert gas_price(world, 0.5, 0.8) == pytest.approx(90.0 * math.exp(0.1))
    assert gas_price(world, 0.6, 0.3) == pytest.approx(90.0 * 1.5)


def test_gas_price_decreases_as_storage_fills():
    world = World()
    prices = [gas_price(world, s / 10, 0.8) for s in range(11)]
    assert decreasing(prices)


def test_gas_price_increases_with_lost_flow():
    world = World()
    prices = [gas_price(world, 0.6, f / 10) for f in range(8, -1, -1)]
    assert increasing(prices)


def test_energy_exposure_hand_computed():
    # gas = 0.5 * 0.8 * 1.5 = 0.6; 0.8 * 0.6 * (1.5 - 0.5) + 0.2 * 0.2 = 0.52
    assert energy_exposure(0.5, 0.2, 0.2, 0.5, 1.0, 0.5) == pytest.approx(0.52)


def test_energy_exposure_rises_with_gas_share():
    exposures = [energy_exposure(s / 10, 0.1, 0.15, 0.5, 0.8, 0.6) for s in range(11)]
    assert increasing(exposures)


def test_energy_exposure_falls_with_lng_alternatives():
    exposures = [energy_exposure(0.5, 0.1, lng / 10, 0.5, 0.8, 0.6) for lng in range(11)]
    assert decreasing(exposures)


# --- ladder ----------------------------------------------------------------------------------


def test_ladder_climbs_at_once():
    assert next_rung(Rung.STATUS_QUO, Rung.FULL_SCALE_INVASION, False) == 5
    assert next_rung(1, 4, False) == 4


def test_ladder_climbs_down_one_rung_a_week_at_most():
    assert next_rung(4, 0, False) == 3
    assert next_rung(2, 1, False) == 1
    assert next_rung(3, 3, False) == 3


@pytest.mark.parametrize("pushed", range(8))
def test_ladder_never_below_full_scale_invasion_once_invaded(pushed):
    assert next_rung(5, pushed, True) >= Rung.FULL_SCALE_INVASION
    assert next_rung(0, pushed, True) >= Rung.FULL_SCALE_INVASION


def test_ladder_climbs_down_from_a_clash_to_the_invasion_floor():
    assert next_rung(7, 0, True) == 6
    assert next_rung(6, 0, True) == 5


def test_ladder_is_capped_at_nuclear_threat():
    assert next_rung(3, 9, False) == Rung.NUCLEAR_THREAT
    assert next_rung(7, 12, True) == Rung.NUCLEAR_THREAT


def test_ladder_returns_plain_int():
    assert type(next_rung(Rung.STATUS_QUO, Rung.MILITARY_POSTURING, False)) is int


# --- signals ---------------------------------------------------------------------------------


def test_cheap_talk_has_floor_credibility():
    assert credibility(0.0, 0.25, 0.05) == pytest.approx(0.25)


def test_signal_costing_the_scale_is_half_way_credible():
    assert credibility(0.05, 0.25, 0.05) == pytest.approx(0.625)


def test_credibility_rises_with_cost_towards_one():
    values = [credibility(c, 0.25, 0.05) for c in (0.0, 0.01, 0.05, 0.2, 1.0, 100.0)]
    assert increasing(values)
    assert 0.99 < values[-1] < 1.0


@pytest.mark.parametrize(
    ("intensity", "noise", "bias", "expected"),
    [(0.5, 0.1, 0.15, 0.75), (0.9, 0.3, 0.0, 1.0), (0.1, -0.5, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0)],
)
def test_perceived_intensity_is_clipped_to_unit_interval(intensity, noise, bias, expected):
    assert perceived(intensity, noise, bias) == pytest.approx(expected)


PERCEIVED = 3  # an inbox row: sender, receiver, kind, perceived intensity, weight


def delivered(model, week, *signals):
    """The inbox rows `process.week.deliver` makes in ``week`` of a post of ``signals``."""
    st, pt, rep = arrays(model)
    slot = {actor.name: actor.slot for actor in model.agents}
    for at, s in enumerate(signals):
        rep.post[at] = (slot[s.sender], slot[s.receiver], KIND_CODE[s.kind], s.intensity, s.cost)
    rep.g[G.POSTED] = len(signals)
    rep.g[G.WEEK] = week
    weekly.deliver(st, pt, rep)
    return rep.inbox[: int(rep.g[G.DELIVERED])].tolist()


# Philox run as Python wraps NumPy's 64-bit words around, as it should, and NumPy warns of it.
@pytest.mark.filterwarnings("ignore:overflow encountered in scalar:RuntimeWarning")
def test_a_signals_misperception_is_keyed_by_who_sent_what_to_whom():
    # Common random numbers: the noise on a signal depends on its week, sender, receiver and
    # kind, not on how many signals went out before it, so an extra signal elsewhere in the
    # post leaves every other signal's reading as it was.
    model = EscalationModel("baseline", rng=3, misperception=0.3)
    one = Signal(4, "United States", "Russia", Kind.SANCTION_THREAT, 0.4, 0.1)
    other = Signal(4, "Poland", "Russia", Kind.FLANK_DEPLOYMENT, 0.2, 0.04)
    alone = delivered(model, 4, one)
    crowded = delivered(model, 4, other, one)
    assert len(alone) == 1 and len(crowded) == 2
    assert crowded[1] == alone[0]
    assert crowded[0][PERCEIVED] != alone[0][PERCEIVED]  # a different pair has its own draw
    assert delivered(model, 5, one)[0][PERCEIVED] != alone[0][PERCEIVED]  # and each week its own


def test_a_choice_draw_belongs_to_its_actor_and_week():
    # An actor's uniforms for a week do not move when another actor's options change.
    low = EscalationModel("baseline", rng=8, united_states_resolve=0.1)
    high = EscalationModel("baseline", rng=8, united_states_resolve=1.0)
    for model in (low, high):
        for _ in range(3):
            model.step()
    # the week's choice uniforms, actor x track (`process.week.open_week`)
    low_draws, high_draws = low.replicate.state.draws, high.replicate.state.draws
    assert np.array_equal(low_draws, high_draws)
    assert len(set(low_draws.tolist())) == low_draws.size  # drawn, one for each actor and track
    assert low.challenger.capability_error == high.challenger.capability_error
    assert EscalationModel("baseline", rng=9).draw_key != low.draw_key


def test_the_actors_act_each_week_in_the_order_keyed_by_run_and_week(monkeypatch):
    """The order is drawn from the run's key, not from Mesa's shared generator: a batch
    engine holding the run as one replicate among many reproduces it."""
    model = EscalationModel("baseline", rng=11)
    acted: list[int] = []
    for actor in model.actors.values():
        monkeypatch.setattr(actor, "step", lambda actor=actor: acted.append(actor.slot))
    model.random.seed(0)  # Mesa's own generator plays no part
    for week in (1, 2):
        acted.clear()
        model.step()
        assert acted == draws.activation_order(model.draw_key, week, len(model.actors))
        assert sorted(acted) == list(range(len(model.actors)))


def test_activation_orders_are_uniform_permutations():
    key = (12345, 678)
    counts = Counter(tuple(draws.activation_order(key, week, 3)) for week in range(6000))
    assert len(counts) == 6  # every order of three occurs
    chi2 = sum((n - 1000) ** 2 / 1000 for n in counts.values())
    assert chi2 < 20.5  # 5 degrees of freedom, p = 0.001
    assert draws.activation_order(key, 7, 12) == draws.activation_order(key, 7, 12)


# --- alliance graph --------------------------------------------------------------------------

NATO_STATES = {
    "United States",
    "Germany",
    "Poland",
    "Lithuania",
    "Latvia",
    "Estonia",
    "Romania",
    "United Kingdom",
    "France",
}
EU_STATES = {"Germany", "Poland", "Lithuania", "Latvia", "Estonia", "Romania", "France"}


@pytest.fixture
def graph():
    return AllianceGraph(load_scenario("baseline").actors, 0.8)


def edges_of(alliance, kind):
    return {frozenset((u, v)) for u, v, k in alliance.graph.edges(keys=True) if k == kind}


def test_nato_ties_join_every_pair_of_nato_states(graph):
    expected = {frozenset((a, b)) for a in NATO_STATES for b in NATO_STATES if a != b}
    assert edges_of(graph, NATO_ALLY) == expected
    assert len(expected) == 36


def test_eu_members_are_tied_to_the_union(graph):
    assert edges_of(graph, EU_MEMBER) == {frozenset((s, "EU")) for s in EU_STATES}


def test_security_partners_of_ukraine(graph):
    assert edges_of(graph, SECURITY_PARTNER) == {
        frozenset(("United States", "Ukraine")),
        frozenset(("United Kingdom", "Ukraine")),
    }


def test_russia_is_the_adversary_of_everyone(graph):
    others = set(graph.graph) - {"Russia"}
    assert edges_of(graph, ADVERSARY) == {frozenset(("Russia", o)) for o in others}
    assert len(others) == 11


def test_energy_supply_runs_to_importers_with_their_volume(graph):
    spec = load_scenario("baseline")
    importers = {p.name: p.gas_volume for p in spec.actors if p.gas_volume > 0}
    assert edges_of(graph, ENERGY_SUPPLY) == {frozenset(("Russia", i)) for i in importers}
    assert {"Germany", "EU", "Poland"} <= set(importers)
    for importer, volume in importers.items():
        assert graph.graph.edges["Russia", importer, ENERGY_SUPPLY]["weight"] == volume
    assert graph.graph.edges["Russia", "Germany", ENERGY_SUPPLY]["weight"] == 56.0


def test_neighbours_follow_edge_types(graph):
    assert graph.neighbours("Ukraine", SECURITY_PARTNER) == ("United Kingdom", "United States")
    assert "Germany" in graph.neighbours("Russia", ENERGY_SUPPLY)
    assert "United States" not in graph.neighbours("Russia", ENERGY_SUPPLY)


def test_allies_carry_the_initial_trust(graph):
    allies = dict(graph.allies("Germany"))
    assert set(allies) == (NATO_STATES - {"Germany"}) | {"EU"}
    assert set(allies.values()) == {0.8}


def test_cohesion_starts_at_the_initial_tie_strength(graph):
    assert graph.cohesion() == pytest.approx(0.8)


def stances(graph, value):
    return {node: value for node in graph.graph}


def test_agreement_strengthens_ties(graph):
    graph.update_ties(stances(graph, 0.6), 0.1)
    # w += rate * (1 - w) = 0.8 + 0.1 * 0.2
    assert graph.cohesion() == pytest.approx(0.82)
    assert 0.0 <= graph.cohesion() <= 1.0


def test_opposed_stances_weaken_ties(graph):
    stance = stances(graph, 1.0)
    stance["Germany"] = 0.0
    before = dict(graph.allies("Germany"))
    graph.update_ties(stance, 0.1)
    after = dict(graph.allies("Germany"))
    # alignment -1: w -= rate * w = 0.8 - 0.08
    assert all(after[a] == pytest.approx(0.72) for a in before)
    assert graph.graph.edges["Poland", "France", NATO_ALLY]["weight"] == pytest.approx(0.82)


def test_cohesion_stays_in_unit_interval_under_repeated_updates(graph):
    for week in range(100):
        stance = stances(graph, 1.0 if week % 2 else 0.0)
        stance["Germany"] = 0.5
        graph.update_ties(stance, 1.0)
        assert 0.0 <= graph.cohesion() <= 1.0


def test_models_of_one_scenario_share_no_edge_attributes():
    # The graph's structure is worked out once per actor list; its attribute dicts are not.
    first, second = (EscalationModel("baseline", rng=seed) for seed in (1, 2))
    first.alliance.set_gas_flow(0.0)
    first.alliance.update_ties(stances(first.alliance, 1.0), 1.0)
    # The graph shows the week's flow (`EscalationModel._follow_state`): 0.8 of the contract.
    assert second.gas_flow == pytest.approx(0.8)
    supply = second.alliance.graph.edges["Russia", "Germany", ENERGY_SUPPLY]
    assert supply["weight"] == pytest.approx(56.0 * 0.8)
    assert supply["contract"] == 56.0
    assert second.alliance.cohesion() == pytest.approx(second.world.initial_tie_strength)
    assert AllianceGraph(load_scenario("baseline").actors, 0.8).cohesion() == pytest.approx(0.8)


def test_gas_flow_scales_supply_edges(graph):
    graph.set_gas_flow(0.5)
    assert graph.graph.edges["Russia", "Germany", ENERGY_SUPPLY]["weight"] == pytest.approx(28.0)


def test_stopped_gas_flow_cuts_supply_edges_to_zero(graph):
    graph.set_gas_flow(0.0)
    supply = [d for _, _, k, d in graph.graph.edges(keys=True, data=True) if k == ENERGY_SUPPLY]
    assert supply
    assert all(d["weight"] == 0.0 for d in supply)
    assert graph.graph.has_edge("Russia", "Germany", key=ADVERSARY)


def test_resumed_gas_flow_restores_supply_edges(graph):
    graph.set_gas_flow(0.0)
    graph.set_gas_flow(0.5)
    assert graph.graph.edges["Russia", "EU", ENERGY_SUPPLY]["weight"] == pytest.approx(77.5)


# --- agents ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_model():
    return EscalationModel("baseline", rng=0)


def success_odds(model, troops, capability):
    """Russia's odds of a successful invasion this week (`process.week.success_odds`)."""
    _, pt, rep = arrays(model)
    return weekly.success_odds(pt, rep, troops, capability)


def sanction_cost(model, tier):
    """Russia's cost of a cumulative sanction tier (`process.week.sanction_cost`)."""
    st, _, rep = arrays(model)
    return weekly.sanction_cost(st, rep, tier)


def test_success_odds_are_even_at_the_even_odds_force(baseline_model):
    even = baseline_model.spec.invasion_calculus.troops_for_even_odds
    assert success_odds(baseline_model, even, 1.0) == pytest.approx(0.5)


def test_success_odds_hand_computed(baseline_model):
    model = baseline_model  # steepness 3, even odds at 100,000 troops
    assert success_odds(model, 200_000, 1.0) == pytest.approx(1 / (1 + 0.5**3))
    assert success_odds(model, 100_000, 2.0) == pytest.approx(1 / 9)
    assert success_odds(model, 0.0, 1.0) == 0.0


def test_success_odds_rise_with_troops(baseline_model):
    odds = [success_odds(baseline_model, t, 1.0) for t in range(20_000, 200_001, 20_000)]
    assert increasing(odds)


def test_success_odds_fall_with_ukraine_capability(baseline_model):
    odds = [success_odds(baseline_model, 120_000, c / 4) for c in range(2, 12)]
    assert decreasing(odds)


def test_sanction_cost_hand_computed(baseline_model):
    model = baseline_model
    # scale 0.6, cost tolerance 0.4: tier 1 bites 0.08, SWIFT's 0.25 halved by alternatives
    assert sanction_cost(model, 0) == 0.0
    assert sanction_cost(model, 1) == pytest.approx(0.6 * 0.08 * 0.6)
    assert sanction_cost(model, 3) == pytest.approx(0.6 * (0.08 + 0.17 + 0.125) * 0.6)
    assert sanction_cost(model, 1.5) == pytest.approx(0.6 * (0.08 + 0.5 * 0.17) * 0.6)


def test_sanction_cost_rises_with_tier(baseline_model):
    costs = [sanction_cost(baseline_model, t / 2) for t in range(11)]
    assert increasing(costs)


def test_swift_alternatives_blunt_the_sanction_cost():
    blunted = EscalationModel("baseline", rng=0, swift_alternatives=0.9)
    sharp = EscalationModel("baseline", rng=0, swift_alternatives=0.1)
    assert sanction_cost(blunted, 2) == pytest.approx(sanction_cost(sharp, 2))
    for tier in (3, 4, 5):
        assert sanction_cost(blunted, tier) < sanction_cost(sharp, tier)


def germany_tiers(share):
    """Germany's line for an invasion at threat 0.4 and resolve 0, 0.1, ..., 1."""
    model = EscalationModel("baseline", rng=0, germany_gas_import_share=share)
    germany = model.actors["Germany"]
    germany.threat = 0.4
    st, pt, rep = arrays(model)
    return [weekly.line_for_invasion(st, pt, rep, germany.slot, r / 10) for r in range(11)]


def test_gas_dependence_restrains_germany_preferred_tier():
    # At resolve 0.6 and threat 0.4: the whole ladder when barely dependent, nothing at 90%
    # (the risk of gas retaliation makes every package cost it, 001).
    assert germany_tiers(0.1)[6] == 5
    assert germany_tiers(0.9)[6] == 0


def test_preferred_tier_weakly_decreases_with_gas_import_share():
    tiers = [germany_tiers(share / 10) for share in range(11)]
    for lower, higher in itertools.pairwise(tiers):
        assert all(h <= low for low, h in zip(lower, higher, strict=True))


def test_preferred_tier_weakly_increases_with_resolve():
    tiers = germany_tiers(0.5)
    assert tiers == sorted(tiers)
    assert all(0 <= t <= 5 for t in tiers)


def test_consent_tier_at_unanimity_is_the_minimum():
    assert consent_tier((4, 0, 2, 5), (1, 1, 1, 1), 0.0) == 0


def test_consent_tier_with_all_dissent_allowed_is_the_maximum():
    assert consent_tier((4, 0, 2, 5), (1, 1, 1, 1), 1.0) == 5


def test_consent_tier_hand_computed():
    # equal weights, a quarter may dissent: the tier at least 75% back
    assert consent_tier((5, 5, 0, 5, 5, 3, 5), (1,) * 7, 0.25) == 3
    assert consent_tier((2,), (1,), 0.7) == 2
    # a heavy member holding back holds the Union back; a light one does not
    assert consent_tier((1, 5, 5), (4.26, 0.68, 0.04), 0.4) == 1
    assert consent_tier((5, 1, 5), (4.26, 0.68, 0.04), 0.4) == 5


@pytest.fixture
def coalition():
    return EscalationModel("baseline", rng=0)


def coalition_tier(model, level, **changes):
    """The tier the West agrees on (`process.week.coalition_tier`) when every Western state
    supports ``level``, but those named in ``changes`` the tier given there."""
    assert set(changes) <= {state.name for state in model.western}
    st, pt, rep = arrays(model)
    for state in model.western:
        rep.a[state.slot, A.SANCTION_SUPPORT] = changes.get(state.name, level)
    return weekly.coalition_tier(st, pt, rep, A.SANCTION_SUPPORT)


def test_coalition_backs_the_top_tier_when_everyone_does(coalition):
    assert coalition_tier(coalition, 5) == 5


def test_one_small_eu_holdout_is_outvoted_at_the_consensus_quantile(coalition):
    # Estonia holds well under the 40% of the members' GDP that may dissent at cohesion 0.8
    assert coalition_tier(coalition, 5, Estonia=0) == 5


def test_lowering_eu_members_lowers_the_coalition_tier(coalition):
    # At week 0's cohesion (0.8) members holding 55% of the Union's GDP may dissent: Germany
    # (about half the members' GDP) is outvoted alone, not with France beside it.
    # The energy embargo needs 90% of it, so Germany alone holds the Union at tier 4.
    assert coalition_tier(coalition, 4, Germany=2) == 4
    assert coalition_tier(coalition, 5, Germany=2, France=2) == 2


def test_the_energy_embargo_needs_the_dependent_members():
    """Tier 5 needs 1 - energy_consensus_quantile of the Union's GDP (004)."""
    model = EscalationModel("baseline", rng=0)
    assert coalition_tier(model, 5) == 5
    assert coalition_tier(model, 5, Germany=4) == 4
    assert coalition_tier(model, 5, Estonia=4) == 5
    lenient = EscalationModel("baseline", rng=0, energy_consensus_quantile=1.0)
    assert coalition_tier(lenient, 5, Germany=4) == 5


def test_eu_members_weigh_inside_the_union_not_beside_it(coalition):
    # Without the Union the US and UK (26.4 of 43.5) fall short of 65%: the EU's tier decides,
    # and inside it a member counts by its GDP.
    small_up = {"United States": 5, "United Kingdom": 5, "Poland": 5, "Estonia": 5}
    assert coalition_tier(coalition, 1, **small_up) == 1
    germany_france_up = {"United States": 5, "United Kingdom": 5, "Germany": 5, "France": 5}
    # The small members (13% of the Union's GDP) at tier 1 keep the energy embargo off.
    assert coalition_tier(coalition, 1, **germany_france_up) == 4


def test_unanimity_lets_one_member_decide():
    model = EscalationModel(
        "baseline", rng=0, eu_consensus_quantile=0.0, cohesion_consensus_slope=0.0
    )
    assert coalition_tier(model, 5, Estonia=3) == 3


def test_lead_state_can_block_the_coalition(coalition):
    assert coalition_tier(coalition, 5, **{"United States": 0}) == 0


def test_agents_package_imports_on_its_own():
    result = subprocess.run(
        [sys.executable, "-c", "import agents.union"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]


@pytest.mark.parametrize("role", ["challenger", "target", "state", "union"])
def test_signals_an_actor_does_not_read_leave_it_unchanged(role):
    """Actors skip signal kinds outside ``reads``; reading them would change nothing anyway."""
    model = EscalationModel("baseline", rng=1)
    st, pt, rep = arrays(model)
    actor = next(a for a in model.agents if a.role == role)
    senders = [model.challenger, model.actors["Poland"], model.union, model.target]
    unread = [kind for kind in Kind if kind not in actor.reads]
    assert unread
    for kind in unread:
        for sender in senders:
            signal = (sender.slot, actor.slot, KIND_CODE[kind], 0.9, 0.5)
            # skipped: `process.week.deliver` leaves it out of the actor's inbox
            posted = copied(rep)
            posted.post[0] = signal
            posted.g[G.POSTED] = 1
            weekly.deliver(st, pt, posted)
            assert posted.g[G.DELIVERED] == 0, f"{kind} delivered to {type(actor).__name__}"
            # and read all the same, its week's reading (`process.week.observe`) is as if it
            # had not come
            heard, unheard = copied(rep), copied(rep)
            heard.inbox[0] = (*signal[:3], 0.9, 0.5)
            heard.g[G.DELIVERED] = 1
            unheard.g[G.DELIVERED] = 0
            weekly.observe(st, pt, heard, actor.slot)
            weekly.observe(st, pt, unheard, actor.slot)
            heard.g[G.DELIVERED] = 0
            for name in Replica._fields:
                if name != "inbox":  # (rows never written hold whatever np.empty left, NaN too)
                    same = np.array_equal(
                        getattr(heard, name), getattr(unheard, name), equal_nan=True
                    )
                    assert same, f"{type(actor).__name__}'s {name} changed on reading {kind}"


def test_success_odds_of_a_token_force_are_zero_not_an_overflow():
    """Found by the invariant tests: a tiny troop count made the contest ratio overflow."""
    model = EscalationModel("baseline", rng=1)
    assert success_odds(model, 2e-119, 1.0) == 0.0
    assert success_odds(model, 0.0, 1.0) == 0.0
    assert 0.0 < success_odds(model, 1e5, 1.0) < 1.0


def test_signal_kinds_carry_their_stance_and_intent():
    """Every kind names its stance; only Russia's kinds (and talks) imply an intent."""
    from world.signals import INTENT_IMPLIED, Kind, Stance, action_stance, sharpest

    assert all(isinstance(kind.stance, Stance) for kind in Kind)
    assert {k: k.intent for k in Kind if k.intent is not None} == INTENT_IMPLIED
    assert {str(k): v for k, v in INTENT_IMPLIED.items()} == {
        "build_up": 0.7,
        "demands": 0.55,
        "hybrid_action": 0.65,
        "energy_pressure": 0.55,
        "recognition": 0.9,
        "limited_incursion": 1.0,
        "invasion": 1.0,
        "nuclear_threat": 1.0,
        "pull_back": 0.1,
        "talks": 0.3,
    }
    assert Kind("invasion") is Kind.INVASION and str(Kind.INVASION) == "invasion"
    assert Kind.SANCTIONS.intent is None and Kind.SANCTIONS not in INTENT_IMPLIED
    assert action_stance("invade") == action_stance("continue_war") == Stance.WAR
    assert action_stance("hold") == action_stance("none") == Stance.WAITING
    assert action_stance("talks") == Stance.DIPLOMACY
    assert action_stance("no such action") == Stance.WAITING
    assert sharpest([Stance.DIPLOMACY, Stance.COERCION, Stance.DETERRENCE]) == Stance.COERCION
    assert sharpest([]) == Stance.WAITING
