"""The escalation ladder and the separate economic and diplomatic tracks.

Military escalation follows Kahn's rungs; the sanction tier and the state of talks are kept as
their own variables (later escalation literature argues for separate ladders per domain).
"""

from __future__ import annotations

from enum import IntEnum


class Rung(IntEnum):
    STATUS_QUO = 0
    MILITARY_POSTURING = 1
    COERCIVE_DIPLOMACY = 2
    HYBRID_OPERATIONS = 3
    LIMITED_INCURSION = 4
    FULL_SCALE_INVASION = 5
    NATO_RUSSIA_CLASH = 6
    NUCLEAR_THREAT = 7


RUNG_NAMES: dict[int, str] = {  # by rung; a plain int finds its member's name
    Rung.STATUS_QUO: "status quo",
    Rung.MILITARY_POSTURING: "military posturing",
    Rung.COERCIVE_DIPLOMACY: "coercive diplomacy",
    Rung.HYBRID_OPERATIONS: "grey-zone and hybrid operations",
    Rung.LIMITED_INCURSION: "limited incursion",
    Rung.FULL_SCALE_INVASION: "full-scale invasion",
    Rung.NATO_RUSSIA_CLASH: "direct NATO-Russia clash",
    Rung.NUCLEAR_THREAT: "nuclear threat",
}


class SanctionTier(IntEnum):
    """Cumulative tiers: each includes the ones below it (001, 004)."""

    NONE = 0
    TARGETED = 1  # individuals, Nord Stream 2 certification halted
    BANKS = 2  # major banks cut from dollar clearing
    SWIFT = 3  # SWIFT cut-off, blunted by SPFS/CIPS (004)
    EXPORT_CONTROLS = 4  # semiconductors and technology (001)
    ENERGY = 5  # oil and gas embargo


#: The top of the cumulative ladder: tiers are read as shares of it (a signal's intensity is
#: tier / TOP_TIER) and a belief read from a signal is intensity × TOP_TIER.
TOP_TIER = max(SanctionTier)


SANCTION_TIER_NAMES: dict[int, str] = {
    SanctionTier.NONE: "none",
    SanctionTier.TARGETED: "targeted",
    SanctionTier.BANKS: "banks",
    SanctionTier.SWIFT: "SWIFT cut-off",
    SanctionTier.EXPORT_CONTROLS: "export controls",
    SanctionTier.ENERGY: "energy embargo",
}

# Share of the full sanction ladder's cost to Russia carried by each tier; the SWIFT and energy
# weights are scaled by SWIFT alternatives and budget dependence at run time.
TIER_BITE_RUSSIA = (0.0, 0.08, 0.17, 0.25, 0.2, 0.3)
# Cost of each tier to a Western sanctioner, before scaling by its trade and energy exposure.
TIER_COST_WEST = (0.0, 0.01, 0.03, 0.05, 0.04, 0.0)
_CUMULATIVE_BITE = [sum(TIER_BITE_RUSSIA[: t + 1]) for t in SanctionTier]
#: Share of the full ladder's bite on Russia that tiers 0..t carry together.
HARM = tuple(c / _CUMULATIVE_BITE[-1] for c in _CUMULATIVE_BITE)
#: A sanctioner's direct cost of tiers 0..t together, before its energy exposure.
WEST_COST = tuple(sum(TIER_COST_WEST[: t + 1]) for t in SanctionTier)


class RussianMove(IntEnum):
    """Russia's moves a sanctioner ties tiers to, in escalating order (each learnt from its
    signal): the West's declared lines name a tier for each."""

    NONE = 0
    RECOGNITION = 1
    LIMITED_INCURSION = 2
    INVASION = 3


class Talks(IntEnum):
    BROKEN_OFF = -1
    NONE = 0
    CONTACTS = 1
    FORMAL_TALKS = 2
    NEGOTIATION = 3
    AGREEMENT = 4


TALKS_NAMES: dict[int, str] = {
    Talks.BROKEN_OFF: "broken off",
    Talks.NONE: "none",
    Talks.CONTACTS: "contacts",
    Talks.FORMAL_TALKS: "formal talks",
    Talks.NEGOTIATION: "negotiation",
    Talks.AGREEMENT: "agreement",
}


def next_rung(previous: int, pushed_to: int, invaded: bool) -> int:
    """Climb at once to what this week's actions imply; climb down one rung a week at most."""
    rung = pushed_to if pushed_to >= previous else max(pushed_to, previous - 1)
    if invaded:
        rung = max(rung, Rung.FULL_SCALE_INVASION)
    return min(int(rung), int(Rung.NUCLEAR_THREAT))
