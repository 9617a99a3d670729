"""The app's data shaping, batch reading and components, without a browser."""

from __future__ import annotations

import dataclasses
import json
import shutil
import xml.etree.ElementTree as ET

import ipywidgets
import pandas as pd
import pytest
import solara

from analysis import plots, summary
from cli.main import main
from experiments.store import ResultsError
from model import EscalationModel, list_scenarios
from viz import app, batch, charts, figures, results_root, views
from viz.session import LEVERS, InteractiveRun, RunConfig, parse_seed
from world.ladder import RUNG_NAMES, SANCTION_TIER_NAMES


@pytest.fixture
def run() -> InteractiveRun:
    model = InteractiveRun(RunConfig(seed=3))
    for _ in range(4):
        model.step()
    return model


@pytest.fixture
def experiment_dir(tmp_path):
    """A tiny experiment in the runner's on-disk layout: two scenarios, three runs each."""
    rows, weekly = [], []
    for run_id in range(6):
        scenario = "baseline" if run_id < 3 else "arms_now"
        rows.append(
            {
                "run_id": run_id,
                "scenario": scenario,
                "sample": run_id % 3,
                "replicate": 0,
                "seed": 100 + run_id,
                "weeks": 6,
                "misperception": 0.1 + 0.1 * (run_id % 3),
                "dummy": 0.5,
                "status": "ok" if run_id != 5 else "error",
                "error": "" if run_id != 5 else "boom",
                "wall_time": 0.1,
                "versions": "{}",
            }
        )
        if run_id == 5:
            continue
        for week in range(7):
            invaded = week >= 2 + run_id
            weekly.append(
                {
                    "run_id": run_id,
                    "week": week,
                    "rung": 7 if invaded else 1,
                    "invasion": invaded,
                    "sanction_tier": 0,
                }
            )
    (tmp_path / "runs").mkdir()
    (tmp_path / "model").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "runs" / "part-0.parquet")
    pd.DataFrame(weekly).to_parquet(tmp_path / "model" / "part-0.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"experiment": "tiny"}))
    return tmp_path


def test_levers_map_to_documented_parameter_ranges():
    by_name = {lever.name: lever for lever in LEVERS}
    assert set(by_name) == {
        "russia_risk_attitude",
        "sanction_threat_tier",
        "germany_gas_import_share",
        "arms_aid",
        "misperception",
    }
    assert (by_name["russia_risk_attitude"].lo, by_name["russia_risk_attitude"].hi) == (-1, 1)
    assert (by_name["sanction_threat_tier"].lo, by_name["sanction_threat_tier"].hi) == (0, 5)
    assert by_name["sanction_threat_tier"].integer


def test_levers_carry_their_value_and_the_schemas_meaning():
    by_name = {lever.name: lever for lever in LEVERS}
    risk = by_name["russia_risk_attitude"]
    assert risk.help == "Weight on the spread of outcomes (-1 averse .. +1 seeking)"
    assert risk.shown(-0.25) == "Russia's risk attitude: -0.25"
    assert by_name["sanction_threat_tier"].shown(4) == "Western sanction resolve (tier): 4"
    assert all(lever.help for lever in LEVERS)


@pytest.mark.parametrize("text", ["-5", "abc", "1.5", "", " ", "²"])
def test_bad_seeds_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="whole number 0 or more"):
        parse_seed(text)


def test_good_seeds_parse():
    assert parse_seed(" 42 ") == 42 and parse_seed("0") == 0 and parse_seed(7) == 7


def test_sliders_follow_the_scenario_unless_moved():
    assert RunConfig("arms_now").lever_values()["arms_aid"] == 1.0
    assert RunConfig("sanctions_only").lever_values()["sanction_threat_tier"] == 5
    moved = RunConfig("arms_now").with_override("arms_aid", 0.2)
    assert moved.lever_values()["arms_aid"] == 0.2
    assert InteractiveRun(moved).policy.arms_aid == 0.2


def test_same_settings_replay_the_same_run():
    first = InteractiveRun(RunConfig("baseline", seed=7)).run().history()["model"]
    again = InteractiveRun(RunConfig("baseline", seed=7)).run().history()["model"]
    pd.testing.assert_frame_equal(first, again)


