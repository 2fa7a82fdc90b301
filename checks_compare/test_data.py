"""The Convox database holds all of Heroku's data, and Heroku's has stopped changing.

Each failure is its message alone (``pytrace=False``): a traceback would print the session's
repr, whose options hold the --source and --target URLs with their passwords."""

from __future__ import annotations

import pytest

from h2c.compare.session import CompareSession, DataFindings


def _data(session: CompareSession) -> DataFindings:
    found = session.data()
    if found is None:
        pytest.skip("not run: no --target (e.g. `convox resources proxy database` and its URL)")
    return found


def test_source_not_being_written(compare_session: CompareSession) -> None:
    found = _data(compare_session)
    if found.still_written:
        mode = {True: "on", False: "off", None: "unknown"}[found.maintenance]
        tables = ", ".join(found.still_written[:5])
        pytest.fail(
            f"the source is still being written (counts changed between two reads: {tables}); "
            f"Heroku maintenance mode is {mode}: `heroku maintenance:on` and stop the workers "
            "before the final copy, then compare the data alone (`h2c compare ... --only "
            "data`: in maintenance mode Heroku answers every path with its maintenance page)",
            pytrace=False,
        )


def test_row_counts(compare_session: CompareSession) -> None:
    report = _data(compare_session).report
    wrong = [c for c in report.counts if not c.ok]
    shown = ", ".join(f"{c.table} (Heroku {c.source}, Convox {c.target})" for c in wrong[:5])
    if wrong:
        pytest.fail(f"{len(wrong)} tables differ in rows: {shown}", pytrace=False)


def test_sequences(compare_session: CompareSession) -> None:
    behind = [s for s in _data(compare_session).report.sequences if not s.ok]
    if behind:
        shown = ", ".join(s.sequence for s in behind[:5])
        pytest.fail(f"sequences behind their column's max: {shown}", pytrace=False)


def test_schema(compare_session: CompareSession) -> None:
    diffs = _data(compare_session).report.schema
    if diffs:
        shown = ", ".join(f"{d.kind} {d.object}" for d in diffs[:5])
        pytest.fail(f"schema differs: {shown}", pytrace=False)


def test_checksums(compare_session: CompareSession) -> None:
    chunks = _data(compare_session).report.checksums
    if chunks is None:
        pytest.skip("not run: pass --checksums")
    if chunks:
        shown = ", ".join(f"{d.table} {d.key_range}" for d in chunks[:5])
        pytest.fail(f"rows differ by checksum: {shown}", pytrace=False)
