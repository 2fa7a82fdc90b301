"""All printing goes through here, so the CLI speaks with one voice and tests can capture it."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    console.print(message, markup=False)


def warn(message: str) -> None:
    err_console.print(f"warning: {message}", markup=False)


def finding(text: str) -> None:
    """A reader's or planner's finding, already prefixed with its severity."""
    err_console.print(text, markup=False)


def error(message: str) -> None:
    err_console.print(f"h2c: error: {message}", markup=False)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows as a table; values are shown with ``str`` so Secrets stay masked."""
    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*(str(cell) for cell in row))
    console.print(grid)


def raw(text: str) -> None:
    """Text that must reach stdout byte for byte (JSON, diffs)."""
    sys.stdout.write(text)
    sys.stdout.flush()
