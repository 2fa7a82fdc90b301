"""The h2c pytest plugin: options, parametrization, markers and the gate summary. Hooks only.

Registered through the ``pytest11`` entry point ``h2c``; the fixtures live in
``h2c.gate.fixtures`` and the logic in ``h2c.gate``. Options::

    --h2c-app DIR  --h2c-config FILE  --h2c-addons FILE  --h2c-formation FILE
    --h2c-keep  --h2c-settle SECONDS  --h2c-summary FILE
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from h2c.gate.hooks import kind_of, skip_reason, start_record, write_table
from h2c.gate.summary import Record, one_line, write_json

# database checks: options, hooks and the plan; the fixtures that run in the image
pytest_plugins = ("h2c.gate.db_fixtures", "h2c.gate.db_runs")
GATE_FIXTURES = ("gate_process", "gate_smoke_path", "gate_artifact", "gate_release_name")
RECORDS = pytest.StashKey[dict[str, Record]]()
VIEW = pytest.StashKey[Any]()
EMPTY = "h2c_nothing_to_check"
# The order the gate's checks run in. The build first: it starts the background steps
# (resources, release, processes, then compose) that the later checks wait for. Then the env
# checks, the last of which waits for web: nothing else competes for the CPU while the release
# and web start. The checks that need only the files or the image run next, while the processes
# settle and compose comes up; the checks that stop the processes come last. (In file order
# the compose checks, which wait for everything, came second.)
CHECK_ORDER = ("test_image::test_builds", "test_env_parity", "test_artifacts", "test_image",
               "test_database", "test_timers", "test_compose", "test_service")  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("h2c", "h2c gate (Heroku -> Convox)")
    group.addoption("--h2c-app", dest="h2c_app", metavar="DIR", help="app folder to check")
    group.addoption("--h2c-config", dest="h2c_config", metavar="FILE", help="heroku config -s")
    group.addoption("--h2c-addons", dest="h2c_addons", metavar="FILE", help="heroku addons --json")
    group.addoption("--h2c-formation", dest="h2c_formation", metavar="FILE", help="heroku ps")
    group.addoption(
        "--h2c-keep", action="store_true", default=False, help="keep containers for debugging"
    )
    group.addoption(
        "--h2c-settle",
        type=float,
        metavar="SECONDS",
        help="how long each process must stay up (default: h2c.toml, else 5)",
    )
    group.addoption(
        "--h2c-summary", metavar="FILE", help="write the summary as JSON there, not to the terminal"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.import_plugin("h2c.gate.fixtures")
    for line in (
        "gate: a check of the h2c gate (added to every test that uses a gate fixture)",
        "docker: needs a Docker Engine (skips without one unless H2C_REQUIRE_ENGINE=1)",
        f"{EMPTY}: placeholder for a check with nothing to check (deselected)",
    ):
        config.addinivalue_line("markers", line)
    config.stash[RECORDS] = {}


def _view(config: pytest.Config) -> Any:
    """The app and settings as seen at collection time, or the error that stopped loading."""
    if VIEW not in config.stash:
        from h2c.errors import H2cError
        from h2c.gate.settings import load_settings, session_app

        try:
            app = session_app(config)
            config.stash[VIEW] = (app, load_settings(app))
        except H2cError:
            config.stash[VIEW] = (None, None)  # the gate_app fixture reports it, by name
    return config.stash[VIEW]


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not config.option.h2c_app:
        return None
    app, settings = _view(config)
    lines = [f"h2c gate: {config.option.h2c_app}"]
    if app is not None:
        processes = ", ".join(app.processes) or "(no Procfile)"
        lines.append(f"h2c processes: {processes}; web port: {settings.port}")
    return lines


def _values(metafunc: pytest.Metafunc, name: str) -> list[str]:
    from h2c.artifacts.app import ARTIFACTS
    from h2c.runplan.argv import gate_processes

    app, settings = _view(metafunc.config)
    if name == "gate_artifact":
        return list(ARTIFACTS)
    if app is None:
        return ["?"]  # let the fixtures fail with the real reason
    if name == "gate_process":
        return gate_processes(list(app.processes))
    if name == "gate_smoke_path":
        return list(settings.smoke_paths)
    return ["release"] if settings.release_command else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name in GATE_FIXTURES:
        if name in metafunc.fixturenames:
            values = _values(metafunc, name)
            if values:
                metafunc.parametrize(name, values, ids=values, scope="function")
            else:
                metafunc.parametrize(name, [pytest.param(None, marks=getattr(pytest.mark, EMPTY))])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        if item.get_closest_marker(EMPTY):
            drop.append(item)
            continue
        if any(name.startswith("gate_") for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gate)
        keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    _order_checks(items)


def _check_rank(item: pytest.Item) -> int | None:
    module = getattr(getattr(item, "module", None), "__name__", "")
    package, _, name = module.rpartition(".")
    if package not in ("checks", "h2c.checks"):
        return None
    function = getattr(item, "originalname", item.name)
    for key in (f"{name}::{function}", name):
        if key in CHECK_ORDER:
            return CHECK_ORDER.index(key)
    return None


def _order_checks(items: list[pytest.Item]) -> None:
    """Put the gate's checks in ``CHECK_ORDER``, in the places they held (others stay put)."""
    ranks = {i: rank for i, item in enumerate(items) if (rank := _check_rank(item)) is not None}
    ranked = [items[i] for i in sorted(ranks, key=ranks.__getitem__)]  # stable: file order within
    for place, item in zip(ranks, ranked, strict=True):
        items[place] = item


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Record each gate check; an h2c error (no engine, bad input) is shown as its message."""
    report = yield
    if item.get_closest_marker("gate") is None:
        return report
    from h2c.errors import H2cError

    record = start_record(item, call, report, item.config.stash[RECORDS])
    excinfo = call.excinfo
    if excinfo is not None and excinfo.errisinstance(H2cError):
        record.kind = kind_of(excinfo)
    if report.skipped and record.result == "passed":
        record.result, record.reason = "skipped", skip_reason(report)
    elif report.failed:
        record.result = "failed" if report.when == "call" else "error"
        record.reason = one_line(
            str(excinfo.value) if excinfo is not None else str(report.longrepr)
        ) or one_line(str(report.longrepr))
        if record.kind == "environment" and excinfo is not None:
            # what the machine lacks (an image the stand-ins cannot provide...): shown whole
            record.reason = " ".join(str(excinfo.value).split())
            item.session.shouldstop = record.reason  # nothing after it could be judged either
    elif report.when == "call" and report.passed:
        notes = [f"{k}={v}" for k, v in item.user_properties if not str(k).startswith("_")]
        record.reason = ", ".join(notes)
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = list(config.stash.get(RECORDS, {}).values())
    if not records:
        return
    if config.option.h2c_summary:  # `h2c check` prints the table itself, after pytest's output
        write_json(records, Path(config.option.h2c_summary))
        return
    write_table(terminalreporter, records, f"h2c gate: {config.option.h2c_app or '?'}")
