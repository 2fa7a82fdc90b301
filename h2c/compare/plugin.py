"""The ``h2c compare`` pytest plugin: options, parametrization, records, summary, report.

Hooks only; load it with ``-p h2c.compare.plugin`` (``h2c compare`` does). Options::

    --h2c-compare-app DIR  --h2c-compare-heroku-app NAME  --h2c-compare-convox-app NAME
    --h2c-compare-rack RACK  --h2c-compare-heroku-url URL  --h2c-compare-convox-url URL
    --h2c-compare-requests FILE  --h2c-compare-source URL|$VAR  --h2c-compare-target URL|$VAR
    --h2c-compare-checksums  --h2c-compare-scheduler FILE  --h2c-compare-heroku-bin PATH
    --h2c-compare-convox-bin PATH  --h2c-compare-concurrency N  --h2c-compare-rate R
    --h2c-compare-max-requests N  --h2c-compare-ignore-header NAME  --h2c-compare-quiet S
    --h2c-compare-summary FILE  --h2c-compare-details FILE  --h2c-compare-report FILE
    --h2c-compare-baseline FILE
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from h2c.gate.hooks import add_app_options, live_makereport, parametrize, write_table
from h2c.gate.summary import Record, write_json

RECORDS = pytest.StashKey[dict[str, Record]]()
PARAMS: dict[str, Callable[[Any], list[str]]] = {
    "compare_request": lambda s: list(s.http_labels()),
    "compare_config_key": lambda s: [v.key for v in s.config()],
    "compare_process": lambda s: [v.target for v in s.processes()],
    "compare_job": lambda s: [v.target for v in s.schedule()],
}


def pytest_addoption(parser: pytest.Parser) -> None:
    description = "h2c compare (live Heroku app vs live Convox app)"
    add = add_app_options(parser, "compare", description, heroku=True)
    add("--h2c-compare-heroku-url", metavar="URL", help="default: heroku apps:info web_url")
    add("--h2c-compare-convox-url", metavar="URL", help="default: the web service's domain")
    add("--h2c-compare-requests", metavar="FILE", help="paths, or Heroku router log lines")
    add("--h2c-compare-source", metavar="URL|$VAR", help="default: heroku config:get DATABASE_URL")
    add("--h2c-compare-target", metavar="URL|$VAR", help="the Convox database (resources proxy)")
    add("--h2c-compare-checksums", action="store_true", default=False, help="checksum by range")
    add("--h2c-compare-scheduler", metavar="FILE", help="Heroku Scheduler jobs (JSON)")
    add("--h2c-compare-heroku-bin", metavar="PATH", help="the heroku CLI (default: on PATH)")
    add("--h2c-compare-convox-bin", metavar="PATH", help="the convox CLI (default: on PATH)")
    add("--h2c-compare-concurrency", type=int, default=8, metavar="N", help="requests at once")
    add("--h2c-compare-rate", type=float, default=50.0, metavar="R", help="requests/s (0: no cap)")
    add("--h2c-compare-max-requests", type=int, default=500, metavar="N", help="paths at most")
    add("--h2c-compare-ignore-header", action="append", default=[], metavar="NAME",
        help="a response header not to compare (repeatable; Date, Server... always)")  # fmt: skip
    add("--h2c-compare-quiet", type=float, default=2.0, metavar="S",
        help="seconds between the two reads of the source's counts")  # fmt: skip
    add("--h2c-compare-summary", metavar="FILE", help="write the summary as JSON there")
    add("--h2c-compare-details", metavar="FILE", help="write per-path HTTP verdicts as JSON")
    add("--h2c-compare-report", metavar="FILE", help="a Markdown (or .html) report")
    add("--h2c-compare-baseline", metavar="FILE",
        help="when every check passed, write the cut-over baseline for h2c postdeploy there "
        "(needs --h2c-compare-target)")  # fmt: skip


def _options(config: pytest.Config) -> Any:
    from h2c.compare.session import options_from

    return options_from(lambda key: config.getoption(f"h2c_compare_{key}"))


def pytest_configure(config: pytest.Config) -> None:
    from h2c.compare.early import EARLY
    from h2c.compare.session import CompareSession

    get = config.getoption
    session = None
    if get("h2c_compare_app") and get("h2c_compare_heroku_app") and get("h2c_compare_convox_app"):
        options = _options(config)
        session = config.stash.get(EARLY, None)
        if session is None or session.options != options:  # started by `h2c compare`, or not
            session = CompareSession(options)
            if not get("collectonly"):  # before the fixtures' import: reads wait on the network
                session.prefetch(session.early_reads(http=every_check_runs(config)))
    config.pluginmanager.import_plugin("h2c.compare.fixtures")  # through pytest: rewritten
    from h2c.compare.fixtures import SESSION

    config.addinivalue_line("markers", "compare: a check of h2c compare")
    config.stash[RECORDS] = {}
    if session is not None:
        config.stash[SESSION] = session


def every_check_runs(config: pytest.Config) -> bool:
    """No ``-k``/``-m``: only then is the replay started early (they may leave the HTTP checks
    out, and then nothing is sent)."""
    return not config.getoption("keyword") and not config.getoption("markexpr")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from h2c.compare.fixtures import SESSION

    session = metafunc.config.stash.get(SESSION, None)
    parametrize(metafunc, session, PARAMS, lambda _: "nothing to compare")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the compare checks; the HTTP ones run last, as the replay judges their paths (the
    others' reads are in long before), so nothing is left to run once the replay ends."""
    for item in items:
        if any(n.startswith("compare_") for n in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.compare)
    items.sort(key=lambda item: "compare_request" in getattr(item, "fixturenames", ()))


