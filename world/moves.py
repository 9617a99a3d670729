"""The actors' moves as the model fixes them: the rung each pushes, what each signal costs its
sender and how loud it is, what each actor reads, and the few fixed quantities of the weekly
process (docs/ODD.md, the table of fixed quantities, gives each a unit and a source).

They sit below the actors, the model and the compiled weekly process, which all read them: one
place for each number.
"""

from __future__ import annotations

from world.ladder import Rung
from world.signals import INTENT_IMPLIED, Kind

# --- Russia ----------------------------------------------------------------------------------
#: The rung each of Russia's actions pushes the ladder to.
ACTION_RUNG = {
    "hold": Rung.MILITARY_POSTURING,
    "build_up": Rung.MILITARY_POSTURING,
    "talks": Rung.MILITARY_POSTURING,
    "demands": Rung.COERCIVE_DIPLOMACY,
    "energy_pressure": Rung.COERCIVE_DIPLOMACY,
    "hybrid_action": Rung.HYBRID_OPERATIONS,
    "recognition": Rung.HYBRID_OPERATIONS,
    "limited_incursion": Rung.LIMITED_INCURSION,
    "invade": Rung.FULL_SCALE_INVASION,
    "continue_war": Rung.FULL_SCALE_INVASION,
    "nuclear_threat": Rung.NUCLEAR_THREAT,
    "pull_back": Rung.STATUS_QUO,
}

TROOP_UNIT = 100_000.0  # troops: `holding_cost` is per this many troops held for a week
# Weeks after a pull-back by which the deal on offer is struck if it is going to be: the
# signal is read the week after it is sent and the agreement follows that week.
OFFER_ANSWER_WEEKS = 2
EVEN_ODDS = 0.5  # success odds at which recognition wins exactly `recognition_gain`
CAPABILITY_ERROR_FLOOR = -0.9  # Russia never judges Ukraine below a tenth of its strength
# What Russia's signals cost it (utility units, §7.3 of the ODD): the costlier, the more
# credible. Demands cost this only when first published; repeating them costs nothing.
SIGNAL_COST = {
    Kind.DEMANDS: 0.05,
    Kind.HYBRID_ACTION: 0.01,
    Kind.ENERGY_PRESSURE: 0.02,
    Kind.RECOGNITION: 0.1,
    Kind.LIMITED_INCURSION: 0.3,
    Kind.NUCLEAR_THREAT: 0.05,
}
# Fixed intensities of signals whose intensity does not follow the massed troops.
SIGNAL_INTENSITY = {Kind.HYBRID_ACTION: 0.6, Kind.ENERGY_PRESSURE: 0.5}
#: The kinds of signal Russia's beliefs respond to (others are delivered but not read).
RUSSIA_READS = frozenset(
    {
        Kind.SANCTION_THREAT,
        Kind.SANCTION_SUPPORT,
        Kind.SANCTIONS,
        Kind.ARMS_DELIVERY,
        Kind.FLANK_DEPLOYMENT,
        Kind.MOBILISATION,
        Kind.TALKS,
        Kind.WRITTEN_RESPONSE,
        Kind.MINSK_CONCESSION,
        Kind.CONCESSION,
        Kind.FREEZE_OFFER,
        Kind.MISSILE_THREAT,
        Kind.DONBAS_OFFENSIVE,
    }
)

# --- the Western states ----------------------------------------------------------------------
FAR_EXPOSURE = 0.5  # share of its belief a state far from Russian forces reads as threat
ARMS_COST = 0.05  # own cost (and the signal's) of a delivery, per unit of its intensity
FLANK_COST = 0.04  # own cost (and the signal's) of a flank deployment
FLANK_SIGNAL_TROOPS = 5000.0  # troops: a deployment this large is read at full intensity
# The lead state's offers to Russia (intensity 0-1, sender's cost in utility units).
OFFERS = {
    # The answer to the demands: the core refused, arms control and transparency offered in
    # one reply (the US and NATO replies of late January 2022, 002).
    Kind.WRITTEN_RESPONSE: (0.6, 0.03),
    Kind.CONCESSION: (1.0, 0.1),
    Kind.FREEZE_OFFER: (1.0, 0.05),
    Kind.MISSILE_THREAT: (1.0, 0.1),
}
#: The kinds of signal a Western state's beliefs respond to.
STATE_READS = frozenset({*INTENT_IMPLIED, Kind.AID_REQUEST, Kind.SANCTION_SUPPORT, Kind.SANCTIONS})

# --- Ukraine ---------------------------------------------------------------------------------
# Ukraine's signals to Russia (intensity 0-1, sender's cost in utility units, §7.3 of the ODD).
SIGNALS = {
    Kind.MOBILISATION: (0.5, 0.03),
    Kind.MINSK_CONCESSION: (0.8, 0.1),
    Kind.DONBAS_OFFENSIVE: (1.0, 0.2),
}
#: The rung an offensive in Donbas pushes: grey-zone fighting below a Russian incursion.
DONBAS_RUNG = Rung.HYBRID_OPERATIONS
#: The kinds of signal Ukraine's beliefs respond to.
UKRAINE_READS = frozenset(INTENT_IMPLIED)

# --- the week's consequences -----------------------------------------------------------------
# A sanction tier's cost (to Russia as its calculus values it, to a sanctioner as its
# ``tier_cost``) is charged over half a year: this share of it each week the tier is in force.
SANCTION_COST_WEEKS = 26.0
EU_SANCTIONS_COST = 0.05  # the EU's cost of the signal announcing a tier it imposes
# The brinkmanship hazard grows with each rung above this one (it bites only once at war).
#: Ukraine's capability at the start: the unit `troops_for_even_odds` is measured against.
INITIAL_UKRAINE_CAPABILITY = 1.0
HAZARD_BASE_RUNG = Rung.HYBRID_OPERATIONS
