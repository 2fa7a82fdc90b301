"""test_env_reaches_process when the gate cannot read a process's env: an error (the gate could
not judge), never a failed check (the app is wrong); pytester, fake containers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_plugin import make_app

pytest_plugins = ["pytester"]

FAKES = """
import pytest

from h2c.errors import VerificationFailed
from h2c.gate.services import Running


class Container:
    def __init__(self, status, environ_rc=0):
        self._status, self._rc = status, environ_rc

    def status(self):
        return self._status

    def exit_code(self):
        return 1

    def exec(self, args):
        return self._rc, ""


@pytest.fixture(scope="session")
def gate_web():
    return Running("web", Container("exited"), 8000)


@pytest.fixture(scope="session")
def gate_processes():
    return {"urgent_worker": Running("urgent-worker", Container("running", environ_rc=1), None)}


@pytest.fixture(scope="session")
def gate_env():
    return {}
"""
CHECK = """
from h2c.checks.test_env_parity import (  # noqa: F401
    gate_env_seen, pytest_generate_tests, test_env_reaches_process,
)
"""


def test_unreadable_env_is_an_error_not_a_failure(pytester: pytest.Pytester) -> None:
    app = make_app(Path(pytester.path))
    pytester.makeconftest(FAKES)
    pytester.makepyfile(test_gate=CHECK)
    result = pytester.runpytest("--h2c-app", str(app), "-p", "no:cacheprovider", "-rE")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*urgent-worker: could not read the app process's environ (exit 1)*",
            "*web is not running (exit code 1): cannot read its env*",
        ]
    )
