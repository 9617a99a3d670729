"""The ablation registry: does each mechanism of the ODD move anything that matters?

Every mechanism named in docs/ODD.md is switched off, or moved across its documented range,
on paired seeds (each seed runs once in each arm, so the arms share their random numbers as far
as their paths agree). It must move a consequential outcome at |z| >= 3, or it is decorative
and should be made to matter or deleted (issue 16, item 7).

The registry is data, ``analysis/ablation.toml``: one ``[[mechanism]]`` table per mechanism,
its two arms given as overrides by name (as ``EscalationModel`` accepts them). Entries are
validated on load by the scenario loader itself, so a parameter the model no longer has is
refused with the entry's name. Runs go to the experiment executors in chunks (any executor
gives the same numbers) and each run is reduced to four outcomes (:data:`OUTCOMES`).
"""

from __future__ import annotations

import difflib
import math
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import first_invasion_week
from experiments.chunks import ChunkResult, ChunkTask, simulate_chunk
from experiments.design import CHUNK_WEEKS, RunSpec, run_seed
from experiments.executors import Executor
from experiments.executors.serial import SerialExecutor
from experiments.runner import Progress
from model.files import write_text_atomic
from world.errors import EscalationError
from world.scenario import ScenarioError, ScenarioSpec, load_scenario

REGISTRY = Path(__file__).resolve().with_name("ablation.toml")
ROOT_SEED = 20220224  # run i of every arm uses SeedSequence(ROOT_SEED)'s i-th child
Z_MIN = 3.0
# Per-run outcomes, each with its label in tables. invasion_week is censored at horizon + 1.
OUTCOMES = {
    "invaded": "P(invasion)",
    "invasion_week": "invasion week",
    "imposed_tier": "imposed tier",
    "highest_rung": "highest rung",
}
SIGNS = {"+": 1, "-": -1}
REQUIRED_KEYS = ("name", "odd", "what", "low", "high")
OPTIONAL_KEYS = ("scenario", "expect", "seeds", "known_decorative", "known_wrong_sign", "note")
MAX_ENTRY_SEEDS = 100_000
MAX_FILE_BYTES = 1_000_000


class AblationError(EscalationError):
    """An invalid registry entry or request; the message names the file and the entry."""


@dataclass(frozen=True)
class Expectation:
    """What theory predicts: ``outcome`` rises (sign +1) or falls (-1) from low to high."""

    outcome: str
    sign: int

    def __str__(self) -> str:
        return f"{OUTCOMES[self.outcome]} {'rises' if self.sign > 0 else 'falls'}"


@dataclass(frozen=True, eq=False)
class Mechanism:
    """One registry entry: a mechanism of the ODD and the two arms that ablate it."""

    name: str
    odd: str
    what: str
    low: dict[str, Any]
    high: dict[str, Any]
    scenario: str = "baseline"
    expect: Expectation | None = None
    seeds: int = 0  # paired seeds a small effect needs: runs use at least this many (0: any)
    known_decorative: bool = False  # fails the check on today's model: the CI test skips it
    known_wrong_sign: bool = False  # moves its expected outcome the other way today (skipped)
    note: str = ""

    @property
    def known_failure(self) -> bool:
        return self.known_decorative or self.known_wrong_sign

    def arms(self) -> tuple[ScenarioSpec, ScenarioSpec]:
        """The resolved scenarios of the low and the high arm (validated by the loader)."""
        return load_scenario(self.scenario, **self.low), load_scenario(self.scenario, **self.high)


