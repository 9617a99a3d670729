"""The ensemble engine: many replicates of the model in compiled loops, one run's tables each.

`simulate` runs a block of seeded replicates; `tables` frames what they recorded as the Mesa
model's ``history()`` does, so a replicate is comparable, table for table, to its Mesa run.
"""

from ensemble.driver import Block, simulate

__all__ = ["Block", "simulate"]
