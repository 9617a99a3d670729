"""Build: the modules a run executes are compiled with mypyc, unchanged, for a fifth less time.

Everything else about the package is in ``pyproject.toml``. ``ESCALATION_COMPILE=0`` builds the
pure-Python package; so does a machine without a C compiler, with a warning. Each build writes
``model/compiled_sources.json``, a digest of every source it compiled, which ``model/build.py``
checks at import: a source edited since it was compiled runs as Python, never stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

#: The modules a run executes, but model/record.py: compiled, it gave the same tables and no
#: measurable gain (BENCHMARKS.md).
COMPILED = (
    "model/choice.py",
    "model/energy.py",
    "model/alliance.py",
    "model/signals.py",
    "model/ladder.py",
    "model/escalation.py",
    "agents/actor.py",
    "agents/western.py",
    "agents/russia.py",
    "agents/ukraine.py",
    "agents/union.py",
)
MANIFEST = Path("model", "compiled_sources.json")


def digests() -> dict[str, str]:
    return {path: hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in COMPILED}


def compiled_extensions() -> list:
    if os.environ.get("ESCALATION_COMPILE", "1") == "0":
        return []
    try:
        from mypyc.build import mypycify

        return mypycify(list(COMPILED), opt_level="3", group_name="escalation_compiled")
    except (Exception, SystemExit) as error:  # mypyc exits on a type error
        print(f"warning: building the pure-Python package, mypyc failed: {error}", file=sys.stderr)
        return []


class BuildCompiled(build_ext):
    """Builds the extensions, then records which sources they were compiled from."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        built = [Path(self.get_ext_fullpath(ext.name)) for ext in self.extensions]
        if not all(path.exists() for path in built):
            return  # an optional extension failed: the sources run, as if never compiled
        target = MANIFEST if self.inplace else Path(self.build_lib) / MANIFEST
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"sources": SOURCES}, indent=1) + "\n")


SOURCES = digests()
EXTENSIONS = compiled_extensions()
for extension in EXTENSIONS:
    extension.optional = True  # no C compiler: warn and install the sources

setup(ext_modules=EXTENSIONS, cmdclass={"build_ext": BuildCompiled})
