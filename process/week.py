"""The model's week over one replicate's arrays: the one implementation of the weekly process.

Each phase of the week (ODD §3) is a rule (`world.compiled`) of the replicate's numbers: last
week's post delivered and read (`deliver`, `observe` and each role's reading and reassessing),
each actor's turn (`step`: its options on every track, judged and chosen by `world.choice`'s
arithmetic, then acted on), and the week's consequences (`consequences`). The Mesa model runs
the phases one at a time for its one replicate (`process.replicate`), each agent taking its own
turn; the ensemble engine runs whole weeks (`advance`) of many. Draws are keyed by (run, week,
purpose, slot) as in `world.draws`, so a replicate is the same run either way.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from process.layout import (
    ACTION_CODE,
    ACTION_HARDNESS,
    ACTION_RUNG_OF,
    ACTION_SHARPNESS,
    CHALLENGER,
    KIND_AMBIGUOUS,
    KIND_CODE,
    KIND_INTENT,
    STATE,
    TARGET,
    UNION,
    A,
    C,
    G,
    P,
    W,
    Y,
)
from world import decisions
from world.choice import gamble_value, sure_value
from world.compiled import float_sum, rule
from world.draws import Purpose, draw_normal, draw_uniform, fill_uniforms
from world.energy import GAS_EXPOSURE_WEIGHT, OIL_EXPOSURE_WEIGHT, SEASONAL_FACTOR, STORAGE_OFFSET
from world.ladder import HARM, TIER_BITE_RUSSIA, TOP_TIER, WEST_COST, Rung, RussianMove, Talks
from world.moves import (
    ARMS_COST,
    CAPABILITY_ERROR_FLOOR,
    DONBAS_RUNG,
    EU_SANCTIONS_COST,
    EVEN_ODDS,
    FAR_EXPOSURE,
    FLANK_COST,
    FLANK_SIGNAL_TROOPS,
    HAZARD_BASE_RUNG,
    INITIAL_UKRAINE_CAPABILITY,
    OFFER_ANSWER_WEEKS,
    OFFERS,
    SANCTION_COST_WEEKS,
    SIGNAL_COST,
    SIGNAL_INTENSITY,
    SIGNALS,
    TROOP_UNIT,
)
from world.signals import TALKS_INTENSITY, Kind

# --- codes, as plain integers for the compiled code ----------------------------------------
_A = ACTION_CODE
HOLD, NONE = _A["hold"], _A["none"]
BUILD_UP, PULL_BACK, DEMANDS, TALKS = _A["build_up"], _A["pull_back"], _A["demands"], _A["talks"]
HYBRID, PRESSURE, RECOGNITION = _A["hybrid_action"], _A["energy_pressure"], _A["recognition"]
INCURSION, INVADE, CONTINUE_WAR = _A["limited_incursion"], _A["invade"], _A["continue_war"]
NUCLEAR, SANCTION_THREAT, ARMS = _A["nuclear_threat"], _A["sanction_threat"], _A["arms_delivery"]
FLANK, MOBILISATION, AID_REQUEST = _A["flank_deployment"], _A["mobilisation"], _A["aid_request"]
MINSK, DONBAS, SANCTIONS = _A["minsk_concession"], _A["donbas_offensive"], _A["sanctions"]

_K = KIND_CODE
K_BUILD_UP, K_DEMANDS, K_HYBRID = _K[Kind.BUILD_UP], _K[Kind.DEMANDS], _K[Kind.HYBRID_ACTION]
K_PRESSURE, K_RECOGNITION = _K[Kind.ENERGY_PRESSURE], _K[Kind.RECOGNITION]
K_INCURSION, K_INVASION = _K[Kind.LIMITED_INCURSION], _K[Kind.INVASION]
K_PULL_BACK, K_NUCLEAR = _K[Kind.PULL_BACK], _K[Kind.NUCLEAR_THREAT]
K_SANCTION_THREAT, K_SANCTIONS = _K[Kind.SANCTION_THREAT], _K[Kind.SANCTIONS]
K_ARMS, K_FLANK = _K[Kind.ARMS_DELIVERY], _K[Kind.FLANK_DEPLOYMENT]
K_WRITTEN, K_CONCESSION = _K[Kind.WRITTEN_RESPONSE], _K[Kind.CONCESSION]
K_FREEZE, K_MISSILE = _K[Kind.FREEZE_OFFER], _K[Kind.MISSILE_THREAT]
K_SUPPORT, K_MOBILISATION = _K[Kind.SANCTION_SUPPORT], _K[Kind.MOBILISATION]
K_AID_REQUEST, K_MINSK = _K[Kind.AID_REQUEST], _K[Kind.MINSK_CONCESSION]
K_DONBAS, K_TALKS = _K[Kind.DONBAS_OFFENSIVE], _K[Kind.TALKS]
KINDS_COUNT = len(_K)

TRACK_COUNT = 4  # military, aid, economic, diplomatic (world.signals.TRACKS)
MILITARY, AID, ECONOMIC, DIPLOMATIC = range(4)
TOP = float(TOP_TIER)
HARM_T = tuple(float(h) for h in HARM)
WEST_COST_T = tuple(float(c) for c in WEST_COST)
BITES = tuple(float(b) for b in TIER_BITE_RUSSIA)
SWIFT, ENERGY = 3, 5
STATUS_QUO, POSTURING = int(Rung.STATUS_QUO), int(Rung.MILITARY_POSTURING)
FULL_SCALE, CLASH, NUCLEAR_RUNG = (
    int(Rung.FULL_SCALE_INVASION),
    int(Rung.NATO_RUSSIA_CLASH),
    int(Rung.NUCLEAR_THREAT),
)
HAZARD_BASE = int(HAZARD_BASE_RUNG)
MOVE_RECOGNITION, MOVE_INCURSION, MOVE_INVASION = (
    int(RussianMove.RECOGNITION),
    int(RussianMove.LIMITED_INCURSION),
    int(RussianMove.INVASION),
)
BROKEN_OFF, NO_TALKS, CONTACTS = int(Talks.BROKEN_OFF), int(Talks.NONE), int(Talks.CONTACTS)
FORMAL, NEGOTIATION, AGREEMENT = (
    int(Talks.FORMAL_TALKS),
    int(Talks.NEGOTIATION),
    int(Talks.AGREEMENT),
)
COST_DEMANDS = SIGNAL_COST[Kind.DEMANDS]
COST_HYBRID, COST_PRESSURE = SIGNAL_COST[Kind.HYBRID_ACTION], SIGNAL_COST[Kind.ENERGY_PRESSURE]
COST_RECOGNITION = SIGNAL_COST[Kind.RECOGNITION]
COST_INCURSION, COST_NUCLEAR = SIGNAL_COST[Kind.LIMITED_INCURSION], SIGNAL_COST[Kind.NUCLEAR_THREAT]
INTENSITY_HYBRID = SIGNAL_INTENSITY[Kind.HYBRID_ACTION]
INTENSITY_PRESSURE = SIGNAL_INTENSITY[Kind.ENERGY_PRESSURE]
WRITTEN_OFFER, CONCESSION_OFFER = OFFERS[Kind.WRITTEN_RESPONSE], OFFERS[Kind.CONCESSION]
FREEZE_OFFER, MISSILE_OFFER = OFFERS[Kind.FREEZE_OFFER], OFFERS[Kind.MISSILE_THREAT]
MOBILISATION_SIGNAL, MINSK_SIGNAL = SIGNALS[Kind.MOBILISATION], SIGNALS[Kind.MINSK_CONCESSION]
DONBAS_SIGNAL = SIGNALS[Kind.DONBAS_OFFENSIVE]
DONBAS_PUSH = int(DONBAS_RUNG)
OPTIONS = 8  # most options a track offers


class Point(NamedTuple):
    """One design point's numbers (`process.layout.Numbers`, as the compiled code takes them)."""

    world: np.ndarray
    calculus: np.ndarray
    policy: np.ndarray
    profiles: np.ndarray
    muted: np.ndarray
    day_of_year: np.ndarray
    load: np.ndarray


class Replica(NamedTuple):
    """A replicate's state."""

    g: np.ndarray  # G
    a: np.ndarray  # actor x A
    lines: np.ndarray  # lines[state, ally]: the ally's line as its support signals said
    imposed: np.ndarray  # imposed[state, ally]: what the ally imposed, as its sanctions said
    ties: np.ndarray  # alliance tie weights
    post: np.ndarray  # this week's signals: sender, receiver, kind, intensity, cost
    inbox: np.ndarray  # this week's reading: sender, receiver, kind, perceived, weight
    pipeline: np.ndarray  # arms on their way: week usable, capability
    log: np.ndarray  # every signal sent: week, sender, receiver, kind, intensity, cost
    draws: np.ndarray  # the week's choice uniforms, actor x track
    key: np.ndarray  # the run's two Philox words
    bites: np.ndarray  # Russia's cumulative sanction bite by tier
    scratch: np.ndarray  # working rows of numbers (`Scratch`): no array allocated a week
    marks: np.ndarray  # working rows of action codes (`Marks`)


