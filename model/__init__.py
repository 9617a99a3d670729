"""An agent-based model of crisis escalation between Russia, Ukraine, the US and Europe, 2021-22."""

from model.escalation import EscalationModel
from model.scenario import ScenarioError, ScenarioSpec, list_scenarios, load_scenario

__all__ = ["EscalationModel", "ScenarioError", "ScenarioSpec", "list_scenarios", "load_scenario"]
