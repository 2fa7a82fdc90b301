"""The deploy settled: ``convox apps info`` running on a release twice in a row, no rollback."""

from __future__ import annotations

import pytest

from h2c.postdeploy.session import PostdeploySession


def test_settled(
    postdeploy_session: PostdeploySession, record_property: pytest.RecordProperty
) -> None:
    verdict = postdeploy_session.settled()
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
    record_property("settled", verdict.message)
