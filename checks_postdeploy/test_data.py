"""Migrations applied, and against the cut-over baseline: every table there with its rows,
sequences ahead of their keys, no column dropped."""

from __future__ import annotations

from typing import Any

import pytest

from h2c.postdeploy import verdicts
from h2c.postdeploy.session import PostdeploySession


def test_migrations_applied(postdeploy_session: PostdeploySession) -> None:
    status = postdeploy_session.migrations()
    if status is None:
        pytest.skip("not run: h2c.toml [database] migration_status is not set")
    expected = postdeploy_session.expected()
    if status != 0:
        pytest.fail(
            f"migrations pending: `{expected.migration_status}` exited {status} in "
            f"{expected.web_service} on release {postdeploy_session.release()}",
            pytrace=False,
        )


def _both(session: PostdeploySession) -> tuple[Any, Any]:
    baseline = session.baseline()
    if baseline is None or baseline.database is None:
        pytest.skip("not run: no --baseline with a database section")
    now = session.database_now()
    if now is None:
        pytest.skip("not run: no --target (e.g. `convox resources proxy database` and its URL)")
    return baseline.database, now


def test_rows(postdeploy_session: PostdeploySession, postdeploy_table: str,
              record_property: pytest.RecordProperty) -> None:  # fmt: skip
    then, now = _both(postdeploy_session)
    tolerance = postdeploy_session.expected().row_tolerance
    verdict = {v.target: v for v in verdicts.row_verdicts(then, now, tolerance)}[postdeploy_table]
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
    record_property("rows", verdict.message)


def test_columns(postdeploy_session: PostdeploySession, postdeploy_table: str,
                 record_property: pytest.RecordProperty) -> None:  # fmt: skip
    then, now = _both(postdeploy_session)
    changes = {c.table: c for c in verdicts.schema_changes(then, now)}
    change = changes.get(postdeploy_table)
    if change is None:
        pytest.skip("the table is gone (test_rows says so)")
    if not change.ok:
        pytest.fail(change.message, pytrace=False)
    record_property("schema", change.message)


def test_sequences(postdeploy_session: PostdeploySession) -> None:
    if postdeploy_session.target_url() is None:
        pytest.skip("not run: no --target")
    baseline = postdeploy_session.baseline()
    live = postdeploy_session.live_sequences()
    behind = [v for v in verdicts.sequence_verdicts(live, baseline.database if baseline else None)
              if not v.ok]  # fmt: skip
    if behind:
        pytest.fail("sequences behind: " + "; ".join(v.message for v in behind[:5]), pytrace=False)
