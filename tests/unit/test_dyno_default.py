"""Apps whose code reads DYNO get DYNO=<process>.1 on Convox, said why, and parity accepts it."""

from __future__ import annotations

import dataclasses

import yaml

from h2c.artifacts.envsides import sides_from
from h2c.model import AppSpec, Process, Runtime, Severity
from h2c.plan.planner import plan
from h2c.render.compose import render_compose
from h2c.render.convox_yml import render_convox_yml
from h2c.render.runbook import render_migration_md
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions, Status, diff

READS = (("DYNO", "gettingstarted/settings.py", 19),)


def app(reads: tuple[tuple[str, str, int], ...] = READS) -> AppSpec:
    return AppSpec(
        name="gs",
        processes=(
            Process("web", "gunicorn gettingstarted.wsgi", 1),
            Process("urgent_worker", "python worker.py", 2),
            Process("release", "python manage.py migrate", 3),
        ),
        runtime=Runtime("python", "3.13", ".python-version", "pip", ("requirements.txt",)),
        reads_platform_env=reads,
    )


def test_each_service_gets_dyno_named_as_on_heroku() -> None:
    planned = plan(app())
    env = {s.name: s.environment for s in planned.services}
    assert env == {"web": ("DYNO=web.1",), "urgent-worker": ("DYNO=urgent_worker.1",)}


def test_the_finding_says_what_why_and_the_better_fix() -> None:
    [finding] = [f for f in plan(app()).findings if "DYNO" in f.message]
    assert finding.severity is Severity.WARNING
    assert (finding.file, finding.line) == ("gettingstarted/settings.py", 19)
    for part in (
        "gettingstarted/settings.py:19",
        "only Heroku sets",
        "DYNO=web.1, DYNO=urgent_worker.1",
        "Every replica sees the same `.1`",
        "switch on an env var of your own",
    ):
        assert part in finding.message


def test_apps_that_do_not_read_dyno_get_none() -> None:
    planned = plan(app(reads=()))
    assert all(not any(e.startswith("DYNO") for e in s.environment) for s in planned.services)
    assert not [f for f in planned.findings if "DYNO" in f.message]


def test_convox_yml_compose_and_the_checklist_carry_it() -> None:
    spec = app()
    planned = plan(spec)
    convox = yaml.safe_load(render_convox_yml(spec, planned))
    assert "DYNO=web.1" in convox["services"]["web"]["environment"]
    assert "DYNO=urgent_worker.1" in convox["services"]["urgent-worker"]["environment"]
    compose = yaml.safe_load(render_compose(spec, planned))
    assert "DYNO=web.1" in compose["services"]["web"]["environment"]
    checklist = render_migration_md(spec, planned).split("## Before the cut-over")[0]
    assert "- [ ] warning: the app's code reads DYNO (gettingstarted/settings.py:19)" in checklist


def test_parity_a_convox_yml_default_is_not_a_copy() -> None:
    heroku = {"DYNO": Secret("web.1"), "HEROKU_APP_NAME": Secret("shop")}
    [dyno, name] = diff(heroku, {"DYNO": Secret("web.1")}, defaulted={"DYNO"})
    assert (dyno.key, dyno.status, dyno.fails) == ("DYNO", Status.PLATFORM, False)
    assert "convox.yml default" in dyno.detail
    assert name.status is Status.PLATFORM


def test_parity_from_the_generated_manifest() -> None:
    spec = app()
    doc = yaml.safe_load(render_convox_yml(spec, plan(spec)))
    heroku = {"DYNO": Secret("web.1")}  # an export taken inside a dyno would hold it
    sides = sides_from(heroku, {}, doc, spec, Exceptions())
    assert {v.key: v.status for v in sides.diff()} == {"DYNO": Status.PLATFORM}
    assert {v.key: v.status for v in sides_from({}, {}, doc, spec, Exceptions()).diff()} == {
        "DYNO": Status.CONVOX_ONLY
    }


def test_parity_dyno_in_the_app_env_is_still_a_copy() -> None:
    spec = dataclasses.replace(app(), reads_platform_env=())
    doc = yaml.safe_load(render_convox_yml(spec, plan(spec)))
    heroku = {"DYNO": Secret("web.1")}
    sides = sides_from(heroku, {"DYNO": Secret("web.1")}, doc, spec, Exceptions())
    assert {v.key: v.status for v in sides.diff()} == {"DYNO": Status.PLATFORM_COPIED}
    # and an app-env value wins over a convox.yml default: still a copy
    spec = app()
    doc = yaml.safe_load(render_convox_yml(spec, plan(spec)))
    sides = sides_from(heroku, {"DYNO": Secret("web.1")}, doc, spec, Exceptions())
    assert {v.key: v.status for v in sides.diff()} == {"DYNO": Status.PLATFORM_COPIED}
