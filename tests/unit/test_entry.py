"""The console script: exit codes pass through, and the garbage collector is on for the command."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

import h2c.__main__ as entry
from h2c import cli


def test_run_exits_with_the_command_code_and_collects_during_it(monkeypatch) -> None:
    seen: dict[str, bool] = {}

    def fake_main(argv=None, *, before_command=None) -> int:
        seen["off_at_start"] = not gc.isenabled()
        before_command()
        seen["on_for_command"] = gc.isenabled()
        return 3

    monkeypatch.setattr(cli, "main", fake_main)
    was_enabled = gc.isenabled()
    try:
        with pytest.raises(SystemExit) as done:
            entry.run()
    finally:
        gc.unfreeze()  # the test process keeps collecting what it frees
        if was_enabled:
            gc.enable()
    assert done.value.code == 3
    assert seen == {"off_at_start": True, "on_for_command": True}


def test_python_dash_m_h2c_reports_usage_errors_with_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "h2c", "nosuch"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "invalid choice" in done.stderr and "Traceback" not in done.stderr
