"""The browser app: the escalation model's run controls and views, built from Mesa's pieces.

Start with ``escalation app`` or ``solara run viz/app.py``. Everything mutable lives in the
session (``Page`` creates it per browser tab), so two visitors never share a model. This module
only lays out and runs the play loop; the weekly views are SVG from :mod:`viz.charts`, the
batch page's figure is Matplotlib from :mod:`viz.figures`, data shaping in :mod:`viz.views` and
:mod:`viz.batch`, the week's narrative and the charts' events in :mod:`viz.narrative`, run
settings in :mod:`viz.session`. The views show the week the scrubber picks (the latest unless
moved back), read from the run's record; clicking an actor in the network opens its inspector.

Mesa's ``SolaraViz`` is not used as a whole: its controller keeps its own play state, which a
replay from the batch page could not stop (leaving Play and Step greyed out), lets one more
week through after a pause, and its sidebar shows settings (render interval, threads, an empty
parameter card, "Time") that mean nothing here. The views follow Mesa's ``update_counter``.
Nor is its draggable grid: its fixed rows made views scroll inside the page and its fixed
columns shrank chart text on narrow windows; a CSS grid reflows instead (``VIEWS_CSS``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import ipyvuetify
import ipywidgets
import solara
import solara.lab
import traitlets
from mesa.visualization.utils import force_update, update_counter

from analysis import plots, summary
from experiments.store import ResultsError
from model import list_scenarios
from viz import batch, charts, figures, futures, results_root, views
from viz.session import LEVERS, InteractiveRun, RunConfig, parse_seed

TITLE = "Crisis escalation 2021-22"
PLAY_INTERVAL_MS = 100
TABS = ("Single run", "Experiment", "Many futures")


@dataclass
class Player:
    """The play loop's stop request, shared by the page's handlers and the loop's thread.

    ``generation`` counts the runs started; a loop left over from an earlier run never touches
    the session again.
    """

    stop: threading.Event = field(default_factory=threading.Event)
    generation: int = 0


@dataclass(frozen=True)
class Session:
    """One browser session: its run, the settings for the next one and whether it plays."""

    model: solara.Reactive[InteractiveRun]
    config: solara.Reactive[RunConfig]
    playing: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(False))
    seed_text: solara.Reactive[str] = field(
        default_factory=lambda: solara.reactive("")
    )  # as typed; set from the config if empty
    error: solara.Reactive[str] = field(default_factory=lambda: solara.reactive(""))
    interval: solara.Reactive[int] = field(
        default_factory=lambda: solara.reactive(PLAY_INTERVAL_MS)
    )
    # The week the views show, None for the latest: the week scrubber reads the record.
    shown: solara.Reactive[int | None] = field(default_factory=lambda: solara.reactive(None))
    # Another scenario run on the same seed and settings beside this one, overlaid on the
    # ladder and sanctions charts ("" for none); it steps with the run.
    compared_scenario: solara.Reactive[str] = field(default_factory=lambda: solara.reactive(""))
    comparison: solara.Reactive[InteractiveRun | None] = field(
        default_factory=lambda: solara.reactive(None)
    )
    player: Player = field(default_factory=Player)

    def __post_init__(self) -> None:
        if not self.seed_text.value:
            self.seed_text.set(str(self.config.value.seed))

    def start(self, run: InteractiveRun) -> None:
        """Show ``run`` at week 0, stopping any play first (Reset and replay)."""
        self.player.stop.set()
        self.player.generation += 1
        self.playing.set(False)
        self.error.set("")
        self.shown.set(None)
        self.model.set(run)
        self.comparison.set(self._compared_run(run))
        force_update()

    def compare_with(self, scenario: str) -> None:
        """Overlay ``scenario`` run on this run's seed and settings ("" for none)."""
        self.compared_scenario.set(scenario)
        self.comparison.set(self._compared_run(self.model.value))
        force_update()

    def _compared_run(self, run: InteractiveRun) -> InteractiveRun | None:
        """The compared scenario on ``run``'s seed and settings, stepped to ``run``'s week."""
        scenario = self.compared_scenario.value
        if not scenario:
            return None
        config = dataclasses.replace(run.config, scenario=scenario, label="")
        try:
            other = InteractiveRun(config)
        except ValueError as exc:  # a scenario or override it rejects
            self.error.set(f"Cannot compare with {scenario}: {exc}")
            return None
        while other.week < run.week and other.running:
            other.step()
        return other

    def _step_both(self, run: InteractiveRun) -> None:
        run.step()
        other = self.comparison.value
        if other is not None and other.running and other.week < run.week:
            other.step()

    def show(self, week: int) -> None:
        """Show an earlier week of the run (the latest follows the run again)."""
        self.shown.set(None if week >= self.model.value.week else max(0, int(week)))

    def play(self) -> None:
        self.shown.set(None)
        self.player.stop.clear()
        self.playing.set(True)

    def pause(self) -> None:
        # The loop itself clears ``playing`` once it has stopped, so the ▶ shown after a pause
        # comes after the last week drawn: no week slips through once Play is back.
        self.player.stop.set()

    def step(self) -> None:
        run = self.model.value
        if not self.playing.value and run.running:
            self._step_both(run)
            self.shown.set(None)
            force_update()

    def play_loop(self) -> None:
        """Step the current run every ``interval`` ms until paused, replaced or finished."""
        player, run = self.player, self.model.value
        generation = player.generation

        def wanted() -> bool:
            return (
                not player.stop.is_set()
                and player.generation == generation
                and self.model.value is run
                and run.running
            )

        try:
            while wanted():
                time.sleep(self.interval.value / 1000)
                if not wanted():  # paused while waiting: not one more week
                    break
                self._step_both(run)
                force_update()
        except Exception as exc:  # shown on the page, like Mesa's controller does
            if player.generation == generation:
                self.error.set(f"The run stopped with an error: {exc}")
        if player.generation == generation:
            self.playing.set(False)


