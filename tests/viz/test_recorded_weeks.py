"""Earlier weeks read from the record (the week scrubber), and an actor's trajectories."""

from __future__ import annotations

import math

import pytest

from model import EscalationModel
from viz import narrative, views
from viz.session import InteractiveRun, RunConfig


@pytest.fixture(scope="module")
def stepped() -> tuple[InteractiveRun, dict[int, tuple]]:
    """Baseline, seed 1, run to its end; what each view showed as each week was reached."""
    model = InteractiveRun(RunConfig(seed=1))
    shown = {}
    while True:
        shown[model.week] = (
            views.network_view(model),
            views.network_view(model, all_signals=True),
            views.signal_rows(model),
            views.run_title(model),
            views.narrative(model),
        )
        if not model.running:
            return model, shown
        model.step()


def test_an_earlier_week_shows_what_it_showed_then(stepped):
    model, shown = stepped
    assert model.week == 26
    for week, (network, every, rows, title, told) in shown.items():
        assert views.network_view(model, week=week) == network, week
        assert views.network_view(model, all_signals=True, week=week) == every, week
        assert views.signal_rows(model, week) == rows, week
        assert views.narrative(model, week) == told, week
        assert views.run_title(model, week).startswith(title.split(" — ")[0])
        assert views.weekly(model, week)["week"] == list(range(week + 1))
    assert views.run_title(model, 3).endswith("(the run is at week 26)")
    assert views.weekly(model) is model.datacollector.model_vars  # the latest: no copy


def test_without_kept_ties_an_earlier_week_scales_gas_by_its_flow():
    model = EscalationModel("baseline", rng=5)  # a squeeze in week 7, restored by week 10
    for _ in range(10):
        model.step()
    flow = model.datacollector.model_vars["gas_flow"][8]
    assert flow < model.gas_flow  # week 8's gas was squeezed
    view = views.network_view(model, week=8)
    graph = model.alliance.graph
    for edge in view.edges:
        if edge.kind == "energy_supply":
            contract = graph.get_edge_data(edge.first, edge.second, "energy_supply")["contract"]
            assert edge.weight == pytest.approx(contract * flow)


def test_the_app_tells_what_the_tables_tell(stepped):
    """The live record (what the app reads each week) and ``history()`` give the same story."""
    model, _ = stepped
    tables = model.history()
    told = narrative.run_narrative(tables)
    assert all(views.narrative(model, week) == told[week] for week in told)
    assert list(views.events(model)) == narrative.table_events(tables)
    every = views.events(model)
    assert every, "seed 1 has no dated event to cut"
    cut = every[len(every) // 2].week  # the events up to a week are those of that week or before
    assert list(views.events(model, cut)) == [e for e in every if e.week <= cut]
    assert list(views.events(model, cut)) != list(every) or cut == every[-1].week


def test_an_actors_trajectories_are_its_rows_of_the_agents_table(stepped):
    model, _ = stepped
    table = model.history()["agents"]
    germany = table[table["actor"] == "Germany"].sort_values("week")
    record = views.actor_trajectories(model, "Germany")
    assert record["week"] == list(range(27))
    for column in views.TRAJECTORY_COLUMNS:
        assert record[column] == pytest.approx(germany[column].astype(float).tolist())
    weekly = model.datacollector.model_vars
    assert record["sanction_tier"] == [float(t) for t in weekly["sanction_tier"]]
    early = views.actor_trajectories(model, "Russia", week=5)
    assert early["week"] == list(range(6)) and not any(math.isnan(v) for v in early["cost"])
