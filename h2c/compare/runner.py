"""Run the compare checks (``pytest --pyargs h2c.compare_checks``) in a subprocess, like the gate.

Same isolation as ``h2c.gate.runner`` (its ini, scratch rootdir, ``--noconftest``, no
auto-loaded plugins, no ``PYTEST_ADDOPTS``) and the same exit codes (``gate_exit_code``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from h2c.gate.runner import run_checks
from h2c.gate.summary import Record


@dataclass(frozen=True)
class CompareRun:
    pytest_rc: int
    records: list[Record]
    exit_code: int
    details: list[dict[str, Any]]


def run_compare(options: Sequence[str], *, stdout: int | IO[str] | None = None) -> CompareRun:
    """``options``: ``--h2c-compare-*`` and pytest arguments (paths absolute)."""
    run, texts = run_checks("compare", options, stdout=stdout, outputs=("details",))
    rows = json.loads(texts["details"]) if "details" in texts else []
    return CompareRun(run.pytest_rc, run.records, run.exit_code, rows)
