"""Fixtures of the compare checks: the session (every platform read) and what is parametrized."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession

SESSION = pytest.StashKey[CompareSession]()


@pytest.fixture(scope="session")
def compare_session(request: pytest.FixtureRequest) -> CompareSession:
    """The run's reads of both platforms; fails by name when the options are missing."""
    if SESSION not in request.config.stash:
        pytest.fail(
            "h2c compare needs --h2c-compare-app DIR --h2c-compare-heroku-app NAME "
            "--h2c-compare-convox-app NAME",
            pytrace=False,
        )
    return request.config.stash[SESSION]


def _parameter(name: str, doc: str) -> object:
    """A fixture ``name`` whose value is the parameter the plugin gives it, as text."""

    def value(request: pytest.FixtureRequest) -> str:
        return str(request.param)

    value.__name__ = value.__qualname__ = name
    value.__doc__ = doc
    return pytest.fixture(name=name)(value)


compare_request = _parameter(
    "compare_request",
    "One request's label (``/path``, ``HEAD /path``), parametrized by the plugin.",
)
compare_config_key = _parameter("compare_config_key", "One config key, parametrized by the plugin.")
compare_process = _parameter("compare_process", "One process type, parametrized by the plugin.")
compare_job = _parameter("compare_job", "One scheduled job, parametrized by the plugin.")
