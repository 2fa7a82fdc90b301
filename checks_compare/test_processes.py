"""Every Heroku process type runs on Convox's active release, as many times, none crashed."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession


def test_process_type(compare_session: CompareSession, compare_process: str) -> None:
    verdict = {v.target: v for v in compare_session.processes()}[compare_process]
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