class Scratch(IntEnum):
    """The rows of `Replica.scratch`, one for each place that needs a few numbers for a while
    (none of them calls another's holder while it holds them)."""

    PICK = 0  # the logit weights of a track's options
    VALUES = 1  # a track's options' judged values
    TRUST = 2  # a state's trust in each ally
    BELIEFS = 3  # its allies' beliefs
    RESOLVES = 4  # its allies' resolve
    SUPPORTS = 5  # the coalition's blocs' tiers
    WEIGHTS = 6  # their economic weights
    TIERS = 7  # the Union's members' tiers
    MEMBER_WEIGHTS = 8  # their economic weights
    SIZE = 9


class Marks(IntEnum):
    """The rows of `Replica.marks`."""

    CODES = 0  # a track's options
    CHOSEN = 1  # an actor's choice on each track
    SIZE = 2


@rule
def scratch_width(actors: int) -> int:
    """How long a working row must be: the most options a track offers, or one per actor."""
    return max(OPTIONS, TRACK_COUNT, actors)


@rule
def toward(current, target, rate):
    return current + rate * (target - current)


@rule
def clip01(value):
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


# --- signals -------------------------------------------------------------------------------
@rule
def send(rep, sender, receiver, kind, intensity, cost):
    """Post a signal (none to oneself), and log it if the replicate keeps a log."""
    if receiver == sender:
        return
    g = rep.g
    at = int(g[G.POSTED])
    if at >= rep.post.shape[0]:
        g[G.OVERFLOW] = 1.0
        return
    post = rep.post
    post[at, 0] = sender
    post[at, 1] = receiver
    post[at, 2] = kind
    post[at, 3] = intensity
    post[at, 4] = cost
    g[G.POSTED] = at + 1
    log = rep.log
    if log.shape[0] > 0:
        logged = int(g[G.LOGGED])
        if logged >= log.shape[0]:
            g[G.OVERFLOW] = 1.0
            return
        log[logged, 0] = g[G.WEEK]
        log[logged, 1] = sender
        log[logged, 2] = receiver
        log[logged, 3] = kind
        log[logged, 4] = intensity
        log[logged, 5] = cost
        g[G.LOGGED] = logged + 1


@rule
def send_all(rep, sender, receivers, kind, intensity, cost):
    for receiver in receivers:
        send(rep, sender, receiver, kind, intensity, cost)


@rule
def deliver(st, pt, rep):
    """Last week's post as each receiver reads it: with its own noise, and weighted by its cost."""
    g = rep.g
    w = pt.world
    week = int(g[G.WEEK])
    noise_sd = w[W.misperception]
    n = st.role.shape[0]
    k0, k1 = rep.key[0], rep.key[1]
    rate = w[W.belief_learning_rate]
    floor = w[W.cheap_talk_credibility]
    scale = w[W.credibility_scale]
    post, inbox = rep.post, rep.inbox
    delivered = 0
    for j in range(int(g[G.POSTED])):
        sender, receiver, kind = int(post[j, 0]), int(post[j, 1]), int(post[j, 2])
        if not st.reads[receiver, kind] or pt.muted[kind]:
            continue
        noise = 0.0
        if noise_sd > 0.0:
            slot = (sender * n + receiver) * KINDS_COUNT + kind
            noise = noise_sd * draw_normal(k0, k1, week, Purpose.PERCEPTION, slot)
        bias = noise_sd if receiver == st.challenger and KIND_AMBIGUOUS[kind] else 0.0
        cost = post[j, 4]
        weight = rate * (floor + (1.0 - floor) * cost / (cost + scale))
        value = post[j, 3] + noise + bias
        inbox[delivered, 0] = sender
        inbox[delivered, 1] = receiver
        inbox[delivered, 2] = kind
        inbox[delivered, 3] = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
        inbox[delivered, 4] = weight
        delivered += 1
    g[G.DELIVERED] = delivered
    g[G.POSTED] = 0


# --- what the West would back --------------------------------------------------------------
@rule
def cohesion(st, rep):
    count = st.edge_u.shape[0]
    if count == 0:
        return 0.0
    return float_sum(rep.ties, count) / count


@rule
def union_tier(st, pt, rep, tiers):
    """The Union's tier from its members' tiers (in member order), by its consent rule."""
    w = pt.world
    quantile = decisions.consensus_quantile(
        w[W.eu_consensus_quantile], cohesion(st, rep), w[W.cohesion_consensus_slope]
    )
    weights = rep.scratch[Scratch.MEMBER_WEIGHTS, : st.members.shape[0]]
    for m in range(st.members.shape[0]):
        weights[m] = pt.profiles[st.members[m], P.economic_weight]
    return decisions.union_consent_tier(
        tiers, weights, quantile, w[W.energy_consensus_quantile], float(ENERGY)
    )


@rule
def coalition_tier(st, pt, rep, field):
    """The tier the West can agree on, from each state's ``field`` (actual or believed)."""
    a = rep.a
    blocs = st.blocs.shape[0]
    with_union = st.members.shape[0] > 0
    count = blocs + (1 if with_union else 0)
    supports = rep.scratch[Scratch.SUPPORTS, :count]
    weights = rep.scratch[Scratch.WEIGHTS, :count]
    for b in range(blocs):
        supports[b] = a[st.blocs[b], field]
        weights[b] = pt.profiles[st.blocs[b], P.economic_weight]
    if with_union:
        tiers = rep.scratch[Scratch.TIERS, : st.members.shape[0]]
        for m in range(st.members.shape[0]):
            tiers[m] = a[st.members[m], field]
        supports[blocs] = union_tier(st, pt, rep, tiers)
        weights[blocs] = pt.profiles[st.union, P.economic_weight]
    total = float_sum(weights, count)
    if total <= 0.0:
        return 0.0
    backing = 0.0
    threshold = pt.world[W.coalition_threshold] * total - 1e-12
    for i in decisions._descending(supports, weights):
        backing += weights[i]
        if backing >= threshold:
            return supports[i]
    return 0.0


@rule
def own_tier_costs(pt, rep, i):
    a = rep.a
    keep = 1.0 - pt.profiles[i, P.cost_tolerance]
    return decisions.tier_costs(WEST_COST_T, a[i, A.ENERGY_EXPOSURE], a[i, A.GAS_FEAR], keep)


@rule
def tier_cost(pt, rep, i, tier):
    keep = 1.0 - pt.profiles[i, P.cost_tolerance]
    return own_tier_costs(pt, rep, i)[tier] / keep if keep > 0.0 else 0.0


@rule
def allies_mean(st, rep, i, heard):
    total = 0.0
    weight = 0.0
    for k in range(st.tie_count[i]):
        tie = rep.ties[st.tie_edge[i, k]]
        total += tie * heard[i, st.tie_ally[i, k]]
        weight += tie
    return total / weight if weight > 0.0 else 0.0


@rule
def line_for_invasion(st, pt, rep, i, resolve):
    w = pt.world
    a = rep.a
    push = resolve * (w[W.sanction_push_base] + a[i, A.THREAT])
    return decisions.backed_tier(
        push,
        HARM_T,
        own_tier_costs(pt, rep, i),
        a[i, A.THREATENED],
        w[W.threat_audience_cost],
        allies_mean(st, rep, i, rep.lines),
        w[W.solidarity_weight],
        0.0,
    )


@rule
def restraint(pt, rep, i):
    return max(0.0, -pt.profiles[i, P.risk_attitude]) * rep.a[i, A.NUCLEAR_FEAR]


@rule
def backing_now(st, pt, rep, i):
    w, y, a = pt.world, pt.policy, rep.a
    committed = decisions.committed_tier(
        int(a[i, A.SEEN_MOVE]),
        int(a[i, A.THREATENED]),
        int(a[i, A.SANCTION_SUPPORT]),
        int(y[Y.tier_for_recognition]),
        int(y[Y.tier_for_incursion]),
    )
    push = (
        (1.0 - restraint(pt, rep, i)) * a[i, A.RESOLVE] * (w[W.sanction_push_base] + a[i, A.THREAT])
    )
    at_war = a[i, A.SEEN_MOVE] >= MOVE_INVASION
    return decisions.backed_tier(
        push,
        HARM_T,
        own_tier_costs(pt, rep, i),
        float(committed),
        w[W.threat_audience_cost],
        allies_mean(st, rep, i, rep.imposed),
        w[W.solidarity_weight],
        0.0 if at_war else w[W.deterrent_reserve],
    )


@rule
def threat_tier(pt, support):
    return decisions.threatened_tier(int(support), int(pt.policy[Y.sanction_threat_tier]))


