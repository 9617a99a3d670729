"""The model's weekly process over arrays: one replicate's state as numbers, and its week.

`layout` says where each number of a replicate lives and turns a scenario into them; `week` is
the weekly process (the actors' reading, reassessing, choosing and acting, and the week's
consequences) as functions of those numbers, each a rule (`world.compiled`): the ensemble
engine (`ensemble`) runs them compiled over blocks of replicates; `handles` is how the compiled
week receives a replicate. The Mesa model (`model`, `agents`) gives the same tables, seed for
seed (tests/ensemble checks every built-in scenario).
"""
