"""Typed, validated parameter schema: every tunable quantity of the model lives here.

Each field carries its unit, its allowed range and a one-line meaning in its metadata, so the
scenario loader, the override mechanism and the documentation all read the same source.
Defaults for the world, Russia's invasion calculus and Western policy sit on the dataclasses;
actor profiles have no meaningful generic default and come from ``scenarios/baseline.toml``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from world.signals import Kind

ROLES = ("challenger", "target", "state", "union")


def param(default: Any, lo: float | None, hi: float | None, unit: str, meaning: str) -> Any:
    """A dataclass field with the metadata the loader validates against."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "unit": unit, "meaning": meaning})


@dataclass(frozen=True, slots=True)
class World:
    """Mechanism settings shared by every actor."""

    start_date: dt.date = param(dt.date(2021, 11, 1), None, None, "date", "date of week 0")
    weeks: int = param(26, 1, 520, "weeks", "default horizon")
    misperception: float = param(
        0.15, 0.0, 1.0, "sd of intensity", "noise on received signals and security-dilemma bias"
    )
    choice_temperature: float = param(
        0.02, 0.005, 5.0, "utility units", "logit choice noise; low means near-optimising"
    )
    muted_signals: str = field(
        default="",
        metadata={
            "lo": None,
            "hi": None,
            "unit": "comma-separated signal kinds",
            "meaning": "kinds of signal sent but never delivered (to switch a signal off)",
            "items": tuple(str(k) for k in Kind),
        },
    )
    prospect_theory: bool = param(
        True, None, None, "switch", "judge outcomes against the status quo with loss aversion"
    )
    value_curvature: float = param(0.88, 0.2, 1.0, "exponent", "prospect-theory value curvature")
    belief_learning_rate: float = param(
        0.35,
        0.0,
        1.0,
        "fraction/week",
        "how far one fully credible signal moves a belief (and Russia's arms trend a week)",
    )
    cheap_talk_credibility: float = param(
        0.25, 0.0, 1.0, "fraction", "credibility of a signal that costs its sender nothing"
    )
    credibility_scale: float = param(
        0.05, 0.001, 10.0, "utility units", "sender cost at which a signal is half-way credible"
    )
    brinkmanship_hazard: float = param(
        0.02, 0.0, 0.5, "probability/week/rung", "chance of an unintended step up above rung 3"
    )
    tie_learning_rate: float = param(
        0.08, 0.0, 1.0, "fraction/week", "how fast alliance ties follow (dis)agreement"
    )
    alliance_influence: float = param(
        0.3,
        0.0,
        1.0,
        "fraction/week",
        "how far a state's belief and resolve move toward its allies' (tie-weighted) each week",
    )
    cohesion_consensus_slope: float = param(
        1.0,
        0.0,
        2.0,
        "quantile per unit cohesion",
        "how far cohesion moves the EU's consensus rule",
    )
    solidarity_weight: float = param(
        0.01, 0.0, 1.0, "utility per tier", "cost of backing a tier away from allies' line"
    )
    threat_audience_cost: float = param(
        0.03,
        0.0,
        1.0,
        "utility per tier",
        "cost of imposing less than the tier publicly tied to what Russia has done",
    )
    deterrent_reserve: float = param(
        1.0,
        0.0,
        5.0,
        "utility per unit of harm",
        "deterrent value lost by imposing before an invasion what is held over Russia as a threat",
    )
    gas_retaliation_risk: float = param(
        0.5,
        0.0,
        1.0,
        "share of exposure at the top tier",
        "expected Russian gas retaliation a sanction package invites, below the embargo",
    )
    cost_fatigue: float = param(
        0.3, 0.0, 20.0, "resolve per utility", "resolve a state loses per unit of accumulated cost"
    )
    initial_tie_strength: float = param(
        0.8, 0.0, 1.0, "trust 0-1", "weight of NATO and EU ties at week 0"
    )
    eu_consensus_quantile: float = param(
        0.25,
        0.0,
        1.0,
        "quantile",
        "share of EU members' GDP that may dissent from the Union's tier at cohesion 0.5"
        " (0: unanimity)",
    )
    energy_consensus_quantile: float = param(
        0.1,
        0.0,
        1.0,
        "quantile",
        "share of EU members' GDP that may dissent from an energy embargo (stricter of this and"
        " the Union's rule)",
    )
    coalition_threshold: float = param(
        0.65, 0.0, 1.0, "GDP share", "share of sanctioning GDP that must back a tier to impose it"
    )
    storage_withdrawal_peak: float = param(
        0.036, 0.0, 0.2, "storage fraction/week", "net withdrawal at the coldest week"
    )
    storage_injection_base: float = param(
        0.006, -0.1, 0.1, "storage fraction/week", "net injection offsetting seasonal demand"
    )
    coldest_day: int = param(15, 1, 365, "day of year", "peak of seasonal gas demand")
    supply_shortfall_effect: float = param(
        0.06, 0.0, 0.5, "storage fraction/week", "extra withdrawal when Russian flow stops"
    )
    initial_gas_flow: float = param(
        0.8, 0.0, 1.0, "fraction of contract", "Russian pipeline flow to Europe at week 0"
    )
    gas_price_reference: float = param(
        90.0, 1.0, 1000.0, "EUR/MWh", "TTF price at the reference storage level"
    )
    reference_storage: float = param(
        0.6, 0.0, 1.0, "fraction", "storage fill at which the price equals the reference"
    )
    price_storage_elasticity: float = param(
        1.0, 0.0, 20.0, "1/fraction", "log-price rise per unit of storage shortfall"
    )
    price_flow_elasticity: float = param(
        1.0, 0.0, 20.0, "1/fraction", "relative price rise per unit of lost Russian flow"
    )
    initial_flank_troops: float = param(
        8000.0, 0.0, 1e6, "troops", "NATO troops on the eastern flank at week 0"
    )
    thaw_penalty: float = param(
        0.3,
        0.0,
        0.9,
        "fraction of force",
        "share of an attacking force's weight lost at the height of the spring thaw",
    )
    thaw_peak_day: int = param(
        80, 1, 365, "day of year", "height of the spring thaw (rasputitsa) in Ukraine"
    )
    thaw_half_width: float = param(
        35.0, 0.0, 120.0, "days", "days either side of the peak over which the thaw bites"
    )
    capability_growth: float = param(
        0.004, 0.0, 0.1, "capability/week", "Ukraine's growth from training and reform alone"
    )
    mobilisation_gain: float = param(
        0.01, 0.0, 0.1, "capability/week", "capability a week of Ukrainian mobilisation adds"
    )
    talks_lapse_weeks: int = param(
        4, 1, 52, "weeks", "weeks without talks after which the talks track slips back one level"
    )
    pressure_cut: float = param(
        0.15, 0.0, 1.0, "fraction of contract/week", "flow Russia withholds per week of pressure"
    )
    flow_recovery: float = param(
        0.05, 0.0, 1.0, "fraction of contract/week", "weekly return of the flow to its week-0 level"
    )
    embargo_flow: float = param(
        0.3, 0.0, 1.0, "fraction of contract", "flow left once the energy tier is imposed"
    )
    flank_host_exposure: float = param(
        0.6, 0.0, 1.0, "0-1", "border exposure from which a state hosts flank deployments"
    )
    # How Western states read the crisis and weigh their options.
    prior_intent: float = param(
        0.35, 0.0, 1.0, "probability", "Western belief that Russia means to invade, before signals"
    )
    intent_floor: float = param(
        0.2,
        0.0,
        1.0,
        "intensity",
        "a fainter Russian signal moves intent beliefs as one this strong",
    )
    war_threat: float = param(
        0.3, 0.0, 1.0, "threat 0-1", "threat a Western state adds once it learns of the invasion"
    )
    threat_troops: float = param(
        100000.0,
        1000.0,
        1e6,
        "troops",
        "Russian troops massed at which a Western state reads Russia's intent at face value:"
        " its threat is belief times the force it has seen over this",
    )
    threat_resolve_slope: float = param(
        0.4, 0.0, 5.0, "resolve per threat", "resolve gained per unit of threat above prior_intent"
    )
    price_resolve_slope: float = param(
        0.5, 0.0, 5.0, "resolve per unit", "resolve lost per unit of exposure times price stress"
    )
    sanction_push_base: float = param(
        0.4,
        0.0,
        5.0,
        "threat units",
        "push for sanctions at no threat: resolve times (this + threat)",
    )
    sanction_threat_value: float = param(
        0.3,
        0.0,
        5.0,
        "utility units",
        "value of threatening the whole ladder at full resolve and threat",
    )
    sanction_threat_cost: float = param(
        0.02, 0.0, 1.0, "utility units", "effort of a public sanction threat (Western states, EU)"
    )
    talks_threat_damping: float = param(
        0.5, 0.0, 1.0, "fraction", "share of a state's taste for talks lost at full threat"
    )
    arms_value: float = param(
        2.0,
        0.0,
        20.0,
        "utility units",
        "value of a full delivery at full resolve, threat and Ukrainian request",
    )
    arms_option_cost: float = param(
        0.04, 0.0, 1.0, "utility units", "effort of an arms delivery as the state weighs it"
    )
    arms_provocation: float = param(
        0.1, 0.0, 1.0, "utility per risk aversion", "fear of provoking Russia by arming Ukraine"
    )
    flank_value: float = param(
        0.5,
        0.0,
        5.0,
        "utility units",
        "value of a flank deployment per unit of the hosts' threat above prior_intent, at full"
        " resolve",
    )
    flank_option_cost: float = param(
        0.046, 0.0, 1.0, "utility units", "effort of a flank deployment as the state weighs it"
    )
    # How Ukraine reads the crisis and weighs its options.
    target_prior_intent: float = param(
        0.4, 0.0, 1.0, "probability", "Ukraine's belief that Russia means to invade, before signals"
    )
    hybrid_resolve_effect: float = param(
        0.0,
        -1.0,
        1.0,
        "fraction",
        "share of the way to full (+) or no (-) resolve a hybrid attack read moves Ukraine",
    )
    target_war_threat: float = param(
        0.5, 0.0, 1.0, "threat 0-1", "threat Ukraine adds once the invasion has begun"
    )
    mobilisation_value: float = param(
        0.2, 0.0, 5.0, "utility units", "value of mobilising at full threat and resolve"
    )
    mobilisation_cost: float = param(
        0.15, 0.0, 1.0, "utility units", "cost of a week of mobilisation"
    )
    aid_request_value: float = param(
        0.3, 0.0, 5.0, "utility units", "value of asking partners for aid at full threat"
    )
    minsk_concession_value: float = param(
        0.3, 0.0, 5.0, "utility units", "value of a Minsk concession at full threat and no resolve"
    )
    minsk_concession_cost: float = param(
        0.1, 0.0, 1.0, "utility units", "political cost of a Minsk concession"
    )
    donbas_success: float = param(
        0.3, 0.0, 1.0, "probability", "chance a Ukrainian offensive in Donbas succeeds"
    )
    donbas_gain: float = param(
        0.3, 0.0, 5.0, "utility units", "what a successful Donbas offensive wins Ukraine"
    )
    donbas_loss: float = param(
        0.4, 0.0, 5.0, "utility units", "what a failed Donbas offensive costs Ukraine"
    )