# --- reading and reassessing ---------------------------------------------------------------
@rule
def russia_reads(st, pt, rep, sender, kind, intensity, weight):
    c = pt.calculus
    a = rep.a
    r = st.challenger
    if kind in (K_SANCTION_THREAT, K_SUPPORT):
        if st.role[sender] == UNION:
            for m in st.members:
                a[m, A.EXPECTED_SUPPORT] = toward(a[m, A.EXPECTED_SUPPORT], TOP * intensity, weight)
        elif st.role[sender] == STATE:
            a[sender, A.EXPECTED_SUPPORT] = toward(
                a[sender, A.EXPECTED_SUPPORT], TOP * intensity, weight
            )
    elif kind == K_SANCTIONS:
        if st.role[sender] == UNION:
            for m in st.members:
                a[m, A.EXPECTED_SUPPORT] = max(a[m, A.EXPECTED_SUPPORT], TOP * intensity)
        elif st.role[sender] == STATE:
            a[sender, A.EXPECTED_SUPPORT] = max(a[sender, A.EXPECTED_SUPPORT], TOP * intensity)
        a[r, A.GRIEVANCE] = decisions.confirmed(a[r, A.GRIEVANCE], intensity, weight)
    elif kind == K_ARMS:
        a[r, A.SHIPPED] += pt.policy[Y.arms_effect] * intensity
        a[r, A.NATO_THREAT] = toward(a[r, A.NATO_THREAT], intensity, weight)
    elif kind == K_FLANK:
        a[r, A.NATO_THREAT] = toward(a[r, A.NATO_THREAT], intensity, weight)
    elif kind == K_MOBILISATION:
        a[r, A.NATO_THREAT] = toward(a[r, A.NATO_THREAT], intensity, weight)
        a[r, A.CAPABILITY_ERROR] = toward(a[r, A.CAPABILITY_ERROR], 0.0, weight * intensity)
    elif kind in (K_TALKS, K_WRITTEN):
        implied = c[C.talks_deal_signal] * intensity
        a[r, A.DEAL_PROSPECT] = toward(a[r, A.DEAL_PROSPECT], implied, weight)
        if kind == K_WRITTEN:
            ease = weight * c[C.arms_control_reassurance]
            threat = a[r, A.NATO_THREAT]
            a[r, A.NATO_THREAT] = min(threat, toward(threat, c[C.prior_nato_threat], ease))
    elif kind == K_MINSK:
        a[r, A.MINSK_GRANTED] = toward(a[r, A.MINSK_GRANTED], intensity, weight)
    elif kind == K_CONCESSION:
        a[r, A.MORATORIUM_OFFERED] = 1.0
        a[r, A.DEAL_PROSPECT] = toward(a[r, A.DEAL_PROSPECT], intensity, weight)
    elif kind == K_FREEZE:
        a[r, A.FREEZE_OFFERED] = 1.0
    elif kind == K_MISSILE:
        a[r, A.STICK_CREDIBILITY] = toward(a[r, A.STICK_CREDIBILITY], intensity, weight)
    elif kind == K_DONBAS:
        a[r, A.PROVOKED] = 1.0


@rule
def state_reads(st, pt, rep, i, sender, kind, intensity, weight):
    w = pt.world
    a = rep.a
    implied = KIND_INTENT[kind]
    if not math.isnan(implied) and sender == st.challenger:
        a[i, A.BELIEF] = toward(a[i, A.BELIEF], implied, weight * max(intensity, w[W.intent_floor]))
        move = 0
        if kind == K_RECOGNITION:
            move = MOVE_RECOGNITION
        elif kind == K_INCURSION:
            move = MOVE_INCURSION
        elif kind == K_INVASION:
            move = MOVE_INVASION
        a[i, A.SEEN_MOVE] = max(a[i, A.SEEN_MOVE], float(move))
        if kind == K_NUCLEAR:
            a[i, A.NUCLEAR_FEAR] = toward(a[i, A.NUCLEAR_FEAR], intensity, weight)
        elif kind == K_PRESSURE:
            rate = w[W.belief_learning_rate]
            a[i, A.GAS_FEAR] = decisions.confirmed(a[i, A.GAS_FEAR], intensity, rate)
        elif kind == K_DEMANDS:
            a[i, A.DEMANDS_READ] = 1.0
        elif kind in (K_BUILD_UP, K_PULL_BACK):
            rate = w[W.belief_learning_rate]
            shown = 1.0 - intensity if kind == K_PULL_BACK else intensity
            seen = shown * pt.calculus[C.troop_ceiling]
            a[i, A.SEEN_TROOPS] = toward(a[i, A.SEEN_TROOPS], seen, rate)
            if kind == K_PULL_BACK:
                a[i, A.PULL_BACK_WEEK] = rep.g[G.WEEK]
    elif kind == K_AID_REQUEST:
        a[i, A.AID_REQUESTED] = toward(a[i, A.AID_REQUESTED], intensity, weight)
    elif kind == K_SUPPORT:
        rep.lines[i, sender] = intensity * TOP
    elif kind == K_SANCTIONS:
        rep.imposed[i, sender] = intensity * TOP


@rule
def ukraine_reads(st, pt, rep, sender, kind, intensity, weight):
    w = pt.world
    a = rep.a
    u = st.target
    implied = KIND_INTENT[kind]
    if not math.isnan(implied) and sender == st.challenger:
        a[u, A.BELIEF] = toward(a[u, A.BELIEF], implied, weight * max(intensity, w[W.intent_floor]))
        if kind == K_HYBRID:
            effect = w[W.hybrid_resolve_effect] * weight * intensity
            a[u, A.RESOLVE] = toward(a[u, A.RESOLVE], 1.0 if effect > 0 else 0.0, abs(effect))


@rule
def state_reassesses(st, pt, rep, i):
    w = pt.world
    a = rep.a
    count = st.tie_count[i]
    trust = rep.scratch[Scratch.TRUST, :count]
    ally_beliefs = rep.scratch[Scratch.BELIEFS, :count]
    ally_resolves = rep.scratch[Scratch.RESOLVES, :count]
    for k in range(count):
        ally = st.tie_ally[i, k]
        trust[k] = rep.ties[st.tie_edge[i, k]] * pt.profiles[ally, P.economic_weight]
        ally_beliefs[k] = a[ally, A.LAST_BELIEF]
        ally_resolves[k] = a[ally, A.LAST_RESOLVE]
    influence = w[W.alliance_influence]
    a[i, A.BELIEF] = decisions.pulled_toward_allies(a[i, A.BELIEF], ally_beliefs, trust, influence)
    at_war = a[i, A.SEEN_MOVE] >= MOVE_INVASION
    if rep.g[G.RUNG] >= CLASH:
        a[i, A.THREAT] = 1.0
    else:
        force = a[i, A.SEEN_TROOPS] / w[W.threat_troops]
        exposure = FAR_EXPOSURE + (1.0 - FAR_EXPOSURE) * pt.profiles[i, P.border_exposure]
        a[i, A.THREAT] = clip01(
            a[i, A.BELIEF] * force * exposure + (w[W.war_threat] if at_war else 0.0)
        )
    own = (
        pt.profiles[i, P.resolve]
        + w[W.threat_resolve_slope] * (a[i, A.THREAT] - w[W.prior_intent])
        - w[W.price_resolve_slope] * a[i, A.ENERGY_EXPOSURE] * rep.g[G.PRICE_STRESS]
        - w[W.cost_fatigue] * a[i, A.COST]
    )
    a[i, A.RESOLVE] = clip01(decisions.pulled_toward_allies(own, ally_resolves, trust, influence))
    previous = a[i, A.SANCTION_SUPPORT]
    a[i, A.SANCTION_SUPPORT] = line_for_invasion(st, pt, rep, i, a[i, A.RESOLVE])
    a[i, A.SANCTION_BACKING] = backing_now(st, pt, rep, i)
    intensity = a[i, A.SANCTION_SUPPORT] / TOP
    if a[i, A.SANCTION_SUPPORT] != previous:
        for k in range(count):
            send(rep, i, st.tie_ally[i, k], K_SUPPORT, intensity, 0.0)
    send(rep, i, st.challenger, K_SUPPORT, intensity, 0.0)


@rule
def russia_reassesses(st, pt, rep):
    c, y, w = pt.calculus, pt.policy, pt.world
    a, g = rep.a, rep.g
    r = st.challenger
    if g[G.EXPECTED_SET] == 0.0 and st.states.shape[0] > 0:
        # Energy dependence is public, resolve is not: each state's line as if its resolve
        # were the one Russia assumes.
        for s in st.states:
            assumed = c[C.assumed_western_resolve]
            a[s, A.EXPECTED_SUPPORT] = float(line_for_invasion(st, pt, rep, s, assumed))
        g[G.EXPECTED_SET] = 1.0
    tier = coalition_tier(st, pt, rep, A.EXPECTED_SUPPORT)
    a[r, A.EXPECTED_TIER] = tier
    a[r, A.EXPECTED_TIER_INCURSION] = min(y[Y.tier_for_incursion], tier)
    count = st.states.shape[0]
    exposures = np.empty(count)
    for k in range(count):
        exposures[k] = a[st.states[k], A.ENERGY_EXPOSURE]
    a[r, A.WESTERN_EXPOSURE] = float_sum(exposures, count) / count if count else 0.0
    a[r, A.BELIEF] = tier / TOP
    a[r, A.THREAT] = clip01(a[r, A.NATO_THREAT])
    a[r, A.DEAL_PROSPECT] *= c[C.deal_decay]
    rate = w[W.belief_learning_rate]
    unanswered = a[r, A.UNANSWERED_SINCE]
    if g[G.TALKS] == AGREEMENT:
        a[r, A.UNANSWERED_SINCE] = -1.0
    elif 0 <= unanswered <= g[G.WEEK] - OFFER_ANSWER_WEEKS:
        a[r, A.OFFER_TRUST] = toward(a[r, A.OFFER_TRUST], 0.0, rate)
    a[r, A.ARMS_TREND] = toward(a[r, A.ARMS_TREND], a[r, A.SHIPPED], rate)
    a[r, A.SHIPPED] = 0.0