def _notes(props: Iterable[tuple[str, object]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in props)


pytest_runtest_makereport = live_makereport("compare", RECORDS, _notes)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """What of the request list was not replayed, then the baseline, written only when the two
    apps were found the same: a baseline of a migration that differs would make every later
    ``h2c postdeploy`` judge against it."""
    from h2c.compare.fixtures import SESSION

    compare = session.config.stash.get(SESSION, None)
    if compare is None:
        return
    say = session.config.pluginmanager.get_plugin("terminalreporter")
    note = compare.coverage_note()
    if note and say is not None:
        say.write_line(f"h2c compare: {note}")
    out = session.config.getoption("h2c_compare_baseline")
    if not out:
        return
    if exitstatus != 0:
        line = f"the baseline {out} was not written: the apps are not the same"
    else:
        try:
            line = compare.write_baseline(Path(out))
        except Exception as error:  # the run must say so and fail, never pass without it
            line = f"the baseline {out} was not written: {_why(error)}"
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if say is not None:
        say.write_line(f"h2c compare: {line}")


def _why(error: Exception) -> str:
    """An error's own message when it is ours (it names the cause, never a value), else its
    type: a driver's message may quote a URL."""
    from h2c.errors import H2cError

    return str(error) if isinstance(error, H2cError) else type(error).__name__


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = list(config.stash.get(RECORDS, {}).values())
    if not records:
        return
    _write_outputs(config, records)
    if config.getoption("h2c_compare_summary"):
        return  # `h2c compare` prints the table itself
    write_table(terminalreporter, records, "h2c compare")


def _write_outputs(config: pytest.Config, records: list[Record]) -> None:
    from h2c.compare import report
    from h2c.compare.fixtures import SESSION

    session = config.stash.get(SESSION, None)
    http = (session.done("http") if session is not None else None) or {}
    if config.getoption("h2c_compare_summary"):
        write_json(records, Path(config.getoption("h2c_compare_summary")))
    if config.getoption("h2c_compare_details"):
        rows = [{"request": v.request.label, "ok": v.ok, "heroku_status": v.heroku_status,
                 "convox_status": v.convox_status, "differences": [d.path for d in v.differences],
                 "noise": list(v.noise)} for v in http.values()]  # fmt: skip
        Path(config.getoption("h2c_compare_details")).write_text(json.dumps(rows, indent=2) + "\n")
    out = config.getoption("h2c_compare_report")
    if out:
        secrets = session.secrets() if session is not None else []
        title = "h2c compare: Heroku vs Convox"
        if session is not None:
            o = session.options
            title = f"h2c compare: Heroku {o.heroku_app} vs Convox {o.convox_app}"
        note = session.coverage_note() if session is not None else None
        text = report.render(out, title, records, http.values(), secrets, note)
        Path(out).write_text(text, encoding="utf-8")
