"""The gate rejects each broken app in fixtures/broken/, for the reason the case is about.

Each case holds ``expected.txt``: ``check = <module>::<test>[<target>]`` that must fail,
``message = <substring of its failure message>``, and optionally ``also = <ids>`` (space
separated; ``*`` for any) naming the other checks allowed to fail as a consequence. Any other
failing check is a bug in the case or in the gate.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from tests.unavailable import require_images

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "fixtures" / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expected.txt").is_file())

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@dataclass(frozen=True)
class Expected:
    check: str
    message: str
    also: tuple[str, ...]

    def allows(self, check_id: str) -> bool:
        base = check_id.partition("[")[0]
        return "*" in self.also or check_id in self.also or base in self.also


def read_expected(path: Path) -> Expected:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        fields[key.strip()] = value.strip()
    return Expected(fields["check"], fields["message"], tuple(fields.get("also", "").split()))


def failures(junit: Path) -> dict[str, str]:
    """``module::test[param]`` -> full failure text, from pytest's JUnit XML."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        for tag in ("failure", "error"):
            element = case.find(tag)
            if element is not None:
                module = case.get("classname", "").rpartition(".")[2]
                text = (element.get("message") or "") + "\n" + (element.text or "")
                found[f"{module}::{case.get('name')}"] = text
    return found


def copy_case(name: str, into: Path) -> Path:
    """A private copy: git does not keep convox.env's 0600 mode, the gate checks it."""
    app = into / name
    shutil.copytree(BROKEN / name, app)
    (app / "convox.env").chmod(0o600)
    return app


@pytest.fixture(scope="module")
def base_image(engine: Any) -> None:
    """The cases build FROM python:3.11-slim or node:20-slim: stand-ins scripts/setup builds."""
    require_images(engine, ["python:3.11-slim", "node:20-slim"])


def test_cases_are_complete() -> None:
    assert CASES, "no broken cases found"
    for name in CASES:
        for artifact in ("Dockerfile", "convox.yml", "docker-compose.yml", "h2c.toml"):
            assert (BROKEN / name / artifact).is_file(), f"{name} lacks {artifact}"
        read_expected(BROKEN / name / "expected.txt")


@pytest.mark.parametrize("case", CASES)
def test_gate_rejects(case: str, tmp_path: Path, base_image: None) -> None:
    expected = read_expected(BROKEN / case / "expected.txt")
    app = copy_case(case, tmp_path)
    junit = tmp_path / "junit.xml"
    rc = main(["check", str(app), "--junit-xml", str(junit), "--settle", "4"])
    failed = failures(junit)
    assert rc == 1, f"h2c check exited {rc}, expected 1; failing: {sorted(failed)}"
    assert expected.check in failed, f"{expected.check} did not fail; failing: {sorted(failed)}"
    assert expected.message in failed[expected.check], failed[expected.check]
    others = sorted(c for c in failed if c != expected.check and not expected.allows(c))
    assert not others, f"checks failing for another reason: {others}"
