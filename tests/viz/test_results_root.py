"""The batch page reads only under the results root ``escalation app --results`` names."""

from __future__ import annotations

import json

import pytest
import solara

from cli.main import main
from experiments.store import ResultsError
from viz import app, results_root
from viz.results_root import ROOT_ENV, experiments, inside
from viz.session import InteractiveRun, RunConfig


@pytest.fixture
def root(tmp_path):
    """A results root with two experiments (one nested), a plain folder, and a file."""
    root = tmp_path / "results"
    for name in ("first", "sweeps/second", "notes"):
        (root / name).mkdir(parents=True)
    for name in ("first", "sweeps/second"):
        (root / name / "manifest.json").write_text(json.dumps({"name": name}))
    (root / "readme.txt").write_text("x")
    return root


def test_paths_under_the_root_are_resolved_there(root):
    assert inside(root, "first") == (root / "first").resolve()
    assert inside(root, " sweeps/second ") == (root / "sweeps" / "second").resolve()
    assert inside(root, "sweeps/../first") == (root / "first").resolve()
    assert inside(root, str(root / "first")) == (root / "first").resolve()  # absolute, inside
    assert inside(root, ".") == root.resolve()
    assert inside(root, "~") == (root / "~").resolve()  # no home directory of the server's


@pytest.mark.parametrize(
    "typed",
    ["..", "../results-not", "first/../../elsewhere", "/etc", "/", "sweeps/../../results2"],
)
def test_paths_outside_the_root_are_refused(root, typed):
    with pytest.raises(ResultsError, match="outside the results directory"):
        inside(root, typed)


def test_a_symbolic_link_out_of_the_root_is_refused(root, tmp_path):
    (tmp_path / "secret").mkdir()
    (root / "link").symlink_to(tmp_path / "secret")
    (root / "first" / "up").symlink_to(tmp_path)
    for typed in ("link", "first/up", "first/up/secret"):
        with pytest.raises(ResultsError, match="outside the results directory"):
            inside(root, typed)
    (root / "inner").symlink_to(root / "first")  # a link that stays inside is fine
    assert inside(root, "inner") == (root / "first").resolve()


def test_a_symlinked_root_is_compared_resolved(root, tmp_path):
    (tmp_path / "alias").symlink_to(root)
    assert inside(tmp_path / "alias", "first") == (root / "first").resolve()
    with pytest.raises(ResultsError, match="outside"):
        inside(tmp_path / "alias", str(tmp_path))


def test_an_empty_path_asks_for_one(root):
    with pytest.raises(ResultsError, match="Pick an experiment"):
        inside(root, "   ")


def test_experiments_under_the_root_are_listed_not_links_out(root, tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "manifest.json").write_text("{}")
    (root / "link").symlink_to(tmp_path / "outside")
    assert experiments(root) == ["first", "sweeps/second"]
    assert experiments(tmp_path / "missing") == []
    assert experiments(root / "readme.txt") == []


def test_the_root_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    assert results_root.results_root() == tmp_path.resolve()
    monkeypatch.delenv(ROOT_ENV)
    monkeypatch.chdir(tmp_path)
    assert results_root.results_root() == (tmp_path / "runs").resolve()


def _render_batch_panel():
    model = InteractiveRun(RunConfig())
    session = app.Session(model=solara.Reactive(model), config=solara.Reactive(RunConfig()))

    @solara.component
    def Wrapped():
        app.session_context.provide(session)
        app.BatchPanel(model)

    return solara.render(Wrapped(), handle_error=False)


def test_batch_panel_refuses_a_path_outside_the_root(monkeypatch, root, tmp_path):
    monkeypatch.setenv(ROOT_ENV, str(root))
    _box, rc = _render_batch_panel()
    rc.find(children=[f"2 experiments under {root.resolve()}"]).assert_single()
    field = rc.find(label="Experiment output directory").widget
    field.v_model = str(tmp_path)
    field.fire_event("keyup.enter")
    message = f"{tmp_path}: outside the results directory {root.resolve()}"
    rc.find(children=[f"{message}; only experiments under it are read"]).assert_single()
    rc.close()


def test_batch_panel_says_when_the_root_holds_no_experiments(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "runs"))
    _box, rc = _render_batch_panel()
    root = (tmp_path / "runs").resolve()
    rc.find(children=[f"The results directory {root} holds no experiments yet."]).assert_single()
    rc.close()


def test_app_command_refuses_a_results_root_that_is_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["app", "--port", "8765", "--results", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--results" in err and "not a directory" in err
