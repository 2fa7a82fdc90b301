"""The web endpoint answers its health path (200-399) and every smoke path (below 500)."""

from __future__ import annotations

import pytest

from h2c.postdeploy import verdicts
from h2c.postdeploy.session import PostdeploySession


def test_health(
    postdeploy_session: PostdeploySession,
    postdeploy_base_url: str,
    record_property: pytest.RecordProperty,
) -> None:
    path = postdeploy_session.expected().health_path
    got = postdeploy_session.answer(path, health=True)
    message = verdicts.http_message(path, got.status, got.error, health=True)
    if not verdicts.health_ok(got.status):
        pytest.fail(f"{message} after {got.tries} tries", pytrace=False)
    record_property("answer", message)


def test_smoke(
    postdeploy_session: PostdeploySession,
    postdeploy_base_url: str,
    postdeploy_smoke_path: str,
    record_property: pytest.RecordProperty,
) -> None:
    got = postdeploy_session.answer(postdeploy_smoke_path, health=False)
    message = verdicts.http_message(postdeploy_smoke_path, got.status, got.error, health=False)
    if not verdicts.smoke_ok(got.status):
        pytest.fail(message, pytrace=False)
    record_property("answer", message)
