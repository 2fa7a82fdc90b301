"""Fixtures of the compare checks: the session (every platform read) and what is parametrized."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession
from h2c.gate.hooks import parameter

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


compare_request = parameter(
    "compare_request",
    "One request's label (``/path``, ``HEAD /path``), parametrized by the plugin.",
)
compare_config_key = parameter("compare_config_key", "One config key, parametrized by the plugin.")
compare_process = parameter("compare_process", "One process type, parametrized by the plugin.")
compare_job = parameter("compare_job", "One scheduled job, parametrized by the plugin.")
