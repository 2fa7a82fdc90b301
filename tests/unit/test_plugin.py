"""The plugin inside pytest (pytester): options, parametrization, deselection, summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONVOX_YML = """services:
  web:
    build: .
    command: gunicorn app:app
    port: 8000
    health: /health/
  urgent-worker:
    build: .
    command: python worker.py
"""
PROCFILE = "web: gunicorn app:app\nurgent_worker: python worker.py\n"


def make_app(root: Path, *, release: bool = False) -> Path:
    app = root / "app"
    app.mkdir()
    procfile = PROCFILE + ("release: python migrate.py\n" if release else "")
    (app / "Procfile").write_text(procfile)
    (app / "requirements.txt").write_text("gunicorn==23.0.0\n")
    (app / "Dockerfile").write_text("FROM python:3.11-slim\nEXPOSE 8000\n")
    (app / "convox.yml").write_text(CONVOX_YML)
    return app


PROBE_TESTS = """
def test_process(gate_process):
    pass

def test_release(gate_release_name):
    pass

def test_config(gate_config):
    assert gate_config.port == 8000
    assert gate_config.health_path == "/health/"

def test_fails(gate_app):
    assert False, "web listens on 127.0.0.1"
"""


def test_options_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    for option in (
        "--h2c-app",
        "--h2c-config",
        "--h2c-addons",
        "--h2c-formation",
        "--h2c-keep",
        "--h2c-settle",
    ):
        result.stdout.fnmatch_lines([f"*{option}*"])


def test_processes_parametrized_release_deselected(pytester: pytest.Pytester) -> None:
    app = make_app(pytester.path)
    pytester.makepyfile(test_gate=PROBE_TESTS)
    result = pytester.runpytest("--h2c-app", str(app), "-v", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*test_process?urgent_worker? PASSED*",
            "*test_process?web? PASSED*",
        ]
    )
    result.assert_outcomes(passed=3, failed=1, deselected=1)


def test_release_is_generated_when_the_procfile_has_one(pytester: pytest.Pytester) -> None:
    app = make_app(pytester.path, release=True)
    pytester.makepyfile(test_gate=PROBE_TESTS)
    result = pytester.runpytest("--h2c-app", str(app), "-v", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*test_release?release? PASSED*"])
    result.stdout.no_fnmatch_line("*test_process?release?*")


def test_summary_table(pytester: pytest.Pytester) -> None:
    app = make_app(pytester.path)
    pytester.makepyfile(test_gate=PROBE_TESTS)
    result = pytester.runpytest("--h2c-app", str(app), "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*h2c gate:*",
            "*check*target*result*time*reason*",
            "*test_gate::test_process*web*passed*",
            "*test_gate::test_fails*failed*web listens on 127.0.0.1*",
        ]
    )


def test_summary_json(pytester: pytest.Pytester) -> None:
    app = make_app(pytester.path)
    pytester.makepyfile(test_gate=PROBE_TESTS)
    out = pytester.path / "summary.json"
    pytester.runpytest("--h2c-app", str(app), "--h2c-summary", str(out), "-p", "no:cacheprovider")
    rows = {(r["check"], r["target"]): r for r in json.loads(out.read_text())}
    assert rows[("test_gate::test_process", "web")]["result"] == "passed"
    assert rows[("test_gate::test_fails", "-")]["result"] == "failed"


def test_missing_artifacts_say_generate_first(pytester: pytest.Pytester) -> None:
    app = pytester.path / "bare"
    app.mkdir()
    (app / "Procfile").write_text(PROCFILE)
    pytester.makepyfile(test_gate="def test_app(gate_app):\n    pass\n")
    out = pytester.path / "summary.json"
    result = pytester.runpytest(
        "--h2c-app", str(app), "--h2c-summary", str(out), "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(["*run `h2c generate*` first*"])
    rows = json.loads(out.read_text())
    assert rows[0]["result"] == "error" and rows[0]["kind"] == "input"


def test_settle_option_wins(pytester: pytest.Pytester) -> None:
    app = make_app(pytester.path)
    pytester.makepyfile(
        test_gate="def test_settle(gate_config):\n    assert gate_config.settle_seconds == 1.5\n"
    )
    result = pytester.runpytest("--h2c-app", str(app), "--h2c-settle", "1.5")
    result.assert_outcomes(passed=1)
