"""Verdicts on a process's end: how it stopped, and the log lines a failure message shows."""

from __future__ import annotations


def log_tail(text: str, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, for a failure message."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def was_killed(exit_code: int | None) -> bool:
    """True when a stop ended in SIGKILL (137 from Docker, -9 from a raw wait status).

    >>> was_killed(137), was_killed(0), was_killed(143)
    (True, False, False)
    """
    return exit_code in (137, -9)
