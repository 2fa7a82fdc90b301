"""The gate's summary: one row per check and target, as a rich table and as JSON.

Reasons come from assertion and fixture messages, which never hold a config value; they are
cut to one line here so the table stays readable.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

COLUMNS = ("check", "target", "result", "time", "reason")
STYLES = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow"}


@dataclass
class Record:
    """One check on one target; ``kind`` says what a failure means for the exit code."""

    check: str
    target: str
    result: str = "passed"  # passed | failed | error | skipped
    seconds: float = 0.0
    reason: str = ""
    kind: str = "check"  # check | environment | input

    def row(self) -> dict[str, object]:
        """The record as a JSON object (``asdict`` deep-copies each of its flat fields)."""
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(Record))


def one_line(text: str, limit: int = 160) -> str:
    """The first meaningful line of a message, cut to ``limit`` characters.

    >>> one_line("\\nAssertionError: web is down\\nassert False")
    'web is down'
    >>> one_line("hadolint found problems:\\n  - DL3008 line 3\\n  - DL3042 line 4")
    'hadolint found problems: DL3008 line 3'
    """
    picked = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("E "):
            line = line[2:].strip()
        for prefix in ("AssertionError: ", "Failed: "):
            line = line.removeprefix(prefix)
        if line and picked:
            picked += " " + line.lstrip("- ")
            break
        if line:
            picked = line
            if not line.endswith(":"):  # a headline: the first item says what it is about
                break
    return picked if len(picked) <= limit else picked[: limit - 1] + "…"


def check_name(nodeid: str) -> tuple[str, str]:
    """``checks/test_image.py::test_builds[web]`` -> ``("test_image::test_builds", "web")``.

    >>> check_name("checks/test_service.py::test_settles[worker]")
    ('test_service::test_settles', 'worker')
    >>> check_name("test_image.py::test_builds")
    ('test_image::test_builds', '-')
    """
    path, _, name = nodeid.partition("::")
    module = Path(path).stem
    base, _, param = name.partition("[")
    return f"{module}::{base}", param[:-1] if param else "-"


def render(records: Sequence[Record], *, title: str, width: int = 120, color: bool = False) -> str:
    """The summary table as text for the terminal."""
    table = Table(title=title, title_justify="left")
    for column in COLUMNS:
        table.add_column(column, overflow="fold", max_width=70 if column == "reason" else None)
    for record in records:
        style = STYLES.get(record.result, "")
        table.add_row(
            Text(record.check),
            Text(record.target),
            Text(record.result, style=style),
            f"{record.seconds:.1f}s",
            Text(record.reason),  # plain text: a reason like "[database] source" is no markup
        )
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=color, no_color=not color).print(table)
    return buffer.getvalue()


def write_json(records: Iterable[Record], path: Path) -> None:
    path.write_text(json.dumps([r.row() for r in records], indent=2) + "\n", encoding="utf-8")


def read_json(path: Path) -> list[Record]:
    return [Record(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
