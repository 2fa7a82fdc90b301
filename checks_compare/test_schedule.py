"""Every Heroku Scheduler job has a Convox timer with its schedule and command."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession


def test_job(compare_session: CompareSession, compare_job: str) -> None:
    verdict = {v.target: v for v in compare_session.schedule()}[compare_job]
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