# --- the registry ----------------------------------------------------------------------------
def load_registry(path: Path | str = REGISTRY) -> tuple[Mechanism, ...]:
    """Read and validate the registry; the first problem raises :class:`AblationError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AblationError(f"{path}: cannot read file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AblationError(f"{path}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AblationError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise AblationError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise AblationError(f"{path}: not valid TOML: nesting too deep") from None
    extra = sorted(set(doc) - {"mechanism"})
    if extra:
        raise AblationError(f"{path}: unknown key '{extra[0]}'; expected [[mechanism]] tables")
    entries = doc.get("mechanism")
    if not isinstance(entries, list) or not entries:
        raise AblationError(f"{path}: no [[mechanism]] tables")
    mechanisms = [_entry(entry, f"{path}: mechanism {i}") for i, entry in enumerate(entries, 1)]
    seen: set[str] = set()
    for m in mechanisms:
        if m.name in seen:
            raise AblationError(f"{path}: mechanism '{m.name}' is listed twice")
        seen.add(m.name)
    return tuple(mechanisms)


def _entry(entry: Any, where: str) -> Mechanism:
    if not isinstance(entry, dict):
        raise AblationError(f"{where}: must be a table")
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where} ('{name}')"
    for key in entry:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            allowed = ", ".join(REQUIRED_KEYS + OPTIONAL_KEYS)
            raise AblationError(f"{where}: unknown key '{key}'; allowed: {allowed}")
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise AblationError(f"{where}: missing '{key}'")
    for key in ("name", "odd", "what", "scenario", "note"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise AblationError(f"{where}: '{key}' must be a non-empty string")
    for key in ("low", "high"):
        if not isinstance(entry[key], dict):
            raise AblationError(f"{where}: '{key}' must be a table of overrides by name")
    if entry["low"] == entry["high"]:
        raise AblationError(f"{where}: 'low' and 'high' are the same; the entry moves nothing")
    for key in ("known_decorative", "known_wrong_sign"):
        if not isinstance(entry.get(key, False), bool):
            raise AblationError(f"{where}: '{key}' must be true or false")
    wanted = entry.get("seeds", 0)
    whole = isinstance(wanted, int) and not isinstance(wanted, bool)
    if "seeds" in entry and not (whole and 0 < wanted <= MAX_ENTRY_SEEDS):
        raise AblationError(
            f"{where}: 'seeds' must be a whole number from 1 to {MAX_ENTRY_SEEDS}, got {wanted!r}"
        )
    if entry.get("known_wrong_sign") and "expect" not in entry:
        raise AblationError(f"{where}: 'known_wrong_sign' needs an 'expect' to be wrong about")
    mechanism = Mechanism(
        name=entry["name"].strip(),
        odd=entry["odd"].strip(),
        what=entry["what"].strip(),
        low=dict(entry["low"]),
        high=dict(entry["high"]),
        scenario=entry.get("scenario", "baseline").strip(),
        expect=_expectation(entry.get("expect"), where),
        seeds=wanted,
        known_decorative=entry.get("known_decorative", False),
        known_wrong_sign=entry.get("known_wrong_sign", False),
        note=entry.get("note", "").strip(),
    )
    for arm in ("low", "high"):
        try:
            load_scenario(mechanism.scenario, **getattr(mechanism, arm))
        except ScenarioError as exc:
            raise AblationError(f"{where}: {arm}: {exc}") from None
    low, high = mechanism.arms()
    if low == high:
        raise AblationError(f"{where}: 'low' and 'high' give the same scenario; it moves nothing")
    return mechanism


def _expectation(table: Any, where: str) -> Expectation | None:
    if table is None:
        return None
    if not isinstance(table, dict) or set(table) != {"outcome", "sign"}:
        raise AblationError(f"{where}: 'expect' must be a table {{outcome = ..., sign = ...}}")
    outcome, sign = table["outcome"], table["sign"]
    if outcome not in OUTCOMES:
        raise AblationError(
            f"{where}: expect.outcome: unknown outcome {outcome!r}; choose from "
            + ", ".join(OUTCOMES)
        )
    if sign not in SIGNS:
        raise AblationError(f"{where}: expect.sign: must be '+' or '-', got {sign!r}")
    return Expectation(outcome, SIGNS[sign])


def select(mechanisms: Sequence[Mechanism], names: Iterable[str]) -> tuple[Mechanism, ...]:
    """The mechanisms named, in registry order; an unknown name raises, naming the closest
    known names (the registry has some ninety: all of them would not fit a line)."""
    wanted = list(names)
    known = [m.name for m in mechanisms]
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
            raise AblationError(
                f"no mechanism '{name}' in the registry; {hint}"
                f"its {len(known)} names are in analysis/ablation.toml"
            )
    return tuple(m for m in mechanisms if m.name in wanted)


# --- paired statistics -----------------------------------------------------------------------
@dataclass(frozen=True)
class Paired:
    """The paired comparison of one outcome: arm means, mean difference, its SE and z."""

    n: int
    low: float
    high: float
    diff: float
    se: float
    z: float


def paired(low: Sequence[float] | np.ndarray, high: Sequence[float] | np.ndarray) -> Paired:
    """high - low per seed; se = sd of the differences / sqrt(n), z = mean difference / se.

    z is 0 when every difference is 0 (nothing moved) and ±inf when every difference is the same
    nonzero number (a sure shift); with one seed and a difference, z is NaN (no spread to judge).
    """
    a, b = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("paired() needs two equally long, non-empty sequences")
    d = b - a
    n, diff = d.size, float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    if not d.any():
        z = 0.0
    elif se == 0.0:
        z = math.copysign(math.inf, diff)
    else:
        z = diff / se  # NaN when n = 1
    return Paired(n, float(a.mean()), float(b.mean()), diff, se, z)


def detectable_share_shift(
    n: int, discordant: float, z: float = Z_MIN, power: float = 0.8
) -> float:
    """Smallest paired shift d in a 0/1 outcome detected at ``z`` with ``power``, n pairs.

    With a share ``discordant`` of pairs that differ, the differences have variance
    discordant - d², and E[z] = d·sqrt(n)/sd must reach z + z_power (3 + 0.84 for 80%).
    """
    k = (z + NormalDist().inv_cdf(power)) ** 2 / n
    # d² = k·(discordant - d²)  =>  d = sqrt(k·discordant / (1 + k))
    return math.sqrt(k * discordant / (1.0 + k))


# --- running ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Ablation:
    """Every mechanism's per-seed outcomes in both arms and the paired statistics."""

    mechanisms: tuple[Mechanism, ...]
    seeds: tuple[int, ...]
    root_seed: int
    runs: pd.DataFrame  # mechanism, arm, seed_index, seed and the four outcomes, one row a run
    stats: pd.DataFrame = field(repr=False)  # one row per mechanism and outcome

    def result(self, mechanism: Mechanism | str) -> dict[str, Paired]:
        """Each outcome's paired comparison for one mechanism, in :data:`OUTCOMES` order."""
        name = mechanism if isinstance(mechanism, str) else mechanism.name
        rows = self.stats[self.stats["mechanism"] == name]
        return {
            r.outcome: Paired(int(r.n), r.low, r.high, r.diff, r.se, r.z) for r in rows.itertuples()
        }

    def max_z(self, mechanism: Mechanism | str) -> float:
        """The largest |z| over the outcomes (NaN ones left out)."""
        zs = [abs(p.z) for p in self.result(mechanism).values() if not math.isnan(p.z)]
        return max(zs, default=0.0)

    def driven(self, mechanism: Mechanism | str) -> list[str]:
        """The outcomes this mechanism moves at |z| >= Z_MIN."""
        return [o for o, p in self.result(mechanism).items() if abs(p.z) >= Z_MIN]

    def expectation(self, mechanism: Mechanism) -> str | None:
        """None (nothing expected), 'met', 'against' (the expected outcome moves the other way
        at |z| >= Z_MIN) or 'not shown' (it does not move at |z| >= Z_MIN)."""
        if mechanism.expect is None:
            return None
        z = mechanism.expect.sign * self.result(mechanism)[mechanism.expect.outcome].z
        return "met" if z >= Z_MIN else "against" if z <= -Z_MIN else "not shown"

    def passes(self, mechanism: Mechanism) -> bool:
        """Moves an outcome at |z| >= Z_MIN and, where one is stated, as expected."""
        return bool(self.driven(mechanism)) and self.expectation(mechanism) in (None, "met")


