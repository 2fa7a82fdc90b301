"""All printing goes through here, so the CLI speaks with one voice and tests can capture it."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

# rich costs ~45 ms to import: plain lines are written directly (as rich would print them
# with markup and highlighting off and soft wrap on), and the consoles, for tables and
# progress bars, are created on first use (``output.console`` / ``output.err_console``).
_CONSOLES: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _CONSOLES:
        from rich.console import Console

        _CONSOLES[name] = Console(stderr=name == "err_console", highlight=False, soft_wrap=True)
    return _CONSOLES[name]


def _line(stream: Any, text: str) -> None:
    stream.write(text + "\n")
    stream.flush()


def info(message: str) -> None:
    _line(sys.stdout, message)


def warn(message: str) -> None:
    _line(sys.stderr, f"warning: {message}")


def finding(text: str) -> None:
    """A reader's or planner's finding, already prefixed with its severity."""
    _line(sys.stderr, text)


def error(message: str) -> None:
    _line(sys.stderr, f"h2c: error: {message}")


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows as a table; values are shown with ``str`` so Secrets stay masked."""
    from rich.table import Table

    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*(str(cell) for cell in row))
    __getattr__("console").print(grid)


def raw(text: str) -> None:
    """Text that must reach stdout byte for byte (JSON, diffs)."""
    sys.stdout.write(text)
    sys.stdout.flush()
