"""The Mesa model of the 2021-22 crisis: builds the world from a scenario and steps it weekly."""

from model.escalation import EscalationModel
from world.scenario import ScenarioError, ScenarioSpec, list_scenarios, load_scenario

__all__ = [
    "EscalationModel",
    "ScenarioError",
    "ScenarioSpec",
    "list_scenarios",
    "load_scenario",
]
