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


@pytest.fixture
def compare_request(request: pytest.FixtureRequest) -> str:
    """One request's label (``/path``, ``HEAD /path``), parametrized by the plugin."""
    return str(request.param)


@pytest.fixture
def compare_config_key(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def compare_process(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def compare_job(request: pytest.FixtureRequest) -> str:
    return str(request.param)
