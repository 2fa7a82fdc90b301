"""Run the postdeploy checks (``pytest --pyargs h2c.postdeploy_checks``) in a subprocess.

Same isolation as ``h2c.gate.runner`` (its ini, scratch rootdir, ``--noconftest``, no
auto-loaded plugins, no ``PYTEST_ADDOPTS``) and the same exit codes (``gate_exit_code``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from h2c.gate.runner import GateRun, run_checks


def run_postdeploy(options: Sequence[str], *, stdout: int | IO[str] | None = None) -> GateRun:
    """``options``: ``--h2c-postdeploy-*`` and pytest arguments (paths absolute)."""
    return run_checks("postdeploy", options, stdout=stdout)[0]
