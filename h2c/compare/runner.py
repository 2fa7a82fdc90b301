"""Run the compare checks (``pytest --pyargs h2c.compare_checks``) in a subprocess, like the gate.

Same isolation as ``h2c.gate.runner`` (its ini, scratch rootdir, ``--noconftest``, no
auto-loaded plugins, no ``PYTEST_ADDOPTS``) and the same exit codes (``gate_exit_code``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from h2c.gate.runner import DROPPED_ENV, GATE_INI, _wait, gate_exit_code
from h2c.gate.summary import Record, read_json


@dataclass(frozen=True)
class CompareRun:
    pytest_rc: int
    records: list[Record]
    exit_code: int
    details: list[dict[str, Any]]


def run_compare(options: Sequence[str], *, stdout: int | IO[str] | None = None) -> CompareRun:
    """``options``: ``--h2c-compare-*`` and pytest arguments (paths absolute)."""
    import json

    with tempfile.TemporaryDirectory(prefix="h2c-compare-") as name:
        scratch = Path(name)
        (scratch / "pytest.ini").write_text(GATE_INI, encoding="utf-8")
        summary, details = scratch / "summary.json", scratch / "details.json"
        argv = [
            sys.executable, "-m", "pytest", "--pyargs", "h2c.compare_checks",
            "-p", "h2c.compare.plugin", "-c", str(scratch / "pytest.ini"),
            "--rootdir", str(scratch), "--noconftest", "-p", "no:cacheprovider",
            "--h2c-compare-summary", str(summary), "--h2c-compare-details", str(details),
            *options,
        ]  # fmt: skip
        env = {
            **{k: v for k, v in os.environ.items() if k not in DROPPED_ENV},
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        with subprocess.Popen(argv, env=env, cwd=scratch, stdout=stdout) as run:
            rc = _wait(run)
        records = read_json(summary) if summary.exists() else []
        rows = json.loads(details.read_text()) if details.exists() else []
    return CompareRun(rc, records, gate_exit_code(rc, records), rows)
