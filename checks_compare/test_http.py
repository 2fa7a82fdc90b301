"""Each request answers on Convox as it does on Heroku, once Heroku's own noise is cancelled."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession


def test_same_answer(
    compare_session: CompareSession, compare_request: str, record_property: pytest.RecordProperty
) -> None:
    verdict = compare_session.http_verdict(compare_request)
    if verdict.noise:
        record_property("noise", len(verdict.noise))
    if not verdict.ok:  # the message names fields; excerpts stay out of pytest's output
        pytest.fail(verdict.message(), pytrace=False)
