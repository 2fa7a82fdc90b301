"""Assertion helpers for the checks: each fails with what was expected and what came back.

Messages name processes, ports, paths and env keys, never a config value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import pytest

from h2c.adapters.contracts import Watched
from h2c.verdicts.http import HttpResult
from h2c.verdicts.leaks import Redactor
from h2c.verdicts.process import log_tail


def fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


def assert_empty(problems: Sequence[object], headline: str) -> None:
    """Fail listing every problem under a headline when there is any."""
    __tracebackhide__ = True
    if problems:
        fail(headline + "\n" + "\n".join(f"  - {p}" for p in problems))


def assert_http(
    result: HttpResult,
    url_path: str,
    *,
    want_2xx: bool,
    container: Watched | None = None,
    redact: Redactor | None = None,
) -> None:
    """2xx (or, for a smoke path, anything below 500) on a path, else the log tail."""
    __tracebackhide__ = True
    if result.status is None:
        problem = f"no answer on GET {url_path} ({result.error})"
    elif want_2xx and not result.ok:
        problem = f"GET {url_path} answered {result.status}, expected 2xx"
    elif not want_2xx and result.status >= 500:
        problem = f"GET {url_path} answered {result.status}, expected below 500"
    else:
        return
    fail(problem + container_tail(container, redact))


def container_tail(container: Watched | None, redact: Redactor | None, lines: int = 25) -> str:
    """A container's status and last log lines (config values masked), for a failure message."""
    if container is None:
        return ""
    try:
        status, logs = container.status(), container.logs(tail=lines)
    except Exception as trouble:  # the container may be gone already
        return f"\n(container logs unavailable: {type(trouble).__name__})"
    tail = log_tail(str(logs), lines)
    return f"\ncontainer status: {status}\nlog tail:\n{redact(tail) if redact else '(hidden)'}"
