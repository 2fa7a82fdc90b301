"""Convox's active release holds every Heroku config var it should (by digest, never a value)."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession


def test_config_key(compare_session: CompareSession, compare_config_key: str) -> None:
    verdicts = {v.key: v for v in compare_session.config()}
    verdict = verdicts[compare_config_key]
    if verdict.fails:
        pytest.fail(verdict.message(), pytrace=False)