session_context = solara.create_context(None)


def _session() -> Session:
    return solara.use_context(session_context)


def finished_text(model: InteractiveRun) -> str:
    """What the page says once a run can go no further."""
    return f"Run finished at week {model.week} ({model.date:%d %b %Y})."


@solara.component
def RunController(session: Session) -> None:
    """Reset, Play/Pause and Step, the week and date shown, the end of a run announced."""
    update_counter.get()
    run = session.model.value
    playing = session.playing.value
    running = run.running

    def loop() -> None:
        if session.playing.value:
            session.play_loop()

    solara.lab.use_task(loop, dependencies=[playing, run], prefer_threaded=True)
    seed_ok = _seed_error(session.seed_text.value) is None

    def reset() -> None:
        session.start(InteractiveRun(session.config.value))

    with solara.Row(justify="space-between"):
        solara.Button(label="Reset", color="primary", on_click=reset, disabled=not seed_ok)
        solara.Button(
            label="❚❚" if playing else "▶",
            color="primary",
            on_click=session.pause if playing else session.play,
            disabled=not running,
        )
        solara.Button(
            label="Step", color="primary", on_click=session.step, disabled=playing or not running
        )
    solara.Text(
        f"Week {run.week} of {run.horizon}, {run.date:%d %b %Y}",
        classes=["run-week"],
    )
    WeekScrubber(session)
    if not running:
        solara.Success(finished_text(run), classes=["run-finished"])
    if session.error.value:
        solara.Error(session.error.value)
    solara.SliderInt(
        f"Play interval: {session.interval.value} ms per week",
        value=session.interval,
        min=10,
        max=1000,
        step=10,
    )


@solara.component
def WeekScrubber(session: Session) -> None:
    """A slider over the weeks run so far: the views show the week chosen, read from the
    record (never a rerun); Step, Play and Reset go back to the latest week."""
    update_counter.get()
    run = session.model.value
    shown = views.shown_week(run, session.shown.value)
    with solara.Div(classes=["week-scrubber"]):
        solara.SliderInt(
            f"Week shown: {shown} ({views.week_date(run, shown):%d %b %Y})",
            value=shown,
            min=0,
            max=max(run.week, 1),
            on_value=session.show,
            disabled=session.playing.value or run.week == 0,
            thumb_label=False,
        )
        # In the same box as the slider: a root that changed would redraw it and lose focus.
        if shown < run.week:
            solara.Text(
                f"An earlier week of the run; Step or Play go on from week {run.week}.",
                classes=["scrubbed"],
                style={"font-size": "0.8em", "color": "grey"},
            )


def _seed_error(text: str) -> str | None:
    try:
        parse_seed(text)
    except ValueError as exc:
        return str(exc)
    return None


