"""Scenario files: TOML data validated field by field, never executed.

A scenario is a delta over another (``extends``, default ``baseline``), so a file such as
``sanctions_only.toml`` states only what differs. Every value is checked for type and range
against the schema in :mod:`world.parameters`; the first problem raises one
:class:`ScenarioError` naming the file, the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from world.errors import EscalationError
from world.parameters import (
    ROLES,
    SECTIONS,
    ActorProfile,
    InvasionCalculus,
    WesternPolicy,
    World,
    fields_of,
)

ROOT_SCENARIO = "baseline"
TOP_LEVEL_KEYS = ("name", "description", "extends", "remove_actors", "actors", *SECTIONS)
MAX_FILE_BYTES = 1_000_000
# Keys only an experiment file has: a scenario file holding one was given in the wrong place.
EXPERIMENT_KEYS = frozenset({"seed", "replicates", "scenarios", "design", "record", "chunk_size"})
MAX_ACTORS = 200


class ScenarioError(EscalationError):
    """A scenario file or override is invalid; the message names the place and the rule."""


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A fully resolved scenario: every parameter of a run, validated."""

    name: str
    description: str
    world: World
    invasion_calculus: InvasionCalculus
    policy: WesternPolicy
    actors: tuple[ActorProfile, ...]

    def actor(self, name: str) -> ActorProfile:
        for profile in self.actors:
            if profile.name == name:
                return profile
        raise KeyError(name)

    def parameter_values(self) -> dict[str, Any]:
        """Every parameter under its override name, e.g. for recording alongside results."""
        values: dict[str, Any] = {}
        for section in SECTIONS:
            values.update(dataclasses.asdict(getattr(self, section)))
        for profile in self.actors:
            for key, value in dataclasses.asdict(profile).items():
                if key not in ("name", "role", "nato", "eu"):
                    values[f"{actor_slug(profile.name)}_{key}"] = value
        return values

    def with_overrides(
        self, overrides: Mapping[str, Any], origin: str = "override"
    ) -> ScenarioSpec:
        """A copy with parameters changed by override name; unknown names raise."""
        if not overrides:
            return self
        sections: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
        actor_changes: dict[str, dict[str, Any]] = {}
        slugs = {actor_slug(p.name): p.name for p in self.actors}
        for key, value in overrides.items():
            where = f"{origin} '{key}'"
            section = next((s for s, cls in SECTIONS.items() if key in fields_of(cls)), None)
            if section is not None:
                spec_field = fields_of(SECTIONS[section])[key]
                sections[section][key] = check_value(value, spec_field, where)
                continue
            target = _split_actor_key(key, slugs)
            if target is None:
                raise ScenarioError(
                    f"{where}: unknown parameter; use a name from the world, invasion_calculus "
                    f"or policy tables, or <actor>_<field> such as 'russia_risk_attitude'"
                )
            actor, name = target
            spec_field = fields_of(ActorProfile)[name]
            actor_changes.setdefault(actor, {})[name] = check_value(value, spec_field, where)
        return dataclasses.replace(
            self,
            **{s: dataclasses.replace(getattr(self, s), **c) for s, c in sections.items() if c},
            actors=tuple(
                dataclasses.replace(p, **actor_changes[p.name]) if p.name in actor_changes else p
                for p in self.actors
            ),
        )