@rule
def union_aggregates(st, pt, rep):
    members = st.members
    count = members.shape[0]
    if st.union < 0 or count == 0:
        return
    a = rep.a
    u = st.union
    values = np.empty(count)
    for field in (A.RESOLVE, A.THREAT, A.BELIEF, A.COST):
        for m in range(count):
            values[m] = a[members[m], field]
        a[u, field] = float_sum(values, count) / count
    previous = a[u, A.SANCTION_SUPPORT]
    for m in range(count):
        values[m] = a[members[m], A.SANCTION_SUPPORT]
    a[u, A.SANCTION_SUPPORT] = float(int(union_tier(st, pt, rep, values)))
    for m in range(count):
        values[m] = a[members[m], A.SANCTION_BACKING]
    a[u, A.SANCTION_BACKING] = float(int(union_tier(st, pt, rep, values)))
    intensity = a[u, A.SANCTION_SUPPORT] / TOP
    if a[u, A.SANCTION_SUPPORT] != previous:
        send_all(rep, u, members, K_SUPPORT, intensity, 0.0)
    send(rep, u, st.challenger, K_SUPPORT, intensity, 0.0)


@rule
def observe(st, pt, rep, i):
    """An actor reads this week's signals in the order they came, then reassesses."""
    a, g = rep.a, rep.g
    role = st.role[i]
    inbox = rep.inbox
    for j in range(int(g[G.DELIVERED])):
        if int(inbox[j, 1]) != i:
            continue
        sender, kind = int(inbox[j, 0]), int(inbox[j, 2])
        intensity, weight = inbox[j, 3], inbox[j, 4]
        if role == STATE:
            state_reads(st, pt, rep, i, sender, kind, intensity, weight)
        elif role == CHALLENGER:
            russia_reads(st, pt, rep, sender, kind, intensity, weight)
        elif role == TARGET:
            ukraine_reads(st, pt, rep, sender, kind, intensity, weight)
    prof = pt.profiles
    week = int(g[G.WEEK])
    gas = (
        prof[i, P.gas_import_share]
        * (1.0 - pt.policy[Y.lng_alternatives])
        * (1.0 + prof[i, P.winter_sensitivity] * pt.load[week])
    )
    a[i, A.ENERGY_EXPOSURE] = (
        GAS_EXPOSURE_WEIGHT * gas * (STORAGE_OFFSET - a[i, A.GAS_STORAGE])
        + OIL_EXPOSURE_WEIGHT * prof[i, P.oil_import_share]
    )
    if role == STATE:
        state_reassesses(st, pt, rep, i)
    elif role == CHALLENGER:
        russia_reassesses(st, pt, rep)
    elif role == TARGET:
        war = pt.world[W.target_war_threat] if g[G.INVASION] != 0.0 else 0.0
        a[i, A.THREAT] = clip01(a[i, A.BELIEF] + war)


@rule
def assess(st, pt, rep):
    g = rep.g
    g[G.PRICE_STRESS] = max(0.0, g[G.ENERGY_PRICE] / pt.world[W.gas_price_reference] - 1.0)
    for i in st.observe_order:
        observe(st, pt, rep, i)
    union_aggregates(st, pt, rep)


# --- choosing ------------------------------------------------------------------------------
@rule
def pick(codes, values, count, temperature, uniform, weights):
    """Logit choice among judged values (`world.choice.choose`), by the same arithmetic."""
    top = values[0]
    for k in range(1, count):
        top = max(top, values[k])
    for k in range(count):
        weights[k] = math.exp((values[k] - top) / temperature)
    threshold = uniform * float_sum(weights, count)
    for k in range(count):
        threshold -= weights[k]
        if threshold <= 0.0:
            return codes[k]
    return codes[count - 1]


@rule
def first_best(values, count):
    best = 0
    for k in range(1, count):
        if values[k] > values[best]:
            best = k
    return best


@rule
def settle(pt, rep, i, track, codes, values, count, chosen):
    """The track's choice: the only option, or a logit pick with the actor's own draw."""
    if count > 1:
        uniform = rep.draws[i * TRACK_COUNT + track]
        temperature = pt.world[W.choice_temperature]
        weights = rep.scratch[Scratch.PICK]
        chosen[track] = pick(codes, values, count, temperature, uniform, weights)
    elif count == 1:
        chosen[track] = codes[0]


@rule
def judged(pt, i, outcome):
    """A sure outcome's value as the actor weighs it."""
    w = pt.world
    return sure_value(
        outcome, pt.profiles[i, P.loss_aversion], w[W.value_curvature], w[W.prospect_theory] != 0.0
    )


@rule
def judged_gamble(pt, i, p_win, win, p_lose, lose):
    w = pt.world
    prof = pt.profiles
    return gamble_value(
        p_win,
        win,
        p_lose,
        lose,
        prof[i, P.risk_attitude],
        prof[i, P.loss_aversion],
        w[W.value_curvature],
        w[W.prospect_theory] != 0.0,
    )


@rule
def success_odds(pt, rep, troops, capability):
    w, c = pt.world, pt.calculus
    ground = decisions.ground_factor(
        pt.day_of_year[int(rep.g[G.WEEK])],
        w[W.thaw_peak_day],
        w[W.thaw_half_width],
        w[W.thaw_penalty],
    )
    return decisions.success_odds(
        troops * ground, capability, c[C.troops_for_even_odds], c[C.success_steepness]
    )


@rule
def sanction_cost(st, rep, tier):
    """Russia's cost of a (possibly fractional) cumulative tier."""
    return decisions.sanction_cost(tier, rep.bites, rep.a[st.challenger, A.SANCTION_SCALE])


@rule
def further_sanctions(st, rep, tier):
    in_force = sanction_cost(st, rep, rep.g[G.SANCTION_TIER])
    return max(0.0, sanction_cost(st, rep, tier) - in_force)


@rule
def nord_stream_2_expected_loss(st, pt, rep):
    if rep.g[G.NORD_STREAM_2_SUSPENDED] != 0.0:
        return False
    for s in st.states:
        host = pt.profiles[s, P.nord_stream_2_host] != 0.0
        if host and rep.a[s, A.EXPECTED_SUPPORT] >= 1.0:
            return True
    return False


@rule
def aid_frozen(pt, rep):
    g = rep.g
    return g[G.TALKS] == AGREEMENT and pt.policy[Y.freeze_deal] != 0.0 and g[G.INVASION] == 0.0


@rule
def push_rung(rep, rung):
    rep.g[G.PUSHED_RUNG] = max(rep.g[G.PUSHED_RUNG], float(rung))


