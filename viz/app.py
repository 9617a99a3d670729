"""The browser app: Mesa's SolaraViz around the escalation model, plus run controls and views.

Start with ``escalation app`` or ``solara run viz/app.py``. Everything mutable lives in the
session (``Page`` creates it per browser tab), so two visitors never share a model. This module
only lays out; the weekly views are SVG from :mod:`viz.charts`, the batch page's figure is
Matplotlib from :mod:`viz.figures`, data shaping in :mod:`viz.views` and
:mod:`viz.batch`, run settings in :mod:`viz.session`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import reacton.ipywidgets as rw
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from experiments.store import ResultsError
from model import list_scenarios
from viz import batch, charts, figures, results_root, views
from viz.session import LEVERS, InteractiveRun, RunConfig

TITLE = "Crisis escalation 2021-22"


@dataclass(frozen=True)
class Session:
    """One browser session's run: the model SolaraViz steps and the settings for the next."""

    model: solara.Reactive[InteractiveRun]
    config: solara.Reactive[RunConfig]


session_context = solara.create_context(None)


def _session() -> Session:
    return solara.use_context(session_context)


@solara.component
def RunControls(session: Session) -> None:
    """Scenario, seed and the policy levers; Reset (or a replay) starts a run with them."""
    config = session.config.value
    scenarios = list_scenarios()
    values = config.lever_values()

    def pick_scenario(name: str) -> None:
        # A new scenario brings its own parameter values; earlier slider moves are dropped.
        session.config.set(RunConfig(scenario=name, seed=session.config.value.seed))

    def set_seed(seed: int | None) -> None:
        if seed is not None and seed >= 0:
            session.config.set(dataclasses.replace(session.config.value, seed=int(seed)))

    with solara.Card("Run settings"):
        solara.Select(
            "Scenario", values=list(scenarios), value=config.scenario, on_value=pick_scenario
        )
        solara.Text(scenarios.get(config.scenario, ""), style={"font-size": "0.8em"})
        solara.InputInt("Seed", value=config.seed, on_value=set_seed)
        for lever in LEVERS:

            def move(value: float, name: str = lever.name) -> None:
                session.config.set(session.config.value.with_override(name, value))

            slider = solara.SliderInt if lever.integer else solara.SliderFloat
            slider(
                lever.label,
                value=values[lever.name],
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                on_value=move,
            )
        solara.Text("Press Reset to start a run with these settings.")


def _heading(text: str, name: str = "heading") -> solara.Element:
    # solara.Markdown would fetch KaTeX from a CDN, which an offline page must not do.
    return solara.Text(text, style={"font-weight": "bold"}, classes=[name])


def _image(data: bytes) -> solara.Element:
    return rw.Image(value=data, format="png")


def _svg(markup: str) -> solara.Element:
    # Inline SVG (see viz.charts on why not PNG); the markup escapes every text it carries.
    return solara.HTML(tag="div", unsafe_innerHTML=markup, classes=["chart"])


@solara.component
def NetworkPanel(model: InteractiveRun) -> None:
    update_counter.get()
    all_signals = solara.use_reactive(False)  # the week's strongest signals unless ticked
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "0 16px"}):
        _heading(views.run_title(model), "run-title")
        toggle = "Show all signals (routine broadcasts too)"
        solara.Checkbox(label=toggle, value=all_signals, style="margin: 0; padding: 0")
    _svg(charts.network_svg(views.network_view(model, all_signals.value)))


def _weekly_panel(spec: charts.ChartSpec):
    @solara.component
    def Panel(model: InteractiveRun) -> None:
        update_counter.get()
        # One chart per run: it keeps its axes' limits and drawn frame from week to week.
        chart = solara.use_memo(
            lambda: charts.SeriesSvg(spec, *views.horizon_dates(model)), [model]
        )
        _svg(chart.update(views.weekly(model)))

    Panel.__name__ = spec.key.title() + "Panel"
    return Panel


LadderPanel = _weekly_panel(charts.LADDER)
ForcesPanel = _weekly_panel(charts.FORCES)
CapabilityPanel = _weekly_panel(charts.CAPABILITY)
SanctionsPanel = _weekly_panel(charts.SANCTIONS)
EnergyPanel = _weekly_panel(charts.ENERGY)
CohesionPanel = _weekly_panel(charts.COHESION)


