"""Risk-adjusted comparison of options and stochastic (logit) choice.

An option is a lottery of outcomes relative to the status quo. Its value is the expected
prospect-theory value (Kahneman and Tversky 1992: curvature and loss aversion against the
reference point) plus ``risk_attitude`` times the spread of those values, so a risk-seeking
actor is drawn to gambles and a risk-averse one away from them. With ``prospect_theory`` off the
value function is linear and only the spread term remains. Choice among options is logit
(quantal response), so equal options are picked equally often and better ones more often.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Lottery = Sequence[tuple[float, float]]  # (probability, outcome)


class Valued(float):
    """A value already judged (e.g. the best of later gambles, each valued as a lottery):
    chosen on as it stands, never passed through the value function a second time."""


Option = float | Lottery  # a sure outcome, a lottery over outcomes, or a Valued


def prospect_value(outcome: float, curvature: float, loss_aversion: float) -> float:
    if outcome >= 0.0:
        return outcome**curvature
    return -loss_aversion * (-outcome) ** curvature


def lottery_value(
    lottery: Option,
    risk_attitude: float,
    loss_aversion: float,
    curvature: float,
    prospect_theory: bool,
) -> float:
    """Expected (prospect) value plus ``risk_attitude`` times the spread of the values."""
    if lottery.__class__ is Valued:
        return float(lottery)  # type: ignore[arg-type]
    if isinstance(lottery, float | int):
        # A sure outcome has no spread: its value, as the general formula would give it.
        return prospect_value(lottery, curvature, loss_aversion) if prospect_theory else lottery
    if prospect_theory:
        values = [(p, prospect_value(x, curvature, loss_aversion)) for p, x in lottery]
    else:
        values = list(lottery)
    mean = sum([p * v for p, v in values])
    if len(values) == 1:
        return mean
    spread = math.sqrt(max(0.0, sum([p * (v - mean) ** 2 for p, v in values])))
    return mean + risk_attitude * spread


def choose(
    options: Mapping[str, Option],
    risk_attitude: float,
    loss_aversion: float,
    curvature: float,
    prospect_theory: bool,
    temperature: float,
    uniform: float,
) -> str:
    """Value each option and pick one by logit: an actor's weekly choice, in one call.

    ``uniform`` is the week's draw on [0, 1) for this actor and track (`world.draws`).
    Sure outcomes are valued inline (``prospect_value`` written out): they are most of the
    options weighed in a run, and a call per option was a tenth of the choice's cost.
    """
    # A float is a sure outcome: no spread to weigh.
    if prospect_theory:
        values = [
            (x**curvature if x >= 0.0 else -loss_aversion * (-x) ** curvature)
            if x.__class__ is float
            else lottery_value(x, risk_attitude, loss_aversion, curvature, True)
            for x in options.values()
        ]
    else:
        values = [
            x
            if x.__class__ is float
            else lottery_value(x, risk_attitude, loss_aversion, curvature, False)
            for x in options.values()
        ]
    # Logit: probability proportional to exp(value / temperature), scaled by the best value
    # so that no weight overflows.
    top = max(values)
    exp = math.exp
    weights = [exp((v - top) / temperature) for v in values]
    threshold = uniform * sum(weights)
    for option, weight in zip(options, weights):  # noqa: B905 - same length by construction
        threshold -= weight
        if threshold <= 0.0:
            return option
    return option  # rounding left a sliver of the threshold: the last option


def logit_choice(values: Mapping[str, float], temperature: float, uniform: float) -> str:
    """Pick an option with probability proportional to exp(value / temperature)."""
    return choose(values, 0.0, 1.0, 1.0, False, temperature, uniform)


def choice_probabilities(values: Mapping[str, float], temperature: float) -> dict[str, float]:
    top = max(values.values())
    weights = {k: math.exp((v - top) / temperature) for k, v in values.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}
