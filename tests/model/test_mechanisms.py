"""The mechanisms' core lines, each pinned so that removing or reversing it fails a test.

Unit checks run one model and look at the line's effect directly, calling the weekly process's
rules (`process.week`, plain Python when called from here) on the model's own arrays; behavioural
checks compare paired seeds (the same seeds in both arms) and ask for a gap of at least
``Z_MIN`` standard errors of the paired difference.
"""

from __future__ import annotations

import math
import sys
from typing import NamedTuple

import numpy as np
import pytest

from model import EscalationModel
from process import week
from process.layout import ACTION_CODE, ACTIONS, KIND_CODE, KINDS, MODEL_NUMBERS, A, C, G, Structure
from process.week import Point, Replica
from world.choice import lottery_value
from world.ladder import Rung, RussianMove, SanctionTier, Talks
from world.signals import TRACKS, Kind

Z_MIN = 3.0


def paired_z(low: np.ndarray, high: np.ndarray) -> float:
    """z of the mean paired difference high - low (0 when every pair agrees)."""
    diff = high - low
    se = diff.std(ddof=1) / math.sqrt(len(diff))
    return 0.0 if se == 0.0 else float(diff.mean() / se)


# --- the weekly process on a model's arrays ------------------------------------------------
def arrays(model: EscalationModel) -> tuple[Structure, Point, Replica]:
    """The run as the weekly process takes it: structure, design point, state."""
    replicate = model.replicate
    return replicate.structure, replicate.point, replicate.state


def russia_reads(model: EscalationModel, sender: str, kind: Kind, read: float, weight: float):
    """Russia reads one signal from ``sender`` at perceived intensity ``read``."""
    st, pt, rep = arrays(model)
    week.russia_reads(st, pt, rep, model.actors[sender].slot, KIND_CODE[kind], read, weight)


def state_reads(model: EscalationModel, reader: str, kind: Kind, read: float, weight: float):
    """A Western state reads one signal from Russia."""
    st, pt, rep = arrays(model)
    i = model.actors[reader].slot
    week.state_reads(st, pt, rep, i, st.challenger, KIND_CODE[kind], read, weight)


def begin_invasion(model: EscalationModel) -> None:
    """The world at war, as Russia's invasion leaves it (`week.russia_acts`), its signal unsent."""
    g = model.replicate.state.g
    if g[G.INVASION] == 0.0:
        g[G.INVASION] = 1.0
        g[G.INVASION_WEEK] = g[G.WEEK]
        g[G.TALKS] = Talks.BROKEN_OFF


class Weighed(NamedTuple):
    """An actor's options this week as its chooser weighed them."""

    options: dict[str, dict[str, float]]  # track -> action -> judged value
    judged: dict[float, object]  # judged value -> the sure outcome or lottery that was judged

    def outcome(self, track: str, action: str) -> object:
        return self.judged[self.options[track][action]]


def weigh(model: EscalationModel, name: str, pt: Point | None = None) -> Weighed:
    """The actor's choice of the week (`week.russia_chooses`, `week.state_chooses`) run as
    Python on the model's arrays, watched: each track's options as it settles them (Russia's
    military options as it picks its best, before the war options are set apart), and what
    each judged value judged. ``pt`` stands in for the model's parameters."""
    st, point, rep = arrays(model)
    pt = point if pt is None else pt
    actor = model.actors[name]
    options: dict[str, dict[str, float]] = {}
    judged: dict[float, object] = {}
    best, settle, sure, gamble = week.first_best, week.settle, week.judged, week.judged_gamble

    def named(codes, values, count):
        return {
            ACTIONS[int(c)]: float(v) for c, v in zip(codes[:count], values[:count], strict=True)
        }

    def spy_best(values, count):  # the codes are the caller's (Russia's military options)
        options["military"] = named(sys._getframe(1).f_locals["codes"], values, count)
        return best(values, count)

    def spy_settle(pt, rep, i, track, codes, values, count, chosen):
        options.setdefault(TRACKS[track], named(codes, values, count))
        settle(pt, rep, i, track, codes, values, count, chosen)

    def spy_sure(pt, i, outcome):
        value = sure(pt, i, outcome)
        judged[float(value)] = outcome
        return value

    def spy_gamble(pt, i, p_win, win, p_lose, lose):
        value = gamble(pt, i, p_win, win, p_lose, lose)
        judged[float(value)] = ((p_win, win), (p_lose, lose))
        return value

    chosen = np.full(week.TRACK_COUNT, ACTION_CODE["hold"], dtype=np.int64)
    week.first_best, week.settle, week.judged, week.judged_gamble = (
        spy_best,
        spy_settle,
        spy_sure,
        spy_gamble,
    )
    try:
        if actor.role == "challenger":
            week.russia_chooses(st, pt, rep, chosen)
        else:
            week.state_chooses(st, pt, rep, actor.slot, chosen)
    finally:
        week.first_best, week.settle, week.judged, week.judged_gamble = best, settle, sure, gamble
    return Weighed(options, judged)