@rule
def russia_chooses(st, pt, rep, chosen):
    """Russia's options on three tracks and its choice on each (going to war only by decision:
    when it is the best-valued military option)."""
    c, w, y = pt.calculus, pt.world, pt.policy
    a, g = rep.a, rep.g
    r = st.challenger
    prof = pt.profiles
    troops = a[r, A.TROOPS]
    holding = c[C.holding_cost] * troops / TROOP_UNIT
    codes = rep.marks[Marks.CODES]
    values = rep.scratch[Scratch.VALUES]
    retaliation = c[C.sanction_retaliation] * a[r, A.GRIEVANCE]
    pressure_cost = c[C.energy_pressure_cost] * prof[r, P.budget_hydrocarbon_share]
    if g[G.INVASION] != 0.0:
        a[r, A.INVASION_ODDS] = 0.0
        (p_win, win), (p_lose, lose) = decisions.nuclear_threat_lottery(
            c[C.nuclear_threat_success],
            c[C.nuclear_threat_stake],
            a[r, A.NATO_THREAT],
            c[C.nuclear_threat_cost],
        )
        weary = c[C.war_talks_value] * (a[r, A.DEAL_PROSPECT] + a[r, A.COST])
        codes[0], values[0] = CONTINUE_WAR, judged(pt, r, -holding)
        codes[1] = NUCLEAR
        values[1] = judged_gamble(pt, r, p_win, win - holding, p_lose, lose - holding)
        settle(pt, rep, r, MILITARY, codes, values, 2, chosen)
        codes[0], values[0] = HOLD, judged(pt, r, 0.0)
        codes[1] = PRESSURE
        values[1] = judged(
            pt,
            r,
            c[C.war_energy_leverage] * a[r, A.WESTERN_EXPOSURE] + retaliation - pressure_cost,
        )
        settle(pt, rep, r, ECONOMIC, codes, values, 2, chosen)
        codes[0], values[0] = HOLD, judged(pt, r, 0.0)
        codes[1], values[1] = TALKS, judged(pt, r, weary)
        settle(pt, rep, r, DIPLOMATIC, codes, values, 2, chosen)
        return
    provoked = c[C.provocation_factor] if a[r, A.PROVOKED] != 0.0 else 1.0
    stake = decisions.spiral_stake(
        c[C.stake]
        * prof[r, P.resolve]
        * provoked
        * (1.0 - c[C.minsk_stake_share] * a[r, A.MINSK_GRANTED]),
        a[r, A.NATO_THREAT],
        c[C.prior_nato_threat],
        c[C.threat_stake_gain],
    )
    capability = g[G.UKRAINE_CAPABILITY] * (1.0 + a[r, A.CAPABILITY_ERROR])
    war_cost = decisions.resisted_war_cost(c[C.war_cost], a[st.target, A.RESOLVE])
    odds = success_odds(pt, rep, troops, capability)
    a[r, A.INVASION_ODDS] = odds
    frozen = g[G.TALKS] == AGREEMENT and y[Y.freeze_deal] != 0.0
    arms_trend = 0.0 if frozen else a[r, A.ARMS_TREND]
    nato_risk = a[r, A.STICK_CREDIBILITY] * c[C.missile_deployment_cost] + (
        w[W.brinkmanship_hazard] * a[r, A.NATO_THREAT] * c[C.nato_clash_cost]
    )
    pipeline = c[C.nord_stream_value] if nord_stream_2_expected_loss(st, pt, rep) else 0.0
    further = further_sanctions(st, rep, a[r, A.EXPECTED_TIER]) + nato_risk + pipeline
    chance = decisions.deal_chance(
        a[r, A.DEAL_PROSPECT], a[r, A.MORATORIUM_OFFERED] != 0.0, c[C.coercion_discount]
    )
    per_troop = c[C.holding_cost] / TROOP_UNIT
    published = c[C.published_climbdown_factor] if a[r, A.DEMANDS_PUBLISHED] != 0.0 else 1.0
    climbdown = c[C.climbdown_cost] * g[G.RUNG] * published
    ra, la = prof[r, P.risk_attitude], prof[r, P.loss_aversion]
    curvature, prospect = w[W.value_curvature], w[W.prospect_theory] != 0.0
    day = pt.day_of_year[int(g[G.WEEK])]

    def waiting(massed):
        return decisions.waiting_value(
            massed,
            c[C.buildup_rate],
            c[C.troop_ceiling],
            capability,
            c[C.window_foresight] * w[W.capability_growth],
            c[C.window_foresight] * arms_trend,
            g[G.ARMS_LAG],
            prof[r, P.time_horizon],
            c[C.weekly_discount],
            per_troop,
            c[C.troops_for_even_odds],
            c[C.success_steepness],
            stake,
            war_cost,
            c[C.failure_cost],
            further,
            chance,
            c[C.concession_value],
            climbdown,
            day,
            w[W.thaw_peak_day],
            w[W.thaw_half_width],
            w[W.thaw_penalty],
            ra,
            la,
            curvature,
            prospect,
        )

    hold = waiting(troops)
    a[r, A.WAITING] = hold
    (p_win, win), (p_lose, lose) = decisions.war_lottery(
        odds, stake, war_cost, c[C.failure_cost], further
    )
    codes[0], values[0] = HOLD, hold
    codes[1], values[1] = INVADE, judged_gamble(pt, r, p_win, win, p_lose, lose)
    count = 2
    if troops < c[C.troop_ceiling]:
        more = min(c[C.troop_ceiling], troops + c[C.buildup_rate])
        codes[count], values[count] = BUILD_UP, waiting(more)
        count += 1
    if troops > c[C.peacetime_troops]:
        deal = 0.0
        if FORMAL <= g[G.TALKS] < AGREEMENT:
            deal += c[C.freeze_value] if a[r, A.FREEZE_OFFERED] != 0.0 else 0.0
            deal += c[C.concession_value] if a[r, A.MORATORIUM_OFFERED] != 0.0 else 0.0
        fewer = max(c[C.peacetime_troops], troops - c[C.pullback_rate])
        step = c[C.climbdown_cost] * published
        codes[count] = PULL_BACK
        values[count] = waiting(fewer) + judged(pt, r, a[r, A.OFFER_TRUST] * deal - step)
        count += 1
    if a[r, A.INCURSION] == 0.0:
        local = success_odds(pt, rep, troops * c[C.incursion_concentration], capability)
        sanctions = further_sanctions(st, rep, a[r, A.EXPECTED_TIER_INCURSION])
        share = c[C.incursion_cost_share]
        gamble = judged_gamble(
            pt,
            r,
            local,
            c[C.incursion_share] * stake - share * war_cost - sanctions,
            1.0 - local,
            -share * c[C.failure_cost] - sanctions,
        )
        codes[count], values[count] = INCURSION, hold + gamble
        count += 1
    best = codes[first_best(values, count)]
    a[r, A.LAST_MILITARY_BEST] = best
    if best in (INVADE, INCURSION):
        chosen[MILITARY] = best  # going to war is decided, never drifted into
    else:
        kept = 0
        for k in range(count):
            if codes[k] != INVADE and codes[k] != INCURSION:
                codes[kept], values[kept] = codes[k], values[k]
                kept += 1
        settle(pt, rep, r, MILITARY, codes, values, kept, chosen)
    coercion = chance * odds * c[C.concession_value]
    novelty = 0.0 if a[r, A.DEMANDS_PUBLISHED] != 0.0 else c[C.demands_novelty]
    codes[0], values[0] = HOLD, judged(pt, r, 0.0)
    codes[1], values[1] = DEMANDS, judged(pt, r, coercion + novelty)
    codes[2], values[2] = TALKS, judged(pt, r, c[C.talks_coercion_share] * coercion)
    count = 3
    if a[r, A.RECOGNISED] == 0.0:
        gain = c[C.recognition_gain] * odds / EVEN_ODDS
        if best == INVADE:
            recognition = gain
        else:
            tier = min(y[Y.tier_for_recognition], a[r, A.EXPECTED_TIER])
            recognition = gain - further_sanctions(st, rep, tier)
        codes[3], values[3] = RECOGNITION, judged(pt, r, recognition)
        count = 4
    settle(pt, rep, r, DIPLOMATIC, codes, values, count, chosen)
    codes[0], values[0] = HOLD, judged(pt, r, 0.0)
    success = c[C.hybrid_success]
    codes[1] = HYBRID
    values[1] = judged_gamble(pt, r, success, c[C.hybrid_gain], 1.0 - success, 0.0)
    codes[2] = PRESSURE
    values[2] = judged(
        pt,
        r,
        c[C.energy_leverage] * stake * a[r, A.WESTERN_EXPOSURE] + retaliation - pressure_cost,
    )
    settle(pt, rep, r, ECONOMIC, codes, values, 3, chosen)


@rule
def russia_acts(st, pt, rep, action):
    c = pt.calculus
    a, g = rep.a, rep.g
    r = st.challenger
    ceiling = c[C.troop_ceiling]
    intensity = min(1.0, a[r, A.TROOPS] / ceiling) if ceiling else 1.0
    push_rung(rep, ACTION_RUNG_OF[action])
    adversaries = st.adversaries
    if action == BUILD_UP:
        a[r, A.TROOPS] = min(ceiling, a[r, A.TROOPS] + c[C.buildup_rate])
        send_all(rep, r, adversaries, K_BUILD_UP, intensity, c[C.holding_cost])
    elif action == PULL_BACK:
        a[r, A.TROOPS] = max(c[C.peacetime_troops], a[r, A.TROOPS] - c[C.pullback_rate])
        if a[r, A.UNANSWERED_SINCE] < 0 and g[G.TALKS] != AGREEMENT:
            a[r, A.UNANSWERED_SINCE] = g[G.WEEK]
        send_all(rep, r, adversaries, K_PULL_BACK, 1.0 - intensity, c[C.climbdown_cost])
    elif action == DEMANDS:
        first = a[r, A.DEMANDS_PUBLISHED] == 0.0
        a[r, A.DEMANDS_PUBLISHED] = 1.0
        send_all(rep, r, adversaries, K_DEMANDS, 1.0, COST_DEMANDS if first else 0.0)
    elif action == TALKS:
        send_all(rep, r, adversaries, K_TALKS, TALKS_INTENSITY, 0.0)
        g[G.RUSSIA_TALKED] = 1.0
    elif action == HYBRID:
        send(rep, r, st.target, K_HYBRID, INTENSITY_HYBRID, COST_HYBRID)
        g[G.CAPABILITY_GAIN] -= c[C.hybrid_damage]
    elif action == PRESSURE:
        send_all(rep, r, st.suppliers, K_PRESSURE, INTENSITY_PRESSURE, COST_PRESSURE)
        g[G.PRESSURE] = 1.0
        a[r, A.COST] += c[C.energy_pressure_cost] * pt.profiles[r, P.budget_hydrocarbon_share]
    elif action == RECOGNITION:
        a[r, A.RECOGNISED] = 1.0
        send_all(rep, r, adversaries, K_RECOGNITION, 1.0, COST_RECOGNITION)
    elif action == INCURSION:
        a[r, A.INCURSION] = 1.0
        send_all(rep, r, adversaries, K_INCURSION, 1.0, COST_INCURSION)
    elif action == INVADE:
        war_cost = decisions.resisted_war_cost(c[C.war_cost], a[st.target, A.RESOLVE])
        send_all(rep, r, adversaries, K_INVASION, 1.0, war_cost)
        if g[G.INVASION] == 0.0:
            g[G.INVASION] = 1.0
            g[G.INVASION_WEEK] = g[G.WEEK]
            g[G.TALKS] = BROKEN_OFF
    elif action == NUCLEAR:
        send_all(rep, r, adversaries, K_NUCLEAR, 1.0, COST_NUCLEAR)