@solara.component
def SignalsPanel(model: InteractiveRun) -> None:
    update_counter.get()
    rows = views.signal_rows(model)
    _heading(f"Signals sent in week {model.week} ({len(rows)})")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=charts.signals_table(rows),
        style={"font-size": "0.85em"},  # a broadcast is one row: short enough unboxed
    )


@solara.component
def ExportPanel(model: InteractiveRun) -> None:
    """Download buttons; the tables are built when clicked, so they hold the current week.

    It does not follow the weekly update counter: nothing it shows changes from week to week.
    """
    stem = f"{model.spec.name}-seed{model.seed_used}"
    _heading("Export this run's history (CSV)")
    with solara.Row():
        for table in ("model", "agents", "signals"):
            solara.FileDownload(
                lambda table=table: views.history_csv(model, table),
                filename=f"{stem}-{table}.csv",
                label=f"{table} table",
            )


@solara.component
def BatchPanel(model: InteractiveRun) -> None:
    """Invasion curves of an experiment under the results root, and replay of any of its runs.

    Only directories under the root ``escalation app --results`` names are read (see
    :mod:`viz.results_root`); the experiments found there are offered to pick from.
    """
    session = _session()
    directory = solara.use_reactive("")
    chosen = solara.use_reactive(None)
    message = solara.use_reactive("")
    looked = solara.use_reactive(0)  # bumped by "Look again" to list the root anew
    root = results_root.results_root()
    found = solara.use_memo(lambda: results_root.experiments(root), [str(root), looked.value])

    def load():
        try:
            results = batch.load(results_root.inside(root, directory.value))
            return results, batch.scenario_curves(results), None
        except ResultsError as exc:
            return None, None, str(exc)

    results, curves, error = solara.use_memo(load, [str(root), directory.value])

    if found:
        solara.Text(f"{len(found)} experiments under {root}")
        with solara.Row():
            solara.Select(
                "Experiment", values=found, value=directory.value or None, on_value=directory.set
            )
            solara.Button("Look again", on_click=lambda: looked.set(looked.value + 1))
    else:
        solara.Info(f"The results directory {root} holds no experiments yet.")
        solara.Button("Look again", on_click=lambda: looked.set(looked.value + 1))
    solara.InputText("Experiment output directory", value=directory, continuous_update=False)
    if not directory.value.strip():
        solara.Info("Pick an experiment, or type its path under that directory and press Enter.")
        return
    if error:
        solara.Error(error)
        return
    solara.Text(f"{len(results.runs)} runs in {results.out_dir}")
    if results.incomplete:
        solara.Warning(f"{results.incomplete}: the experiment has not finished.")
    _image(figures.png(figures.invasion_curves_figure(curves)))
    labels = batch.run_labels(results)

    def replay() -> None:
        if chosen.value not in labels:
            message.set("Pick a run first.")
            return
        try:
            config = batch.run_config(results, labels[chosen.value])
            run = InteractiveRun(config)
        except (ResultsError, ValueError) as exc:
            message.set(f"Cannot replay: {exc}")
            return
        session.config.set(config)
        session.model.set(run)
        message.set(f"Loaded {chosen.value} into the interactive view (Page 0).")

    solara.Select("Run to replay", values=list(labels), value=chosen)
    solara.Button("Replay in the interactive view", color="primary", on_click=replay)
    if message.value:
        solara.Info(message.value)


COMPONENTS = [
    (NetworkPanel, 0),
    (LadderPanel, 0),
    (ForcesPanel, 0),
    (CapabilityPanel, 0),
    (SanctionsPanel, 0),
    (EnergyPanel, 0),
    (CohesionPanel, 0),
    (SignalsPanel, 0),
    (ExportPanel, 0),
    (BatchPanel, 1),
]


@solara.component
def Page() -> None:
    """One session: its own settings and model, the controls and SolaraViz's views."""
    config = solara.use_reactive(RunConfig())
    first = solara.use_memo(lambda: InteractiveRun(config.value), [])
    model = solara.use_reactive(first)
    session = solara.use_memo(lambda: Session(model=model, config=config), [])
    session_context.provide(session)
    with solara.Sidebar():
        # The sidebar is a portal outside this tree's context, so the session is passed in.
        RunControls(session)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params={"config": config},
        name=TITLE,
    )
