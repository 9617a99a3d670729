"""The two builds of the model: compiled by setup.py with mypyc, or run from the sources.

A compiled module must never run in place of a source edited since it was compiled; both builds
must give identical tables; and the compiled classes must stay open to subclassing, as the
interactive app and modellers extending the model subclass them.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
import uuid
import weakref

import pandas as pd
import pytest

import model
from model import EscalationModel
from model.build import (
    INTERPRETED_VARIABLE,
    MANIFEST,
    ROOT,
    SourcesFirst,
    StaleBuildWarning,
    choose,
    compiled_files,
    mismatches,
    recorded_sources,
)

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
# Every table of the first seeds of every built-in scenario, as one digest.
DIGEST = """
import hashlib, sys
import pandas as pd
import model
from model import EscalationModel, list_scenarios
digest = hashlib.sha256()
for name in list_scenarios():
    for seed in range({seeds}):
        for table in EscalationModel(name, rng=seed).run().history().values():
            digest.update(pd.util.hash_pandas_object(table, index=False).values.tobytes())
print(model.BUILD, digest.hexdigest())
"""


@pytest.fixture
def fake_build(tmp_path, monkeypatch):
    """A folder holding a package whose one module is 'compiled': a source, a manifest with the
    source's digest, and beside it a file named as a compiled module that is not one (importing
    it fails), so that an import shows which of the two Python picked."""
    package = f"pkg_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    source = tmp_path / package / "mod.py"
    source.write_text('VALUE = "from the source"\n')
    (tmp_path / package / f"mod{SUFFIX}").write_bytes(b"not a shared library")
    manifest = tmp_path / MANIFEST
    manifest.parent.mkdir()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    manifest.write_text(json.dumps({"sources": {f"{package}/mod.py": digest}}))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(INTERPRETED_VARIABLE, raising=False)
    finders = list(sys.meta_path)
    yield tmp_path, package
    sys.meta_path[:] = finders
    for name in [n for n in sys.modules if n.startswith(package)]:
        del sys.modules[name]


def test_a_build_matching_its_sources_runs_compiled(fake_build):
    root, package = fake_build
    recorded = recorded_sources(root)
    assert compiled_files(recorded, root, [package]) == set(recorded) == {f"{package}.mod"}
    assert mismatches(recorded, {f"{package}.mod"}, root) == []
    assert choose(root, [package]) == "compiled"
    with pytest.raises(ImportError):  # Python picks the 'compiled' file: the build is in use
        importlib.import_module(f"{package}.mod")


def test_an_edited_source_runs_from_source_with_a_warning(fake_build):
    root, package = fake_build
    (root / package / "mod.py").write_text('VALUE = "edited"\n')
    with pytest.warns(StaleBuildWarning, match=rf"{package}/mod\.py \(changed since"):
        assert choose(root, [package]) == "interpreted"
    assert importlib.import_module(f"{package}.mod").VALUE == "edited"


def test_the_environment_variable_selects_the_sources(fake_build, monkeypatch):
    root, package = fake_build
    monkeypatch.setenv(INTERPRETED_VARIABLE, "1")
    assert choose(root, [package]) == "interpreted"
    assert importlib.import_module(f"{package}.mod").VALUE == "from the source"


def test_without_compiled_files_the_sources_run_as_usual(fake_build):
    root, package = fake_build
    (root / package / f"mod{SUFFIX}").unlink()
    assert compiled_files(recorded_sources(root), root, [package]) == set()
    assert choose(root, [package]) == "interpreted"
    assert importlib.import_module(f"{package}.mod").VALUE == "from the source"


@pytest.mark.parametrize(
    "damage, why",
    [
        ("no record", "not make"),
        ("corrupt record", "not make"),
        ("a stray compiled file", "not make"),
        ("a recorded file missing", "is missing"),
    ],
)
def test_compiled_files_the_record_does_not_vouch_for_never_run(fake_build, damage, why):
    root, package = fake_build
    if damage == "no record":
        (root / MANIFEST).unlink()
    elif damage == "corrupt record":
        (root / MANIFEST).write_text("{not json")
    elif damage == "a stray compiled file":
        (root / package / "other.py").write_text('VALUE = "other source"\n')
        (root / package / f"other{SUFFIX}").write_bytes(b"left by an older build")
    else:
        sources = json.loads((root / MANIFEST).read_text())["sources"]
        (root / package / "gone.py").write_text("")
        sources[f"{package}/gone.py"] = hashlib.sha256(b"").hexdigest()
        (root / MANIFEST).write_text(json.dumps({"sources": sources}))
    with pytest.warns(StaleBuildWarning, match=why):
        assert choose(root, [package]) == "interpreted"
    assert importlib.import_module(f"{package}.mod").VALUE == "from the source"
    if damage == "a stray compiled file":
        assert importlib.import_module(f"{package}.other").VALUE == "other source"


def test_sources_first_finds_only_the_modules_it_names(tmp_path):
    finder = SourcesFirst(["model.escalation"], tmp_path)
    assert finder.find_spec("model.record") is None
    spec = finder.find_spec("model.escalation")
    assert spec is not None and spec.origin == str(tmp_path / "model" / "escalation.py")


def compiled_in_setup() -> set[str]:
    """The modules setup.py compiles, read from its ``COMPILED`` tuple without running it."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(getattr(t, "id", None) == "COMPILED" for t in targets):
                paths = ast.literal_eval(node.value)
                return {p.removesuffix(".py").replace("/", ".") for p in paths}
    raise AssertionError("setup.py has no COMPILED tuple")


