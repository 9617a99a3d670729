"""A Western state: reads Russia's intent, decides what it would back, threatens, arms, deploys.

Its views move with what it reads and what its allies think (shared intelligence, weighted by
the trust of each tie); its line (the sanctions it would back against an invasion) weighs the
harm to Russia against its own cost, its audience costs and its allies' lines; it acts on four
tracks: sanction threats, arms for Ukraine, deployments to the eastern flank and talks. The
rules are `process.week`'s ``state_reads``, ``state_reassesses``, ``state_chooses`` and
``state_acts``; this agent is the view of the state's row.
"""

from __future__ import annotations

from agents.actor import Actor, Quantity
from process.layout import A
from world.moves import STATE_READS


class WesternState(Actor):
    reads = STATE_READS

    deployed = Quantity(A.DEPLOYED)  # troops it has sent to the eastern flank
    threatened = Quantity(A.THREATENED, int)  # the highest tier it has threatened publicly
    aid_requested = Quantity(A.AID_REQUESTED)
    nuclear_fear = Quantity(A.NUCLEAR_FEAR)
    gas_fear = Quantity(A.GAS_FEAR)  # the chance it gives a Russian gas cut in answer
    seen_move = Quantity(A.SEEN_MOVE, int)  # what it has seen Russia do (`RussianMove`)
    demands_read = Quantity(A.DEMANDS_READ, bool)
    seen_troops = Quantity(A.SEEN_TROOPS)  # the Russian force it has seen massed
    pull_back_week = Quantity(A.PULL_BACK_WEEK, int)  # the week it last read of a pull-back
