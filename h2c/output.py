"""All printing goes through here, so the CLI speaks with one voice and tests can capture it."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Sequence

TYPE_CHECKING = False  # typing costs ~5 ms to import: the annotations are only read by mypy
if TYPE_CHECKING:
    from typing import Any

# rich costs ~45 ms to import: plain lines are written directly, and the rich consoles (for
# tables and progress bars) are made on first use.


@functools.cache
def err_console() -> Any:
    """The stderr console for progress bars, made on first use."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@functools.cache
def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


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
    console().print(grid)


def raw(text: str) -> None:
    """Text that must reach stdout byte for byte (JSON, diffs)."""
    sys.stdout.write(text)
    sys.stdout.flush()