@dataclass(frozen=True, slots=True)
class InvasionCalculus:
    """Russia's war calculus: what it believes an invasion wins and costs."""

    stake: float = param(
        1.25, 0.0, 10.0, "utility units", "value of Ukraine's orientation at full resolve"
    )
    peacetime_troops: float = param(
        35000.0, 0.0, 1e6, "troops", "troops near Ukraine that signal nothing"
    )
    troops_for_even_odds: float = param(
        100000.0, 1000.0, 1e6, "troops", "troops at which Russia expects even odds of success"
    )
    success_steepness: float = param(
        3.0, 0.1, 20.0, "exponent", "how sharply success odds rise with the force ratio"
    )
    troop_ceiling: float = param(190000.0, 0.0, 1e6, "troops", "most troops Russia can mass")
    buildup_rate: float = param(5500.0, 0.0, 1e5, "troops/week", "troops added per build-up week")
    pullback_rate: float = param(10000.0, 0.0, 1e5, "troops/week", "troops withdrawn per week")
    holding_cost: float = param(
        0.01, 0.0, 1.0, "utility/week per 100k troops", "sunk cost of keeping troops massed"
    )
    war_cost: float = param(
        0.39,
        0.0,
        10.0,
        "utility units",
        "expected cost of fighting a fully resolute Ukraine if the invasion succeeds",
    )
    failure_cost: float = param(
        0.5, 0.0, 10.0, "utility units", "cost of a failed invasion (quagmire, losses)"
    )
    sanction_cost_scale: float = param(
        0.6, 0.0, 10.0, "utility units", "cost of the full sanction ladder to Russia"
    )
    swift_alternatives: float = param(
        0.5, 0.0, 1.0, "fraction", "share of a SWIFT cut-off blunted by SPFS and CIPS"
    )
    assumed_western_resolve: float = param(
        0.4, 0.0, 1.0, "0-1", "resolve Russia attributes to each Western state before signals"
    )
    nato_clash_cost: float = param(
        2.0, 0.0, 20.0, "utility units", "cost of a direct clash with NATO"
    )
    missile_deployment_cost: float = param(
        0.6, 0.0, 10.0, "utility units", "cost of NATO missiles near Russia (freeze-deal stick)"
    )
    weekly_discount: float = param(
        0.98, 0.5, 1.0, "factor/week", "how much less an outcome a week later is worth to Russia"
    )
    window_foresight: float = param(
        1.0,
        0.0,
        1.0,
        "share",
        "share of Ukraine's coming growth (its own and arriving arms) Russia counts when it"
        " weighs waiting: 1 sees the window closing, 0 judges as if Ukraine stood still",
    )
    capability_misjudgement: float = param(
        0.15,
        0.0,
        1.0,
        "sd of relative error",
        "spread of Russia's error in judging Ukraine's strength",
    )
    capability_bias: float = param(
        0.0,
        -0.9,
        2.0,
        "fraction",
        "Russia's mean error on Ukraine's strength (negative: underestimates it)",
    )
    nord_stream_value: float = param(
        0.05, 0.0, 2.0, "utility units", "value to Russia of Nord Stream 2 going into operation"
    )
    hybrid_damage: float = param(
        0.002, 0.0, 0.1, "capability/week", "Ukrainian capability a week of hybrid action destroys"
    )
    climbdown_cost: float = param(
        0.12, 0.0, 5.0, "utility units", "audience cost of backing down, per rung held"
    )
    concession_value: float = param(
        0.3,
        0.0,
        10.0,
        "utility units",
        "value of a Western moratorium on enlargement (about a quarter of the full stake)",
    )
    freeze_value: float = param(
        0.4, 0.0, 10.0, "utility units", "value of a freeze on game-changing aid"
    )
    hybrid_gain: float = param(0.03, 0.0, 1.0, "utility/week", "gain from a week of hybrid action")
    recognition_gain: float = param(
        0.04, 0.0, 5.0, "utility units", "gain from recognising the separatist republics"
    )
    incursion_share: float = param(
        0.2, 0.0, 1.0, "fraction of stake", "what a limited incursion wins if it succeeds"
    )
    provocation_factor: float = param(
        1.2, 1.0, 5.0, "× stake", "stake after a Ukrainian offensive in Donbas (a red line)"
    )
    coercion_discount: float = param(
        0.25, 0.0, 1.0, "fraction", "share of the chance of a deal while no moratorium is on offer"
    )
    demands_novelty: float = param(
        0.02, 0.0, 1.0, "utility units", "extra value of publishing the demands the first time"
    )
    talks_coercion_share: float = param(
        0.8, 0.0, 1.0, "fraction", "share of coercion's value talks win"
    )
    hybrid_success: float = param(
        0.5, 0.0, 1.0, "probability", "chance a week of hybrid action wins its gain"
    )
    energy_leverage: float = param(
        0.05,
        0.0,
        1.0,
        "× stake per exposure",
        "gain of energy pressure per unit of Western exposure",
    )
    energy_pressure_cost: float = param(
        0.06,
        0.0,
        1.0,
        "utility/week at full budget dependence",
        "revenue and reputation a week of energy pressure costs, times the budget's gas share",
    )
    war_energy_leverage: float = param(
        0.02, 0.0, 1.0, "utility per exposure", "gain of energy pressure in war per unit exposure"
    )
    sanction_retaliation: float = param(
        0.03,
        0.0,
        1.0,
        "utility units",
        "value of answering the sanctions it has read with a gas squeeze, at full grievance",
    )
    published_climbdown_factor: float = param(
        1.5, 1.0, 5.0, "× climb-down cost", "audience cost multiplier once demands are public"
    )
    incursion_concentration: float = param(
        1.5, 0.1, 10.0, "× troops", "local force ratio of a limited incursion over a full one"
    )
    incursion_cost_share: float = param(
        0.3, 0.0, 1.0, "fraction", "share of war_cost and failure_cost a limited incursion carries"
    )
    nuclear_threat_success: float = param(
        0.5, 0.0, 1.0, "probability", "chance a nuclear threat in war pays off"
    )
    nuclear_threat_stake: float = param(
        0.15, 0.0, 5.0, "utility units", "gain (× nato_threat) or loss of a nuclear threat in war"
    )
    nuclear_threat_cost: float = param(
        0.03,
        0.0,
        1.0,
        "utility units",
        "reputation a nuclear threat in war costs, whatever it wins",
    )
    war_talks_value: float = param(
        0.1,
        0.0,
        10.0,
        "utility units",
        "value of talks in war per unit of deal prospect plus Russia's accumulated cost",
    )
    talks_deal_signal: float = param(
        0.5, 0.0, 1.0, "deal prospect", "prospect talks, written answers, arms-control offers imply"
    )
    minsk_stake_share: float = param(
        0.3,
        -1.0,
        1.0,
        "fraction of the stake",
        "share of what war would win that Ukraine's carrying out Minsk grants (< 0: it whets)",
    )
    arms_control_reassurance: float = param(
        0.5,
        0.0,
        1.0,
        "× signal weight",
        "how far a written arms-control offer eases the NATO threat Russia reads, to its prior",
    )
    prior_nato_threat: float = param(
        0.3, 0.0, 1.0, "0-1", "threat Russia reads in NATO before any signal"
    )
    threat_stake_gain: float = param(
        1.0,
        0.0,
        5.0,
        "× stake per unit of threat",
        "how far NATO threat Russia reads above its prior raises the stake (the spiral)",
    )
    prior_deal_prospect: float = param(
        0.1, 0.0, 1.0, "0-1", "Russia's hope for a deal before any signal"
    )
    deal_decay: float = param(
        0.9, 0.0, 1.0, "fraction/week", "weekly persistence of Russia's hope for a deal"
    )


