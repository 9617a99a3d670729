"""A Western state (the US, Germany, the UK, France, the eastern members...).

Its threat perception follows what it reads of Russia's intent, scaled by how exposed it is;
its resolve blends its own with its allies' (weighted by the ties of the alliance graph) and
sags under energy pain. The sanction tier it will back is the one that best trades the harm
done to Russia against its own cost, dominated for the energy tier by its gas dependence (001).
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world.choice import Option
from world.ladder import TIER_BITE_RUSSIA, TIER_COST_WEST, TOP_TIER, SanctionTier
from world.signals import INTENT_IMPLIED, TALKS_INTENSITY, Kind, Signal

# How hard a line each action takes, for the stance alliance ties follow (§7.7 of the ODD).
HARDNESS = {
    "hold": 0.3,
    "talks": 0.0,
    "sanction_threat": 0.7,
    "arms_delivery": 1.0,
    "flank_deployment": 1.0,
}
DEFAULT_HARDNESS = 0.3  # any other action
FAR_EXPOSURE = 0.5  # share of its belief a state far from Russian forces reads as threat
_CUMULATIVE = [sum(TIER_BITE_RUSSIA[: t + 1]) for t in SanctionTier]
HARM = [c / _CUMULATIVE[-1] for c in _CUMULATIVE]  # share of the full ladder's bite on Russia
WEST_COST = [sum(TIER_COST_WEST[: t + 1]) for t in SanctionTier]  # own cost of tiers 0..t
# The sender's cost of a threat per tier threatened: the audience cost of backing down.
THREAT_COST_PER_TIER = 0.01
ARMS_COST = 0.05  # own cost (and the signal's) of a delivery, per unit of its intensity
FLANK_COST = 0.04  # own cost (and the signal's) of a flank deployment
FLANK_SIGNAL_TROOPS = 5000.0  # troops: a deployment this large is read at full intensity
AID_REQUEST_PULL = 0.2  # share of a signal's weight an aid request moves threat toward 1
# The lead state's offers to Russia (intensity 0-1, sender's cost in utility units).
OFFERS = {
    Kind.WRITTEN_RESPONSE: (0.6, 0.01),
    Kind.ARMS_CONTROL_OFFER: (0.6, 0.02),
    Kind.CONCESSION: (1.0, 0.1),
    Kind.FREEZE_OFFER: (1.0, 0.05),
    Kind.MISSILE_THREAT: (1.0, 0.1),
}


def hard_line(sanction_support: float, action: str) -> float:
    """The line an actor takes this week, 0 (soft) to 1 (hard): what alliance ties follow."""
    return 0.5 * sanction_support / TOP_TIER + 0.5 * HARDNESS.get(action, DEFAULT_HARDNESS)


class WesternState(Actor):
    reads = frozenset({*INTENT_IMPLIED, Kind.AID_REQUEST})

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.belief = model.spec.world.prior_intent
        self.deployed = 0.0
        # How near Russian forces it is: from FAR_EXPOSURE far away to 1 at the border.
        self._exposure = FAR_EXPOSURE + (1.0 - FAR_EXPOSURE) * profile.border_exposure
        self._ties = model.alliance.ties(self.name)  # its allies, with the trust on each tie
        # The weight it gives its own cost of sanctions, and the cost of the tiers below the
        # energy embargo so weighted (the embargo's cost follows this week's exposure).
        self._keep = 1.0 - profile.cost_tolerance
        self._kept_costs = [self._keep * cost for cost in WEST_COST[: SanctionTier.ENERGY]]

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        implied = INTENT_IMPLIED.get(signal.kind)
        if implied is not None and signal.sender == self.model.challenger.name:
            floor = self.model.world.intent_floor
            self.belief = toward(self.belief, implied, weight * max(intensity, floor))
        elif signal.kind == Kind.AID_REQUEST:
            self.threat = toward(self.threat, 1.0, AID_REQUEST_PULL * weight)

    def reassess(self) -> None:
        model = self.model
        world = model.world
        self.threat = clip01(
            self.belief * self._exposure + (world.war_threat if model.invasion else 0.0)
        )
        own = (
            self.profile.resolve
            + world.threat_resolve_slope * (self.threat - world.prior_intent)
            - world.price_resolve_slope * self.energy_exposure * model.price_stress
        )
        ties = self._ties
        trust = [data["weight"] for _, data in ties]
        weight = sum(trust)
        if weight > 0.0:
            last_resolve = model.last_resolve
            pulled = sum([last_resolve[a] * w for (a, _), w in zip(ties, trust)]) / weight  # noqa: B905
            own = (1.0 - world.alliance_influence) * own + world.alliance_influence * pulled
        self.resolve = clip01(own)
        previous = self.sanction_support
        self.sanction_support = self.preferred_tier()
        if self.sanction_support != previous:
            receivers = [a for a, _ in ties] + [model.challenger.name]
            self.send(receivers, Kind.SANCTION_SUPPORT, self.sanction_support / TOP_TIER, 0.0)

    def tier_cost(self, tier: int) -> float:
        return WEST_COST[tier] + (self.energy_exposure if tier == SanctionTier.ENERGY else 0.0)

    def preferred_tier(self, resolve: float | None = None) -> int:
        """The tier that best trades harm to Russia against this actor's own cost."""
        base = self.model.world.sanction_push_base
        push = (self.resolve if resolve is None else resolve) * (base + self.threat)
        nets = [push * harm - cost for harm, cost in zip(HARM, self._kept_costs)]  # noqa: B905
        # The energy tier's cost adds this week's exposure to the embargo.
        energy = SanctionTier.ENERGY
        nets.append(push * HARM[energy] - self._keep * self.tier_cost(energy))
        return nets.index(max(nets))  # ties go to the lower tier

    def options(self) -> dict[str, Option]:
        model = self.model
        world = model.world
        policy = model.policy
        profile = self.profile
        resolve, threat = self.resolve, self.threat
        values: dict[str, Option] = {
            "hold": 0.0,
            "talks": profile.diplomacy_preference * (1.0 - world.talks_threat_damping * threat),
            "sanction_threat": resolve
            * threat
            * world.sanction_threat_value
            * HARM[policy.sanction_threat_tier]
            - world.sanction_threat_cost,
        }
        aid = max(policy.arms_aid, policy.war_arms_aid) if model.invasion else policy.arms_aid
        if profile.arms_capacity > 0.0 and aid > 0.0 and not model.aid_frozen:
            provocation = (
                max(0.0, -profile.risk_attitude)
                * world.arms_provocation
                * (0.0 if model.invasion else 1.0)
            )
            boost = policy.major_systems_appeal if policy.major_systems else 1.0
            values["arms_delivery"] = (
                profile.arms_capacity * aid * boost * resolve * threat * world.arms_value
                - world.arms_option_cost
                - provocation
            )
        if (
            policy.eastern_deployments
            and profile.deploy_unit > 0.0
            and self.deployed < profile.forces
        ):
            values["flank_deployment"] = (
                resolve * model.flank_threat() * world.flank_value - world.flank_option_cost
            )
        return values

    def act(self, action: str) -> None:
        model = self.model
        policy = model.policy
        russia = model.challenger.name
        if action == "sanction_threat":
            tier = policy.sanction_threat_tier
            cost = THREAT_COST_PER_TIER * tier
            self.send(russia, Kind.SANCTION_THREAT, tier / TOP_TIER, cost)
        elif action == "arms_delivery":
            aid = max(policy.arms_aid, policy.war_arms_aid) if model.invasion else policy.arms_aid
            boost = policy.major_systems_intensity if policy.major_systems else 1.0
            intensity = min(1.0, self.profile.arms_capacity * aid * boost)
            cost = ARMS_COST * intensity
            self.send([model.target.name, russia], Kind.ARMS_DELIVERY, intensity, cost)
            model.deliver_arms(intensity)
            self.cost += ARMS_COST * intensity
        elif action == "flank_deployment":
            troops = min(self.profile.deploy_unit, self.profile.forces - self.deployed)
            self.deployed += troops
            hosts = model.flank_hosts()
            intensity = min(1.0, troops / FLANK_SIGNAL_TROOPS)
            self.send([russia, *hosts], Kind.FLANK_DEPLOYMENT, intensity, FLANK_COST)
            model.deploy_to_flank(troops)
            self.cost += FLANK_COST
        elif action == "talks":
            self.send(russia, Kind.TALKS, TALKS_INTENSITY, 0.0)
            model.note_talks(self.name)
            if model.lead_state is self:
                self.make_offers()

    def make_offers(self) -> None:
        """The lead state answers published demands and carries the West's offers (002, 004)."""
        model = self.model
        policy = model.policy
        russia = model.challenger.name
        if model.challenger.demands_published:
            self.send(russia, Kind.WRITTEN_RESPONSE, *OFFERS[Kind.WRITTEN_RESPONSE])
            self.send(russia, Kind.ARMS_CONTROL_OFFER, *OFFERS[Kind.ARMS_CONTROL_OFFER])
        if policy.nato_moratorium:
            self.send(russia, Kind.CONCESSION, *OFFERS[Kind.CONCESSION])
        if policy.freeze_deal:
            self.send(russia, Kind.FREEZE_OFFER, *OFFERS[Kind.FREEZE_OFFER])
            self.send(russia, Kind.MISSILE_THREAT, *OFFERS[Kind.MISSILE_THREAT])

    def stance(self) -> float:
        return hard_line(self.sanction_support, self.action)
