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

from world.compiled import float_sum2, rule

Lottery = Sequence[tuple[float, float]]  # (probability, outcome): one or two of them


class Valued(float):
    """A value already judged (e.g. the best of later gambles, each valued as a lottery):
    chosen on as it stands, never passed through the value function a second time."""


Option = float | Lottery  # a sure outcome, a lottery over outcomes, or a Valued


@rule
def prospect_value(outcome: float, curvature: float, loss_aversion: float) -> float:
    if outcome >= 0.0:
        return outcome**curvature
    return -loss_aversion * (-outcome) ** curvature


@rule
def sure_value(
    outcome: float, loss_aversion: float, curvature: float, prospect_theory: bool
) -> float:
    """A sure outcome's value: no spread to weigh."""
    if prospect_theory:
        return prospect_value(outcome, curvature, loss_aversion)
    return outcome


@rule
def gamble_value(
    p_win: float,
    win: float,
    p_lose: float,
    lose: float,
    risk_attitude: float,
    loss_aversion: float,
    curvature: float,
    prospect_theory: bool,
) -> float:
    """A two-outcome lottery's expected (prospect) value plus ``risk_attitude`` times the
    spread of its values: every gamble in the model is one (win or bog down, threat works or
    not)."""
    if prospect_theory:  # prospect_value, written out: this is the model's innermost loop
        first = win**curvature if win >= 0.0 else -loss_aversion * (-win) ** curvature
        second = lose**curvature if lose >= 0.0 else -loss_aversion * (-lose) ** curvature
    else:
        first, second = win, lose
    mean = float_sum2(p_win * first, p_lose * second)
    spread = float_sum2(
        p_win * ((first - mean) * (first - mean)), p_lose * ((second - mean) * (second - mean))
    )
    return mean + risk_attitude * math.sqrt(max(0.0, spread))


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
        return sure_value(float(lottery), loss_aversion, curvature, prospect_theory)
    if len(lottery) == 1:
        ((p, x),) = lottery
        return p * sure_value(float(x), loss_aversion, curvature, prospect_theory)
    (p_win, win), (p_lose, lose) = lottery
    return gamble_value(
        p_win, win, p_lose, lose, risk_attitude, loss_aversion, curvature, prospect_theory
    )


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