# --- signals ---------------------------------------------------------------------------
def delivered(misperception: float) -> list[tuple[float, float]]:
    """(intensity sent, intensity read) of each signal week 1 posted and week 2 delivered."""
    model = EscalationModel("baseline", rng=4, misperception=misperception)
    rep = model.replicate.state
    model.step()
    posted = iter(rep.post[: int(rep.g[G.POSTED])].copy())
    model.step()
    pairs = []
    for row in rep.inbox[: int(rep.g[G.DELIVERED])]:  # sender, receiver, kind, read, weight
        sent = next(p for p in posted if tuple(p[:3]) == tuple(row[:3]))  # in the post's order
        if KINDS[int(row[2])] != Kind.SANCTION_SUPPORT:
            pairs.append((float(sent[3]), float(row[3])))
    return pairs


def delivered_kinds(model: EscalationModel) -> set[Kind]:
    """The kinds of signal delivered to be read this week."""
    rep = model.replicate.state
    return {KINDS[int(k)] for k in rep.inbox[: int(rep.g[G.DELIVERED]), 2]}


def test_receivers_read_signals_through_misperception_noise():
    noisy = delivered(0.3)
    assert noisy and sum(abs(sent - read) > 1e-9 for sent, read in noisy) > len(noisy) / 2
    assert all(sent == pytest.approx(read) for sent, read in delivered(0.0))


def test_a_muted_signal_kind_is_logged_but_never_read():
    model = EscalationModel("baseline", rng=4, muted_signals="sanction_support")
    heard = EscalationModel("baseline", rng=4)
    for run in (model, heard):
        run.step()
    assert any(s.kind == Kind.SANCTION_SUPPORT for s in model.signal_log)
    assert Kind.SANCTION_SUPPORT in delivered_kinds(heard)
    assert Kind.SANCTION_SUPPORT not in delivered_kinds(model)


def test_the_west_learns_of_an_invasion_from_its_signal():
    """Imposition answers what sanctioners have read: with the invasion signal muted the
    West never learns of it, and the deterrent stays in reserve. (The recognition that comes
    with the invasion is muted in both arms: read, it commits the West to its declared tier.)"""
    heard, unheard = [], []
    for seed in range(40):
        for muted, tiers in (("recognition", heard), ("recognition,invasion", unheard)):
            model = EscalationModel("baseline", rng=seed, muted_signals=muted).run()
            if model.invasion:
                tiers.append(max(model.datacollector.model_vars["sanction_tier"]))
    assert heard and unheard
    assert np.mean(heard) >= SanctionTier.BANKS > np.mean(unheard)


@pytest.mark.parametrize("scenario", ["freeze_deal", "nato_moratorium"])
def test_a_deal_is_struck_on_a_pull_back_the_west_has_seen(scenario):
    """The agreement waits for the lead state to read Russia's pull-back: muted, no deal."""
    for seed in range(3):
        seen = EscalationModel(scenario, rng=seed).run().history()["model"]["talks"]
        unseen = EscalationModel(scenario, rng=seed, muted_signals="pull_back").run()
        assert (seen == "agreement").any()
        assert not (unseen.history()["model"]["talks"] == "agreement").any()


def test_a_pull_back_the_west_never_answers_teaches_russia_to_distrust_the_offer():
    """Russia counts the deal on offer in a pull-back only while pull-backs win it: answered
    by an agreement its trust holds; unanswered (the signal muted) it fades."""
    for seed in range(3):
        answered = EscalationModel("freeze_deal", rng=seed).run()
        ignored = EscalationModel("freeze_deal", rng=seed, muted_signals="pull_back").run()
        assert answered.challenger.offer_trust == 1.0
        assert ignored.challenger.offer_trust < 0.5