@rule
def flank_threat(st, pt, rep):
    threshold = pt.world[W.flank_host_exposure]
    found = False
    highest = 0.0
    for s in st.states:
        if pt.profiles[s, P.border_exposure] >= threshold:
            threat = rep.a[s, A.THREAT]
            highest = threat if not found else max(highest, threat)
            found = True
    return highest


@rule
def arms_aid(pt, rep):
    y = pt.policy
    if rep.g[G.INVASION] != 0.0:
        return max(y[Y.arms_aid], y[Y.war_arms_aid])
    return y[Y.arms_aid]


@rule
def state_chooses(st, pt, rep, i, chosen):
    w, y = pt.world, pt.policy
    a, g = rep.a, rep.g
    prof = pt.profiles
    resolve, threat = a[i, A.RESOLVE], a[i, A.THREAT]
    codes = rep.marks[Marks.CODES]
    values = rep.scratch[Scratch.VALUES]
    codes[0], values[0] = HOLD, judged(pt, i, 0.0)
    count = 1
    if not MOVE_RECOGNITION <= a[i, A.SEEN_MOVE] < MOVE_INVASION:
        talks = prof[i, P.diplomacy_preference] * (1.0 - w[W.talks_threat_damping] * threat)
        codes[1], values[1] = TALKS, judged(pt, i, talks)
        count = 2
    settle(pt, rep, i, DIPLOMATIC, codes, values, count, chosen)
    count = 1
    tier = threat_tier(pt, a[i, A.SANCTION_SUPPORT])
    if tier > 0:
        value = (
            resolve * threat * w[W.sanction_threat_value] * HARM_T[tier] - w[W.sanction_threat_cost]
        )
        codes[1], values[1] = SANCTION_THREAT, judged(pt, i, value)
        count = 2
    settle(pt, rep, i, ECONOMIC, codes, values, count, chosen)
    kept = 1.0 - restraint(pt, rep, i)
    aid = arms_aid(pt, rep)
    count = 1
    if prof[i, P.arms_capacity] > 0.0 and aid > 0.0 and not aid_frozen(pt, rep):
        invaded = g[G.INVASION] != 0.0
        provocation = (
            max(0.0, -prof[i, P.risk_attitude]) * w[W.arms_provocation] * (0.0 if invaded else 1.0)
        )
        boost = y[Y.major_systems_appeal] if y[Y.major_systems] != 0.0 else 1.0
        value = (
            kept
            * a[i, A.AID_REQUESTED]
            * prof[i, P.arms_capacity]
            * aid
            * boost
            * resolve
            * threat
            * w[W.arms_value]
            - w[W.arms_option_cost]
            - provocation
        )
        codes[1], values[1] = ARMS, judged(pt, i, value)
        count = 2
    settle(pt, rep, i, AID, codes, values, count, chosen)
    count = 1
    if (
        y[Y.eastern_deployments] != 0.0
        and prof[i, P.deploy_unit] > 0.0
        and a[i, A.DEPLOYED] < prof[i, P.forces]
    ):
        alarm = max(0.0, flank_threat(st, pt, rep) - w[W.prior_intent])
        value = kept * resolve * alarm * w[W.flank_value] - w[W.flank_option_cost]
        codes[1], values[1] = FLANK, judged(pt, i, value)
        count = 2
    settle(pt, rep, i, MILITARY, codes, values, count, chosen)


@rule
def state_acts(st, pt, rep, i, action):
    w, y = pt.world, pt.policy
    a, g = rep.a, rep.g
    prof = pt.profiles
    russia = st.challenger
    if action == SANCTION_THREAT:
        tier = threat_tier(pt, a[i, A.SANCTION_SUPPORT])
        a[i, A.THREATENED] = max(a[i, A.THREATENED], float(tier))
        send(rep, i, russia, K_SANCTION_THREAT, tier / TOP, w[W.threat_audience_cost] * tier)
    elif action == ARMS:
        boost = y[Y.major_systems_intensity] if y[Y.major_systems] != 0.0 else 1.0
        intensity = min(1.0, prof[i, P.arms_capacity] * arms_aid(pt, rep) * boost)
        cost = ARMS_COST * intensity
        send(rep, i, st.target, K_ARMS, intensity, cost)
        send(rep, i, russia, K_ARMS, intensity, cost)
        end = int(g[G.PIPELINE_END])
        if end >= rep.pipeline.shape[0]:
            g[G.OVERFLOW] = 1.0
        else:
            rep.pipeline[end, 0] = g[G.WEEK] + g[G.ARMS_LAG]
            rep.pipeline[end, 1] = y[Y.arms_effect] * intensity
            g[G.PIPELINE_END] = end + 1
        a[i, A.COST] += ARMS_COST * intensity
    elif action == FLANK:
        troops = min(prof[i, P.deploy_unit], prof[i, P.forces] - a[i, A.DEPLOYED])
        a[i, A.DEPLOYED] += troops
        send(rep, i, russia, K_FLANK, min(1.0, troops / FLANK_SIGNAL_TROOPS), FLANK_COST)
        g[G.FLANK_GAIN] += troops
        push_rung(rep, POSTURING)
        a[i, A.COST] += FLANK_COST
    elif action == TALKS:
        send(rep, i, russia, K_TALKS, TALKS_INTENSITY, 0.0)
        g[G.WEST_TALKED] = 1.0
        if int(g[G.LEAD]) == i:
            if a[i, A.DEMANDS_READ] != 0.0:
                send(rep, i, russia, K_WRITTEN, WRITTEN_OFFER[0], WRITTEN_OFFER[1])
            if y[Y.nato_moratorium] != 0.0:
                send(rep, i, russia, K_CONCESSION, CONCESSION_OFFER[0], CONCESSION_OFFER[1])
            if y[Y.freeze_deal] != 0.0:
                send(rep, i, russia, K_FREEZE, FREEZE_OFFER[0], FREEZE_OFFER[1])
                send(rep, i, russia, K_MISSILE, MISSILE_OFFER[0], MISSILE_OFFER[1])


@rule
def union_chooses(st, pt, rep, i, chosen):
    w = pt.world
    a = rep.a
    codes = rep.marks[Marks.CODES]
    values = rep.scratch[Scratch.VALUES]
    codes[0], values[0] = HOLD, judged(pt, i, 0.0)
    codes[1], values[1] = TALKS, judged(pt, i, pt.profiles[i, P.diplomacy_preference])
    settle(pt, rep, i, DIPLOMATIC, codes, values, 2, chosen)
    count = 1
    tier = threat_tier(pt, a[i, A.SANCTION_SUPPORT])
    if tier > 0:
        value = (
            a[i, A.RESOLVE] * a[i, A.THREAT] * w[W.sanction_threat_value] * HARM_T[tier]
            - w[W.sanction_threat_cost]
        )
        codes[1], values[1] = SANCTION_THREAT, judged(pt, i, value)
        count = 2
    settle(pt, rep, i, ECONOMIC, codes, values, count, chosen)


@rule
def union_acts(st, pt, rep, i, action):
    a = rep.a
    if action == SANCTION_THREAT:
        tier = threat_tier(pt, a[i, A.SANCTION_SUPPORT])
        cost = pt.world[W.threat_audience_cost] * tier
        send(rep, i, st.challenger, K_SANCTION_THREAT, tier / TOP, cost)
        for m in st.members:
            a[m, A.THREATENED] = max(a[m, A.THREATENED], float(tier))
    elif action == TALKS:
        send(rep, i, st.challenger, K_TALKS, TALKS_INTENSITY, 0.0)
        rep.g[G.WEST_TALKED] = 1.0


@rule
def ukraine_chooses(st, pt, rep, chosen):
    w = pt.world
    a = rep.a
    u = st.target
    threat, resolve = a[u, A.THREAT], a[u, A.RESOLVE]
    codes = rep.marks[Marks.CODES]
    values = rep.scratch[Scratch.VALUES]
    codes[0], values[0] = HOLD, judged(pt, u, 0.0)
    value = threat * resolve * w[W.mobilisation_value] - w[W.mobilisation_cost]
    codes[1], values[1] = MOBILISATION, judged(pt, u, value)
    success = w[W.donbas_success]
    codes[2] = DONBAS
    values[2] = judged_gamble(pt, u, success, w[W.donbas_gain], 1.0 - success, -w[W.donbas_loss])
    settle(pt, rep, u, MILITARY, codes, values, 3, chosen)
    codes[1], values[1] = AID_REQUEST, judged(pt, u, threat * w[W.aid_request_value])
    codes[2], values[2] = TALKS, judged(pt, u, pt.profiles[u, P.diplomacy_preference])
    minsk = (1.0 - resolve) * threat * w[W.minsk_concession_value] - w[W.minsk_concession_cost]
    codes[3], values[3] = MINSK, judged(pt, u, minsk)
    settle(pt, rep, u, DIPLOMATIC, codes, values, 4, chosen)


