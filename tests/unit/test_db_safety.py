"""Issue 15 on the db and check commands, without a server: exit codes, secrets, interrupts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from h2c.db import tools
from h2c.errors import EnvironmentMissing
from h2c.gate import runner

CLOSED = "postgresql://h2c:s3cr3t@127.0.0.1:1/app"


def pg_tool(name: str) -> tools.Tool:
    try:
        return tools.find(name)
    except EnvironmentMissing as error:
        from tests.unavailable import unavailable

        unavailable(str(error))


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "restore", "x.dump", "--to", CLOSED, "--jobs", "-3"],
        ["db", "restore", "x.dump", "--to", CLOSED, "-j", "0"],
        ["db", "verify", "--source", CLOSED, "--target", CLOSED, "--workers", "-1"],
        ["db", "verify", "--source", CLOSED, "--target", CLOSED, "--workers", "many"],
        ["check", "app", "--settle", "-1"],
        ["check", "app", "--settle", "nan"],
    ],
    ids=["jobs-negative", "jobs-zero", "workers-negative", "workers-word", "settle", "nan"],
)
def test_counts_below_one_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("at least" in err or "must be" in err), err


def test_dump_that_cannot_connect_is_exit_2_and_keeps_the_old_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pg_tool("pg_dump")
    old = tmp_path / "latest.dump"
    old.write_bytes(b"PGDMP an earlier, good dump")
    assert main(["db", "dump", "--from", CLOSED, "-o", str(old)]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "s3cr3t" not in err
    assert old.read_bytes() == b"PGDMP an earlier, good dump"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.dump"]


def test_dump_into_a_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["db", "dump", "--from", CLOSED, "-o", str(tmp_path)]) == 2
    assert f"{tmp_path}: is a folder" in capsys.readouterr().err


def test_a_planted_link_at_the_dumps_temporary_file_is_refused(tmp_path: Path) -> None:
    pg_tool("pg_dump")
    outside = tmp_path / "outside"
    (tmp_path / ".latest.dump.h2c-tmp").symlink_to(outside)
    assert main(["db", "dump", "--from", CLOSED, "-o", str(tmp_path / "latest.dump")]) == 2
    assert not outside.exists()


@pytest.mark.parametrize("option", ["--from", "--to", "--source", "--target"])
def test_every_url_option_reads_a_variable(
    option: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("H2C_NOPE", raising=False)
    argv = {
        "--from": ["db", "dump", "--from", "$H2C_NOPE", "-o", "x.dump"],
        "--to": ["db", "restore", __file__, "--to", "${H2C_NOPE}"],
        "--source": ["db", "verify", "--source", "$H2C_NOPE", "--target", CLOSED],
        "--target": ["db", "verify", "--source", CLOSED, "--target", "$H2C_NOPE"],
    }[option]
    assert main(argv) == 2
    assert f"{option}: environment variable H2C_NOPE is not set" in capsys.readouterr().err


def test_a_dump_from_a_variable_puts_no_password_in_pg_dumps_argv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if "--version" in argv:
            return subprocess.CompletedProcess(argv, 0, "pg_dump (PostgreSQL) 15.1\n", "")
        seen.update(argv=argv, env=kwargs["env"])
        os.write(kwargs["stdout"], b"PGDMP")
        return subprocess.CompletedProcess(argv, 0, None, "")

    monkeypatch.setenv("H2C_SRC", "postgresql://h2c:pa%40ss@127.0.0.1:5/app")
    monkeypatch.setenv("H2C_PG_BIN", str(tmp_path))
    (tmp_path / "pg_dump").write_text("")
    monkeypatch.setattr(tools.subprocess, "run", run)
    assert main(["db", "dump", "--from", "$H2C_SRC", "-o", str(tmp_path / "a.dump")]) == 0
    assert not any("pa" in arg and "ss" in arg for arg in seen["argv"]), seen["argv"]
    assert seen["env"]["PGPASSWORD"] == "pa@ss"
    assert (tmp_path / "a.dump").stat().st_mode & 0o777 == 0o600


def test_gate_child_gets_database_urls_through_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    class Gate:
        def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
            seen.update(argv=argv, env=env)

        def __enter__(self) -> Gate:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def poll(self) -> int:
            return 0

        def wait(self, timeout: float | None = None) -> int:
            return 0

    monkeypatch.setattr(runner.subprocess, "Popen", Gate)
    url = "postgresql://h2c:s3cr3t@127.0.0.1:5/app"
    runner.run_gate(tmp_path, extra=["--h2c-source", url, f"--h2c-target={url}", "-x"])
    assert not [a for a in seen["argv"] if "s3cr3t" in a], seen["argv"]
    assert "--h2c-source" in seen["argv"] and "$H2C_GATE_SOURCE_URL" in seen["argv"]
    assert "--h2c-target=$H2C_GATE_TARGET_URL" in seen["argv"]
    assert seen["env"]["H2C_GATE_SOURCE_URL"] == seen["env"]["H2C_GATE_TARGET_URL"] == url


def test_keep_warns_that_containers_hold_the_apps_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from h2c.commands import check

    monkeypatch.setattr("h2c.artifacts.app.load_target", lambda *a, **k: None)
    monkeypatch.setattr(runner, "run_gate", lambda *a, **k: runner.GateRun(0, [], 2))
    assert main(["check", str(tmp_path), "--keep"]) == 2
    warnings = [line for line in capsys.readouterr().err.splitlines() if "--keep" in line]
    assert warnings == [f"warning: {check.KEEP_WARNING}"]
    assert "secrets" in check.KEEP_WARNING


CHILD = """
import signal, sys, time
from pathlib import Path
def stop(signum, frame):
    Path(sys.argv[1]).write_text(str(signum))  # the gate's teardown would remove containers
    sys.exit(2)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
Path(sys.argv[1] + ".ready").write_text("")
time.sleep(60)
"""
PARENT = """
import subprocess, sys
from h2c.gate import runner
gate = subprocess.Popen([sys.executable, "-c", {child!r}, {marker!r}])
try:
    runner._wait(gate)
except KeyboardInterrupt:
    sys.exit(130)
sys.exit(0)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_to_h2c_alone_is_passed_to_the_gate_which_cleans_up(
    tmp_path: Path, signum: int
) -> None:
    marker = tmp_path / "stopped"
    code = textwrap.dedent(PARENT).format(child=CHILD, marker=str(marker))
    parent = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 20
    while not Path(f"{marker}.ready").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the parent is in its wait
    started = time.monotonic()
    os.kill(parent.pid, signum)  # the process alone, not its group
    assert parent.wait(timeout=20) == 130
    assert time.monotonic() - started < 5
    assert marker.read_text() == str(int(signum))
