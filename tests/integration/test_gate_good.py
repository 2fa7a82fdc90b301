"""The gate passes on every good fixture app, each generated fresh into a temporary copy.

The apps are those of the golden cases (fixtures/apps/*, with their Heroku exports from
fixtures/heroku/<app>/). Builds are cached between runs by the image tag h2c-gate/<app>.
The gate's own good cases (fixtures/apps/gate/*) hold their artifacts already, as the broken
ones do: the gate runs on a copy as it is.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from tests.golden_cases import GoldenCase, golden_cases
from tests.unavailable import require_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CASES = golden_cases()
GATE_CASES = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "gate"
# Each gate case's checks that must have run (and passed): what the case is about.
GATE_MUST_RUN = {
    "plain-loop-worker": ("test_stops_on_sigterm[worker]", "test_process_stays_up[worker]"),
    "https-redirect": ("test_web_health", "test_smoke_path[/]"),
}
# Base images the good apps' artifacts name (Dockerfile FROM, convox.yml resources).
IMAGES = ("python:3.11-slim", "python:3.13-slim", "node:20-slim", "postgres:17", "redis:7")
# Each app's checks that must have run (and passed), beyond the artifact checks.
MUST_RUN = {
    "django-sample": ("test_release_succeeds", "test_smoke_path[/notes/]"),
    "flask-uv": ("test_process_stays_up[worker]",),
    "hard-cases": ("test_smoke_path[/cache]", "test_env_key[PRIVATE_KEY]"),
    "getting-started": ("test_web_reachable_from_outside",),
    # psycopg2 compiled with Heroku's toolchain, post_compile with the production settings,
    # celery worker and beat, two Scheduler jobs run as timers
    "django-celery": (
        "test_timer_runs[clearsessions]",
        "test_process_stays_up[beat]",
        "test_smoke_path[/]",
    ),
    "own-dockerfile": ("test_web_reachable_from_outside",),  # built from Dockerfile.convox
    "node-sample": ("test_release_succeeds", "test_process_stays_up[worker]"),
    # yarn 1, yarn 4 (nodeLinker node-modules) and pnpm 10 (packageManager): built with the
    # locked install and a build script, devDependencies pruned
    "node-yarn": ("test_dependencies_consistent", "test_process_stays_up[worker]"),
    "node-berry": ("test_dependencies_consistent", "test_smoke_path[/]"),
    "node-pnpm": ("test_dependencies_consistent", "test_smoke_path[/]"),
}


def test_every_good_fixture_is_covered() -> None:
    assert sorted(c.name for c in CASES) == sorted(MUST_RUN)


@pytest.fixture(scope="module")
def images(engine: Any) -> None:
    require_images(engine, IMAGES)


def _junit_results(path: Path) -> tuple[list[str], list[str]]:
    """(every test case name, the failing or erroring ones) from a JUnit XML report."""
    root = ET.parse(path).getroot()
    names, failing = [], []
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        names.append(name)
        if case.find("failure") is not None or case.find("error") is not None:
            failing.append(name)
    return names, failing


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gate_passes_on_good_fixture(case: GoldenCase, tmp_path: Path, images: None) -> None:
    app = tmp_path / case.name  # the folder name gives the cached image tag h2c-gate/<app>
    shutil.copytree(case.app_dir, app)
    assert main(["generate", str(app), *case.cli_args()]) == 0
    junit = tmp_path / "junit.xml"
    rc = main(["check", str(app), *case.cli_args(), "--junit-xml", str(junit)])
    names, failing = _junit_results(junit)
    assert rc == 0, f"h2c check exited {rc}; failing: {failing}"
    assert failing == []
    assert len(names) >= 20
    ran = {n.rpartition("::")[2] for n in names} | {
        n.rpartition("::")[2].partition("[")[0] for n in names
    }
    missing = [m for m in MUST_RUN[case.name] if m not in ran]
    assert missing == [], f"checks that did not run on {case.name}: {missing}"


def _ran(names: list[str]) -> set[str]:
    return {n.rpartition("::")[2] for n in names} | {
        n.rpartition("::")[2].partition("[")[0] for n in names
    }


def test_every_gate_case_is_covered() -> None:
    found = sorted(p.name for p in GATE_CASES.iterdir() if (p / "convox.yml").is_file())
    assert found == sorted(GATE_MUST_RUN)


@pytest.mark.parametrize("case", sorted(GATE_MUST_RUN))
def test_gate_passes_on_gate_case(case: str, tmp_path: Path, images: None) -> None:
    app = tmp_path / case
    shutil.copytree(GATE_CASES / case, app)
    (app / "convox.env").chmod(0o600)  # git does not keep the mode the gate checks
    junit = tmp_path / "junit.xml"
    rc = main(["check", str(app), "--junit-xml", str(junit), "--settle", "4"])
    names, failing = _junit_results(junit)
    assert rc == 0, f"h2c check exited {rc}; failing: {failing}"
    missing = [m for m in GATE_MUST_RUN[case] if m not in _ran(names)]
    assert missing == [], f"checks that did not run on {case}: {missing}"
