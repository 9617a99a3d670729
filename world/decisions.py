"""The decision rules, as pure functions of numbers: actor state in, values or choices out.

No model objects cross this boundary, and each is compiled (`world.compiled.rule`), so one
Mesa run and the ensemble engine's thousands of stacked replicates call the same machine code.
Sequences come in as tuples or arrays; sums are Python's (`float_sum`). Each function says
which theory it draws on; docs/ODD.md §4 and §7 give the citations and the parameters' sources.
"""

from __future__ import annotations

import math

import numpy as np

from world.choice import gamble_value
from world.compiled import Numbers, compiled_as, float_sum, rule
from world.ladder import RussianMove, SanctionTier

_RECOGNITION = int(RussianMove.RECOGNITION)
_INCURSION = int(RussianMove.LIMITED_INCURSION)
_INVASION = int(RussianMove.INVASION)
_NO_SANCTIONS = int(SanctionTier.NONE)

#: Weeks ahead at which Russia weighs invading later instead of now (up to its horizon): the
#: near weeks one by one, then coarser, as a planner would.
LOOKAHEAD = (1, 2, 3, 4, 6, 8, 10, 13, 17, 21, 26, 39, 52)


# --- Russia: the war calculus ------------------------------------------------------------
@rule
def success_odds(
    troops: float, capability: float, even_odds_troops: float, steepness: float
) -> float:
    """Contest function (Tullock form): even odds at ``even_odds_troops`` × ``capability``."""
    if troops <= 0.0:
        return 0.0
    ratio = even_odds_troops * capability / troops
    if ratio <= 0.0:
        return 1.0  # nothing to fight against
    if ratio > 1.0 and steepness * math.log(ratio) > 709.0:
        return 0.0  # a token force against a real army: no chance at all (the power overflows)
    return 1.0 / (1.0 + ratio**steepness)


@rule
def ground_factor(day_of_year: float, peak_day: float, half_width: float, penalty: float) -> float:
    """Share of an attacking force's weight the ground leaves it: all of it on frozen or dry
    ground, ``penalty`` less at the height of the spring thaw (rasputitsa), which turns
    unpaved ground to mud for weeks around ``peak_day``."""
    distance = abs((day_of_year - peak_day + 182.625) % 365.25 - 182.625)
    if distance >= half_width or half_width <= 0.0:
        return 1.0
    return 1.0 - penalty * 0.5 * (1.0 + math.cos(math.pi * distance / half_width))


@rule
def sanction_cost(tier: float, cumulative_bites: Numbers, scale: float) -> float:
    """Russia's cost of a (possibly fractional, believed) cumulative sanction tier."""
    top = len(cumulative_bites) - 1
    tier = 0.0 if tier < 0.0 else float(top) if tier > top else tier
    whole = int(tier)
    total = cumulative_bites[whole]
    if whole < top:
        total += (tier - whole) * (cumulative_bites[whole + 1] - total)
    return scale * total


@rule
def resisted_war_cost(war_cost: float, target_resolve: float) -> float:
    """What winning costs: the main costs of an assault are inflicted by the Ukrainian
    military and partisans (002), so they grow with the resolve Ukraine fights with."""
    return war_cost * target_resolve


