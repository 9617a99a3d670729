"""Every source the documentation and the code cite is listed in docs/SOURCES.md.

Sources are cited by a three-digit id ("(004)", "003: ...", "source 000"); docs/SOURCES.md has one
section per id. The source texts are not in the repository, so no page may point at one of
their file names as if it were: only SOURCES.md names them, to identify each document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "docs" / "SOURCES.md"
ODD = ROOT / "docs" / "ODD.md"

# A source id: three digits starting 00, standing alone. Not part of a number ("1,000", "0.004",
# "100,000"), a word, a path or an anchor ("SOURCES.md#000", which the link test checks).
SOURCE_ID = re.compile(r"(?<![\w.,$€£/#-])(00\d)(?![\w]|[.,/:-]\d)")
# How the source texts were named when handed over: "<id>_<16 hex digits>.txt".
SOURCE_FILE = re.compile(r"\b(\d{3})_[0-9a-f]{16}\.txt\b")
SECTION = re.compile(r"^## (\d{3})$", re.MULTILINE)
FIELDS = (
    "Title",
    "Author",
    "Outlet",
    "Date",
    "Where to find it",
    "What the model takes from it",
)

DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "BENCHMARKS.md"]
CODE = sorted(
    path
    for layer in ("world", "agents", "model", "experiments", "analysis", "viz", "cli")
    for pattern in ("*.py", "*.toml")
    for path in (ROOT / layer).rglob(pattern)
)


def _sections() -> dict[str, str]:
    text = SOURCES.read_text(encoding="utf-8")
    heads = list(SECTION.finditer(text))
    return {
        head[1]: text[head.end() : nxt.start() if nxt else len(text)]
        for head, nxt in zip(heads, [*heads[1:], None], strict=True)
    }


def _cited(path: Path) -> set[str]:
    return set(SOURCE_ID.findall(path.read_text(encoding="utf-8")))


def test_sources_lists_the_five_documents_with_every_fact():
    sections = _sections()
    assert sorted(sections) == ["000", "001", "002", "003", "004"]
    for source, body in sections.items():
        for name in FIELDS:
            match = re.search(rf"^- \*\*{name}:\*\* (\S.*)$", body, re.MULTILINE)
            assert match, f"SOURCES.md {source}: no '{name}' line"


@pytest.mark.parametrize("path", DOCS + CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_source_has_an_entry(path):
    missing = _cited(path) - set(_sections())
    assert not missing, f"{path.relative_to(ROOT)} cites {sorted(missing)}, not in SOURCES.md"


def test_the_odd_parameter_tables_cite_listed_sources():
    """The Source column of the ODD's tables (parameters, patterns) cites only listed ids."""
    cited: set[str] = set()
    column = None
    for line in ODD.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
        if column is None:
            column = cells.index("source") if "source" in cells else -1
        elif column >= 0 and len(cells) > column:
            cited |= set(SOURCE_ID.findall(cells[column]))
    assert cited, "no source cited in any Source column of docs/ODD.md"
    assert cited <= set(_sections()), sorted(cited - set(_sections()))


def test_links_to_sources_point_at_an_entry():
    sections = set(_sections())
    for path in DOCS:
        for anchor in re.findall(r"SOURCES\.md#([\w-]+)", path.read_text(encoding="utf-8")):
            assert anchor in sections, f"{path.relative_to(ROOT)}: no entry #{anchor}"


def test_no_page_points_at_a_source_file_not_in_the_repository():
    present = {p.name for p in ROOT.rglob("*.txt")}
    for path in [*ROOT.rglob("*.md"), *CODE]:
        if ".venv" in path.parts or path == SOURCES:
            continue
        for match in SOURCE_FILE.finditer(path.read_text(encoding="utf-8")):
            assert match[0] in present, (
                f"{path.relative_to(ROOT)} names {match[0]}, which is not in the repository; "
                f"cite the source as [{match[1]}](SOURCES.md#{match[1]}) instead"
            )


def test_sources_names_each_file_only_in_its_own_entry():
    for source, body in _sections().items():
        assert {m[1] for m in SOURCE_FILE.finditer(body)} == {source}, source