def test_reset_ignores_mesas_own_scenario_argument():
    from mesa.experimental.scenarios import Scenario

    model = InteractiveRun(RunConfig("freeze_deal"), scenario=Scenario())
    assert model.spec.name == "freeze_deal"


def test_network_view_has_every_actor_edge_type_and_this_weeks_signals(run):
    view = views.network_view(run)
    assert {n.name for n in view.nodes} == set(run.actors)
    assert {e.kind for e in view.edges} >= {"nato_ally", "eu_member", "adversary"}
    assert view.signals and all(s.kinds for s in view.signals)
    assert all(n.stance in charts.STANCE_COLOURS for n in view.nodes)
    assert all(n.capability > 0 for n in view.nodes)


def test_signal_rows_list_only_this_weeks_signals_strongest_first(run):
    rows = views.signal_rows(run)
    assert sum(len(row[1]) for row in rows) == sum(1 for s in run.outbox if s.week == run.week)
    assert rows
    assert all(len(row) == len(views.SIGNAL_TABLE_COLUMNS) for row in rows)
    assert [row[3] for row in rows] == sorted((row[3] for row in rows), reverse=True)


def test_signals_table_lists_every_signal_escaped(run):
    rows = views.signal_rows(run)
    html = charts.signals_table([*rows, ("<b>Ruritania</b>", "Ukraine", "talks", 0.5)])
    assert html.count("<tr>") == len(rows) + 1 > 1
    assert "<b>" not in html and "&lt;b&gt;Ruritania&lt;/b&gt;" in html


def test_history_csv_has_a_row_per_week(run):
    text = views.history_csv(run, "model")
    assert len(text.strip().splitlines()) == run.week + 2  # header, week 0 .. week n


def _svg(markup: str) -> ET.Element:
    """The markup parsed as XML: it must be well formed, with every text escaped."""
    return ET.fromstring(markup)


SVG = "{http://www.w3.org/2000/svg}"