def test_a_deal_once_won_is_not_won_again():
    """After the agreement a further pull-back wins nothing: its value drops by the deal."""
    model = EscalationModel("freeze_deal", rng=0)
    while model.talks_name != "agreement":
        model.step()
    _, pt, rep = arrays(model)
    russia = model.challenger
    russia.troops = model.calculus.troop_ceiling  # so that a pull-back is open to it
    after = weigh(model, "Russia").options["military"]["pull_back"]
    rep.g[G.TALKS] = Talks.FORMAL_TALKS  # formal talks: the deal still to be won
    before = weigh(model, "Russia").options["military"]["pull_back"]
    freeze = week.judged(pt, russia.slot, model.calculus.freeze_value)
    assert before - after > 0.5 * freeze > 0.0


def test_a_freeze_offer_is_no_promise_of_the_moratorium():
    """The freeze is its own deal, won by pulling back; it does not raise Russia's hope of
    the concession its coercion is for."""
    model = EscalationModel("baseline", rng=0)
    russia = model.challenger
    hope = russia.deal_prospect
    russia_reads(model, "United States", Kind.FREEZE_OFFER, 1.0, 1.0)
    assert russia.freeze_offered and russia.deal_prospect == hope


def test_an_arms_control_offer_eases_the_threat_only_down_to_its_prior():
    """The written answer's talks on missiles and risk reduction (002) answer the threat the
    crisis added, never the threat Russia read in NATO before it."""
    model = EscalationModel("baseline", rng=0)
    russia = model.challenger
    prior = model.calculus.prior_nato_threat
    russia.nato_threat = 0.8
    russia_reads(model, "United States", Kind.WRITTEN_RESPONSE, 0.6, 1.0)
    eased = 0.8 + (prior - 0.8) * model.calculus.arms_control_reassurance
    assert russia.nato_threat == pytest.approx(eased) and eased < 0.8
    for _ in range(50):
        russia_reads(model, "United States", Kind.WRITTEN_RESPONSE, 0.6, 1.0)
    assert russia.nato_threat == pytest.approx(prior, abs=1e-6)
    russia.nato_threat = prior / 2
    russia_reads(model, "United States", Kind.WRITTEN_RESPONSE, 0.6, 1.0)
    assert russia.nato_threat == prior / 2


@pytest.mark.parametrize(("share", "direction"), [(0.3, -1.0), (-1.0, 1.0)])
def test_a_minsk_concession_moves_what_war_would_win(share: float, direction: float):
    """Carrying out Minsk grants part of the aim (less left for war to win); with a negative
    share it whets the appetite instead (004)."""
    model = EscalationModel("baseline", rng=0, minsk_stake_share=share)
    model.step()
    russia = model.challenger
    before = weigh(model, "Russia").options["military"]["invade"]
    russia_reads(model, "Ukraine", Kind.MINSK_CONCESSION, 0.8, 1.0)
    granted = model.replicate.state.a[russia.slot, A.MINSK_GRANTED]  # (the view says a bool)
    assert granted == pytest.approx(0.8)
    after = weigh(model, "Russia").options["military"]["invade"]
    assert direction * (after - before) > 0.0


def recognition_and_invasion_weeks(seeds: int, **overrides: float) -> list[tuple[int, int]]:
    """(recognition week, invasion week) of each run that invades, -1 for no recognition."""
    weeks = []
    for seed in range(seeds):
        model = EscalationModel("baseline", rng=seed, **overrides).run()
        if model.invasion:
            agents = model.history()["agents"]
            russia = agents[agents["actor"] == "Russia"]
            recognised = russia.loc[russia["diplomatic_action"] == "recognition", "week"]
            weeks.append((int(recognised.min()) if len(recognised) else -1, model.invasion_week))
    return weeks


def test_russia_recognises_the_republics_as_the_pretext_of_its_invasion():
    """A recognition short of war brings the sanctions the West declared for it; in the week
    Russia invades, the war brings them anyway. So at the defaults it recognises in its
    invasion's week (21 and 24 Feb 2022), and one that values the recognition itself goes
    weeks ahead."""
    # 200 seeds give about 45 invading runs; on 2,000 seeds (the engine, 2026-12-07) 88-91% of
    # invasions come in the recognition's week, so 80% leaves about 2.5 standard errors.
    pretext = recognition_and_invasion_weeks(200)
    assert len(pretext) >= 25 and sum(r == w for r, w in pretext) >= 0.8 * len(pretext)
    eager = recognition_and_invasion_weeks(60, recognition_gain=0.12)
    assert sum(0 <= r < w for r, w in eager) > len(eager) / 2