def seeds(n: int, root: int = ROOT_SEED) -> tuple[int, ...]:
    """The i-th paired seed is ``SeedSequence(root)``'s i-th child, as experiment runs are."""
    return tuple(run_seed(root, i) for i in range(n))


def run_registry(
    mechanisms: Sequence[Mechanism],
    n: int,
    executor: Executor | None = None,
    *,
    root_seed: int = ROOT_SEED,
    progress: Callable[[Progress], None] | None = None,
    entry_seeds: bool = True,
) -> Ablation:
    """Run every mechanism's two arms on the same ``n`` seeds and compare them pairwise.

    An entry that states ``seeds`` (a small effect's need) runs on at least that many, unless
    ``entry_seeds`` is false. Arms that resolve to the same scenario (a default shared by
    several entries) are run once, on as many seeds as their entries need. Runs go to
    ``executor`` in chunks (serial by default); a run that raises raises here, naming the
    mechanism, arm and seed, since a lost run would break the pairing.
    """
    if n < 1:
        raise AblationError(f"the number of paired seeds must be at least 1, got {n}")
    if not mechanisms:
        raise AblationError("no mechanisms to run")
    wanted = {m.name: max(n, m.seeds) if entry_seeds else n for m in mechanisms}
    chosen = seeds(max(wanted.values()), root_seed)
    arms: dict[ScenarioSpec, int] = {}  # each distinct resolved scenario, run once
    arm_seeds: list[int] = []  # by arm index: how many seeds it runs
    labels: list[str] = []
    plan: list[tuple[Mechanism, int, int]] = []  # mechanism, low arm index, high arm index
    for m in mechanisms:
        pair = []
        for arm, spec in zip(("low", "high"), m.arms(), strict=True):
            if spec not in arms:
                arms[spec] = len(labels)
                labels.append(f"{m.name} ({arm})")
                arm_seeds.append(0)
            index = arms[spec]
            arm_seeds[index] = max(arm_seeds[index], wanted[m.name])
            pair.append(index)
        plan.append((m, pair[0], pair[1]))
    stride = len(chosen)
    tasks = list(_tasks(arms, tuple(labels), chosen, arm_seeds))
    executor = executor or SerialExecutor()
    total, done, started = sum(arm_seeds), 0, time.perf_counter()
    if progress is not None:
        progress(Progress(total, 0, 0, 0, 0.0))
    found: list[pd.DataFrame] = []
    for result in executor.map(simulate_chunk, tasks):
        found.append(_outcomes(result, stride))
        done += len(result.tables["runs"])
        if progress is not None:
            progress(Progress(total, done, 0, 0, time.perf_counter() - started))
    per_arm = pd.concat(found).sort_values(["arm_index", "seed_index"], ignore_index=True)
    runs, stats = [], []
    for m, low, high in plan:
        mine = per_arm[per_arm["seed_index"] < wanted[m.name]]
        for arm, index in (("low", low), ("high", high)):
            rows = mine[mine["arm_index"] == index].drop(columns=["arm_index"])
            runs.append(rows.assign(mechanism=m.name, arm=arm))
        a = mine[mine["arm_index"] == low].set_index("seed_index").sort_index()
        b = mine[mine["arm_index"] == high].set_index("seed_index").sort_index()
        for outcome in OUTCOMES:
            p = paired(a[outcome].to_numpy(), b[outcome].to_numpy())
            stats.append({"mechanism": m.name, "outcome": outcome, **asdict(p)})
    table = pd.concat(runs, ignore_index=True)
    table = table[["mechanism", "arm", "seed_index", "seed", *OUTCOMES]]
    return Ablation(tuple(mechanisms), chosen, root_seed, table, pd.DataFrame(stats))


