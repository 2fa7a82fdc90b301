"""Run the compare checks (``pytest --pyargs h2c.compare_checks``) in this process.

Isolated like the gate (its ini, scratch rootdir, ``--noconftest``, no auto-loaded plugins, no
``PYTEST_ADDOPTS``) with the same exit codes (``gate_exit_code``), but not in a subprocess: the
session's reads (the replay, every CLI call) start before pytest is imported and run while it
starts and collects. The compare checks start nothing (read-only, no containers), so there is
nothing a subprocess would have to clean up apart from this process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from h2c.gate.runner import run_checks_here
from h2c.gate.summary import Record

# pytest's own plugin that a compare run does without: unraisableexception ends every run
# with a full garbage collection (40 ms over pytest, deepdiff and the rest) to find exceptions
# raised in finalizers, and nothing a compare run makes has a finalizer that could raise.
NOT_LOADED = ("-p", "no:unraisableexception")


@dataclass(frozen=True)
class CompareRun:
    pytest_rc: int
    records: list[Record]
    exit_code: int
    details: list[dict[str, Any]]


def run_compare(
    options: Sequence[str], *, session: Any = None, stdout: IO[str] | None = None
) -> CompareRun:
    """``options``: ``--h2c-compare-*`` and pytest arguments (paths absolute); ``session``: a
    CompareSession whose reads were started already (used when its options are these)."""
    plugins: list[object] = []
    if session is not None:
        from h2c.compare.early import EarlySession

        plugins.append(EarlySession(session))
    args = [*NOT_LOADED, *options]
    run, texts = run_checks_here("compare", args, plugins=plugins, stdout=stdout,
                                 outputs=("details",))  # fmt: skip
    rows = json.loads(texts["details"]) if "details" in texts else []
    return CompareRun(run.pytest_rc, run.records, run.exit_code, rows)