def test_a_recognition_ends_the_wests_talks_until_the_war():
    model = EscalationModel("baseline", rng=0)
    model.step()
    state = model.actors["United States"]
    assert "talks" in weigh(model, state.name).options["diplomatic"]
    state.seen_move = RussianMove.RECOGNITION
    assert "talks" not in weigh(model, state.name).options["diplomatic"]
    state.seen_move = RussianMove.INVASION
    assert "talks" in weigh(model, state.name).options["diplomatic"]


@pytest.mark.parametrize(("effect", "moved"), [(-1.0, -1), (0.0, 0), (1.0, 1)])
def test_a_hybrid_attack_moves_ukraines_resolve_as_its_effect_says(effect, moved):
    model = EscalationModel("baseline", rng=0, hybrid_resolve_effect=effect)
    st, pt, rep = arrays(model)
    ukraine = model.target
    before = ukraine.resolve
    week.ukraine_reads(st, pt, rep, st.challenger, KIND_CODE[Kind.HYBRID_ACTION], 0.6, 0.5)
    assert np.sign(round(ukraine.resolve - before, 12)) == moved
    assert 0.0 <= ukraine.resolve <= 1.0


# --- the ladder ------------------------------------------------------------------------
def test_the_ladder_climbs_in_kahns_order():
    order = [
        Rung.STATUS_QUO,
        Rung.MILITARY_POSTURING,
        Rung.COERCIVE_DIPLOMACY,
        Rung.HYBRID_OPERATIONS,
        Rung.LIMITED_INCURSION,
        Rung.FULL_SCALE_INVASION,
        Rung.NATO_RUSSIA_CLASH,
        Rung.NUCLEAR_THREAT,
    ]
    assert [int(r) for r in order] == list(range(8))


def test_a_clash_with_nato_puts_every_western_state_at_full_threat():
    model = EscalationModel("baseline", rng=2)
    model.step()
    st, pt, rep = arrays(model)
    rep.g[G.RUNG] = Rung.NATO_RUSSIA_CLASH
    week.assess(st, pt, rep)
    assert all(state.threat == 1.0 for state in model.western)
    rep.g[G.RUNG] = Rung.FULL_SCALE_INVASION
    week.assess(st, pt, rep)
    assert any(state.threat < 1.0 for state in model.western)


def test_a_nuclear_threat_restrains_the_risk_averse_only():
    model = EscalationModel("baseline", rng=2)
    _, pt, rep = arrays(model)
    germany, poland = model.actors["Germany"], model.actors["Poland"]
    assert germany.profile.risk_attitude < 0 < poland.profile.risk_attitude
    assert week.restraint(pt, rep, germany.slot) == 0.0
    germany.nuclear_fear = poland.nuclear_fear = 1.0
    assert week.restraint(pt, rep, germany.slot) == pytest.approx(-germany.profile.risk_attitude)
    assert week.restraint(pt, rep, poland.slot) == 0.0


def test_at_war_a_nuclear_threat_is_a_military_option_and_its_signal_instils_fear():
    model = EscalationModel("baseline", rng=2)
    model.step()
    begin_invasion(model)
    st, pt, rep = arrays(model)
    tracks = weigh(model, "Russia").options
    assert set(tracks["military"]) == {"continue_war", "nuclear_threat"}
    assert "nuclear_threat" not in tracks["diplomatic"]
    week.russia_acts(st, pt, rep, ACTION_CODE["nuclear_threat"])
    germany = model.actors["Germany"]
    assert germany.nuclear_fear == 0.0  # read next week, not before
    model.step()
    assert germany.nuclear_fear > 0.1 and week.restraint(pt, rep, germany.slot) > 0.0


def test_a_clash_gone_nuclear_by_accident_scares_every_capital():
    model = EscalationModel("baseline", rng=2, brinkmanship_hazard=0.5, nuclear_threat_cost=1.0)
    model.step()
    begin_invasion(model)
    model.replicate.state.g[G.RUNG] = Rung.NATO_RUSSIA_CLASH
    for _ in range(3):
        model.step()
        if model.rung == Rung.NUCLEAR_THREAT:
            break
    assert model.rung == Rung.NUCLEAR_THREAT
    assert all(state.nuclear_fear == 1.0 for state in model.western)