def override_tables(spec: ScenarioSpec, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides by name laid out as scenario-file tables (the inverse of ``with_overrides``).

    Lets a tool write a scenario file that states a set of overrides over ``spec``; unknown
    names raise :class:`ScenarioError` as they would as overrides.
    """
    spec.with_overrides(overrides)  # validates every name and value
    tables: dict[str, Any] = {}
    slugs = {actor_slug(p.name): p.name for p in spec.actors}
    for key, value in overrides.items():
        section = next((s for s, cls in SECTIONS.items() if key in fields_of(cls)), None)
        if section is not None:
            tables.setdefault(section, {})[key] = value
            continue
        actor, name = _split_actor_key(key, slugs)  # type: ignore[misc]  # validated above
        tables.setdefault("actors", {}).setdefault(actor, {})[name] = value
    return tables


def actor_slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def _split_actor_key(key: str, slugs: Mapping[str, str]) -> tuple[str, str] | None:
    actor_fields = fields_of(ActorProfile)
    for slug, actor in slugs.items():
        rest = key[len(slug) + 1 :]
        if key.startswith(slug + "_") and rest in actor_fields and rest not in ("name",):
            if rest in ("role", "nato", "eu"):
                return None
            return actor, rest
    return None


def check_value(value: Any, spec_field: dataclasses.Field, where: str) -> Any:
    """Return ``value`` converted to the field's type, or raise naming what is allowed."""
    meta = spec_field.metadata
    kind = spec_field.type
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars from sweeps
    if kind == "bool":
        if not isinstance(value, bool):
            raise ScenarioError(f"{where}: expected true or false, got {_show(value)}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ScenarioError(f"{where}: expected a string, got {_show(value)}")
        items = meta.get("items")
        if items is not None:
            unknown = [i for i in value.replace(" ", "").split(",") if i and i not in items]
            if unknown:
                raise ScenarioError(f"{where}: unknown {unknown[0]!r}; allowed: {', '.join(items)}")
        return value
    if kind == "dt.date":
        if isinstance(value, dt.datetime):
            raise ScenarioError(f"{where}: expected a date such as 2021-11-01, got a date-time")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ScenarioError(
                    f"{where}: expected a date such as 2021-11-01, got {_show(value)}"
                ) from None
        if not isinstance(value, dt.date):
            raise ScenarioError(f"{where}: expected a date such as 2021-11-01, got {_show(value)}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{where}: expected a whole number, got {_show(value)}")
        if isinstance(value, float):
            if not value.is_integer():
                raise ScenarioError(f"{where}: expected a whole number, got {_show(value)}")
            value = int(value)
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{where}: expected a number, got {_show(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise ScenarioError(f"{where}: expected a finite number, got {value}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(
            f"{where}: {value} is out of range; allowed {lo} to {hi} ({meta['unit']})"
        )
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


@functools.cache
def builtin_dir() -> Path:
    """Where the shipped scenario files are (fixed for the life of the process)."""
    return Path(str(resources.files("world") / "scenarios"))


def list_scenarios() -> dict[str, str]:
    """Built-in scenario names with their one-line descriptions."""
    found = {}
    for path in sorted(builtin_dir().glob("*.toml")):
        found[path.stem] = str(_read_toml(path).get("description", "")).strip()
    return found


def load_scenario(source: str | Path | ScenarioSpec, **overrides: Any) -> ScenarioSpec:
    """Load a built-in scenario by name or a TOML file by path, validated, with overrides."""
    if isinstance(source, ScenarioSpec):
        return source.with_overrides(overrides)
    spec = _BUILTIN.get(source) if source.__class__ is str else None
    if spec is None:
        path = _locate(source)
        spec = _resolve_cached(path)
        if path.parent == builtin_dir() and source == path.stem:
            _BUILTIN[source] = spec
    return spec.with_overrides(overrides)


def forget_loaded() -> None:
    """Drop every cached scenario: for a tool that rewrites a built-in scenario file."""
    _BUILTIN.clear()
    _RESOLVED.clear()


# Built-in scenarios by name: package data, which like the code beside it does not change
# while a process runs (``forget_loaded`` after rewriting one), so a batch that builds a model
# per run from a name does not touch the disk again. A file's own checks cost several system
# calls per model, about a thirtieth of a 26-week run.
_BUILTIN: dict[str, ScenarioSpec] = {}
# Resolved scenarios by file, with the bytes of every file they were built from: a batch of
# thousands of runs parses and validates each file once, while an edited file (or an edited
# parent it extends) is read afresh. Comparing contents, not mtimes, stays right when a file
# is rewritten within the clock's resolution. Specs are frozen, so sharing one is safe.
_RESOLVED: dict[Path, tuple[ScenarioSpec, tuple[tuple[Path, bytes | None], ...]]] = {}
_RESOLVED_LIMIT = 256


def _contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _resolve_cached(path: Path) -> ScenarioSpec:
    # An absolute path is key enough (no syscalls, unlike ``resolve``); a file reached by two
    # spellings is merely parsed twice.
    key = Path(os.path.abspath(path))
    cached = _RESOLVED.get(key)
    if cached is not None and all(_contents(file) == raw for file, raw in cached[1]):
        return cached[0]
    read: list[tuple[Path, bytes | None]] = []
    spec = _resolve(path, chain=(), read=read)
    if len(_RESOLVED) >= _RESOLVED_LIMIT:
        _RESOLVED.clear()
    _RESOLVED[key] = (spec, tuple(read))
    return spec


def _locate(source: str | Path, base: Path | None = None) -> Path:
    if not isinstance(source, str | Path):
        raise ScenarioError(f"scenario must be a name or a path, got {type(source).__name__}")
    text = str(source)
    builtin = builtin_dir() / f"{text}.toml"
    if "/" not in text and "\\" not in text and not text.endswith(".toml"):
        if builtin.is_file():
            return builtin
        names = ", ".join(list_scenarios())
        raise ScenarioError(f"unknown scenario '{text}'; built-in scenarios: {names}")
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path  # relative to the extending file
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    return path


def _read_toml(path: Path, read: list[tuple[Path, bytes | None]] | None = None) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror})") from None
    if read is not None:
        read.append((path, raw))
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: not valid TOML: nesting too deep") from None


def _resolve(
    path: Path, chain: tuple[Path, ...], read: list[tuple[Path, bytes | None]]
) -> ScenarioSpec:
    doc = _read_toml(path, read)
    where = str(path)
    if not doc:
        raise ScenarioError(
            f"{where}: empty scenario; give at least a name, a description or a changed value"
        )
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            hint = (
                " (this looks like an experiment file: run it with `escalation experiment`)"
                if key in EXPERIMENT_KEYS
                else ""
            )
            raise ScenarioError(
                f"{where}: unknown key '{key}'; allowed: {', '.join(TOP_LEVEL_KEYS)}{hint}"
            )
    name = doc.get("name", path.stem)
    description = doc.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            raise ScenarioError(f"{where}: '{key}' must be a string, got {_show(value)}")

    is_root = path.resolve() == (builtin_dir() / f"{ROOT_SCENARIO}.toml").resolve()
    parent_name = doc.get("extends", None if is_root else ROOT_SCENARIO)
    if parent_name is None:
        parent = None
    else:
        if not isinstance(parent_name, str):
            raise ScenarioError(f"{where}: 'extends' must be a scenario name or path")
        try:
            parent_path = _locate(parent_name, base=path.parent)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: extends: {exc}") from None
        if parent_path.resolve() in [p.resolve() for p in (*chain, path)]:
            raise ScenarioError(f"{where}: 'extends' forms a cycle through '{parent_name}'")
        parent = _resolve(parent_path, (*chain, path), read)

    sections = {}
    for section, cls in SECTIONS.items():
        table = doc.get(section, {})
        if not isinstance(table, dict):
            raise ScenarioError(f"{where}: '{section}' must be a table")
        base = getattr(parent, section) if parent else cls()
        sections[section] = dataclasses.replace(
            base, **_check_table(table, cls, f"{where}: {section}")
        )

    actors = {p.name: p for p in parent.actors} if parent else {}
    removed = doc.get("remove_actors", [])
    if not isinstance(removed, list) or not all(isinstance(a, str) for a in removed):
        raise ScenarioError(f"{where}: 'remove_actors' must be a list of actor names")
    for actor in removed:
        if actor not in actors:
            raise ScenarioError(
                f"{where}: remove_actors: unknown actor '{actor}'; known: {', '.join(actors)}"
            )
        del actors[actor]
    table = doc.get("actors", {})
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: 'actors' must be a table of actor tables")
    if len(table) > MAX_ACTORS:
        raise ScenarioError(f"{where}: actors: more than {MAX_ACTORS} actors")
    for actor, values in table.items():
        at = f"{where}: actors.{actor}"
        if not isinstance(values, dict):
            raise ScenarioError(f"{at}: must be a table of actor fields")
        if not actor.strip() or len(actor) > 60:
            raise ScenarioError(f"{at}: actor names must be 1 to 60 characters")
        checked = _check_table(values, ActorProfile, at, forbidden=("name",))
        if actor in actors:
            actors[actor] = dataclasses.replace(actors[actor], **checked)
        else:
            if "role" not in checked:
                raise ScenarioError(f"{at}: a new actor needs a 'role' ({', '.join(ROLES)})")
            actors[actor] = ActorProfile(name=actor, **checked)
    spec = ScenarioSpec(name, description, actors=tuple(actors.values()), **sections)
    _check_cast(spec, where)
    return spec


def _check_table(
    table: Mapping[str, Any], cls: type, where: str, forbidden: tuple[str, ...] = ()
) -> dict[str, Any]:
    known = fields_of(cls)
    checked = {}
    for key, value in table.items():
        if key not in known or key in forbidden:
            allowed = ", ".join(k for k in known if k not in forbidden)
            raise ScenarioError(f"{where}: unknown field '{key}'; allowed: {allowed}")
        checked[key] = check_value(value, known[key], f"{where}.{key}")
    if "role" in checked and checked["role"] not in ROLES:
        raise ScenarioError(f"{where}.role: '{checked['role']}' is not one of {', '.join(ROLES)}")
    return checked


def _check_cast(spec: ScenarioSpec, where: str) -> None:
    roles = [p.role for p in spec.actors]
    for role, allowed in (("challenger", (1,)), ("target", (1,)), ("union", (0, 1))):
        if roles.count(role) not in allowed:
            raise ScenarioError(
                f"{where}: actors: need exactly one '{role}' actor"
                if allowed == (1,)
                else f"{where}: actors: at most one '{role}' actor"
            )
    if not any(p.role == "state" for p in spec.actors):
        raise ScenarioError(f"{where}: actors: need at least one 'state' actor (a Western power)")
    slugs = [actor_slug(p.name) for p in spec.actors]
    if len(set(slugs)) != len(slugs):
        raise ScenarioError(f"{where}: actors: two actor names map to the same override name")