@solara.component
def RunControls(session: Session) -> None:
    """Scenario, seed and the policy levers; Reset (or a replay) starts a run with them."""
    config = session.config.value
    scenarios = list_scenarios()
    values = config.lever_values()
    seed_error = _seed_error(session.seed_text.value)

    def pick_scenario(name: str) -> None:
        # A new scenario brings its own parameter values; earlier slider moves are dropped.
        session.config.set(RunConfig(scenario=name, seed=session.config.value.seed))

    def set_seed(text: str) -> None:
        session.seed_text.set(text)
        if _seed_error(text) is None:
            seed = parse_seed(text)
            session.config.set(dataclasses.replace(session.config.value, seed=seed))

    with solara.Card("Run settings"):
        solara.Select(
            "Scenario", values=list(scenarios), value=config.scenario, on_value=pick_scenario
        )
        solara.Text(scenarios.get(config.scenario, ""), style={"font-size": "0.8em"})
        solara.InputText(
            "Seed", value=session.seed_text.value, on_value=set_seed, continuous_update=True
        )
        if seed_error:
            solara.Error(f"{seed_error} Reset is off until it is.", classes=["seed-error"])
        for lever in LEVERS:

            def move(value: float, name: str = lever.name) -> None:
                session.config.set(session.config.value.with_override(name, value))

            slider = solara.SliderInt if lever.integer else solara.SliderFloat
            slider(
                lever.shown(values[lever.name]),
                value=values[lever.name],
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                on_value=move,
                thumb_label=False,
            )
            solara.Text(
                lever.help,
                classes=["lever-help"],
                style={"font-size": "0.75em", "color": "grey", "margin-top": "-12px"},
            )
        with solara.Div(style={"margin-top": "12px"}):
            solara.Text("Press Reset to start a run with these settings.")
        solara.Select(
            "Compare with (ladder and sanctions)",
            values=[NO_COMPARISON, *scenarios],
            value=session.compared_scenario.value or NO_COMPARISON,
            on_value=lambda name: session.compare_with("" if name == NO_COMPARISON else name),
        )
        solara.Text(
            "The same seed and settings under another scenario, drawn dashed.",
            style={"font-size": "0.75em", "color": "grey"},
        )


def _heading(text: str, name: str = "heading") -> solara.Element:
    # solara.Markdown would fetch KaTeX from a CDN, which an offline page must not do.
    return solara.Text(text, style={"font-weight": "bold"}, classes=[name])


def _svg(markup: str) -> solara.Element:
    # Inline SVG (see viz.charts on why not PNG); the markup escapes every text it carries.
    return solara.HTML(tag="div", unsafe_innerHTML=markup, classes=["chart"])


ACTOR_CLICKS = """<template>
  <div class="actor-clicks" @click="clicked">
    <jupyter-widget v-for="child in children" :key="child" :widget="child"></jupyter-widget>
  </div>
</template>
<script>
module.exports = {
  methods: {
    clicked(event) {
      const node = event.target.closest("[data-actor]");
      if (node) { this.actor_clicked(node.getAttribute("data-actor")); }
    },
  },
};
</script>
<style id="actor-clicks">
.actor-clicks [data-actor] { cursor: pointer; }
</style>
"""


class ActorClicks(ipyvuetify.VuetifyTemplate):
    """Its children, reporting the actor a click lands on (an element's ``data-actor``).

    Solara's HTML sends no clicks back; this Vue template around the network's SVG does, and
    calls ``callbacks["actor"]`` with the actor's name.
    """

    template = traitlets.Unicode(ACTOR_CLICKS).tag(sync=True)
    children = traitlets.List().tag(sync=True, **ipywidgets.widget_serialization)
    callbacks = traitlets.Dict(default_value={})  # Python only: {"actor": callable}

    def vue_actor_clicked(self, name: object) -> None:
        callback = self.callbacks.get("actor")
        if callback is not None and isinstance(name, str):
            callback(name)


@solara.component
def NetworkPanel(model: InteractiveRun, week: int | None = None) -> None:
    update_counter.get()
    all_signals = solara.use_reactive(False)  # the week's strongest signals unless ticked
    inspected = solara.use_reactive(None)  # the actor whose inspector is open
    _heading(views.run_title(model, week), "run-title")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "0 16px"}):
        toggle = "Show all signals (routine broadcasts too)"
        solara.Checkbox(label=toggle, value=all_signals, style="margin: 0; padding: 0")
        solara.Select(
            "Inspect an actor",
            values=list(model.actors),
            value=inspected.value,
            on_value=inspected.set,
            dense=True,
            style={"max-width": "230px", "margin": "0", "padding": "0"},
            classes=["inspect-select"],
        )
    markup = charts.network_svg(views.network_view(model, all_signals.value, week))
    ActorClicks.element(children=[_svg(markup)], callbacks={"actor": inspected.set})
    if inspected.value in model.actors:
        Inspector(model, week, inspected.value, lambda: inspected.set(None))