def _texts_of(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_views_carry_their_week_and_change_every_week():
    model = InteractiveRun(RunConfig(seed=2))
    start, end = views.horizon_dates(model)
    series = [charts.SeriesSvg(spec, start, end) for spec in charts.WEEKLY_CHARTS]
    previous = None
    for week in range(4):
        markup = [chart.update(views.weekly(model)) for chart in series]
        markup.insert(0, charts.network_svg(views.network_view(model)))
        roots = [_svg(m) for m in markup]
        assert [r.get("data-view") for r in roots] == list(charts.VIEW_NAMES)
        assert all(r.get("data-week") == str(week) for r in roots)
        drawn = [ET.tostring(r.find(f"{SVG}g[@class='data']")) for r in roots]
        if previous is not None:
            assert all(new != old for new, old in zip(drawn, previous, strict=True))
        previous = drawn
        model.step()


def test_time_charts_name_rungs_tiers_dates_and_units(run):
    start, end = views.horizon_dates(run)
    text = {
        spec.key: _texts_of(_svg(charts.SeriesSvg(spec, start, end).update(views.weekly(run))))
        for spec in charts.WEEKLY_CHARTS
    }
    assert all(name in text["ladder"] for name in RUNG_NAMES.values())
    assert all(name in text["sanctions"] for name in SANCTION_TIER_NAMES.values())
    assert all(month in text["ladder"] for month in ("Nov", "Dec", "Jan", "2021", "2022"))
    assert "(thousands)" in text["forces"] and "week 0 = 1" in text["capability"]
    assert "% full" in text["energy"] and "EUR/MWh" in text["energy"]
    assert f"week 4 ({run.date:%d %b %Y})" in text["cohesion"]
    assert run.rung_name in text["ladder"]  # the caption names this week's rung


@pytest.mark.parametrize("spec", charts.WEEKLY_CHARTS, ids=lambda spec: spec.key)
def test_cached_frame_matches_a_fresh_draw_and_axes_hold_the_data(spec):
    """The frame kept between weeks never goes stale as an axis grows."""
    model = InteractiveRun(RunConfig(seed=2))
    chart = charts.SeriesSvg(spec, *views.horizon_dates(model))
    for _ in range(14):
        record = views.weekly(model)
        kept = chart.update(record)
        chart.invalidate()
        assert chart.update(record) == kept
        for series in spec.series:
            low, high = chart.limits["right" if series.right else "left"]
            assert all(low <= v * series.scale <= high for v in record[series.column])
        model.step()


def test_network_shows_every_actor_tie_and_signal(run):
    view = views.network_view(run)
    root = _svg(charts.network_svg(view))
    text = _texts_of(root)
    assert all(node.name in text for node in view.nodes)
    assert all(stance in text for stance in charts.STANCE_COLOURS)
    assert all(style.label in text for style in charts.EDGE_STYLES.values())
    edges = root.find(f".//{SVG}g[@class='edges']")
    assert len(edges) == len(view.edges)
    arrows = root.findall(f".//{SVG}line[@class='signal']")
    assert len(arrows) == len(view.signals) > 0
    assert all(a.get("marker-end", "").startswith("url(#net-arrow-") for a in arrows)


def test_network_escapes_names_from_scenario_files(run):
    view = views.network_view(run)
    hostile = '<script>alert("x")</script> & co'
    renamed = {view.nodes[0].name: hostile}

    def rename(name: str) -> str:
        return renamed.get(name, name)

    view = dataclasses.replace(
        view,
        nodes=tuple(dataclasses.replace(n, name=rename(n.name)) for n in view.nodes),
        edges=tuple(
            dataclasses.replace(e, first=rename(e.first), second=rename(e.second))
            for e in view.edges
        ),
        signals=tuple(
            dataclasses.replace(a, sender=rename(a.sender), receiver=rename(a.receiver))
            for a in view.signals
        ),
    )
    markup = charts.network_svg(view)
    root = _svg(markup)
    assert "<script" not in markup
    assert not root.findall(f".//{SVG}script") and not root.findall(".//script")
    assert hostile in _texts_of(root)


def test_nice_ticks_are_round_and_cover_the_range():
    assert charts.nice_ticks(0.0, 100.0) == [0, 20, 40, 60, 80, 100]
    ticks = charts.nice_ticks(71.3, 124.9)
    assert ticks[0] >= 71.3 and ticks[-1] <= 124.9 and 4 <= len(ticks) <= 7


def test_invasion_curves_per_scenario_skip_failed_runs(experiment_dir):
    curves = batch.scenario_curves(batch.load(experiment_dir))
    baseline = curves[curves["scenario"] == "baseline"].set_index("week")
    assert baseline.loc[0, "p_invasion"] == 0.0
    assert baseline.loc[6, "p_invasion"] == 1.0
    arms = curves[curves["scenario"] == "arms_now"]
    assert arms["runs"].max() == 2  # run 5 failed
    assert (curves["p_invasion_lo"] <= curves["p_invasion"]).all()
    assert (curves["p_invasion"] <= curves["p_invasion_hi"]).all()


def test_runs_are_labelled_in_run_order_with_their_outcome(experiment_dir):
    results = batch.load(experiment_dir)
    labels = batch.run_labels(batch.run_table(results))
    assert list(labels.values()) == list(range(6))
    assert "run 0: baseline, seed 100, invaded in week 2 (15 Nov 2021)" in labels
    assert "run 5: arms_now, seed 105, failed (error)" in labels


def test_the_run_picker_filters_by_scenario_and_outcome(experiment_dir):
    results = batch.run_table(batch.load(experiment_dir))
    assert list(batch.run_labels(results, "arms_now").values()) == [3, 4, 5]
    assert list(batch.run_labels(results, None, "failed").values()) == [5]
    assert list(batch.run_labels(results, "arms_now", "invaded").values()) == [3, 4]
    assert batch.run_labels(results, "baseline", "no invasion") == {}
    assert set(results["outcome"]) <= set(batch.OUTCOMES)


def test_the_invasion_table_gives_each_scenario_its_interval_and_median_date(experiment_dir):
    table = batch.invasion_table(batch.load(experiment_dir)).set_index("scenario")
    base, arms = table.loc["baseline"], table.loc["arms_now"]
    assert (base["runs"], base["invaded"], base["p_invasion"]) == (3, 3, 1.0)
    assert base["p_invasion_lo"] < 1.0 == base["p_invasion_hi"]
    assert (arms["runs"], arms["errors"]) == (2, 1)  # run 5 failed
    assert base["median_invasion_date"] == "2021-11-22"  # week 3 of a run from 1 Nov 2021
    rows = batch.table_rows(table.reset_index())
    assert rows[0][0] == "baseline" and rows[0][3] == "1.00" and " to " in rows[0][4]


def test_the_experiment_figure_is_dated_and_tells_coinciding_curves_apart(experiment_dir):
    results = batch.load(experiment_dir)
    curves = batch.scenario_curves(results)
    figure = plots.invasion_curves_plot(curves, ["scenario"], summary.common_start(results))
    axes = figure.axes[0]
    assert axes.get_xlabel() == "date (week 0 = 01 Nov 2021)"
    lines = axes.get_lines()
    assert len({line.get_linestyle() for line in lines}) == len(lines) == 2
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["baseline (1.00)", "arms_now (1.00)"]
    document = figures.svg(figure)
    markup = figures.inline_svg(document)
    assert document.startswith("<?xml") and markup.startswith("<svg ")
    assert "<script" not in markup
    assert figures.png(figure).startswith(b"\x89PNG")


def test_run_config_replays_scenario_seed_and_varied_parameters(experiment_dir):
    experiment = batch.load(experiment_dir)
    config = batch.run_config(experiment, 4)
    assert (config.scenario, config.seed, config.weeks) == ("arms_now", 104, 6)
    assert config.overrides == {"misperception": pytest.approx(0.2)}  # not "dummy"
    model = InteractiveRun(config)
    assert model.world.misperception == pytest.approx(0.2) and model.horizon == 6


def test_replay_reproduces_the_batch_run(tmp_path):
    """A run recorded as the runner records it (scenario, seed, weeks, overrides) replays
    week for week."""
    seed, overrides = 987654321, {"arms_aid": 0.6, "russia_risk_attitude": 0.3}
    recorded = EscalationModel("closing_window", rng=seed, weeks=10, **overrides).run()
    weekly = recorded.history()["model"].assign(run_id=7)
    runs = pd.DataFrame(
        [{"run_id": 7, "scenario": "closing_window", "sample": 0, "replicate": 0, "seed": seed}]
    ).assign(weeks=10, status="ok", dummy=0.1, **overrides)
    for name, frame in (("runs", runs), ("model", weekly)):
        (tmp_path / name).mkdir()
        frame.to_parquet(tmp_path / name / "part-00000.parquet")
    (tmp_path / "model" / "part-00001.parquet").write_bytes(b"chunk still being written")
    (tmp_path / "manifest.json").write_text(json.dumps({"name": "one run"}))
    replay = InteractiveRun(batch.run_config(batch.load(tmp_path), 7)).run()
    pd.testing.assert_frame_equal(replay.history()["model"], recorded.history()["model"])


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing", "no such directory"),
        (lambda tmp: (tmp / "f.txt").write_text("x") and tmp / "f.txt", "not a directory"),
        (lambda tmp: tmp, r"not an experiment directory \(no manifest.json\)"),
    ],
)
def test_bad_directories_give_a_clear_message(tmp_path, make, expected):
    with pytest.raises(ResultsError, match=expected):
        batch.load(make(tmp_path))