def test_a_gas_squeeze_makes_importers_expect_the_cut_and_changes_their_line():
    """An importer reads energy pressure as proof of the gas weapon: its expectation of a cut
    rises (never falls) and its own cost of every tier below the embargo with it."""
    model = EscalationModel("baseline", rng=3)
    model.step()
    _, pt, rep = arrays(model)
    germany = model.actors["Germany"]
    assert germany.gas_fear == pytest.approx(model.world.gas_retaliation_risk)
    costs = week.own_tier_costs(pt, rep, germany.slot)
    state_reads(model, "Germany", Kind.ENERGY_PRESSURE, 0.5, 0.01)
    first = germany.gas_fear
    assert first > model.world.gas_retaliation_risk
    state_reads(model, "Germany", Kind.ENERGY_PRESSURE, 0.5, 0.01)
    assert germany.gas_fear > first
    after = week.own_tier_costs(pt, rep, germany.slot)
    assert all(a > c for a, c in zip(after[1:-1], costs[1:-1], strict=True))
    assert after[-1] == pytest.approx(costs[-1])  # the embargo costs the whole exposure anyway
    # Read at full credibility: the signal's (cheap-talk) weight does not slow it.
    other = EscalationModel("baseline", rng=3)
    other.step()
    state_reads(other, "Germany", Kind.ENERGY_PRESSURE, 0.5, 0.0)
    assert other.actors["Germany"].gas_fear == pytest.approx(first)


def test_the_west_reads_threat_as_intent_times_the_force_it_has_seen():
    """A build-up shows more troops, a pull-back fewer; threat scales with what was seen."""
    model = EscalationModel("baseline", rng=3)
    model.step()
    st, pt, rep = arrays(model)
    poland = model.actors["Poland"]
    ceiling = model.calculus.troop_ceiling
    poland.seen_troops = 90_000.0
    # Counted, not inferred: the signal's weight does not slow it.
    state_reads(model, "Poland", Kind.BUILD_UP, 0.8, 0.0)
    rate = model.world.belief_learning_rate
    assert poland.seen_troops == pytest.approx(90_000 + rate * (0.8 * ceiling - 90_000))
    more = poland.seen_troops
    state_reads(model, "Poland", Kind.PULL_BACK, 0.7, 0.0)
    assert poland.seen_troops < more
    poland.belief = 0.5
    threats = []
    for seen in (50_000.0, 100_000.0):
        poland.seen_troops = seen
        week.state_reassesses(st, pt, rep, poland.slot)
        threats.append(poland.threat)
    assert threats[0] < threats[1]


# --- Russia ----------------------------------------------------------------------------
def test_sanctions_in_force_are_sunk_for_russia():
    model = EscalationModel("baseline", rng=1)
    st, _, rep = arrays(model)
    before = week.further_sanctions(st, rep, 4.0)
    rep.g[G.SANCTION_TIER] = 2
    in_force = week.sanction_cost(st, rep, 2.0)
    assert week.further_sanctions(st, rep, 4.0) == pytest.approx(before - in_force)
    assert week.further_sanctions(st, rep, 1.0) == 0.0


def test_imposed_sanctions_never_pull_down_what_russia_expects_for_an_invasion():
    model = EscalationModel("baseline", rng=1)
    model.step()
    st, pt, rep = arrays(model)
    russia = model.challenger
    for state in model.western:
        rep.a[state.slot, A.EXPECTED_SUPPORT] = 4.0
    for state in model.western:
        russia_reads(model, state.name, Kind.SANCTIONS, 2 / 5, 1.0)
    assert set(russia.expected_support.values()) == {4.0}
    week.russia_reassesses(st, pt, rep)
    assert russia.expected_tier_incursion <= russia.expected_tier


def arms_in_transit(model: EscalationModel) -> float:
    """Capability shipped and not yet usable, as the week's record reads it."""
    return float(model.replicate.record()[0][MODEL_NUMBERS.index("arms_in_transit")])