# At the bottom of the window, so the network, the narrative and the ladder stay in view.
INSPECTOR_CSS = ".v-dialog.actor-inspector { align-self: flex-end; margin-bottom: 8px; }"


@solara.component
def Inspector(
    model: InteractiveRun, week: int | None, actor: str, close: Callable[[], None]
) -> None:
    """An actor's trajectories up to the week shown, in a dialog that leaves the page usable
    (no overlay): resolve, threat and belief; energy exposure and costs; the tier it backs."""
    update_counter.get()
    specs = solara.use_memo(
        lambda: charts.actor_charts(actor, views.actor_role(model, actor)), [model, actor]
    )
    series = solara.use_memo(
        lambda: [charts.SeriesSvg(spec, *views.horizon_dates(model)) for spec in specs],
        [model, actor],
    )
    record = views.actor_trajectories(model, actor, week)
    marked = views.events(model, week)

    def opened(is_open: bool) -> None:
        if not is_open:
            close()

    solara.Style(INSPECTOR_CSS)

    with (
        solara.v.Dialog(
            v_model=True,
            on_v_model=opened,
            max_width=1250,
            hide_overlay=True,
            persistent=True,
            retain_focus=False,
            content_class="actor-inspector",
        ),
        solara.Card(margin=0, style={"padding": "8px"}),
    ):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            shown = views.shown_week(model, week)
            _heading(
                f"{actor} ({views.actor_role(model, actor)}): weeks 0 to {shown}",
                "inspector-title",
            )
            solara.Button("Close", on_click=close, text=True, classes=["inspector-close"])
        with solara.Div(classes=["views-grid"]):  # as wide a column as the views have
            for chart in series:
                _svg(chart.update(record, marked))


@solara.component
def NarrativePanel(model: InteractiveRun, week: int | None = None) -> None:
    """The week shown in a few sentences, and the weeks just before it in smaller print."""
    update_counter.get()
    shown = views.shown_week(model, week)
    _heading(
        f"What happened in week {shown} ({views.week_date(model, shown):%d %b %Y})",
        "narrative-title",
    )
    told = [
        (w, views.week_date(model, w), views.narrative(model, w))
        for w in range(shown, max(-1, shown - 1 - EARLIER_WEEKS), -1)
    ]
    solara.HTML(tag="div", unsafe_innerHTML=charts.narrative_html(told), classes=["narrative"])


EARLIER_WEEKS = 3  # told under the week shown


def _weekly_panel(spec: charts.ChartSpec, comparable: bool = False):
    @solara.component
    def Panel(model: InteractiveRun, week: int | None = None) -> None:
        update_counter.get()
        session = _session()  # None where a panel is drawn outside the page (tests)
        other = session.comparison.value if comparable and session is not None else None
        # One chart per run: it keeps its axes' limits and drawn frame from week to week.
        chart = solara.use_memo(
            lambda: charts.SeriesSvg(spec, *views.horizon_dates(model)), [model, other]
        )
        compared = views.weekly(other, week) if other is not None else None
        name = other.spec.name if other is not None else ""
        _svg(chart.update(views.weekly(model, week), views.events(model, week), compared, name))

    Panel.__name__ = spec.key.title() + "Panel"
    return Panel


LadderPanel = _weekly_panel(charts.LADDER, comparable=True)
ForcesPanel = _weekly_panel(charts.FORCES)
CapabilityPanel = _weekly_panel(charts.CAPABILITY)
SanctionsPanel = _weekly_panel(charts.SANCTIONS, comparable=True)
EnergyPanel = _weekly_panel(charts.ENERGY)
CohesionPanel = _weekly_panel(charts.COHESION)


@solara.component
def SignalsPanel(model: InteractiveRun, week: int | None = None) -> None:
    update_counter.get()
    rows = views.signal_rows(model, week)
    _heading(f"Signals sent in week {views.shown_week(model, week)} ({len(rows)})")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=charts.signals_table(rows),
        style={"font-size": "0.85em"},  # a broadcast is one row: short enough unboxed
    )


