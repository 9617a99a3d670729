"""The results directory: a partitioned Parquet dataset written chunk by chunk.

Layout of DIR:

- ``experiment.toml``  a copy of the experiment file
- ``manifest.json``    name, content hash, seed, scenarios, design (incl. the SALib problem),
  versions
- ``design.parquet``   the parameter matrix in sampler order (column ``sample`` + one column per
  varied parameter), so sensitivity analysis can use it as SALib's X
- ``runs/``, ``model/``, ``agents/``, ``signals/``  one ``part-NNNNN.parquet`` per chunk

Columns of ``runs``: run_id, scenario (as written in the file), sample (row of the design),
replicate, seed, weeks, one column per varied parameter (plus ``dummy``), status ("ok" or
"error"), error ("" when ok), wall_time (seconds), package_version, mesa_version,
python_version. run_id, sample, replicate, seed and weeks are int64; seeds are below 2**63.
``model``, ``agents`` and ``signals`` hold run_id followed by every column of the model's
``history()`` table of that name (Parquet keeps dates at millisecond resolution).
Every Parquet file carries the unit and meaning of each of its columns in its schema metadata
(``model.columns.METADATA_KEY``, JSON; described in :mod:`experiments.columns`), and the reader
puts them into ``DataFrame.attrs["columns"]``.

Every file is written under a temporary name and moved into place (``model.files``), and a
chunk's ``runs`` part is written last: a chunk is complete exactly when its ``runs`` part
exists. Table parts without a ``runs`` part (a process killed between the two) are deleted on
resume and never read, so a kill at any moment leaves nothing half-written that counts as a
result and nothing that is counted twice. A chunk written again (to retry its failed runs)
first loses its ``runs`` part, so it is incomplete, never a mix of old and new parts, until
its new ``runs`` part is in place.

The manifest records the runs planned (``total_runs``); the runs completed are the rows of the
complete ``runs`` parts. Raising the replicate count on an existing directory adds a block of
runs after the existing ones (``replicate_blocks``, ``growth``), which stay as they are.

Reading: :func:`read_manifest`, :func:`read_table` and :func:`load` are the one reader of this
layout (the analysis and the browser's batch page build on them); every problem they meet is a
:class:`ResultsError` naming the directory or file and what is wrong with it.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.columns import table_dictionary
from experiments.design import TABLES, Experiment, ExperimentError, content_hash
from model.columns import ATTRS_KEY, COLUMNS_FILE, attach, read_dictionary, write_parquet
from model.files import write_atomic, write_bytes_atomic, write_text_atomic
from model.provenance import versions
from world.errors import EscalationError

RUNS = "runs"
# The runs table: where each run sits, then one column per varied parameter, then its result.
RUN_PLACE = ("run_id", "scenario", "sample", "replicate", "seed", "weeks")
RUN_RESULT = ("status", "error", "wall_time", "package_version", "mesa_version", "python_version")
RUN_COLUMNS = frozenset(RUN_PLACE + RUN_RESULT)  # every runs column that is not a parameter
MANIFEST = "manifest.json"
COPY = "experiment.toml"
DESIGN = "design.parquet"
PART = "part-{:05d}.parquet"
SEED_DERIVATION = (
    "seed = SeedSequence(experiment seed, spawn_key=(run_id,)).generate_state(1, uint64)[0] >> 1"
    ", i.e. the run_id-th child of SeedSequence(seed).spawn(); stored as int64"
)
RUN_ID_ORDER = (
    "by block of replicates (replicate_blocks: the replicate count at the end of each block; "
    "replicates added to an existing directory form a new block after the existing runs), "
    "then scenario, then sample, then replicate (replicate varies fastest)"
)


def manifest_of(experiment: Experiment) -> dict[str, Any]:
    design = experiment.design
    written = tomllib.loads(experiment.text).get("design", {})  # grid levels, explicit sets
    return {
        "name": experiment.name,
        "description": experiment.description,
        "hash": experiment.digest,
        "seed": experiment.seed,
        "seed_derivation": SEED_DERIVATION,
        "scenarios": list(experiment.scenarios),
        "scenario_sources": list(experiment.scenario_sources),
        "replicates": experiment.replicates,
        "weeks": experiment.weeks,
        "record": list(experiment.record),
        "chunk_size": experiment.chunk_size,
        "total_runs": experiment.total_runs,  # planned; completed = rows of the runs parts
        "run_id_order": RUN_ID_ORDER,
        "replicate_blocks": list(experiment.blocks or (experiment.replicates,)),
        "identity": experiment.identity,
        "overrides": experiment.overrides,  # keys given on the command line
        "design": {
            "samples": design.samples,  # for latin/sobol/morris: N as in the file
            **design.settings,
            "rows": design.samples,  # parameter sets (rows of design.parquet), SALib order
            "names": list(design.names),
            "parameters": written.get("parameters", {}),
            "sets": written.get("sets", []),
        },
        "versions": versions(),
    }


class ResultStore:
    """One experiment's results directory; opening it checks that it belongs to the file."""

    def __init__(self, root: Path, experiment: Experiment) -> None:
        self.root = Path(root)
        self.experiment = experiment
        self.tables = (RUNS, *experiment.record)

    @classmethod
    def open(cls, root: Path | str, experiment: Experiment) -> ResultStore:
        """Create the directory, or reopen it for resuming; refuse another experiment's."""
        store = cls(Path(root), experiment)
        try:
            store._prepare()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ExperimentError(f"--out {root}: cannot write there ({reason})") from None
        return store

    def _prepare(self) -> None:
        root = self.root
        if root.exists() and not root.is_dir():
            raise ExperimentError(f"--out {root}: exists and is not a directory")
        manifest_path = root / MANIFEST
        if manifest_path.is_file():
            found = load_manifest(root)
            if found.get("hash") != self.experiment.digest:
                self._grow(found)  # or refuse
            else:
                self._adopt(found)
        elif root.is_dir() and any(root.iterdir()):
            raise ExperimentError(
                f"--out {root}: not empty and not an experiment's results; choose another directory"
            )
        root.mkdir(parents=True, exist_ok=True)
        for table in self.tables:
            (root / table).mkdir(exist_ok=True)
        if not manifest_path.is_file():
            self._write_design()
            write_text_atomic(root / COPY, self.experiment.text)
            text = json.dumps(manifest_of(self.experiment), indent=2, default=str) + "\n"
            write_text_atomic(manifest_path, text)  # last: its presence marks a valid DIR
        self._discard_incomplete()

    def _adopt(self, found: dict[str, Any], blocks: tuple[int, ...] | None = None) -> None:
        """Take the directory's layout: its blocks of replicates and its chunk size."""
        recorded = tuple(found.get("replicate_blocks") or (found.get("replicates"),))
        if blocks is None:
            blocks = recorded if recorded[-1] == self.experiment.replicates else ()
        chunk_size = found.get("chunk_size", self.experiment.chunk_size)
        self.experiment = dataclasses.replace(self.experiment, blocks=blocks, chunk_size=chunk_size)

    def _grow(self, found: dict[str, Any]) -> None:
        """Add replicates to the directory's experiment, or refuse with the reason."""
        root, experiment = self.root, self.experiment
        holds = f"--out {root}: holds results of experiment '{found.get('name')}'"
        if found.get("seed") != experiment.seed:
            raise ExperimentError(
                f"{holds} with seed {found.get('seed')}, not {experiment.seed}: another seed "
                "would change every stored run; choose another directory"
            )
        if list(found.get("scenarios", [])) != list(experiment.scenarios):
            raise ExperimentError(
                f"{holds} with scenarios {', '.join(found.get('scenarios', []))}, not "
                f"{', '.join(experiment.scenarios)}: other scenarios would change what the "
                "stored runs are; choose another directory"
            )
        if _identity(root, found) != experiment.identity:
            raise ExperimentError(
                f"{holds} (hash {found.get('hash')}), not of {experiment.source} "
                f"(hash {experiment.digest}): a different design; choose another directory"
            )
        before = int(found.get("replicates", 0))
        if experiment.replicates < before:
            raise ExperimentError(
                f"{holds} with {before} replicates per design point, more than "
                f"{experiment.replicates}: give --replicates {before} (or more, to add runs) "
                "or choose another directory"
            )
        recorded = tuple(found.get("replicate_blocks") or (before,))
        blocks = recorded if experiment.replicates == before else (*recorded, experiment.replicates)
        self._adopt(found, blocks)
        if experiment.replicates == before:
            return
        grown = manifest_of(self.experiment)
        grown["versions"] = found.get("versions", grown["versions"])
        grown["growth"] = [
            *found.get("growth", []),
            {"replicates": [before, experiment.replicates], "versions": versions()},
        ]
        write_text_atomic(root / COPY, experiment.text)
        write_text_atomic(root / MANIFEST, json.dumps(grown, indent=2, default=str) + "\n")

    def _write_design(self) -> None:
        design = self.experiment.design
        frame = pd.DataFrame(list(design.matrix), columns=list(design.names))
        frame.insert(0, "sample", pd.array(range(design.samples), dtype="int64"))
        _write_parquet(frame, self.root / DESIGN, DESIGN)

    def _discard_incomplete(self) -> None:
        """Remove temporary files and table parts of chunks whose runs part is missing."""
        done = self.completed_chunks()
        for table in (RUNS, *TABLES):
            folder = self.root / table
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.name.startswith(".") or (
                    table != RUNS and _chunk_of(path) is not None and _chunk_of(path) not in done
                ):
                    path.unlink(missing_ok=True)

    def completed_chunks(self) -> set[int]:
        folder = self.root / RUNS
        if not folder.is_dir():
            return set()
        return {c for p in folder.glob("part-*.parquet") if (c := _chunk_of(p)) is not None}

    def failed_runs(self) -> dict[int, int]:
        """Failed runs per complete chunk (chunks without failures left out)."""
        import pyarrow as pa

        failed = {}
        for chunk in sorted(self.completed_chunks()):
            part = self.root / RUNS / PART.format(chunk)
            try:
                status = pd.read_parquet(part, columns=["status"])["status"]
            except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
                raise ExperimentError(f"{part}: unreadable ({exc})") from None
            if n := int((status != "ok").sum()):
                failed[chunk] = n
        return failed

    def write_chunk(self, chunk: int, tables: dict[str, pd.DataFrame]) -> None:
        """Write one finished chunk: the recorded tables first, its runs part last.

        A chunk written before (retried) first loses its runs part, so that until the new one
        is in place the chunk is incomplete rather than a mix of old and new parts.
        """
        name = PART.format(chunk)
        (self.root / RUNS / name).unlink(missing_ok=True)
        for table in self.experiment.record:
            _write_parquet(tables[table], self.root / table / name, table)
        _write_parquet(tables[RUNS], self.root / RUNS / name, RUNS)


