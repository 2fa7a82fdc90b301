"""The ``h2c postdeploy`` pytest plugin: options, parametrization, records, summary.

Hooks only; load it with ``-p h2c.postdeploy.plugin`` (``h2c postdeploy`` does). Options::

    --h2c-postdeploy-app DIR  --h2c-postdeploy-convox-app NAME  --h2c-postdeploy-rack RACK
    --h2c-postdeploy-url URL (env H2C_POSTDEPLOY_URL)  --h2c-postdeploy-baseline FILE
    --h2c-postdeploy-target URL|$VAR  --h2c-postdeploy-timeout S  --h2c-postdeploy-poll S
    --h2c-postdeploy-http-wait S  --h2c-postdeploy-convox-bin PATH  --h2c-postdeploy-summary FILE

Parametrization reads files only (convox.yml, h2c.toml, the baseline), never the platform,
so collection does not wait for the deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from h2c.gate.hooks import add_app_options, live_makereport, parametrize, write_table
from h2c.gate.summary import Record, one_line, write_json

RECORDS = pytest.StashKey[dict[str, Record]]()
MARK = "postdeploy"


def _services(s: Any) -> list[str]:
    e = s.expected()
    return sorted(n for n, c in e.scale.items() if not (c == 0 and n in e.timer_services))


def _keys(s: Any) -> list[str]:
    baseline = s.baseline()
    base = set(baseline.env.keys) if baseline and baseline.env else set()
    return sorted(set(s.expected().required_keys) | base)


def _tables(s: Any) -> list[str]:
    baseline = s.baseline()
    return sorted(baseline.database.tables) if baseline and baseline.database else []


PARAMS: dict[str, Callable[[Any], list[str]]] = {
    "postdeploy_service": _services,
    "postdeploy_smoke_path": lambda s: list(s.expected().smoke_paths),
    "postdeploy_key": _keys,
    "postdeploy_table": _tables,
}
SKIP_REASONS = {
    "postdeploy_key": "no key to check: convox.yml requires none and no baseline env",
    "postdeploy_table": "not run: no --baseline with a database section",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    description = "h2c postdeploy (the live Convox app after a deploy)"
    add = add_app_options(parser, "postdeploy", description)
    add("--h2c-postdeploy-url", metavar="URL",
        help="the web endpoint (env H2C_POSTDEPLOY_URL; default https://<web domain>)")  # fmt: skip
    add("--h2c-postdeploy-baseline", metavar="FILE", help="h2c db snapshot's baseline.json")
    add("--h2c-postdeploy-target", metavar="URL|$VAR", help="the Convox database (read-only)")
    add("--h2c-postdeploy-timeout", type=float, default=600.0, metavar="S",
        help="how long the deploy may take to settle")  # fmt: skip
    add("--h2c-postdeploy-poll", type=float, default=5.0, metavar="S",
        help="seconds between two `convox apps info` (Convox's own: 5)")  # fmt: skip
    add("--h2c-postdeploy-http-wait", type=float, default=60.0, metavar="S",
        help="how long a path may take to answer (retried with backoff)")  # fmt: skip
    add("--h2c-postdeploy-convox-bin", metavar="PATH", help="the convox CLI (default: on PATH)")
    add("--h2c-postdeploy-summary", metavar="FILE", help="write the summary as JSON there")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.import_plugin("h2c.postdeploy.fixtures")  # first: assertion rewriting
    from h2c.postdeploy.fixtures import SESSION
    from h2c.postdeploy.session import PostdeployOptions, PostdeploySession

    config.addinivalue_line("markers", f"{MARK}: a check of h2c postdeploy")
    config.stash[RECORDS] = {}
    get = config.getoption
    if not (get("h2c_postdeploy_app") and get("h2c_postdeploy_convox_app")):
        return
    baseline = get("h2c_postdeploy_baseline")
    config.stash[SESSION] = PostdeploySession(PostdeployOptions(
        app_dir=Path(get("h2c_postdeploy_app")).resolve(),
        convox_app=get("h2c_postdeploy_convox_app"), rack=get("h2c_postdeploy_rack"),
        url=get("h2c_postdeploy_url"), baseline=Path(baseline).resolve() if baseline else None,
        target=get("h2c_postdeploy_target"), timeout_s=get("h2c_postdeploy_timeout"),
        poll_s=get("h2c_postdeploy_poll"), http_wait_s=get("h2c_postdeploy_http_wait"),
        convox_bin=get("h2c_postdeploy_convox_bin"),
    ))  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from h2c.postdeploy.fixtures import SESSION

    session = metafunc.config.stash.get(SESSION, None)
    parametrize(metafunc, session, PARAMS, lambda n: SKIP_REASONS.get(n, "nothing to check"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the checks; the settle check first (every other read waits for it anyway, so the
    wait is timed where it belongs)."""
    for item in items:
        if "postdeploy_session" in getattr(item, "fixturenames", ()):
            item.add_marker(getattr(pytest.mark, MARK))
    items.sort(key=lambda item: item.path.name != "test_deploy.py")


def _notes(props: Iterable[tuple[str, object]]) -> str:
    return one_line(", ".join(str(v) for _, v in props))


pytest_runtest_makereport = live_makereport(MARK, RECORDS, _notes)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = list(config.stash.get(RECORDS, {}).values())
    if not records:
        return
    if config.getoption("h2c_postdeploy_summary"):
        write_json(records, Path(config.getoption("h2c_postdeploy_summary")))
        return  # `h2c postdeploy` prints the table itself
    write_table(terminalreporter, records, "h2c postdeploy")