@rule
def ukraine_acts(st, pt, rep, action):
    u, russia = st.target, st.challenger
    if action == MOBILISATION:
        rep.g[G.CAPABILITY_GAIN] += pt.world[W.mobilisation_gain]
        send(rep, u, russia, K_MOBILISATION, MOBILISATION_SIGNAL[0], MOBILISATION_SIGNAL[1])
    elif action == AID_REQUEST:
        send_all(rep, u, st.partners, K_AID_REQUEST, rep.a[u, A.THREAT], 0.0)
    elif action == TALKS:
        send(rep, u, russia, K_TALKS, TALKS_INTENSITY, 0.0)
    elif action == MINSK:
        send(rep, u, russia, K_MINSK, MINSK_SIGNAL[0], MINSK_SIGNAL[1])
    elif action == DONBAS:
        send(rep, u, russia, K_DONBAS, DONBAS_SIGNAL[0], DONBAS_SIGNAL[1])
        push_rung(rep, DONBAS_PUSH)


@rule
def headline(chosen):
    best, rank = HOLD, 5
    for track in range(TRACK_COUNT):
        code = chosen[track]
        if code != HOLD and ACTION_SHARPNESS[code] < rank:
            best, rank = code, ACTION_SHARPNESS[code]
    return best


@rule
def step(st, pt, rep, i):
    """An actor's turn: choose on every track, then act."""
    chosen = rep.marks[Marks.CHOSEN, :TRACK_COUNT]
    chosen[:] = HOLD
    role = st.role[i]
    if role == STATE:
        state_chooses(st, pt, rep, i, chosen)
    elif role == UNION:
        union_chooses(st, pt, rep, i, chosen)
    elif role == CHALLENGER:
        russia_chooses(st, pt, rep, chosen)
    else:
        ukraine_chooses(st, pt, rep, chosen)
    a = rep.a
    for track in range(TRACK_COUNT):
        a[i, A.MILITARY + track] = chosen[track]
    a[i, A.ACTION] = headline(chosen)
    for track in range(TRACK_COUNT):
        action = chosen[track]
        if action == HOLD:
            continue
        if role == STATE:
            state_acts(st, pt, rep, i, action)
        elif role == UNION:
            union_acts(st, pt, rep, i, action)
        elif role == CHALLENGER:
            russia_acts(st, pt, rep, action)
        else:
            ukraine_acts(st, pt, rep, action)


# --- consequences --------------------------------------------------------------------------
@rule
def eu_gas_storage(st, pt, rep):
    if st.union >= 0:
        return rep.a[st.union, A.GAS_STORAGE]
    stores = np.empty(st.states.shape[0])
    count = 0
    for s in st.states:
        if pt.profiles[s, P.eu] != 0.0:
            stores[count] = rep.a[s, A.GAS_STORAGE]
            count += 1
    return float_sum(stores, count) / count if count else 0.0


@rule
def gas_price(pt, storage, flow):
    w = pt.world
    lost = max(0.0, w[W.initial_gas_flow] - flow)
    return (
        w[W.gas_price_reference]
        * math.exp(w[W.price_storage_elasticity] * (w[W.reference_storage] - storage))
        * (1.0 + w[W.price_flow_elasticity] * lost)
    )


@rule
def update_talks(st, pt, rep):
    g, a = rep.g, rep.a
    talks = g[G.TALKS]
    both = g[G.RUSSIA_TALKED] != 0.0 and g[G.WEST_TALKED] != 0.0
    either = g[G.RUSSIA_TALKED] != 0.0 or g[G.WEST_TALKED] != 0.0
    if g[G.INVASION] != 0.0:
        if both:
            g[G.TALKS] = max(float(CONTACTS), min(talks + 1.0, float(NEGOTIATION)))
        return
    r = st.challenger
    offered = a[r, A.FREEZE_OFFERED] != 0.0 or a[r, A.MORATORIUM_OFFERED] != 0.0
    seen = a[int(g[G.LEAD]), A.PULL_BACK_WEEK] == g[G.WEEK]
    if seen and offered and talks >= FORMAL:
        g[G.TALKS] = AGREEMENT
    elif talks == AGREEMENT:
        pass
    elif both:
        g[G.TALKS] = min(max(talks, float(NO_TALKS)) + 1.0, float(NEGOTIATION))
        g[G.WEEKS_SINCE_TALKS] = 0.0
    elif either:
        g[G.TALKS] = max(talks, float(CONTACTS))
        g[G.WEEKS_SINCE_TALKS] = 0.0
    else:
        g[G.WEEKS_SINCE_TALKS] += 1.0
        lapsed = g[G.WEEKS_SINCE_TALKS] >= pt.world[W.talks_lapse_weeks]
        if lapsed and talks > NO_TALKS:
            g[G.TALKS] = talks - 1.0
            g[G.WEEKS_SINCE_TALKS] = 0.0


@rule
def update_sanctions(st, pt, rep):
    g, a = rep.g, rep.a
    target = float(int(coalition_tier(st, pt, rep, A.SANCTION_BACKING)))
    previous = g[G.SANCTION_TIER]
    if target > previous:
        g[G.SANCTION_TIER] = target
    elif target < previous:
        g[G.SANCTION_TIER] = previous - 1.0
    tier = g[G.SANCTION_TIER]
    if tier <= previous:
        return
    intensity = tier / TOP
    count = st.states.shape[0] + (1 if st.union >= 0 else 0)
    for k in range(count):
        i = st.states[k] if k < st.states.shape[0] else st.union
        if a[i, A.SANCTION_BACKING] < tier:
            continue
        a[i, A.ECONOMIC] = SANCTIONS
        chosen = np.empty(TRACK_COUNT, dtype=np.int64)
        for track in range(TRACK_COUNT):
            chosen[track] = int(a[i, A.MILITARY + track])
        a[i, A.ACTION] = headline(chosen)
        cost = tier_cost(pt, rep, i, int(tier)) if st.role[i] == STATE else EU_SANCTIONS_COST
        send(rep, i, st.challenger, K_SANCTIONS, intensity, cost)
        for t in range(st.tie_count[i]):
            send(rep, i, st.tie_ally[i, t], K_SANCTIONS, intensity, cost)


@rule
def hard_line(a, i):
    hardness = -1.0
    for track in range(TRACK_COUNT):
        code = int(a[i, A.MILITARY + track])
        if code != HOLD and code != NONE:
            hardness = max(hardness, ACTION_HARDNESS[code])
    if hardness < 0.0:
        hardness = ACTION_HARDNESS[HOLD]
    return 0.5 * a[i, A.SANCTION_SUPPORT] / TOP + 0.5 * hardness