def _identity(root: Path, found: dict[str, Any]) -> str:
    """The directory's identity; a directory written before it was recorded gets it from its
    copy of the experiment file."""
    if found.get("identity"):
        return str(found["identity"])
    try:
        doc = tomllib.loads((root / COPY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    doc.pop("replicates", None)
    return content_hash(doc)


def _chunk_of(path: Path) -> int | None:
    stem = path.name
    if not (stem.startswith("part-") and stem.endswith(".parquet")):
        return None
    try:
        return int(stem[len("part-") : -len(".parquet")])
    except ValueError:
        return None


def _write_parquet(frame: pd.DataFrame, path: Path, table: str) -> None:
    """Write a part with the unit and meaning of its columns in the Parquet schema metadata."""
    dictionary = table_dictionary(table, frame.columns)
    write_atomic(path, lambda temporary: write_parquet(frame, temporary, dictionary))


# --- reading ------------------------------------------------------------------------------
class ResultsError(EscalationError):
    """A results directory cannot be read; the message names it and says what is wrong."""


def read_manifest(root: Path | str) -> dict[str, Any]:
    """The manifest, which the runner writes last: its presence marks an experiment directory."""
    root = Path(root)
    _check_directory(root)
    path = root / MANIFEST
    if not path.is_file():
        raise ResultsError(f"{root}: not an experiment directory (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise ResultsError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{path}: manifest is not a JSON object")
    return manifest


def load_manifest(root: Path | str) -> dict[str, Any]:
    """The experiment's manifest (JSON); the public name of :func:`read_manifest`."""
    return read_manifest(root)


def _check_directory(root: Path) -> None:
    if not root.exists():
        raise ResultsError(f"{root}: no such directory")
    if not root.is_dir():
        raise ResultsError(f"{root}: not a directory")


def complete_parts(root: Path | str, name: str) -> list[Path]:
    """The part files of table ``name`` that belong to complete chunks, in chunk order.

    A chunk's runs part is written last, so a part counts only when its namesake exists in
    ``runs/``; files starting with '.' or '_' are unfinished temporaries and never count.
    """
    root = Path(root)
    folder = root / name
    if not folder.is_dir():
        return []
    return sorted(
        part
        for part in folder.glob("*.parquet")
        if not part.name.startswith((".", "_")) and (root / RUNS / part.name).is_file()
    )


def read_table(root: Path | str, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One table of the complete chunks, concatenated in chunk order, reading only ``columns``.

    Parts are read one by one (not as one dataset), so a part written with a slightly different
    schema (an older version, an older pyarrow) still loads. Reads Parquet only.
    """
    root = Path(root)
    _check_directory(root)
    parts = complete_parts(root, name)
    if not parts:
        folder = root / name
        what = (
            "holds no part of a complete chunk"
            if folder.is_dir() and any(folder.glob("*.parquet"))
            else "holds no .parquet files"
        )
        raise ResultsError(f"{root}: no {name} table ({folder} {what})")
    import pyarrow as pa  # here, not at the top: writing needs no pyarrow import of its own
    import pyarrow.parquet as pq

    wanted = list(columns) if columns else None
    frames = []
    dictionary = None
    for part in parts:
        try:
            if dictionary is None:
                dictionary = read_dictionary(pq.read_schema(part).metadata)
            frames.append(pd.read_parquet(part, columns=wanted))
        except (OSError, ValueError, pa.ArrowException) as exc:
            if wanted and _rows(part) == 0:
                # A chunk whose runs all failed has empty tables without their columns.
                frames.append(pd.DataFrame(columns=wanted))
                continue
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ResultsError(f"{part}: unreadable ({reason})") from None
    non_empty = [f for f in frames if len(f)]
    frame = pd.concat(non_empty, ignore_index=True) if non_empty else frames[0]
    # The units and meanings of its columns: as written with the data, else (a directory written
    # before they were) as this version describes them.
    return attach(frame, {**table_dictionary(name, frame.columns), **(dictionary or {})})


def completed_runs(root: Path | str) -> int:
    """Runs stored: rows of the complete ``runs`` parts (read from the Parquet footers)."""
    total = 0
    for part in complete_parts(root, RUNS):
        rows = _rows(part)
        if rows is None:
            raise ResultsError(f"{part}: unreadable (not a Parquet file)")
        total += rows
    return total


def incomplete_note(completed: int, planned: int | None) -> str:
    """ "INCOMPLETE: 1,410 of 9,000 runs" while runs are missing, else ""."""
    if planned is None or completed >= planned:
        return ""
    return f"INCOMPLETE: {completed:,} of {planned:,} runs"


def completion(root: Path | str, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Runs planned and completed, and the INCOMPLETE note ("" when all are there)."""
    manifest = read_manifest(root) if manifest is None else manifest
    planned = manifest.get("total_runs")
    planned = int(planned) if isinstance(planned, int) else None
    completed = completed_runs(root)
    return {
        "planned_runs": planned,
        "completed_runs": completed,
        "incomplete": incomplete_note(completed, planned),
    }


def _rows(part: Path) -> int | None:
    """Rows of a Parquet file from its footer; None when unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(part).metadata.num_rows)
    except (OSError, pa.ArrowException):
        return None


def read_design(root: Path | str) -> pd.DataFrame | None:
    """The parameter matrix in sampler order (``design.parquet``), or None where there is none."""
    path = Path(root) / DESIGN
    if not path.is_file():
        return None
    import pyarrow as pa

    try:
        design = pd.read_parquet(path).sort_values("sample", ignore_index=True)
        return attach(design, table_dictionary(DESIGN, design.columns))
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ResultsError(f"{path}: unreadable ({reason})") from None


def load(root: Path | str, tables: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """The results as DataFrames: ``runs`` and every recorded table, sorted by run and week.

    Only complete chunks are read, so results of an interrupted experiment can be inspected
    safely before it is resumed; an experiment with no complete chunk yet gives empty tables.
    Every frame's ``attrs`` hold ``planned_runs``, ``completed_runs`` and ``incomplete`` (e.g.
    "INCOMPLETE: 1,410 of 9,000 runs", or "" when every planned run is there). Reads Parquet
    and JSON only.
    """
    root = Path(root)
    manifest = read_manifest(root)
    recorded = list(manifest.get("record", []))
    wanted = tuple(tables or (RUNS, *recorded))
    for table in wanted:
        if table != RUNS and table not in recorded:
            raise ResultsError(f"{root}: table '{table}' was not recorded")
    flags = completion(root, manifest)
    if not complete_parts(root, RUNS):
        result = {table: pd.DataFrame() for table in wanted}
    else:
        result = {}
        for table in wanted:
            frame = read_table(root, table)
            keys = [k for k in ("run_id", "week") if k in frame.columns]
            if keys and len(frame):
                frame = frame.sort_values(keys, kind="stable", ignore_index=True)
            result[table] = frame
    for frame in result.values():
        frame.attrs.update(flags)
    return result


def export_csv(root: Path | str, dest: Path | str) -> list[Path]:
    """Write every table of a results directory as CSV, with the units and meanings of their
    columns (``columns.json``) and the manifest, into ``dest``."""
    dest = Path(dest)
    tables = load(root)
    manifest = (Path(root) / MANIFEST).read_bytes()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for table, frame in tables.items():
            path = dest / f"{table}.csv"
            write_atomic(path, lambda temporary, frame=frame: frame.to_csv(temporary, index=False))
            written.append(path)
        dictionaries = {table: frame.attrs.get(ATTRS_KEY, {}) for table, frame in tables.items()}
        text = json.dumps(dictionaries, indent=2) + "\n"
        written.append(write_text_atomic(dest / COLUMNS_FILE, text))
        written.append(write_bytes_atomic(dest / MANIFEST, manifest))
    except OSError as exc:
        raise ExperimentError(f"--csv {dest}: cannot write there ({exc.strerror})") from None
    return written
