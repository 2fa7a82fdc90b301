"""`h2c check` on a good app that ships its own pytest set-up (``addopts = --cov=app`` in its
pyproject.toml, a conftest.py that raises): the gate runs as usual, run from inside the app."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from tests.integration.test_gate_broken import failures
from tests.unavailable import require_images

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "fixtures" / "isolated" / "pytest-config"

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_gate_ignores_the_apps_pytest_config(
    tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_images(engine, ["python:3.11-slim"])
    app = tmp_path / APP.name
    shutil.copytree(APP, app)
    (app / "convox.env").chmod(0o600)
    junit = tmp_path / "junit.xml"
    monkeypatch.chdir(app)
    rc = main(["check", ".", "--junit-xml", str(junit), "--settle", "2"])
    assert rc == 0, f"h2c check exited {rc}; failing: {sorted(failures(junit))}"
