"""A Western state (the US, Germany, the UK, France, the eastern members...).

Its threat perception follows what it reads of Russia's intent, scaled by how exposed it is;
its resolve blends its own with its allies' (weighted by the ties of the alliance graph) and
sags under energy pain. The sanction tier it will back is the one that best trades the harm
done to Russia against its own cost, dominated for the energy tier by its gas dependence (001).
"""

from __future__ import annotations

from agents.actor import Actor, clip01, toward
from world.choice import Option
from world.ladder import TIER_BITE_RUSSIA, TIER_COST_WEST
from world.signals import INTENT_IMPLIED, Kind, Signal

PRIOR_INTENT = 0.35  # belief that Russia means to invade, before any signal
HARDNESS = {
    "hold": 0.3,
    "talks": 0.0,
    "sanction_threat": 0.7,
    "arms_delivery": 1.0,
    "flank_deployment": 1.0,
}
_CUMULATIVE = [sum(TIER_BITE_RUSSIA[: t + 1]) for t in range(6)]
HARM = [c / _CUMULATIVE[-1] for c in _CUMULATIVE]  # share of the full ladder's bite on Russia
WEST_COST = [sum(TIER_COST_WEST[: t + 1]) for t in range(6)]  # own cost of tiers 0..t


class WesternState(Actor):
    reads = frozenset({*INTENT_IMPLIED, Kind.AID_REQUEST})

    def __init__(self, model, profile) -> None:
        super().__init__(model, profile)
        self.belief = PRIOR_INTENT
        self.deployed = 0.0
        self._exposure = 0.5 + 0.5 * profile.border_exposure  # how near Russian forces it is
        self._ties = model.alliance.ties(self.actor)  # its allies, with the trust on each tie
        # The weight it gives its own cost of sanctions, and the cost of tiers 0-4 so weighted.
        self._keep = 1.0 - profile.cost_tolerance
        self._kept_costs = [self._keep * cost for cost in WEST_COST[:5]]

    def read(self, signal: Signal, intensity: float, weight: float) -> None:
        implied = INTENT_IMPLIED.get(signal.kind)
        if implied is not None and signal.sender == self.model.challenger.actor:
            self.belief = toward(self.belief, implied, weight * max(intensity, 0.2))
        elif signal.kind == Kind.AID_REQUEST:
            self.threat = toward(self.threat, 1.0, 0.2 * weight)

    def reassess(self) -> None:
        model = self.model
        world = model.world
        self.threat = clip01(self.belief * self._exposure + (0.3 if model.invasion else 0.0))
        own = (
            self.profile.resolve
            + 0.4 * (self.threat - PRIOR_INTENT)
            - 0.5 * self.energy_exposure * model.price_stress
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
            receivers = [a for a, _ in ties] + [model.challenger.actor]
            self.send(receivers, Kind.SANCTION_SUPPORT, self.sanction_support / 5.0, 0.0)

    def tier_cost(self, tier: int) -> float:
        return WEST_COST[tier] + (self.energy_exposure if tier == 5 else 0.0)

    def preferred_tier(self, resolve: float | None = None) -> int:
        """The tier that best trades harm to Russia against this actor's own cost."""
        push = (self.resolve if resolve is None else resolve) * (0.4 + self.threat)
        nets = [push * harm - cost for harm, cost in zip(HARM, self._kept_costs)]  # noqa: B905
        # The energy tier's cost adds this week's exposure to the embargo.
        nets.append(push * HARM[5] - self._keep * self.tier_cost(5))
        return nets.index(max(nets))  # ties go to the lower tier

    def options(self) -> dict[str, Option]:
        model = self.model
        policy = model.policy
        profile = self.profile
        resolve, threat = self.resolve, self.threat
        values: dict[str, Option] = {
            "hold": 0.0,
            "talks": profile.diplomacy_preference * (1.0 - 0.5 * threat),
            "sanction_threat": resolve * threat * 0.3 * HARM[policy.sanction_threat_tier] - 0.02,
        }
        aid = max(policy.arms_aid, 0.6) if model.invasion else policy.arms_aid
        if profile.arms_capacity > 0.0 and aid > 0.0 and not model.aid_frozen:
            provocation = max(0.0, -profile.risk_attitude) * 0.1 * (0.0 if model.invasion else 1.0)
            boost = 1.5 if policy.major_systems else 1.0
            values["arms_delivery"] = (
                profile.arms_capacity * aid * boost * resolve * threat * 2.0 - 0.04 - provocation
            )
        if (
            policy.eastern_deployments
            and profile.deploy_unit > 0.0
            and self.deployed < profile.forces
        ):
            values["flank_deployment"] = resolve * model.flank_threat() * 0.5 - 0.04
        return values

    def act(self, action: str) -> None:
        model = self.model
        policy = model.policy
        russia = model.challenger.actor
        if action == "sanction_threat":
            tier = policy.sanction_threat_tier
            self.send(russia, Kind.SANCTION_THREAT, tier / 5.0, 0.01 * tier)  # audience cost
        elif action == "arms_delivery":
            aid = max(policy.arms_aid, 0.6) if model.invasion else policy.arms_aid
            intensity = min(
                1.0, self.profile.arms_capacity * aid * (2.0 if policy.major_systems else 1.0)
            )
            self.send([model.target.actor, russia], Kind.ARMS_DELIVERY, intensity, 0.05 * intensity)
            model.deliver_arms(intensity)
            self.cost += 0.05 * intensity
        elif action == "flank_deployment":
            troops = min(self.profile.deploy_unit, self.profile.forces - self.deployed)
            self.deployed += troops
            hosts = model.flank_hosts()
            self.send([russia, *hosts], Kind.FLANK_DEPLOYMENT, min(1.0, troops / 5000.0), 0.04)
            model.deploy_to_flank(troops)
            self.cost += 0.04
        elif action == "talks":
            self.send(russia, Kind.TALKS, 0.5, 0.0)
            model.note_talks(self.actor)
            if model.lead_state is self:
                self.make_offers()

    def make_offers(self) -> None:
        """The lead state answers published demands and carries the West's offers (002, 004)."""
        model = self.model
        policy = model.policy
        russia = model.challenger.actor
        if model.challenger.demands_published:
            self.send(russia, Kind.WRITTEN_RESPONSE, 0.6, 0.01)
            self.send(russia, Kind.ARMS_CONTROL_OFFER, 0.6, 0.02)
        if policy.nato_moratorium:
            self.send(russia, Kind.CONCESSION, 1.0, 0.1)
        if policy.freeze_deal:
            self.send(russia, Kind.FREEZE_OFFER, 1.0, 0.05)
            self.send(russia, Kind.MISSILE_THREAT, 1.0, 0.1)

    def stance(self) -> float:
        return 0.5 * self.sanction_support / 5.0 + 0.5 * HARDNESS.get(self.action, 0.3)
