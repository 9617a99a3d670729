"""Experiment files: load and validate them, and expand them into seeded runs.

An experiment is data (TOML), checked on load like a scenario: the first problem raises one
:class:`ExperimentError` naming the file and the field. Expanding it is deterministic, so any
process can rebuild any chunk of runs from the file alone: run ids enumerate
scenario x sample x replicate, and each run's seed is the run-id-th child that
``numpy.random.SeedSequence(seed)`` would spawn.

An experiment grows by its replicate count without renumbering or reseeding its runs: the runs
of the replicates added later form a new *block* whose run ids (and chunks) follow those of the
earlier blocks, enumerated the same way within the block. ``Experiment.blocks`` holds the
replicate count at the end of each block (the results directory's manifest records it as
``replicate_blocks``); an experiment that never grew has one block.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments.design_space import (
    Design,
    ExperimentError,
    check_keys,
    read_key,
)
from experiments.samplers import SAMPLERS
from world.scenario import TOP_LEVEL_KEYS as SCENARIO_KEYS
from world.scenario import ScenarioError, ScenarioSpec, load_scenario

TABLES = ("model", "agents", "signals")
TOP_LEVEL_KEYS = (
    "name",
    "description",
    "seed",
    "replicates",
    "weeks",
    "scenarios",
    "record",
    "chunk_size",
    "design",
)
DESIGN_KEYS = ("sampler", "samples", "dummy", "num_levels", "second_order", "parameters", "sets")
MAX_FILE_BYTES = 1_000_000
# Default chunking. A chunk holds about CHUNK_WEEKS simulated weeks: a block of the ensemble
# engine's replicates (2,500 runs of 26 weeks, about a second on one core), long enough that
# what each chunk costs besides its runs (building its scenarios, framing its tables, two
# Parquet files, a Dask task's messages) stays a few per cent. The number of chunks is (up to
# rounding) a multiple of CHUNK_MULTIPLE, so that 1, 2, 4 or 8 workers get as many chunks each
# and finish together. A chunk never exceeds MAX_CHUNK_WEEKS, which bounds its tables in memory.
CHUNK_WEEKS = 65_000
CHUNK_MULTIPLE = 8
MAX_CHUNK_WEEKS = 130_000
EXPERIMENT_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class RunSpec:
    """One run: where it sits in the design and the seed that reproduces it alone."""

    run_id: int
    scenario: int  # index into Experiment.scenarios
    sample: int
    replicate: int
    seed: int


@dataclass(frozen=True, slots=True)
class Block:
    """Runs of replicates ``low`` to ``high - 1``, added together (see the module docstring)."""

    first_run: int
    first_chunk: int
    low: int
    high: int
    runs: int


@dataclass(frozen=True, slots=True)
class Experiment:
    """A validated experiment file."""

    name: str
    description: str
    seed: int
    replicates: int
    weeks: int
    scenarios: tuple[str, ...]  # as written in the file
    scenario_specs: tuple[ScenarioSpec, ...]
    scenario_sources: tuple[str, ...]  # built-in name or absolute path
    record: tuple[str, ...]
    chunk_size: int
    design: Design
    source: Path
    text: str
    digest: str = field(repr=False)
    # What the runs mean, whatever their number: the content hash without ``replicates``.
    identity: str = field(default="", repr=False)
    # Replicate count at the end of each block of runs (see the module docstring); () = one.
    blocks: tuple[int, ...] = ()
    # Keys of the file replaced from the command line (--replicates, --scenarios, --seed).
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def total_runs(self) -> int:
        return len(self.scenarios) * self.design.samples * self.replicates

    @property
    def chunks(self) -> int:
        return sum(math.ceil(b.runs / self.chunk_size) for b in self.segments())

    def segments(self) -> list[Block]:
        """The blocks of runs, each with its first run id and first chunk."""
        per_replicate = len(self.scenarios) * self.design.samples
        found, first_run, first_chunk, low = [], 0, 0, 0
        for high in self.blocks or (self.replicates,):
            block = Block(first_run, first_chunk, low, high, per_replicate * (high - low))
            found.append(block)
            first_run += block.runs
            first_chunk += math.ceil(block.runs / self.chunk_size)
            low = high
        return found

    def run(self, run_id: int) -> RunSpec:
        block = next(
            (b for b in self.segments() if run_id < b.first_run + b.runs), self.segments()[-1]
        )
        rest, replicate = divmod(run_id - block.first_run, block.high - block.low)
        scenario, sample = divmod(rest, self.design.samples)
        return RunSpec(run_id, scenario, sample, block.low + replicate, run_seed(self.seed, run_id))

    def chunk_runs(self, chunk: int) -> list[RunSpec]:
        block = next(
            (
                b
                for b in self.segments()
                if chunk < b.first_chunk + math.ceil(b.runs / self.chunk_size)
            ),
            None,
        )
        if block is None:
            return []
        start = block.first_run + (chunk - block.first_chunk) * self.chunk_size
        stop = min(start + self.chunk_size, block.first_run + block.runs)
        return [self.run(run_id) for run_id in range(start, stop)]

    def runs(self) -> Iterator[RunSpec]:
        for run_id in range(self.total_runs):
            yield self.run(run_id)


def run_seed(experiment_seed: int, run_id: int) -> int:
    """The run's seed: ``SeedSequence(experiment_seed).spawn(n)[run_id]``, as a 63-bit integer.

    Built directly from the spawn key, so any run's seed is known without spawning the others;
    63 bits keep it a non-negative int64 that every table format stores exactly.
    """
    child = np.random.SeedSequence(experiment_seed, spawn_key=(run_id,))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def locate(source: str | Path) -> Path:
    """A path, or the name of a shipped experiment (``compare_scenarios``, ``examples/...``)."""
    text = str(source)
    if "/" not in text and "\\" not in text and not text.endswith(".toml"):
        known = shipped()
        if text in known:
            return known[text]
        names = ", ".join(sorted(known))
        raise ExperimentError(f"unknown experiment '{text}'; shipped experiments: {names}")
    path = Path(text)
    if not path.is_file():
        raise ExperimentError(f"{path}: no such experiment file")
    return path


def shipped() -> dict[str, Path]:
    """Experiment files shipped with the package (other TOML files there, e.g. a calibration
    file, are not experiments and are left out)."""
    found = {}
    for path in [
        *sorted((EXPERIMENT_DIR / "examples").glob("*.toml")),
        *sorted(EXPERIMENT_DIR.glob("*.toml")),
    ]:
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if "seed" in doc and set(doc) <= set(TOP_LEVEL_KEYS):
            found[path.stem] = path
    return found


def default_chunk_size(total_runs: int, weeks: int) -> int:
    """Runs per chunk when the experiment file does not say (see ``CHUNK_WEEKS``)."""
    rounds = max(1, round(total_runs * weeks / (CHUNK_MULTIPLE * CHUNK_WEEKS)))
    size = math.ceil(total_runs / (CHUNK_MULTIPLE * rounds))
    return max(1, min(size, MAX_CHUNK_WEEKS // max(1, weeks)))


def load_experiment(
    source: str | Path,
    *,
    replicates: int | None = None,
    scenarios: list[str] | None = None,
    seed: int | None = None,
) -> Experiment:
    """Read, validate and expand an experiment file; raises :class:`ExperimentError`.

    ``replicates``, ``scenarios`` and ``seed`` replace the file's keys of those names (the
    command line's --replicates, --scenarios and --seed) and are checked like them.
    """
    path = locate(source)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExperimentError(f"{where}: cannot read file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ExperimentError(f"{where}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ExperimentError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ExperimentError(f"{where}: not valid TOML: nesting too deep") from None
    strays = [key for key in doc if key not in TOP_LEVEL_KEYS]
    if strays and all(key in SCENARIO_KEYS for key in strays):
        raise ExperimentError(
            f"{where}: unknown key '{strays[0]}'; allowed: {', '.join(TOP_LEVEL_KEYS)} (this looks"
            " like a scenario file: run it with `escalation run --scenario`, or list it under"
            " an experiment's `scenarios`)"
        )
    check_keys(doc, TOP_LEVEL_KEYS, where)
    given = {"replicates": replicates, "scenarios": scenarios, "seed": seed}
    overrides = {key: value for key, value in given.items() if value is not None}
    overrides = {key: value for key, value in overrides.items() if doc.get(key) != value}
    doc = {**doc, **overrides}

    def at(key: str) -> str:
        """Where a bad value came from: the command line's option, or the file's key."""
        return f"--{key}" if key in overrides else f"{where}: {key}"

    name = read_key(doc, "name", str, where, default=path.stem)
    description = read_key(doc, "description", str, where, default="")
    seed = read_key(doc, "seed", int, where)
    if seed < 0:
        raise ExperimentError(f"{at('seed')}: must be a non-negative integer, got {seed}")
    replicates = read_key(doc, "replicates", int, where, default=1)
    if replicates < 1:
        raise ExperimentError(f"{at('replicates')}: must be at least 1, got {replicates}")
    weeks = read_key(doc, "weeks", int, where, default=26)
    if not 1 <= weeks <= 520:
        raise ExperimentError(f"{where}: weeks: must be 1 to 520, got {weeks}")
    scenarios = read_key(doc, "scenarios", list, where, default=["baseline"])
    if not scenarios or not all(isinstance(s, str) for s in scenarios):
        raise ExperimentError(f"{where}: scenarios: expected a list of scenario names or paths")
    if len(set(scenarios)) != len(scenarios):
        raise ExperimentError(f"{at('scenarios')}: listed twice: {_duplicates(scenarios)}")
    record = read_key(doc, "record", list, where, default=["model"])
    for table in record:
        if table not in TABLES:
            raise ExperimentError(
                f"{where}: record: unknown table {table!r}; choose from {', '.join(TABLES)}"
            )
    record = tuple(t for t in TABLES if t in record)

    sources, specs = [], []
    for scenario in scenarios:
        source = scenario
        if "/" in scenario or "\\" in scenario or scenario.endswith(".toml"):
            source = str((path.parent / scenario).resolve())
        try:
            specs.append(load_scenario(source))
        except ScenarioError as exc:
            raise ExperimentError(f"{at('scenarios')}: {exc}") from None
        sources.append(source)

    design = _design(doc.get("design", {}), specs, seed, f"{where}: design")
    total = len(scenarios) * design.samples * replicates
    chunk_size = read_key(doc, "chunk_size", int, where, default=default_chunk_size(total, weeks))
    if chunk_size < 1:
        raise ExperimentError(f"{where}: chunk_size: must be at least 1, got {chunk_size}")
    build_points(specs, scenarios, design, weeks, where)
    return Experiment(
        name=name,
        description=description.strip(),
        seed=seed,
        replicates=replicates,
        weeks=weeks,
        scenarios=tuple(scenarios),
        scenario_specs=tuple(specs),
        scenario_sources=tuple(sources),
        record=record,
        chunk_size=chunk_size,
        design=design,
        source=path,
        text=text,
        digest=content_hash(doc),
        identity=content_hash({k: v for k, v in doc.items() if k != "replicates"}),
        overrides=overrides,
    )


def build_points(
    specs: list[ScenarioSpec], labels: list[str], design: Design, weeks: int, where: str
) -> None:
    """Build every design point's scenario once, as its runs will, so that a point no run could
    use (a value out of range, a horizon that is not a whole number of weeks) is refused here,
    before any run is launched, instead of failing every one of its runs."""
    for spec, label in zip(specs, labels, strict=True):
        for sample in range(design.samples):
            overrides = {"weeks": weeks, **design.parameters(sample)}
            try:
                spec.with_overrides(overrides, origin="design")
            except ScenarioError as exc:
                shown = ", ".join(f"{k} = {v!r}" for k, v in design.parameters(sample).items())
                point = f"design point {sample} ({shown})" if shown else "the scenario"
                raise ExperimentError(f"{where}: {point} with scenario '{label}': {exc}") from None


def content_hash(doc: Mapping[str, Any]) -> str:
    """Identify an experiment by its normalised content: comments and layout do not count."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _design(table: Any, specs: list[ScenarioSpec], seed: int, where: str) -> Design:
    """The named sampler's design. Parameters, sets or a dummy given to a sampler that does not
    read them are refused, since the user expects them to act; a stray setting such as
    ``samples`` is ignored."""
    if not isinstance(table, dict):
        raise ExperimentError(f"{where}: must be a table")
    check_keys(table, DESIGN_KEYS, where)
    name = read_key(table, "sampler", str, where, default="none")
    if name not in SAMPLERS:
        raise ExperimentError(
            f"{where}.sampler: unknown sampler {name!r}; choose from {', '.join(SAMPLERS)}"
        )
    sampler = SAMPLERS[name]
    parameters = read_key(table, "parameters", dict, where, default={})
    sets = read_key(table, "sets", list, where, default=[])
    dummy = read_key(table, "dummy", bool, where, default=False)

    def readers(key: str) -> list[str]:
        return [other for other, s in SAMPLERS.items() if key in s.keys]

    if dummy and "dummy" not in sampler.keys:
        raise ExperimentError(
            f"{where}.dummy: applies to the {' and '.join(readers('dummy'))} samplers only"
        )
    if sets and "sets" not in sampler.keys:
        using = " or ".join(f'sampler = "{other}"' for other in readers("sets"))
        raise ExperimentError(f"{where}.sets: only used with {using}")
    if parameters and "parameters" not in sampler.keys:
        raise ExperimentError(f"{where}.parameters: not used with sampler = {name!r}")
    return sampler.design(table, specs, seed, where)


def _duplicates(items: list[str]) -> str:
    return ", ".join(sorted({i for i in items if items.count(i) > 1}))
