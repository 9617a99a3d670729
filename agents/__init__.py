"""The actors of the crisis as Mesa agents: behaviour lives here, the vocabulary in ``world``."""

from agents.actor import Actor
from agents.russia import Russia
from agents.ukraine import Ukraine
from agents.union import Union
from agents.western import WesternState

__all__ = ["Actor", "Russia", "Ukraine", "Union", "WesternState"]
