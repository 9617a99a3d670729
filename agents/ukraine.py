"""Ukraine: reads Russia's intent, asks for aid, mobilises, concedes on Minsk or fights in Donbas.

The rules are `process.week`'s ``ukraine_reads``, ``ukraine_chooses`` and ``ukraine_acts``;
this agent is the view of Ukraine's row.
"""

from __future__ import annotations

from agents.actor import Actor
from world.moves import UKRAINE_READS


class Ukraine(Actor):
    reads = UKRAINE_READS