def test_arms_work_only_after_the_delivery_lag_and_training():
    model = EscalationModel("baseline", rng=1, arms_delivery_lag=3, training_weeks=2)
    st, pt, rep = arrays(model)
    assert rep.g[G.ARMS_LAG] == 5
    week.state_acts(st, pt, rep, model.actors["United States"].slot, ACTION_CODE["arms_delivery"])
    (shipment,) = [
        s for s in model.outbox if s.kind == Kind.ARMS_DELIVERY and s.receiver == "Ukraine"
    ]
    shipped = model.policy.arms_effect * shipment.intensity
    assert shipped > 0.0 and arms_in_transit(model) == pytest.approx(shipped)
    growth = model.world.capability_growth
    arrived = []
    for _ in range(1, 7):
        rep.g[G.WEEK] += 1  # as each week opens (`week.open_week`)
        capability = rep.g[G.UKRAINE_CAPABILITY]
        week.consequences(st, pt, rep)
        arrived.append(rep.g[G.UKRAINE_CAPABILITY] - capability - growth)
    assert arrived == [*[pytest.approx(0.0)] * 4, pytest.approx(shipped), pytest.approx(0.0)]
    assert arms_in_transit(model) == 0.0


def test_major_systems_take_their_own_training_time():
    model = EscalationModel("arms_now", rng=1)
    policy = model.policy
    lag = model.replicate.state.g[G.ARMS_LAG]
    assert lag == policy.arms_delivery_lag + policy.major_systems_training_weeks


# --- behaviour over paired seeds -------------------------------------------------------
SEEDS = 200


def outcome(seed: int, column: str = "invasion", **overrides: object) -> float:
    model = EscalationModel("baseline", rng=seed, **overrides).run()
    if column == "invasion":
        return float(model.invasion)
    frame = model.history()["agents"]
    pre = frame[frame["week"] < (model.invasion_week or model.horizon + 1)]
    rows = pre[pre["actor"] == column]
    return float(rows["sanction_support"].mean())


def test_ukraines_resolve_raises_what_winning_costs():
    """The invasion lottery's winning branch carries war_cost times Ukraine's resolve (002), so
    a more resolute Ukraine makes invading, and so waiting to invade, worth less to Russia."""
    runs = {}
    for resolve in (0.3, 1.0):
        model = EscalationModel("baseline", rng=2, ukraine_resolve=resolve)
        for _ in range(4):
            model.step()
        russia = model.challenger
        russia.troops = 150_000.0
        invade = weigh(model, "Russia").outcome("military", "invade")
        runs[resolve] = invade, russia.waiting
    (soft, soft_wait), (hard, hard_wait) = runs[0.3], runs[1.0]
    war_cost = model.calculus.war_cost
    assert soft[0][1] - hard[0][1] == pytest.approx(war_cost * 0.7)
    assert soft[1][1] == pytest.approx(hard[1][1])  # a failed invasion costs the same
    assert soft_wait > hard_wait


def with_calculus(model: EscalationModel, **fields: float) -> Point:
    """The model's design point with some of Russia's invasion calculus changed."""
    pt = model.replicate.point
    calculus = pt.calculus.copy()
    for name, value in fields.items():
        calculus[C[name]] = value
    return pt._replace(calculus=calculus)


@pytest.mark.slow
def test_a_russia_that_sees_the_window_closing_values_waiting_less():
    """The commitment problem's core line: Ukraine's coming strength counts against waiting in
    proportion to ``window_foresight``, and not at all at 0."""
    strictly = 0
    for seed in range(1, 11):
        model = EscalationModel("baseline", rng=seed)
        for _ in range(6):
            model.step()
        waiting = {}
        for foresight in (0.0, 0.5, 1.0):  # the same week's state, judged with each foresight
            weigh(model, "Russia", with_calculus(model, window_foresight=foresight))
            waiting[foresight] = model.challenger.waiting
        # Never more: a plan that waits for a later war can only lose value. Where such a
        # plan is Russia's best (not coercion or a climb-down), strictly less.
        assert waiting[0.0] >= waiting[0.5] >= waiting[1.0]
        strictly += waiting[0.0] > waiting[0.5] > waiting[1.0]
    assert strictly >= 5
    still = EscalationModel("baseline", rng=1, window_foresight=1.0, capability_growth=0.0)
    blind = EscalationModel("baseline", rng=1, window_foresight=0.0, capability_growth=0.0)
    for run in (still, blind):
        for _ in range(6):
            run.step()
        run.challenger.arms_trend = 0.0
        weigh(run, "Russia")
    assert still.challenger.waiting == pytest.approx(blind.challenger.waiting)


