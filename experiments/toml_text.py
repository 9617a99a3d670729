"""Writing the small TOML documents the tools generate (experiment and scenario files).

The standard library reads TOML but does not write it; the documents written here are plain
data (strings, numbers, booleans, dates, lists of those, tables and arrays of tables), and
every one is read back with :mod:`tomllib` before it is returned, so a generated file is never
one the loaders would refuse.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML cannot hold {value}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _emit(doc: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    scalars = {
        k: v for k, v in doc.items() if not isinstance(v, Mapping) and not _is_table_array(v)
    }
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in doc.items():
        if isinstance(value, Mapping):
            inner = (*path, key)
            lines.append("")
            lines.append("[" + ".".join(_key(k) for k in inner) + "]")
            _emit(value, inner, lines)
        elif _is_table_array(value):
            inner = (*path, key)
            for item in value:
                lines.append("")
                lines.append("[[" + ".".join(_key(k) for k in inner) + "]]")
                _emit(item, inner, lines)


def dumps(doc: Mapping[str, Any]) -> str:
    """TOML text for ``doc``; raises ValueError/TypeError for what TOML cannot hold."""
    lines: list[str] = []
    _emit(doc, (), lines)
    text = "\n".join(lines).lstrip("\n") + "\n"
    tomllib.loads(text)
    return text