@dataclass(frozen=True, slots=True)
class WesternPolicy:
    """The strategy the West follows: the levers scenarios pull."""

    sanction_threat_tier: int = param(
        4, 0, 5, "tier", "tier the West publicly threatens for an invasion"
    )
    arms_aid: float = param(
        0.3, 0.0, 1.0, "fraction of capacity", "willingness to deliver arms before an invasion"
    )
    arms_effect: float = param(
        0.03, 0.0, 1.0, "capability per full delivery", "Ukraine capability one delivery adds"
    )
    arms_delivery_lag: int = param(
        5, 0, 52, "weeks", "weeks from a decision to deliver arms to their arrival in Ukraine"
    )
    training_weeks: int = param(
        2, 0, 52, "weeks", "weeks Ukrainian forces need to use delivered arms (Javelin class)"
    )
    major_systems_training_weeks: int = param(
        8, 0, 104, "weeks", "weeks to train on major systems (air defence, rocket artillery)"
    )
    major_systems: bool = param(
        False, None, None, "switch", "deliver air defence and rocket systems early (arms_now)"
    )
    eastern_deployments: bool = param(
        True, None, None, "switch", "allies may reinforce the eastern flank"
    )
    freeze_deal: bool = param(
        False, None, None, "switch", "offer the freeze of aid for pull-back, with missile stick"
    )
    nato_moratorium: bool = param(
        False, None, None, "switch", "concede a moratorium on NATO enlargement in talks"
    )
    lng_alternatives: float = param(
        0.15, 0.0, 1.0, "fraction", "share of Russian gas Europe can replace (LNG, storage)"
    )
    tier_for_recognition: int = param(
        2, 0, 5, "tier", "tier the West ties publicly to a recognition of the separatist republics"
    )
    tier_for_incursion: int = param(
        3, 0, 5, "tier", "tier the West ties publicly to a limited incursion"
    )
    war_arms_aid: float = param(
        0.6, 0.0, 1.0, "fraction of capacity", "least willingness to deliver arms once at war"
    )
    major_systems_appeal: float = param(
        1.5, 1.0, 5.0, "× value", "how much more a delivery is worth with major systems"
    )
    major_systems_intensity: float = param(
        2.0, 1.0, 5.0, "× intensity", "how much more a delivery adds with major systems"
    )


