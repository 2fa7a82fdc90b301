"""Fixtures of the postdeploy checks: the session (every platform read) and what is parametrized."""

from __future__ import annotations

import pytest

from h2c.gate.hooks import parameter
from h2c.postdeploy.session import PostdeploySession

SESSION = pytest.StashKey[PostdeploySession]()


@pytest.fixture(scope="session")
def postdeploy_session(request: pytest.FixtureRequest) -> PostdeploySession:
    """The run's reads of the Convox app; fails by name when the options are missing."""
    if SESSION not in request.config.stash:
        pytest.fail(
            "h2c postdeploy needs --h2c-postdeploy-app DIR --h2c-postdeploy-convox-app NAME",
            pytrace=False,
        )
    return request.config.stash[SESSION]


@pytest.fixture(scope="session")
def postdeploy_base_url(postdeploy_session: PostdeploySession) -> str:
    """The web endpoint (pytest-base-url's ``base_url``): --h2c-postdeploy-url,
    $H2C_POSTDEPLOY_URL, else https:// and the web service's domain from ``convox services``."""
    return postdeploy_session.base_url()


postdeploy_service = parameter("postdeploy_service", "One service, parametrized by the plugin.")
postdeploy_smoke_path = parameter("postdeploy_smoke_path", "One smoke path, parametrized.")
postdeploy_key = parameter("postdeploy_key", "One required env key, parametrized.")
postdeploy_table = parameter("postdeploy_table", "One baseline table, parametrized.")
