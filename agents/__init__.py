"""The actors of the crisis as Mesa agents: behaviour lives here, the world in ``model``."""

import model  # noqa: F401  first: it settles which build runs before a compiled actor loads
from agents.actor import Actor
from agents.russia import Russia
from agents.ukraine import Ukraine
from agents.union import Union
from agents.western import WesternState

AGENT_CLASSES: dict[str, type[Actor]] = {
    "challenger": Russia,
    "target": Ukraine,
    "state": WesternState,
    "union": Union,
}

__all__ = ["AGENT_CLASSES", "Actor", "Russia", "Ukraine", "Union", "WesternState"]
