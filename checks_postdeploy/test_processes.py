"""Every convox.yml service runs at least its scale count on the active release, none broken."""

from __future__ import annotations

import pytest

from h2c.postdeploy.session import PostdeploySession


def test_service(
    postdeploy_session: PostdeploySession,
    postdeploy_service: str,
    record_property: pytest.RecordProperty,
) -> None:
    verdict = {v.target: v for v in postdeploy_session.processes()}[postdeploy_service]
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
    record_property("processes", verdict.message)
