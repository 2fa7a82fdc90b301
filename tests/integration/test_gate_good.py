"""The gate passes on the sample Django app, generated fresh into a temporary copy."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "apps" / "django-sample"
EXPORTS = REPO / "fixtures" / "heroku" / "django-sample"

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def images(engine: Any) -> None:
    missing = [i for i in ("python:3.11-slim", "postgres:17") if not engine.image_present(i)]
    if missing:
        message = f"stand-in images not built: {missing}; run `python -m h2c.standins ensure`"
        if os.environ.get("H2C_REQUIRE_ENGINE") == "1":
            pytest.fail(message)
        pytest.skip(message)


def test_gate_passes_on_django_sample(tmp_path: Path, images: None) -> None:
    app = tmp_path / "django-sample"
    shutil.copytree(SAMPLE, app)
    generate = ["generate", str(app)]
    for flag, name in (("--config", "config.txt"), ("--addons", "addons.json")):
        if (EXPORTS / name).is_file():
            generate += [flag, str(EXPORTS / name)]
    assert main(generate) == 0
    junit = tmp_path / "junit.xml"
    rc = main(["check", str(app), "--junit-xml", str(junit)])
    root = ET.parse(junit).getroot()
    failing = [
        f"{c.get('classname')}::{c.get('name')}"
        for c in root.iter("testcase")
        if c.find("failure") is not None or c.find("error") is not None
    ]
    assert rc == 0, f"h2c check exited {rc}; failing: {failing}"
    assert int(root.find("testsuite").get("tests", "0")) >= 20  # type: ignore[union-attr]
