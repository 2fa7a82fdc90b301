"""h2c compare's scheduled-work check end to end: the Heroku Scheduler jobs (the fixture app's
scheduler.json) against the timers of the release Convox runs, read as the real CLI gives them
(``convox api get /apps/APP/releases/R``, its ``manifest``), with the test doubles and the two
loopback deployments of ``test_compare_live``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.integration.compare_env import APP, scenario
from tests.integration.test_compare_live import bases, compare

pytestmark = pytest.mark.docker
__all__ = ["bases"]  # the module's deployments fixture

CHECK = "test_schedule::test_job"
MANIFEST = (APP / "convox.yml").read_text(encoding="utf-8")
# Timers as a hand-edited convox.yml may have them: their own names, one wrapped in `sh -c`
# (what h2c writes for a command needing a shell); matched to jobs by command and schedule.
TIMERS = """
timers:
  feed:
    schedule: "30 * * * *"
    command: python manage.py update_feed
    service: web
  sessions:
    schedule: "30 1 * * *"
    command: python manage.py clearsessions
    service: worker
"""


def _with_timers(active: str, newest: str = TIMERS) -> dict[str, Any]:
    """The scenario with ``active`` timers on the running release, ``newest`` on the newest."""
    doc = scenario()
    doc["convox"]["releases"]["RACTIVE"]["manifest"] = MANIFEST + active
    doc["convox"]["releases"]["RNEWEST"]["manifest"] = MANIFEST + newest
    return doc


def _schedule(got: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {k[1]: v for k, v in got.items() if k != "http" and k[0] == CHECK}


def test_every_job_has_its_timer(tmp_path, monkeypatch, capsys, bases) -> None:
    app = tmp_path / "app"  # the jobs file recorded in h2c.toml's [heroku], as generate does
    shutil.copytree(APP, app)
    with (app / "h2c.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[heroku]\nscheduler = "scheduler.json"\n')
    monkeypatch.setattr("tests.integration.test_compare_live.APP", app)
    code, got = compare(tmp_path, monkeypatch, capsys, bases, _with_timers(TIMERS, newest=""))
    schedule = _schedule(got)
    assert {k: v["result"] for k, v in schedule.items()} == {
        "update-feed": "passed",
        "clearsessions": "passed",
    }
    assert code == 0, [v["reason"] for v in got.values() if v.get("result") == "failed"]
    calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    api = [c["argv"] for c in calls if c["tool"] == "convox" and c["argv"][:2] == ["api", "get"]]
    assert api == [["api", "get", "/apps/shop/releases/RACTIVE"]], "the active release, no -a"


def test_a_missing_timer_and_a_changed_schedule_fail_by_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    bases: dict[str, str],
) -> None:  # fmt: skip
    changed = TIMERS.replace('"30 * * * *"', '"0 * * * *"').split("  sessions:")[0]
    doc = _with_timers(changed)  # the newest release has both right: it is not the one running
    code, got = compare(tmp_path, monkeypatch, capsys, bases, doc,
                        "--scheduler", str(APP / "scheduler.json"))  # fmt: skip
    schedule = _schedule(got)
    assert code == 1
    assert {k: v["result"] for k, v in schedule.items()} == {
        "update-feed": "failed",
        "clearsessions": "failed",
    }
    assert schedule["update-feed"]["reason"] == (
        "update-feed: Heroku runs it 30 * * * *; the timer with its command runs 0 * * * *"
    )
    assert schedule["clearsessions"]["reason"] == (
        "clearsessions: no Convox timer runs this job's command (30 1 * * * on Heroku)"
    )
    others = {k: v["result"] for k, v in got.items() if k != "http" and k[0] != CHECK}
    assert set(others.values()) <= {"passed", "skipped"}, "only the schedule differs"