@solara.component
def ExportPanel(model: InteractiveRun, week: int | None = None) -> None:
    """Download buttons; the tables are built when clicked, so they hold the current week.

    It does not follow the weekly update counter: nothing it shows changes from week to week,
    nor with the week shown (the whole history is exported).
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
def BatchPanel(model: InteractiveRun, week: int | None = None) -> None:
    """Invasion curves of an experiment under the results root, and replay of any of its runs.

    Only directories under the root ``escalation app --results`` names are read (see
    :mod:`viz.results_root`); the experiments found there are offered to pick from.
    """
    session = _session()
    directory = solara.use_reactive("")
    chosen = solara.use_reactive(None)
    message = solara.use_reactive("")
    scenario_shown = solara.use_reactive(ALL_SCENARIOS)
    outcome_shown = solara.use_reactive(batch.OUTCOMES[0])
    looked = solara.use_reactive(0)  # bumped by "Look again" to list the root anew
    root = results_root.results_root()
    found = solara.use_memo(lambda: results_root.experiments(root), [str(root), looked.value])

    def load():
        try:
            results = batch.load(results_root.inside(root, directory.value))
            curves = batch.scenario_curves(results)
            figure = plots.invasion_curves_plot(curves, ["scenario"], summary.common_start(results))
            drawn = figures.svg(figure), figures.png(figure)
            table, runs = batch.invasion_table(results), batch.run_table(results)
            return results, curves, table, runs, drawn, None
        except ResultsError as exc:
            return None, None, None, None, None, str(exc)

    results, curves, table, runs, drawn, error = solara.use_memo(load, [str(root), directory.value])

    def pick_the_only_one() -> None:
        if len(found) == 1 and not directory.value:
            directory.set(found[0])

    solara.use_effect(pick_the_only_one, [tuple(found)])
    if found:
        solara.Text(f"{len(found)} experiment{'s' if len(found) > 1 else ''} under {root}")
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
    svg, png = drawn
    stem = results.out_dir.name
    _svg(figures.inline_svg(svg))
    with solara.Row():
        solara.FileDownload(svg.encode(), filename=f"{stem}-invasion.svg", label="figure (SVG)")
        solara.FileDownload(png, filename=f"{stem}-invasion.png", label="figure (PNG)")
        solara.FileDownload(
            lambda: curves.to_csv(index=False).encode(),
            filename=f"{stem}-invasion-curves.csv",
            label="curves (CSV)",
        )
        solara.FileDownload(
            lambda: table.to_csv(index=False).encode(),
            filename=f"{stem}-invasion-table.csv",
            label="table (CSV)",
        )
    _heading("P(invasion) within the horizon, with its 95% interval")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=charts.text_table(
            batch.TABLE_COLUMNS, batch.table_rows(table), "invasion-table"
        ),
    )
    scenarios = [ALL_SCENARIOS, *dict.fromkeys(str(s) for s in results.runs["scenario"])]
    with solara.Row():
        solara.Select("Runs of scenario", values=scenarios, value=scenario_shown)
        solara.Select("Runs with outcome", values=list(batch.OUTCOMES), value=outcome_shown)
    picked = scenario_shown.value if scenario_shown.value in scenarios[1:] else None
    labels = batch.run_labels(runs, picked, outcome_shown.value)
    offered = dict(list(labels.items())[:PICKER_LIMIT])
    more = f"; the first {PICKER_LIMIT:,} are offered" if len(labels) > PICKER_LIMIT else ""
    matching = f"{len(labels):,} runs match" if len(labels) != 1 else "1 run matches"
    solara.Text(matching + more, classes=["runs-matching"])

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
        session.seed_text.set(str(config.seed))
        session.start(run)
        message.set(f"Loaded {chosen.value} into the interactive view ({TABS[0]} tab).")

    solara.Select("Run to replay", values=list(offered), value=chosen)
    solara.Button("Replay in the interactive view", color="primary", on_click=replay)
    if message.value:
        solara.Info(message.value)


NO_COMPARISON = "no comparison"
FUTURES_PAUSE = 0.4  # s: settings still changing (a seed being typed) start no batch yet


@solara.component
def FuturesPanel(model: InteractiveRun, week: int | None = None) -> None:
    """The sidebar's settings run on many seeds in the background, redrawn whenever they
    change, with the current run as one line among them: one run is one draw."""
    update_counter.get()  # the current run's line follows its steps
    session = _session()
    config = session.config.value
    key = futures.settings_key(config)

    def compute(cancel):
        if cancel.wait(FUTURES_PAUSE):
            return None
        return futures.run_futures(config)

    result = solara.use_thread(compute, dependencies=[key])
    _heading(
        f"{futures.FUTURES:,} futures of {config.scenario} with the settings in the sidebar"
        f" (seeds drawn from {config.seed})"
    )
    if result.error is not None:
        solara.Error(f"The futures could not be run: {result.error}")
        return
    frame = result.value
    if result.state != solara.ResultState.FINISHED or frame is None:
        solara.Info(
            f"Running {futures.FUTURES:,} futures in the background; the page stays usable.",
            classes=["futures-running"],
        )
        return
    p, lo, hi = futures.share_invading(frame)
    run = session.model.value
    weekly = run.datacollector.model_vars
    invaded = run.invasion_week if run.invasion else None
    this_run = (
        f"this run (seed {run.seed_used}) invaded in week {invaded}"
        if invaded is not None
        else f"this run (seed {run.seed_used}) has not invaded by week {run.week}"
    )
    if futures.settings_key(run.config) != key:
        this_run += "; it was started with other settings (Reset runs these)"
    solara.Text(
        f"P(invasion within {int(frame['horizon'].max())} weeks) {p:.2f}"
        f" (95% interval {lo:.2f} to {hi:.2f}) over {len(frame):,} runs; {this_run}.",
        classes=["futures-summary"],
    )
    figure = futures.futures_figure(
        frame,
        run.spec.world.start_date,
        invaded,
        int(max(weekly["rung"])),
        int(max(weekly["sanction_tier"])),
        run.week,
    )
    _svg(figures.inline_svg(figures.svg(figure)))


ALL_SCENARIOS = "all scenarios"
PICKER_LIMIT = 500  # runs offered in the replay picker at once; the filters narrow the rest

COMPONENTS = [
    (NetworkPanel, 0),
    (NarrativePanel, 0),
    (LadderPanel, 0),
    (ForcesPanel, 0),
    (CapabilityPanel, 0),
    (SanctionsPanel, 0),
    (EnergyPanel, 0),
    (CohesionPanel, 0),
    (SignalsPanel, 0),
    (ExportPanel, 0),
    (BatchPanel, 1),
    (FuturesPanel, 2),
]


# The single-run views flow into as many columns as keep a chart at least VIEW_MIN_WIDTH px
# wide, so that its text (drawn at 9-13 units on a 540-600 unit canvas) stays legible; the
# page scrolls as one, with no view scrolling inside another.
VIEW_MIN_WIDTH = 480
VIEWS_CSS = f"""
.views-grid {{
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, {VIEW_MIN_WIDTH}px), 1fr));
  gap: 12px;
  align-items: start;
}}
.views-grid > * {{ min-width: 0; }}
.views-grid svg.week-view {{ display: block; margin: 0 auto; }}
"""


@solara.component
def Views(model: InteractiveRun, week: int | None = None) -> None:
    """The named tabs: the single run's views in a grid that reflows with the window, the
    experiment and many-futures pages across the whole width; ``week`` of the run is shown
    (None: the latest)."""
    tab = solara.use_reactive(0)
    pages = [[c for c, page in COMPONENTS if page == i] for i in range(len(TABS))]
    solara.Style(VIEWS_CSS)
    with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set):
        for name in TABS:
            solara.v.Tab(children=[name])
    with solara.v.Window(v_model=tab.value):
        for i, page in enumerate(pages):
            with solara.v.WindowItem():
                if i == tab.value:
                    with solara.Div(classes=["views-grid"] if len(page) > 1 else []):
                        for component in page:
                            with solara.Card(margin=0, style={"padding": "8px"}):
                                component(model, week)


@solara.component
def Layout(children: list | None = None) -> solara.Element:
    """Solara's app layout, except that the page itself scrolls: its default content box
    scrolls inside the window, which hid the views below the first few."""
    return solara.AppLayout(children=children or [], style={"padding": "12px"})


@solara.component
def Page() -> None:
    """One session: its own settings and model, the controls and the views."""
    config = solara.use_reactive(RunConfig())
    first = solara.use_memo(lambda: InteractiveRun(config.value), [])
    model = solara.use_reactive(first)
    session = solara.use_memo(lambda: Session(model=model, config=config), [])
    session_context.provide(session)
    solara.Title(TITLE)  # the browser tab's name, not Solara's default
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        solara.lab.ThemeToggle()
    with solara.Sidebar(), solara.Column():
        # The sidebar is a portal outside this tree's context, so the session is passed in.
        with solara.Card("Controls"):
            RunController(session)
        RunControls(session)
    Views(model.value, session.shown.value)