def _tasks(
    arms: Mapping[ScenarioSpec, int],
    labels: tuple[str, ...],
    chosen: Sequence[int],
    arm_seeds: Sequence[int],
) -> Iterable[ChunkTask]:
    """Chunks of about CHUNK_WEEKS simulated weeks, each of one arm (so of one horizon); arm
    i runs the first ``arm_seeds[i]`` of ``chosen``, run ids counting in strides of them all."""
    stride = len(chosen)
    for spec, index in arms.items():
        weeks = spec.world.weeks
        n = arm_seeds[index]
        size = max(1, min(n, CHUNK_WEEKS // weeks))
        for start in range(0, n, size):
            runs = tuple(
                RunSpec(index * stride + i, index, 0, i, chosen[i])
                for i in range(start, min(n, start + size))
            )
            yield ChunkTask(
                chunk=index * stride + start,
                runs=runs,
                rows=((),) * len(runs),
                names=(),
                labels=labels,
                specs={index: spec},
                weeks=weeks,
                record=("model",),
            )


def _outcomes(result: ChunkResult, stride: int) -> pd.DataFrame:
    """One row per run of a chunk: its arm, seed and the four outcomes."""
    runs = result.tables["runs"].set_index("run_id")
    bad = runs[runs["status"] != "ok"]
    if len(bad):
        raise AblationError(
            f"{bad['scenario'].iloc[0]}, seed {bad['seed'].iloc[0]}: the run failed:"
            f" {bad['error'].iloc[0]}"
        )
    weekly = result.tables["model"]
    by_run = weekly.groupby("run_id")
    first = first_invasion_week(weekly)
    frame = pd.DataFrame(
        {
            "arm_index": runs.index // stride,  # ids: arm_index * stride + seed_index (_tasks)
            "seed_index": runs["replicate"],
            "seed": runs["seed"],
            "invaded": by_run["invasion"].any().reindex(runs.index).astype(float),
            "invasion_week": first.reindex(runs.index).fillna(runs["weeks"] + 1).astype(float),
            "imposed_tier": by_run["sanction_tier"].max().reindex(runs.index).astype(float),
            "highest_rung": by_run["rung"].max().reindex(runs.index).astype(float),
        }
    )
    return frame.reset_index(drop=True)


# --- reporting -------------------------------------------------------------------------------
def verdict(result: Ablation, mechanism: Mechanism) -> str:
    """'drives <outcomes>' or 'DECORATIVE', with an expectation not met said."""
    driven = result.driven(mechanism)
    if driven:
        said = "drives " + ", ".join(OUTCOMES[o] for o in driven)
    else:
        said = f"DECORATIVE (|z| < {Z_MIN:g})"
    state = result.expectation(mechanism)
    if driven and state == "against":
        said += "; AGAINST THE EXPECTED SIGN"
    elif driven and state == "not shown":
        said += "; expected change not shown"
    if mechanism.known_failure:
        said += " (known)" if not result.passes(mechanism) else " (marked known, now passes)"
    return said


def _z(z: float) -> str:
    if math.isnan(z):
        return "—"
    if math.isinf(z):
        return "+inf" if z > 0 else "−inf"
    return f"{z:+.1f}".replace("-", "−")


def _cell(p: Paired, outcome: str) -> str:
    digits = 1 if outcome in ("invasion_week", "highest_rung") else 2
    z = _z(p.z)
    shown = f"**z {z}**" if abs(p.z) >= Z_MIN else f"z {z}"
    return f"{p.low:.{digits}f} → {p.high:.{digits}f} ({shown})"


def _expected(result: Ablation, m: Mechanism) -> str:
    if m.expect is None:
        return "—"
    state = result.expectation(m)
    return f"{m.expect}: " + ("yes" if state == "met" else f"**{state}**")


def markdown_table(result: Ablation) -> list[str]:
    """The registry as a Markdown table: each outcome's arm means low → high with paired z."""
    head = ["mechanism", "what is moved (low → high)", "ODD", "n"]
    head += [*OUTCOMES.values(), "expected", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for m in result.mechanisms:
        found = result.result(m)
        cells = [_cell(p, o) for o, p in found.items()]
        shown = verdict(result, m)
        if not result.passes(m):
            shown = f"**{shown}**"
        n = next(iter(found.values())).n
        row = [m.name, m.what, m.odd, str(n), *cells, _expected(result, m), shown]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return lines


def text_table(result: Ablation) -> str:
    """The registry in plain text for a terminal (under 100 columns): paired z per outcome."""
    head = ("mechanism", "ODD", "P(inv) low→high", *_SHORT.values(), "verdict")
    rows = []
    for m in result.mechanisms:
        res = result.result(m)
        invaded = f"{res['invaded'].low:.2f} → {res['invaded'].high:.2f}"
        state = result.expectation(m)
        if not result.driven(m):
            said = "DECORATIVE"
        elif state in ("against", "not shown"):
            said = "WRONG SIGN" if state == "against" else "EXPECTED NOT SHOWN"
        else:
            said = "drives"
        if m.known_failure:
            said += " (known)" if not result.passes(m) else " (marked known)"
        rows.append((m.name, m.odd, invaded, *(_z(res[o].z) for o in _SHORT), said))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    right = range(3, 3 + len(_SHORT))  # the z columns
    lines = [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [head, *rows]
    ]
    return "\n".join(lines)


_SHORT = {
    "invaded": "z inv",
    "invasion_week": "z week",
    "imposed_tier": "z tier",
    "highest_rung": "z rung",
}


def summary(result: Ablation) -> str:
    """One paragraph: how many mechanisms pass, which are decorative, which go against theory."""
    ms = result.mechanisms
    decorative = [m.name for m in ms if not result.driven(m)]
    against = [m.name for m in ms if result.driven(m) and result.expectation(m) == "against"]
    unshown = [m.name for m in ms if result.driven(m) and result.expectation(m) == "not shown"]
    said = f"{len(ms) - len(decorative)} of {len(ms)} mechanisms move an outcome at |z| ≥ {Z_MIN:g}"
    said += "; decorative: " + (", ".join(decorative) or "none")
    said += "; against the expected sign: " + (", ".join(against) or "none")
    if unshown:
        said += "; expected change not shown: " + ", ".join(unshown)
    return said + "."


def write(result: Ablation, directory: Path | str) -> list[Path]:
    """Per-run outcomes (with each seed) and the paired statistics, as CSV in ``directory``."""
    where = Path(directory)
    where.mkdir(parents=True, exist_ok=True)
    return [
        write_text_atomic(where / "ablation_runs.csv", result.runs.to_csv(index=False)),
        write_text_atomic(where / "ablation_stats.csv", result.stats.to_csv(index=False)),
    ]