@dataclass(frozen=True, slots=True)
class ActorProfile:
    """One actor's energy exposure, risk preferences and capabilities."""

    name: str = param("", None, None, "name", "actor name as it appears in every table")
    role: str = param("state", None, None, "one of " + ", ".join(ROLES), "behaviour class")
    nato: bool = param(False, None, None, "flag", "NATO member")
    eu: bool = param(False, None, None, "flag", "EU member")
    gas_import_share: float = param(
        0.0, 0.0, 1.0, "fraction", "share of gas imports coming from Russia"
    )
    oil_import_share: float = param(
        0.0, 0.0, 1.0, "fraction", "share of oil imports coming from Russia"
    )
    gas_storage: float = param(0.0, 0.0, 1.0, "fraction of capacity", "gas storage at week 0")
    winter_sensitivity: float = param(
        0.5, 0.0, 1.0, "fraction", "how much a cold week raises exposure"
    )
    budget_hydrocarbon_share: float = param(
        0.0, 0.0, 1.0, "fraction", "state budget revenue from oil and gas exports"
    )
    risk_attitude: float = param(
        0.0, -1.0, 1.0, "-1 averse .. +1 seeking", "weight on the spread of outcomes"
    )
    loss_aversion: float = param(2.25, 1.0, 10.0, "ratio", "weight of losses against gains")
    resolve: float = param(0.5, 0.0, 1.0, "0-1", "willingness to bear costs for the cause")
    cost_tolerance: float = param(0.3, 0.0, 0.95, "fraction", "share of costs discounted")
    time_horizon: float = param(52.0, 1.0, 1040.0, "weeks", "how far ahead the actor looks")
    forces: float = param(0.0, 0.0, 1e7, "troops", "troops deployable in the theatre")
    deploy_unit: float = param(0.0, 0.0, 1e6, "troops", "troops sent per flank deployment")
    arms_capacity: float = param(0.0, 0.0, 1.0, "0-1", "ability to supply arms to Ukraine")
    economic_weight: float = param(0.0, 0.0, 100.0, "USD trillion (GDP 2021)", "economic levers")
    border_exposure: float = param(0.0, 0.0, 1.0, "0-1", "proximity to Russian forces")
    diplomacy_preference: float = param(
        0.1, 0.0, 1.0, "utility units", "intrinsic value placed on talks"
    )
    gas_volume: float = param(0.0, 0.0, 1000.0, "bcm/year", "pipeline gas imported from Russia")
    nord_stream_2_host: bool = param(
        False, None, None, "flag", "can suspend Nord Stream 2's certification (Germany, 001)"
    )
    security_partner: bool = param(
        False, None, None, "flag", "bilateral security partnership with the target (Ukraine)"
    )


SECTIONS: dict[str, type] = {
    "world": World,
    "invasion_calculus": InvasionCalculus,
    "policy": WesternPolicy,
}


def fields_of(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}