@rule
def consequences(st, pt, rep):
    """The week's consequences: forces, aid, sanctions, gas, ties, talks and the ladder."""
    w, c = pt.world, pt.calculus
    g, a = rep.g, rep.a
    week = g[G.WEEK]
    arrived = 0.0
    pipeline = rep.pipeline
    while g[G.PIPELINE_HEAD] < g[G.PIPELINE_END] and pipeline[int(g[G.PIPELINE_HEAD]), 0] <= week:
        arrived += pipeline[int(g[G.PIPELINE_HEAD]), 1]
        g[G.PIPELINE_HEAD] += 1.0
    growth = 0.0 if aid_frozen(pt, rep) else w[W.capability_growth]
    g[G.UKRAINE_CAPABILITY] = max(
        0.0, g[G.UKRAINE_CAPABILITY] + growth + g[G.CAPABILITY_GAIN] + arrived
    )
    r = st.challenger
    if a[r, A.TROOPS] > c[C.peacetime_troops]:
        push_rung(rep, POSTURING)
    a[r, A.COST] += c[C.holding_cost] * a[r, A.TROOPS] / TROOP_UNIT
    g[G.FLANK_TROOPS] += g[G.FLANK_GAIN]
    update_talks(st, pt, rep)
    update_sanctions(st, pt, rep)
    if g[G.NORD_STREAM_2_SUSPENDED] == 0.0:
        for s in st.states:
            if pt.profiles[s, P.nord_stream_2_host] != 0.0 and a[s, A.SANCTION_BACKING] >= 1.0:
                g[G.NORD_STREAM_2_SUSPENDED] = 1.0
                break
    flow = g[G.GAS_FLOW]
    if g[G.PRESSURE] != 0.0:
        flow = max(0.0, flow - w[W.pressure_cut])
    elif flow < w[W.initial_gas_flow]:
        flow = min(w[W.initial_gas_flow], flow + w[W.flow_recovery])
    if g[G.SANCTION_TIER] >= ENERGY:
        flow = min(flow, w[W.embargo_flow])
    g[G.GAS_FLOW] = flow
    load = pt.load[int(week)]
    lng = pt.policy[Y.lng_alternatives]
    for i in st.importers:
        prof = pt.profiles[i]
        uncovered = prof[P.gas_import_share] * (1.0 - lng)
        seasonal = w[W.storage_injection_base] - w[W.storage_withdrawal_peak] * load * (
            SEASONAL_FACTOR * prof[P.winter_sensitivity]
        )
        shortfall = w[W.supply_shortfall_effect] * uncovered * max(0.0, 1.0 - flow)
        value = a[i, A.GAS_STORAGE] + (seasonal - shortfall)
        a[i, A.GAS_STORAGE] = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
    g[G.ENERGY_PRICE] = gas_price(pt, eu_gas_storage(st, pt, rep), flow)
    tier = g[G.SANCTION_TIER]
    a[r, A.COST] += sanction_cost(st, rep, tier) / SANCTION_COST_WEEKS
    for s in st.states:
        a[s, A.COST] += tier_cost(pt, rep, s, int(tier)) / SANCTION_COST_WEEKS
    rate = w[W.tie_learning_rate]
    ties = rep.ties
    for e in range(st.edge_u.shape[0]):
        alignment = 1.0 - 2.0 * abs(hard_line(a, st.edge_u[e]) - hard_line(a, st.edge_v[e]))
        tie = ties[e]
        tie += rate * alignment * ((1.0 - tie) if alignment > 0 else tie)
        ties[e] = 0.0 if tie < 0.0 else 1.0 if tie > 1.0 else tie
    pushed = int(g[G.PUSHED_RUNG])
    level = max(int(g[G.RUNG]), pushed)
    hazard = w[W.brinkmanship_hazard] * (level - HAZARD_BASE)
    at_war = FULL_SCALE <= level < NUCLEAR_RUNG
    if at_war and hazard > 0.0:
        draw = draw_uniform(rep.key[0], rep.key[1], int(week), Purpose.BRINKMANSHIP, 0)
        if draw < hazard:
            pushed = level + 1
            if pushed >= NUCLEAR_RUNG:
                for s in st.states:
                    a[s, A.NUCLEAR_FEAR] = 1.0
    previous = int(g[G.RUNG])
    rung = pushed if pushed >= previous else max(pushed, previous - 1)
    if g[G.INVASION] != 0.0:
        rung = max(rung, FULL_SCALE)
    g[G.RUNG] = min(rung, NUCLEAR_RUNG)
    if g[G.RUNG] >= CLASH:
        a[r, A.NATO_THREAT] = 1.0


# --- a replicate ---------------------------------------------------------------------------
@rule
def remember_views(rep):
    a = rep.a
    for i in range(a.shape[0]):
        a[i, A.LAST_RESOLVE] = a[i, A.RESOLVE]
        a[i, A.LAST_BELIEF] = a[i, A.BELIEF]


@rule
def begin(st, pt, rep):
    """Week 0: the actors' starting state, then a first look."""
    w, c, y = pt.world, pt.calculus, pt.policy
    g, a = rep.g, rep.a
    prof = pt.profiles
    g[:] = 0.0
    a[:, :] = 0.0
    rep.lines[:, :] = 0.0
    rep.imposed[:, :] = 0.0
    g[G.INVASION_WEEK] = -1.0
    g[G.GAS_FLOW] = w[W.initial_gas_flow]
    g[G.UKRAINE_CAPABILITY] = INITIAL_UKRAINE_CAPABILITY
    g[G.FLANK_TROOPS] = w[W.initial_flank_troops]
    training = y[Y.major_systems_training_weeks] if y[Y.major_systems] != 0.0 else 0.0
    g[G.ARMS_LAG] = y[Y.arms_delivery_lag] + max(y[Y.training_weeks], training)
    r, u = st.challenger, st.target
    for i in range(a.shape[0]):
        a[i, A.RESOLVE] = prof[i, P.resolve]
        a[i, A.GAS_STORAGE] = prof[i, P.gas_storage]
        a[i, A.ACTION] = NONE
        for track in range(TRACK_COUNT):
            a[i, A.MILITARY + track] = NONE
    lead = -1
    for s in st.states:
        a[s, A.BELIEF] = w[W.prior_intent]
        a[s, A.GAS_FEAR] = w[W.gas_retaliation_risk]
        a[s, A.SEEN_TROOPS] = prof[r, P.forces]
        a[s, A.PULL_BACK_WEEK] = -1.0
        if lead < 0 or prof[s, P.economic_weight] > prof[lead, P.economic_weight]:
            lead = s
    g[G.LEAD] = lead
    a[u, A.BELIEF] = w[W.target_prior_intent]
    a[r, A.TROOPS] = prof[r, P.forces]
    a[r, A.NATO_THREAT] = c[C.prior_nato_threat]
    a[r, A.DEAL_PROSPECT] = c[C.prior_deal_prospect]
    a[r, A.OFFER_TRUST] = 1.0
    a[r, A.UNANSWERED_SINCE] = -1.0
    a[r, A.LAST_MILITARY_BEST] = HOLD
    intelligence = draw_normal(rep.key[0], rep.key[1], 0, Purpose.INTELLIGENCE, 0)
    error = c[C.capability_bias] + c[C.capability_misjudgement] * intelligence
    a[r, A.CAPABILITY_ERROR] = max(CAPABILITY_ERROR_FLOOR, error)
    bites = np.empty(len(BITES))
    for k in range(len(BITES)):
        bites[k] = BITES[k]
    bites[SWIFT] *= 1.0 - c[C.swift_alternatives]
    bites[ENERGY] = prof[r, P.budget_hydrocarbon_share]
    for k in range(len(BITES)):
        rep.bites[k] = float_sum(bites, k + 1)
    a[r, A.SANCTION_SCALE] = c[C.sanction_cost_scale] * (1.0 - prof[r, P.cost_tolerance])
    rep.ties[:] = w[W.initial_tie_strength]
    g[G.ENERGY_PRICE] = gas_price(pt, eu_gas_storage(st, pt, rep), g[G.GAS_FLOW])
    remember_views(rep)
    assess(st, pt, rep)


@rule
def open_week(st, pt, rep):
    """The week up to the actors' turns: last week's signals delivered
    and read, the choice draws made; returns the order the actors take their turns in."""
    g = rep.g
    g[G.WEEK] += 1.0
    week = int(g[G.WEEK])
    g[G.PUSHED_RUNG] = STATUS_QUO
    g[G.CAPABILITY_GAIN] = 0.0
    g[G.FLANK_GAIN] = 0.0
    g[G.RUSSIA_TALKED] = 0.0
    g[G.WEST_TALKED] = 0.0
    g[G.PRESSURE] = 0.0
    deliver(st, pt, rep)
    remember_views(rep)
    assess(st, pt, rep)
    k0, k1 = rep.key[0], rep.key[1]
    fill_uniforms(k0, k1, week, Purpose.CHOICE, rep.draws)
    order_draws = np.empty(st.role.shape[0])
    fill_uniforms(k0, k1, week, Purpose.ORDER, order_draws)
    return np.argsort(order_draws, kind="mergesort")


@rule
def advance(st, pt, rep):
    """One week: opened, every actor's turn in the week's order, then its consequences."""
    for slot in open_week(st, pt, rep):
        step(st, pt, rep, slot)
    consequences(st, pt, rep)


@rule
def record(st, pt, rep, model_row, agent_numbers, agent_codes, number_fields, code_fields):
    """The week's rows of the model and agents tables (`process.layout.MODEL_NUMBERS`)."""
    g, a = rep.g, rep.a
    r = st.challenger
    model_row[0] = g[G.RUNG]
    model_row[1] = a[r, A.TROOPS]
    model_row[2] = g[G.UKRAINE_CAPABILITY]
    model_row[3] = g[G.FLANK_TROOPS]
    model_row[4] = g[G.INVASION]
    model_row[5] = g[G.SANCTION_TIER]
    model_row[6] = g[G.TALKS]
    model_row[7] = eu_gas_storage(st, pt, rep)
    model_row[8] = g[G.GAS_FLOW]
    model_row[9] = g[G.ENERGY_PRICE]
    model_row[10] = cohesion(st, rep)
    head, end = int(g[G.PIPELINE_HEAD]), int(g[G.PIPELINE_END])
    model_row[11] = float_sum(rep.pipeline[head:end, 1], end - head)
    model_row[12] = g[G.NORD_STREAM_2_SUSPENDED]
    model_row[13] = a[r, A.EXPECTED_TIER]
    model_row[14] = a[r, A.EXPECTED_TIER_INCURSION]
    model_row[15] = a[r, A.INVASION_ODDS]
    for row in range(st.observe_order.shape[0]):
        i = st.observe_order[row]
        for k in range(number_fields.shape[0]):
            agent_numbers[row, k] = a[i, number_fields[k]]
        for k in range(code_fields.shape[0]):
            agent_codes[row, k] = a[i, code_fields[k]]