@rule
def war_lottery(
    odds: float,
    stake: float,
    war_cost: float,
    failure_cost: float,
    further_costs: float,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """An invasion as a gamble against the status quo: win the stake or bog down.

    ``further_costs`` are what the war adds whatever its course: the sanctions beyond those
    already in force (imposed sanctions are sunk and no longer deter, Schelling 1966), the
    loss of Nord Stream 2, the risk of NATO involvement.
    """
    return (
        (odds, stake - war_cost - further_costs),
        (1.0 - odds, -failure_cost - further_costs),
    )


@rule
def projected_capability(
    capability: float, growth: float, arms_trend: float, arms_lag: float, weeks: float
) -> float:
    """Ukraine's capability ``weeks`` ahead as Russia projects it: its own growth plus the
    deliveries Russia sees coming, which work only once shipped and trained on (004)."""
    arriving = weeks - arms_lag
    return capability + growth * weeks + (arms_trend * arriving if arriving > 0.0 else 0.0)


@rule
def waiting_value(
    troops: float,
    buildup_rate: float,
    troop_ceiling: float,
    capability: float,
    growth: float,
    arms_trend: float,
    arms_lag: float,
    horizon: float,
    discount: float,
    holding_cost_per_troop: float,
    even_odds_troops: float,
    steepness: float,
    stake: float,
    war_cost: float,
    failure_cost: float,
    further_costs: float,
    deal_chance: float,
    deal_value: float,
    exit_cost: float,
    day_of_year: float,
    thaw_peak: float,
    thaw_width: float,
    thaw_penalty: float,
    risk_attitude: float,
    loss_aversion: float,
    curvature: float,
    prospect_theory: bool,
) -> float:
    """The value of not invading this week, with ``troops`` massed (Fearon 1995; Powell 2006).

    Three kinds of plan are weighed. Climbing down: pay ``exit_cost`` (the audience cost of
    a bluff called, 002) and stop paying for the troops. Coercion: hold the troops over the
    horizon, paying for them, each week with a chance of a deal worth ``deal_value``: the
    hope of one (``deal_chance``) times the odds an attack would have (a threat is worth what
    stands behind it). A deal is won once and ends the plan, so each later week counts only
    if none has come yet. Or invade in h weeks, with the troops massed meanwhile
    (``buildup_rate`` a week up to the ceiling) and a deal still possible, against a Ukraine
    that grows stronger, all discounted by ``discount`` a week. A window that closes
    (Ukraine's capability growing faster than Russia's odds can, or the spring thaw coming:
    ``thaw_*`` are its peak day, half-width in days and penalty) makes later invasions worth
    less than the present one.
    """
    peak, width, penalty = thaw_peak, thaw_width, thaw_penalty
    ground = ground_factor(day_of_year, peak, width, penalty)
    odds_now = success_odds(troops * ground, capability, even_odds_troops, steepness)
    deal_now = min(1.0, deal_chance * odds_now)
    weekly_now = deal_now * deal_value - holding_cost_per_troop * troops
    # Coercion alone: the same week after week until a deal, discounted (an annuity over the
    # horizon whose weeks each survive with the chance that no deal came before).
    weeks = int(horizon)
    best = max(weekly_now * annuity(discount * (1.0 - deal_now), weeks), -exit_cost)
    for ahead in LOOKAHEAD:
        if ahead > horizon:
            break
        future_troops = min(troop_ceiling, troops + buildup_rate * ahead)
        future = projected_capability(capability, growth, arms_trend, arms_lag, ahead)
        ground = ground_factor(day_of_year + 7.0 * ahead, peak, width, penalty)
        odds = success_odds(future_troops * ground, future, even_odds_troops, steepness)
        deal_then = min(1.0, deal_chance * odds)
        # The weeks until then, at the mean of their first and last week's net flow and chance
        # of a deal; the war is fought only if no deal came first.
        weekly_then = deal_then * deal_value - holding_cost_per_troop * future_troops
        meanwhile = 0.5 * (weekly_now + weekly_then)
        kept = discount * (1.0 - 0.5 * (deal_now + deal_then))
        (p_win, win), (p_lose, lose) = war_lottery(
            odds, stake, war_cost, failure_cost, further_costs
        )
        value = gamble_value(
            p_win, win, p_lose, lose, risk_attitude, loss_aversion, curvature, prospect_theory
        )
        later = meanwhile * annuity(kept, ahead) + kept ** float(ahead) * value
        if later > best:
            best = later
    return best


@rule
def annuity(kept: float, weeks: int) -> float:
    """What a flow of one a week is worth over ``weeks``, each week kept at ``kept`` of the
    one before (time discount times the chance the plan is still running)."""
    return (1.0 - kept ** float(weeks)) / (1.0 - kept) if kept < 1.0 else float(weeks)


@rule
def spiral_stake(stake: float, threat: float, prior: float, gain: float) -> float:
    """The stake as the threat Russia reads moves from its prior (Jervis's spiral model).

    Defensive moves read as offensive make control of Ukraine worth more to the one who reads
    them: the same moves that raise the cost of a clash raise what the war is for.
    """
    return max(0.0, stake * (1.0 + gain * (threat - prior)))


@rule
def deal_chance(deal_prospect: float, offered: bool, discount: float) -> float:
    """The weekly chance of a deal per unit of the odds behind the threat: the hope of one,
    discounted while nothing is on offer (000: the build-up brought the US to the table)."""
    return deal_prospect * (1.0 if offered else discount)


# --- Western states: what to back, threaten and send ------------------------------------
def _tier_costs_written_out(tier_costs_west, energy_exposure, retaliation_risk, cost_weight):
    top = len(tier_costs_west) - 1
    costs = np.empty(top + 1)
    for tier in range(top + 1):
        exposure = (
            energy_exposure if tier == top else energy_exposure * retaliation_risk * tier / top
        )
        costs[tier] = cost_weight * (tier_costs_west[tier] + exposure)
    return costs


@compiled_as(_tier_costs_written_out)
def tier_costs(
    tier_costs_west: Numbers,
    energy_exposure: float,
    retaliation_risk: float,
    cost_weight: float,
) -> Numbers:
    """A sanctioner's own cost of each cumulative tier, weighted by how much it minds costs.

    Every tier risks Russian retaliation on gas, in proportion to the tier's share of the
    ladder and the sanctioner's exposure; the energy embargo costs the whole exposure (001:
    Germany 'will struggle if Russia cuts off oil or gas in response to sanctions'). A list
    as Python, an array compiled (`_tier_costs_written_out`).
    """
    top = len(tier_costs_west) - 1
    return [
        cost_weight
        * (
            direct
            + (energy_exposure if tier == top else energy_exposure * retaliation_risk * tier / top)
        )
        for tier, direct in enumerate(tier_costs_west)
    ]


@rule
def confirmed(belief: float, evidence: float, weight: float) -> float:
    """A belief that the other side will do harm, after it has done some: moved toward
    certainty by the deed's perceived intensity times the weight it is read with, never down.

    An importer's fear of a gas cut after a squeeze; Russia's grievance at sanctions imposed.
    """
    return belief + weight * evidence * (1.0 - belief)


@rule
def backed_tier(
    push: float,
    harm: Numbers,
    costs: Numbers,
    committed: float,
    audience_cost: float,
    allies_tier: float,
    solidarity: float,
    reserve: float,
) -> int:
    """The cumulative tier that best trades harm to Russia against own cost.

    ``push`` is how much the sanctioner wants Russia hurt, given what Russia has done;
    falling short of a tier it has ``committed`` to publicly costs it ``audience_cost`` per
    tier (tying hands, Fearon 1997); diverging from its allies' line (tie-weighted) costs
    ``solidarity`` per tier; ``reserve`` is the deterrent value forgone per unit of harm by
    imposing now what is better held over Russia as a threat (the hostage, Schelling 1966).
    Ties go to the lower tier.
    """
    best, best_net = 0, -1e300
    held = min(max(int(committed), 0), len(harm) - 1)  # a line carried out is no reserve
    for tier in range(len(harm)):
        net = (
            push * harm[tier]
            - reserve * max(0.0, harm[tier] - harm[held])
            - costs[tier]
            - audience_cost * max(0.0, committed - tier)
            - solidarity * abs(tier - allies_tier)
        )
        if net > best_net + 1e-12:
            best, best_net = tier, net
    return best


def _pulled_written_out(own, allies, ties, influence):
    count = len(ties)
    weight = float_sum(ties, count)
    if weight <= 0.0 or influence <= 0.0:
        return own
    products = np.empty(count)
    for i in range(count):
        products[i] = allies[i] * ties[i]
    mean = float_sum(products, count) / weight
    return own + influence * (mean - own)


@compiled_as(_pulled_written_out)
def pulled_toward_allies(own: float, allies: Numbers, ties: Numbers, influence: float) -> float:
    """``own`` moved toward the tie-weighted mean of the allies' values (shared intelligence
    and consultation: the stronger the tie, the more an ally's view counts). Compiled, the
    sums are written out (`_pulled_written_out`). Python's compensated sum is for floats as
    such, so NumPy's numbers are made floats first."""
    weight = sum([float(t) for t in ties])
    if weight <= 0.0 or influence <= 0.0:
        return own
    mean = sum([float(v) * float(w) for v, w in zip(allies, ties, strict=True)]) / weight
    return own + influence * (mean - own)


@rule
def consensus_quantile(base: float, cohesion: float, slope: float) -> float:
    """The quantile of members' tiers the Union imposes: a cohesive Union carries its laggards
    along, a divided one is held to its most restrained member (unanimity)."""
    q = base + slope * (cohesion - 0.5)
    return 0.0 if q < 0.0 else 1.0 if q > 1.0 else q


@rule
def consent_tier(tiers: Numbers, weights: Numbers, dissent: float) -> float:
    """The highest tier backed by members holding at least ``1 - dissent`` of the weight.

    ``dissent`` 0 is unanimity (the most restrained member decides); the weights are the
    members' economic weight, so a large economy that holds back (Germany, 001) holds the
    Union back more than a small one.
    """
    count = len(tiers)
    total = float_sum(weights, count)
    if count == 0 or total <= 0.0:
        return 0.0
    needed = (1.0 - dissent) * total - 1e-9 * total
    backing = 0.0
    for i in _descending(tiers, weights):
        backing += weights[i]
        if backing >= needed:
            return float(tiers[i])
    lowest = float(tiers[0])
    for tier in tiers:
        lowest = min(lowest, float(tier))
    return lowest


def _descending_written_out(first, second):
    count = len(first)
    order = np.arange(count)
    for i in range(1, count):
        j = i
        while j > 0 and (
            first[order[j]] > first[order[j - 1]]
            or (first[order[j]] == first[order[j - 1]] and second[order[j]] > second[order[j - 1]])
        ):
            order[j], order[j - 1] = order[j - 1], order[j]
            j -= 1
    return order


@compiled_as(_descending_written_out)
def _descending(first, second):
    """The indices of (first[i], second[i]) pairs, largest first, as ``sorted(zip(first,
    second), reverse=True)`` orders them (equal pairs are equal, so their order is moot);
    compiled, an insertion sort (`_descending_written_out`)."""
    ranked = sorted(zip(first, second, range(len(first)), strict=True), reverse=True)
    return [i for _, _, i in ranked]


@rule
def union_consent_tier(
    tiers: Numbers,
    weights: Numbers,
    dissent: float,
    energy_dissent: float,
    energy_tier: float,
) -> float:
    """The Union's tier, with the energy embargo held to a stricter consent than the rest.

    Below ``energy_tier`` the members' consent rule decides (`consent_tier`). Cutting off
    Russian oil and gas costs the dependent members most, so it needs members holding at
    least ``1 - energy_dissent`` of the weight (004: "the truly nuclear sanctions against the
    oil and gas industry are not likely due to European dependency on gas"); a Union short
    of that stops one tier below the embargo.
    """
    tier = consent_tier(tiers, weights, dissent)
    if tier < energy_tier:
        return tier
    if consent_tier(tiers, weights, min(dissent, energy_dissent)) >= energy_tier:
        return tier
    return energy_tier - 1.0


@rule
def nuclear_threat_lottery(
    success: float, stake: float, nato_threat: float, cost: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """A nuclear threat in war as a gamble: if it works, it buys the share of the stake the
    NATO threat puts at risk (Western restraint: less aid, softer sanctions); if not, it
    costs the stake in standing. Either way it costs ``cost`` (reputation, China's unease)."""
    return (
        (success, stake * nato_threat - cost),
        (1.0 - success, -stake - cost),
    )


@rule
def threatened_tier(line: int, policy_threat: int) -> int:
    """The tier an actor threatens Russia with: the policy's threat once it backs any tier
    against an invasion (its line), none while it backs nothing (a threat it would not carry
    out is not made)."""
    return policy_threat if line > _NO_SANCTIONS else _NO_SANCTIONS


@rule
def committed_tier(
    seen_move: int,
    threatened: int,
    line: int,
    tier_for_recognition: int,
    tier_for_incursion: int,
) -> int:
    """The tier a sanctioner has tied to what it has seen Russia do (a `RussianMove`).

    For an invasion, its own threat. For the lesser moves, the West's declared lines, which
    bind it as far as it backs sanctions at all: up to the larger of what it has threatened
    and its own line for an invasion (a state that would not punish a war is not bound to
    punish a recognition; one that would is, whether or not it has yet said so).
    """
    if seen_move >= _INVASION:
        return threatened
    bound = max(threatened, line)
    if seen_move == _INCURSION:
        return min(tier_for_incursion, bound)
    if seen_move == _RECOGNITION:
        return min(tier_for_recognition, bound)
    return 0
