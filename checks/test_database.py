"""The database: each process reaches it, migrations applied, and it moved intact (every
table's rows, sequences, schema, data).

For an app with a postgres resource, one test per process whose service links it (it connects
from its own container, after the release) and the migration status, on the gate's own
postgres (or the target when one is given). One test per table and per sequence (ids =
``schema.name``), one per schema object kind, and per-table checksums when asked
(``--h2c-checksums`` or h2c.toml ``[database] checksums``). Source and target come from
``--h2c-source`` / ``--h2c-target`` or h2c.toml; without them the comparison checks are not
generated. Fixtures and hooks: ``h2c.gate.db_fixtures``, ``h2c.gate.db_runs``.
"""

from __future__ import annotations

from typing import Any

import pytest

from h2c.gate import db_probe
from h2c.gate.asserts import assert_empty, fail
from h2c.gate.db_fixtures import UNKNOWN, DbPair, DbPlan
from h2c.gate.db_runs import MigrationOutcome


@pytest.mark.docker
def test_process_connects(
    gate_db_process_id: str,
    gate_db_connections: dict[str, db_probe.ProbeOutcome],
    gate_db_plan: DbPlan,
) -> None:
    outcome = gate_db_connections[gate_db_process_id]
    if db_probe.no_driver(outcome):
        pytest.skip(f"{outcome.process}: not probed: {outcome.reason}")
    message = db_probe.failure(outcome, gate_db_plan.linked)
    if message:
        fail(message)


@pytest.mark.docker
def test_migrations_applied(
    gate_db_migration_id: str, gate_db_migrations: MigrationOutcome
) -> None:
    outcome = gate_db_migrations
    if outcome.exit_code is None:
        fail(f"`{outcome.command}` was still running on {outcome.where} after the deadline")
    if outcome.exit_code != 0:
        fail(
            f"unapplied migrations on {outcome.where} ({gate_db_migration_id}): "
            f"`{outcome.command}` exited {outcome.exit_code}\n{outcome.log_tail}"
        )


def test_row_count(
    gate_db_table_id: str,
    gate_db_plan: DbPlan,
    gate_db: DbPair,
    gate_db_report: Any,
    record_property: Any,
) -> None:
    if gate_db_table_id == UNKNOWN:
        fail(gate_db_plan.problem or "the source's tables were unknown at collection")
    found = {c.table: c for c in gate_db_report.counts}.get(gate_db_table_id)
    if found is None or found.source is None:
        fail(f"{gate_db_table_id}: no longer on the source")
    where = f" ({gate_db.note})" if gate_db.note else ""
    if found.target is None:
        fail(f"{gate_db_table_id}: source {found.source} rows, target: table missing{where}")
    if found.source != found.target:
        fail(f"{gate_db_table_id}: source {found.source} rows, target {found.target} rows{where}")
    record_property("rows", found.source)


def test_sequence(gate_db_sequence_id: str, gate_db_report: Any) -> None:
    state = {s.sequence: s for s in gate_db_report.sequences}.get(gate_db_sequence_id)
    if state is None:
        missing = [
            d
            for d in gate_db_report.schema
            if d.kind == "sequence" and d.object == gate_db_sequence_id
        ]
        assert_empty(missing, f"sequence {gate_db_sequence_id} differs on the target:")
        return  # a sequence no column owns: nothing to compare it with
    if not state.ok:
        fail(
            f"sequence {state.sequence} is behind {state.column}: last value "
            f"{state.last_value}, max({state.column.rsplit('.', 1)[-1]}) {state.max_value}; "
            f"the next insert collides (setval it to at least {state.max_value})"
        )


def test_schema(gate_db_schema_id: str, gate_db_report: Any) -> None:
    differences = [d for d in gate_db_report.schema if d.kind == gate_db_schema_id]
    assert_empty(differences, f"{gate_db_schema_id} definitions differ (source vs target):")


def test_checksums(gate_db_checksum_id: str, gate_db_report: Any) -> None:
    ranges = [d for d in gate_db_report.checksums or [] if d.table == gate_db_checksum_id]
    assert_empty(ranges, f"{gate_db_checksum_id}: rows differ in these key ranges:")
