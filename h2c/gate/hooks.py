"""Bodies shared by the three pytest plugins' hooks (gate, compare, postdeploy).

Each plugin keeps its hooks and options; the report-to-``Record`` step, the parametrization by
session and the terminal table live here once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Any

import pytest

from h2c.gate.summary import Record, check_name, one_line, render

Notes = Callable[[Iterable[tuple[str, object]]], str]


def add_app_options(
    parser: pytest.Parser, kind: str, description: str, *, heroku: bool = False
) -> Callable[..., None]:
    """Group ``h2c-<kind>`` with the app folder, (the Heroku app,) the Convox app and rack;
    the group's ``addoption``, for the plugin's own options."""
    add: Callable[..., None] = parser.getgroup(f"h2c-{kind}", description).addoption
    add(f"--h2c-{kind}-app", metavar="DIR", help="the app folder (convox.yml, h2c.toml)")
    if heroku:
        add(f"--h2c-{kind}-heroku-app", metavar="NAME", help="the Heroku app")
    add(f"--h2c-{kind}-convox-app", metavar="NAME", help="the Convox app")
    add(f"--h2c-{kind}-rack", metavar="RACK", help="the Convox rack (convox -r)")
    return add


def kind_of(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """What a failure means for the exit code: ``environment``, ``input`` or ``check``."""
    from h2c.errors import EnvironmentMissing, InputError

    if excinfo is None:
        return "check"
    if excinfo.errisinstance(EnvironmentMissing):
        return "environment"
    return "input" if excinfo.errisinstance(InputError) else "check"


def start_record(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
    records: dict[str, Record],
) -> Record:  # fmt: skip
    """The item's record, its time added; an h2c error's report is shown as its message."""
    from h2c.errors import H2cError

    check, target = check_name(f"{item.path.name}::{item.name}")
    record = records.setdefault(item.nodeid, Record(check, target))
    record.seconds += report.duration
    excinfo = call.excinfo
    if excinfo is not None and excinfo.errisinstance(H2cError):
        report.longrepr = f"{type(excinfo.value).__name__}: {excinfo.value}"
    return record


def skip_reason(report: pytest.TestReport) -> str:
    """A skipped report's reason, on one line."""
    longrepr = report.longrepr
    return one_line(str(longrepr[2] if isinstance(longrepr, tuple) else longrepr))


def record_live(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
    records: dict[str, Record], notes: Notes,
) -> None:  # fmt: skip
    """Compare's and postdeploy's record of one report; reasons are masked, notes by ``notes``."""
    from h2c.db.conn import mask

    record = start_record(item, call, report, records)
    excinfo = call.excinfo
    if report.skipped and record.result == "passed":
        record.result = "skipped"
        record.reason = skip_reason(report)
    elif report.failed:
        record.result = "failed" if report.when == "call" else "error"
        record.kind = kind_of(excinfo)
        text = str(excinfo.value) if excinfo is not None else str(report.longrepr)
        record.reason = mask(one_line(text) or one_line(str(report.longrepr)))
    elif report.when == "call" and report.passed:
        record.reason = notes(item.user_properties)


def live_makereport(
    marker: str, records: pytest.StashKey[dict[str, Record]], notes: Notes
) -> Callable[[pytest.Item, pytest.CallInfo[None]], Generator[None, Any, Any]]:
    """The ``pytest_runtest_makereport`` wrapper of a plugin whose checks carry ``marker``."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, Any]:
        """One record per check and target; an h2c error is shown as its message."""
        report = yield
        if item.get_closest_marker(marker) is not None:
            record_live(item, call, report, item.config.stash[records], notes)
        return report

    return pytest_runtest_makereport


def parametrize(
    metafunc: pytest.Metafunc, session: object | None,
    params: Mapping[str, Callable[[Any], list[str]]], skip_reason_of: Callable[[str], str],
) -> None:  # fmt: skip
    """Parametrize each fixture of ``params`` with what its function reads from ``session``."""
    for name, values_of in params.items():
        if name not in metafunc.fixturenames:
            continue
        try:
            values = values_of(session) if session is not None else ["?"]
        except Exception:
            values = ["?"]  # the check reads again and fails with the real reason, by name
        if values:
            metafunc.parametrize(name, values, ids=values)
        else:
            metafunc.parametrize(name, [pytest.param("-", marks=pytest.mark.skip(
                reason=skip_reason_of(name)))], ids=["-"])  # fmt: skip


def write_table(terminalreporter: Any, records: list[Record], title: str) -> None:
    """The summary table at the end of pytest's output, the time after ``title``."""
    title = f"{title} ({time.strftime('%H:%M:%S')})"
    width = max(terminalreporter._tw.fullwidth, 100)
    terminalreporter.write(
        render(records, title=title, width=width, color=terminalreporter.hasmarkup)
    )


def parameter(name: str, doc: str) -> object:
    """A fixture ``name`` whose value is the parameter the plugin gives it, as text."""

    def value(request: pytest.FixtureRequest) -> str:
        return str(request.param)

    value.__name__ = value.__qualname__ = name
    value.__doc__ = doc
    return pytest.fixture(name=name)(value)
