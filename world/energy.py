"""Gas storage, seasonal demand and the energy-price index.

Storage follows a sinusoidal net withdrawal peaking in the coldest week, calibrated so that EU
storage falls from about 77% (late October 2021) to about 64% (early December) and under 40%
(early February 2022) as GIE AGSI+ reported; a Russian supply shortfall adds withdrawal in
proportion to an actor's dependence not covered by alternatives.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from world.parameters import World

# Exposure weights (§8.5 of the ODD): gas dominates Europe's exposure, oil the rest; exposure
# falls as storage fills, to a third of its empty-storage value when full (offset 1.5).
GAS_EXPOSURE_WEIGHT = 0.8
OIL_EXPOSURE_WEIGHT = 0.2
STORAGE_OFFSET = 1.5
# Seasonal withdrawal scales with twice the winter sensitivity (the calibration convention).
SEASONAL_FACTOR = 2.0


def winter_load(date: dt.date, coldest_day: int) -> float:
    """+1 in the coldest week of the year, -1 in the warmest."""
    day = date.timetuple().tm_yday
    return math.cos(2.0 * math.pi * (day - coldest_day) / 365.25)


@lru_cache(maxsize=4096)
def calendar_week(start: dt.date, week: int, coldest_day: int) -> tuple[dt.date, float]:
    """The date and winter load of ``week``: the same for every run from ``start``, so once."""
    date = start + dt.timedelta(weeks=week)
    return date, winter_load(date, coldest_day)


def storage_change(
    world: World,
    load: float,
    winter_sensitivity: float,
    dependence: float,
    gas_flow: float,
) -> float:
    """Net weekly change in storage fill for an actor with the given uncovered dependence."""
    seasonal = world.storage_injection_base - world.storage_withdrawal_peak * load * (
        SEASONAL_FACTOR * winter_sensitivity
    )
    shortfall = world.supply_shortfall_effect * dependence * max(0.0, 1.0 - gas_flow)
    return seasonal - shortfall


def next_storage(storage: float, change: float) -> float:
    value = storage + change
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def gas_price(world: World, storage: float, gas_flow: float) -> float:
    """TTF-like price index in EUR/MWh: scarce storage and lost Russian flow push it up."""
    lost_flow = max(0.0, world.initial_gas_flow - gas_flow)
    return (
        world.gas_price_reference
        * math.exp(world.price_storage_elasticity * (world.reference_storage - storage))
        * (1.0 + world.price_flow_elasticity * lost_flow)
    )


def energy_exposure(
    gas_share: float,
    oil_share: float,
    lng_alternatives: float,
    winter_sensitivity: float,
    load: float,
    storage: float,
) -> float:
    """How much an energy embargo (and Russian cut-off) would hurt this actor, 0 to about 1."""
    gas = gas_share * (1.0 - lng_alternatives) * (1.0 + winter_sensitivity * load)
    return GAS_EXPOSURE_WEIGHT * gas * (STORAGE_OFFSET - storage) + OIL_EXPOSURE_WEIGHT * oil_share
