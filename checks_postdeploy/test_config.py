"""The active release's env holds every key convox.yml requires and the baseline had, unchanged
(by digest, never a value) unless h2c.toml ``[env] expect_changed`` says it may change."""

from __future__ import annotations

import pytest

from h2c.postdeploy.session import PostdeploySession


def test_key(
    postdeploy_session: PostdeploySession,
    postdeploy_key: str,
    record_property: pytest.RecordProperty,
) -> None:
    verdict = {v.target: v for v in postdeploy_session.config()}[postdeploy_key]
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
    record_property("key", verdict.message)
