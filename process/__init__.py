"""The model's weekly process over arrays: one replicate's state as numbers, and its week.

`layout` says where each number of a replicate lives and turns a scenario into them; `week` is
the weekly process (the actors' reading, reassessing, choosing and acting, and the week's
consequences) as functions of those numbers, each a rule (`world.compiled`), implemented once:
the Mesa model (`model`, `agents`) runs it one phase at a time for one replicate
(`replicate`), the ensemble engine (`ensemble`) runs whole weeks of blocks of replicates;
`handles` is how compiled code receives a replicate.
"""
