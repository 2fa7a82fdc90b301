"""A version Heroku offers but the offline stand-ins cannot build (Node.js 18, Python 3.12):
``h2c check`` stops at the first check with exit 3, naming the images the stand-ins provide,
and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main

REPO = Path(__file__).resolve().parents[2]
PROVIDED = "h2c's stand-ins provide only: node:20-slim, postgres:15, postgres:17"

pytestmark = [pytest.mark.docker]


def _node_18(app: Path) -> None:
    package = app / "package.json"
    package.write_text(package.read_text().replace('"node": "20.x"', '"node": "18.x"'))


def _python_312(app: Path) -> None:
    (app / ".python-version").write_text("3.12\n")


@pytest.mark.parametrize(
    ("sample", "pin", "image"),
    [
        ("node-sample", _node_18, "node:18-slim"),
        ("getting-started", _python_312, "python:3.12-slim"),
    ],
    ids=["node-18", "python-3.12"],
)
def test_check_stops_with_exit_3(
    sample: str, pin: Any, image: str, tmp_path: Path, engine: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    if engine.image_present(image):
        pytest.skip(f"{image} is present here: nothing is missing")
    app = tmp_path / sample
    shutil.copytree(REPO / "fixtures" / "apps" / sample, app, symlinks=False)
    pin(app)
    assert main(["generate", str(app)]) == 0
    assert f"FROM {image}" in (app / "Dockerfile").read_text()
    capsys.readouterr()
    assert main(["check", str(app)]) == 3
    out = capsys.readouterr()
    said = out.out + out.err
    assert (
        f"STOPPED, this machine lacks what the gate needs: image {image} is not available" in said
    )
    assert PROVIDED in said
    assert "Traceback" not in said
    assert said.count("│ error ") == 1  # stopped at the first check, not one error per check
