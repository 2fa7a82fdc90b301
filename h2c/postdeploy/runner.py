"""Run the postdeploy checks (``pytest --pyargs h2c.postdeploy_checks``) in a subprocess.

Same isolation as ``h2c.gate.runner`` (its ini, scratch rootdir, ``--noconftest``, no
auto-loaded plugins, no ``PYTEST_ADDOPTS``) and the same exit codes (``gate_exit_code``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from h2c.gate.runner import DROPPED_ENV, GATE_INI, GateRun, _wait, gate_exit_code
from h2c.gate.summary import read_json


def run_postdeploy(options: Sequence[str], *, stdout: int | IO[str] | None = None) -> GateRun:
    """``options``: ``--h2c-postdeploy-*`` and pytest arguments (paths absolute)."""
    with tempfile.TemporaryDirectory(prefix="h2c-postdeploy-") as name:
        scratch = Path(name)
        (scratch / "pytest.ini").write_text(GATE_INI, encoding="utf-8")
        summary = scratch / "summary.json"
        argv = [
            sys.executable, "-m", "pytest", "--pyargs", "h2c.postdeploy_checks",
            "-p", "h2c.postdeploy.plugin", "-c", str(scratch / "pytest.ini"),
            "--rootdir", str(scratch), "--noconftest", "-p", "no:cacheprovider",
            "--h2c-postdeploy-summary", str(summary), *options,
        ]  # fmt: skip
        env = {
            **{k: v for k, v in os.environ.items() if k not in DROPPED_ENV},
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        with subprocess.Popen(argv, env=env, cwd=scratch, stdout=stdout) as run:
            rc = _wait(run)
        records = read_json(summary) if summary.exists() else []
    return GateRun(rc, records, gate_exit_code(rc, records))
