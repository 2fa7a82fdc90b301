"""The console script: exit codes pass through, and the garbage collector is on for the command."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

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

    def fake_exit(code: int) -> None:  # the real one leaves without unwinding this process
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(entry, "_exit", fake_exit)
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


def test_the_console_script_flushes_all_its_output_and_runs_exit_handlers(tmp_path) -> None:
    """It leaves with os._exit: what it printed must still all arrive, exit handlers still run."""
    sample = Path(entry.__file__).parent / "sample" / "app"
    script = (
        "import atexit, sys, runpy\n"
        f"atexit.register(lambda: open({str(tmp_path / 'ran')!r}, 'w').close())\n"
        "sys.argv = ['h2c', 'inspect', sys.argv[1]]\n"
        "runpy.run_module('h2c', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(sample)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "h2c-django-sample" in done.stdout  # its first line and its last, so all of it
    assert done.stdout.endswith("is not run on Convox: python manage.py migrate\n")
    assert (tmp_path / "ran").exists()