def test_a_mobilisation_shows_russia_ukraines_strength():
    """Russia's error on Ukraine's strength shrinks toward 0, from either side, as it reads a
    mobilisation; the security spiral reads it too."""
    for error in (-0.4, 0.4):
        model = EscalationModel("baseline", rng=1)
        model.step()
        russia = model.challenger
        russia.capability_error = error
        threat = russia.nato_threat
        russia_reads(model, "Ukraine", Kind.MOBILISATION, 0.5, 0.4)
        assert abs(russia.capability_error) == pytest.approx(abs(error) * (1 - 0.4 * 0.5))
        assert russia.nato_threat > threat


def test_germanys_gas_dependence_lowers_what_it_backs():
    """Moving Germany's gas import share across its range moves its line (001)."""
    low = np.array([outcome(s, "Germany", germany_gas_import_share=0.1) for s in range(SEEDS)])
    high = np.array([outcome(s, "Germany", germany_gas_import_share=0.9) for s in range(SEEDS)])
    assert paired_z(low, high) <= -Z_MIN


@pytest.mark.slow
def test_a_harsher_credible_threat_does_not_raise_invasion():
    """Theory (Schelling, Fearon 1997): a stronger credible threat deters, so it must not
    raise P(invasion) beyond noise (paired z < 2 over 200 seeds). Measured with weekly public
    lines: z +0.45 (threatened tiers matter little once Russia reads each state's line)."""
    none = np.array([outcome(s, sanction_threat_tier=0) for s in range(SEEDS)])
    full = np.array([outcome(s, sanction_threat_tier=5) for s in range(SEEDS)])
    assert paired_z(none, full) < 2.0


@pytest.mark.slow
def test_russia_invades_when_invading_is_its_best_option():
    """The choice noise is small against the gaps it decides: in most weeks Russia invades,
    invading was its best-valued military option (the ODD's 'near-optimising')."""
    best = total = 0
    for seed in range(SEEDS):
        model = EscalationModel("baseline", rng=seed)
        while model.running and not model.invasion:
            russia = model.challenger
            model.step()
            if model.invasion and model.invasion_week == model.week:
                total += 1
                best += russia.last_military_best == "invade"
    assert total >= 20  # baseline invades in about 0.15 of runs (29 of these 200 seeds)
    assert best / total >= 0.75, (best, total)


@pytest.mark.slow
def test_energy_pressure_drains_storage_and_raises_the_price():
    drained = []
    for seed in range(20):
        pressed = EscalationModel("baseline", rng=seed, energy_leverage=1.0, weeks=12).run()
        calm = EscalationModel("baseline", rng=seed, energy_leverage=0.0, weeks=12).run()
        drained.append(
            (
                calm.datacollector.model_vars["eu_gas_storage"][-1]
                - pressed.datacollector.model_vars["eu_gas_storage"][-1],
                pressed.energy_price - calm.energy_price,
            )
        )
    assert np.mean([d for d, _ in drained]) > 0.0
    assert np.mean([p for _, p in drained]) > 0.0


def test_lottery_value_of_invading_is_what_russia_compares():
    """The invade option is a lottery valued once, as the waiting plans' wars are."""
    value = lottery_value([(0.5, 0.2), (0.5, -0.4)], 0.0, 2.25, 0.88, True)
    assert value < 0.0


def test_russia_answers_sanctions_it_reads_with_the_gas_lever():
    """Energy both ways (004, 001): imposed sanctions read raise Russia's grievance, and a
    squeeze gains sanction_retaliation times it; muted, sanctions invite no answer."""
    model = EscalationModel("baseline", rng=1)
    model.step()
    russia = model.challenger
    before = weigh(model, "Russia").outcome("economic", "energy_pressure")
    russia_reads(model, "Germany", Kind.SANCTIONS, 0.6, 0.5)
    assert russia.grievance == pytest.approx(0.3)  # 0 + 0.5 * 0.6 * (1 - 0)
    after = weigh(model, "Russia").outcome("economic", "energy_pressure")
    assert after - before == pytest.approx(model.calculus.sanction_retaliation * 0.3)
    russia_reads(model, "Poland", Kind.SANCTIONS, 0.2, 0.5)
    assert russia.grievance == pytest.approx(0.3 + 0.5 * 0.2 * 0.7)  # never forgotten
