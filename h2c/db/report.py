"""Turning a VerifyReport into rows for rich tables and into JSON: pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from h2c.db.verify import VerifyReport

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from typing import Any

Section = tuple[str, tuple[str, ...], Sequence[tuple[object, ...]]]


def sections(report: VerifyReport, *, only_failures: bool = True) -> list[Section]:
    """One (title, columns, rows) per check kind; failures always, passes unless filtered."""
    counts = [
        (c.table, _n(c.source), _n(c.target), "ok" if c.ok else "DIFFERS")
        for c in report.counts
        if not (only_failures and c.ok)
    ]
    seqs = [
        (s.sequence, s.column, _n(s.last_value), _n(s.max_value), "ok" if s.ok else "BEHIND")
        for s in report.sequences
        if not (only_failures and s.ok)
    ]
    schema = [(d.kind, d.object, _n(d.source), _n(d.target)) for d in report.schema]
    out: list[Section] = [
        ("Row counts", ("table", "source", "target", "verdict"), counts),
        (
            "Sequences (target)",
            ("sequence", "column", "last value", "max(column)", "verdict"),
            seqs,
        ),
        ("Schema and extensions", ("kind", "object", "source", "target"), schema),
    ]
    if report.checksums is not None:
        out.append(
            (
                "Checksums",
                ("table", "key range", "source rows", "target rows"),
                [(d.table, d.key_range, d.source[0], d.target[0]) for d in report.checksums],
            )
        )
    return out


def summary(report: VerifyReport) -> str:
    """One line: what was checked and how much differs."""
    bad_counts = sum(not c.ok for c in report.counts)
    bad_seqs = sum(not s.ok for s in report.sequences)
    text = (
        f"{len(report.counts)} tables: {bad_counts} row-count differences, {bad_seqs} "
        f"sequences behind, {len(report.schema)} schema differences"
    )
    if report.checksums is not None:
        text += f", {len(report.checksums)} checksum ranges differ"
    if report.tables_without_pk:
        text += f"; no primary key: {', '.join(report.tables_without_pk)}"
    return text + (" -> OK" if report.ok else " -> FAILED")


def _n(value: object) -> object:
    return "missing" if value is None else value


def to_json(report: VerifyReport) -> str:
    """A machine-readable report (stable keys, sorted), one trailing newline."""
    import json  # only --json pays for it

    data: dict[str, Any] = {
        "ok": report.ok,
        "counts": [
            {"table": c.table, "source": c.source, "target": c.target, "ok": c.ok}
            for c in report.counts
        ],
        "sequences": [
            {
                "sequence": s.sequence,
                "column": s.column,
                "last_value": s.last_value,
                "max_value": s.max_value,
                "ok": s.ok,
            }
            for s in report.sequences
        ],
        "schema": [
            {"kind": d.kind, "object": d.object, "source": d.source, "target": d.target}
            for d in report.schema
        ],
        "checksums": None
        if report.checksums is None
        else [
            {
                "table": d.table,
                "key_range": d.key_range,
                "source": list(d.source),
                "target": list(d.target),
            }
            for d in report.checksums
        ],
        "tables_without_primary_key": report.tables_without_pk,
    }
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
