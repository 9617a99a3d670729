"""The actors of the crisis as Mesa agents: views of their rows of the run's state, each taking
its turn of the compiled weekly process (`process.week`)."""

from agents.actor import Actor
from agents.russia import Russia
from agents.ukraine import Ukraine
from agents.union import Union
from agents.western import WesternState

__all__ = ["Actor", "Russia", "Ukraine", "Union", "WesternState"]
