"""An agent-based model of crisis escalation between Russia, Ukraine, the US and Europe, 2021-22."""

from typing import Any

from model.build import BUILD  # first: settles compiled or sources before either is imported
from model.scenario import ScenarioError, ScenarioSpec, list_scenarios, load_scenario

__all__ = [
    "BUILD",
    "EscalationModel",
    "ScenarioError",
    "ScenarioSpec",
    "list_scenarios",
    "load_scenario",
]


def __getattr__(name: str) -> Any:
    # The model class imports the agents, and the agents import model submodules: loading the
    # class on first use lets either package be imported first.
    if name == "EscalationModel":
        from model.escalation import EscalationModel

        return EscalationModel
    raise AttributeError(f"module 'model' has no attribute {name!r}")