def test_ci_tests_the_compiled_build():
    """CI sets REQUIRE_COMPILED: a build that fell back to the sources must not pass unseen."""
    if os.environ.get("REQUIRE_COMPILED") != "1" or os.environ.get(INTERPRETED_VARIABLE) == "1":
        pytest.skip("only where the compiled build is required (CI)")
    assert model.BUILD == "compiled", "the compiled build was required but the sources run"
    recorded = recorded_sources()
    assert set(recorded) == compiled_files(recorded) == compiled_in_setup()
    assert mismatches(recorded, set(recorded)) == []
    assert sys.modules["model.escalation"].__file__.endswith(SUFFIX)


def tables_digest(**env: str) -> list[str]:
    """The build a fresh interpreter runs, and its digest of every table, in that environment."""
    code = DIGEST.format(seeds=6)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_the_builds_give_identical_tables():
    if model.BUILD != "compiled":
        pytest.skip("the model is not compiled here (see model/build.py)")
    interpreted = tables_digest(**{INTERPRETED_VARIABLE: "1"})
    compiled = tables_digest(**{INTERPRETED_VARIABLE: "0"})
    assert interpreted[0] == "interpreted" and compiled[0] == "compiled"
    assert compiled[1] == interpreted[1]


class NoSanctions(EscalationModel):
    """The West never agrees on a tier: an override compiled callers must honour."""

    def coalition_tier(self, supports):
        return 0.0


def test_compiled_classes_dispatch_to_interpreted_overrides():
    invasions = 0
    for seed in range(40):
        run = NoSanctions("closing_window", rng=seed).run()
        history = run.history()["model"]
        invasions += bool(history["invasion"].any())
        # An invasion triggers tier 5; only the coalition's agreement lets it through.
        assert (history["sanction_tier"] == 0).all()
    assert invasions > 0, "no run invaded, so the override was never tested"
    baseline = pd.concat(
        [EscalationModel("closing_window", rng=s).run().history()["model"] for s in range(40)]
    )
    assert baseline["sanction_tier"].max() > 0


def test_a_finished_model_and_its_actors_are_freed():
    """Compiled against an unknown (Any) Mesa, mypyc skipped the instance dicts in the garbage
    collector's traversal and no model was ever freed (stubs/mesa fixes it)."""

    def finished_run() -> list[weakref.ref]:
        run = EscalationModel("baseline", rng=3).run()
        run.history()
        return [weakref.ref(run), *(weakref.ref(actor) for actor in run.agents)]

    alive = finished_run()
    gc.collect()
    assert [ref for ref in alive if ref() is not None] == []


def test_runs_leave_no_objects_behind():
    """A compiled class attribute default (``reads = frozenset()``) once leaked one object per
    actor per run: no reference held it, so only a count of live objects shows such a leak."""

    def live_after(runs: range) -> int:
        for seed in runs:
            EscalationModel("baseline", rng=seed).run()
        gc.collect()
        return len(gc.get_objects())

    settled = live_after(range(30))
    assert live_after(range(30, 230)) - settled <= 20  # 200 runs: at 1 per actor, 2,400