def test_an_empty_path_asks_for_one():
    with pytest.raises(ResultsError, match="Type the path"):
        batch.load("  ")


def test_a_directory_without_runs_gives_a_clear_message(experiment_dir):
    for part in (experiment_dir / "runs").iterdir():
        part.unlink()
    with pytest.raises(ResultsError, match=r"no runs stored|INCOMPLETE: 0 of"):
        batch.load(experiment_dir)


def test_corrupt_parquet_gives_a_clear_message(experiment_dir):
    (experiment_dir / "runs" / "part-0.parquet").write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match=r"part-0.parquet: unreadable"):
        batch.load(experiment_dir)


def _texts(box) -> str:
    found = []

    def walk(widget):
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, ipywidgets.Widget):
                walk(child)
            elif isinstance(child, str):
                found.append(child)
        for name in ("value", "label", "description", "text"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                found.append(value)

    walk(box)
    return "\n".join(found)


def test_panels_render_for_a_run(run):
    for panel in (app.NetworkPanel, app.LadderPanel, app.SignalsPanel, app.ExportPanel):
        box, rc = solara.render(panel(run), handle_error=False)
        rc.close()
    box, rc = solara.render(app.NetworkPanel(run), handle_error=False)
    assert "week 4/26" in _texts(box)
    (svg,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    assert _svg(svg).get("data-week") == "4"
    rc.close()


def test_run_controls_offer_every_scenario():
    session = app.Session(
        model=solara.Reactive(InteractiveRun(RunConfig())), config=solara.Reactive(RunConfig())
    )
    _box, rc = solara.render(app.RunControls(session), handle_error=False)
    selects = rc.find(v_model="baseline")
    assert selects.widgets
    items = selects.widgets[0].items
    assert set(items) == set(list_scenarios())
    rc.close()


def test_a_bad_seed_is_shown_and_leaves_the_configured_seed():
    session = app.Session(
        model=solara.Reactive(InteractiveRun(RunConfig())), config=solara.Reactive(RunConfig())
    )
    box, rc = solara.render(app.RunControls(session), handle_error=False)
    field = rc.find(label="Seed").widget
    field.v_model = "-5"
    assert "Seed must be a whole number 0 or more, not -5." in _texts(box)
    assert session.config.value.seed == 1
    field.v_model = "8"
    assert "whole number" not in _texts(box)
    assert session.config.value.seed == 8
    rc.close()


def test_starting_a_run_stops_play():
    session = app.Session(
        model=solara.Reactive(InteractiveRun(RunConfig())), config=solara.Reactive(RunConfig())
    )
    session.play()
    fresh = InteractiveRun(RunConfig(seed=5))
    session.start(fresh)
    assert session.playing.value is False and session.model.value is fresh
    session.play_loop()  # a loop started for an earlier run would stop at once
    assert fresh.week == 0


def render_batch_panel():
    """The experiment page in a session of its own, rendered; its render context."""
    model = InteractiveRun(RunConfig())
    session = app.Session(model=solara.Reactive(model), config=solara.Reactive(RunConfig()))

    @solara.component
    def Wrapped():
        app.session_context.provide(session)
        app.BatchPanel(model)

    return solara.render(Wrapped(), handle_error=False)[1]


def test_batch_panel_shows_an_error_for_a_bad_path(tmp_path, monkeypatch):
    monkeypatch.setenv(results_root.ROOT_ENV, str(tmp_path))
    rc = render_batch_panel()
    field = rc.find(label="Experiment output directory").widget
    field.v_model = "nowhere"
    field.fire_event("keyup.enter")
    rc.find(children=[f"{tmp_path / 'nowhere'}: no such directory"]).assert_single()
    rc.close()


def test_app_command_rejects_bad_ports(capsys):
    assert main(["app", "--port", "70000"]) == 2
    assert "between 1 and 65535" in capsys.readouterr().err


def test_a_compared_run_is_overlaid_dashed_and_named(run):
    other = InteractiveRun(RunConfig(scenario="arms_now", seed=run.config.seed))
    for model in (run, other):
        for _ in range(3):
            model.step()
    chart = charts.SeriesSvg(charts.LADDER, *views.horizon_dates(run))
    alone = chart.update(views.weekly(run), views.events(run))
    both = chart.update(views.weekly(run), views.events(run), views.weekly(other), "arms_now")
    root = _svg(both)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "compared"]
    assert len(groups) == 1 and groups[0].get("stroke-dasharray")
    assert "same seed, arms_now" in _texts_of(root)
    assert 'class="compared"' not in alone
    # The key ends inside the plot, short of the last week's dot, over a halo.
    key = next(t for t in groups[0].iter(f"{SVG}text") if "same seed" in (t.text or ""))
    assert key.get("text-anchor") == "end" and float(key.get("x")) < chart.right
    assert key.get("paint-order") == "stroke"


def test_batch_panel_picks_the_only_experiment_under_the_root(
    experiment_dir, tmp_path_factory, monkeypatch
):
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(experiment_dir, root / "tiny")
    monkeypatch.setenv(results_root.ROOT_ENV, str(root))
    rc = render_batch_panel()
    rc.find(children=[f"1 experiment under {root}"]).assert_single()
    picked = rc.find(label="Experiment output directory").widget
    assert picked.v_model == "tiny"
    rc.close()
