"""Pure parts of h2c.db: dump headers, TOC listings, URL masking, schema diffs, reports."""

from __future__ import annotations

import doctest
import json

import pytest

from h2c.db import archive, checksums, conn, parallel, report, restore, schema, tools, verify
from h2c.errors import EnvironmentMissing, InputError


# The first bytes of a real PG 15 custom-format dump (fixtures-free: built here).
def _header(version: bytes = b"\x01\x0e\x00", dumped_by: str = "15.18 (Debian)") -> bytes:
    def int4(n: int) -> bytes:
        return bytes([0]) + n.to_bytes(4, "little")

    def text(s: str) -> bytes:
        return int4(len(s)) + s.encode()

    head = b"PGDMP" + version + b"\x04\x08\x01"
    # compression: one algorithm byte since 1.15, an int (-1: default) before
    head += b"\x00" if version[1] >= 15 else b"\x01\x01\x00\x00\x00"
    head += b"".join(int4(n) for n in (1, 2, 3, 4, 5, 126, 0))
    return head + text("app") + text("15.18 (Debian)") + text(dumped_by)


@pytest.mark.parametrize(
    "module", [archive, checksums, conn, report, restore, schema, tools, verify], ids=repr
)
def test_doctests(module: object) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_header_reads_versions() -> None:
    header = archive.parse_header(_header())
    assert header.version == (1, 14, 0)
    assert header.dumped_by == "15.18 (Debian)"
    assert header.dumped_by_major == 15


def test_header_rejects_plain_sql() -> None:
    with pytest.raises(archive.NotADump):
        archive.parse_header(b"--\n-- PostgreSQL database dump\n")


def test_preflight_rejects_non_dump_with_exit_2(tmp_path) -> None:
    path = tmp_path / "latest.dump"
    path.write_text("-- PostgreSQL database dump\nCREATE TABLE t ();\n")
    with pytest.raises(InputError) as caught:
        restore.preflight(path, tools.Tool("pg_restore", "/bin/false", "15.18"))
    assert caught.value.exit_code == 2
    assert "PGDMP" in str(caught.value)


@pytest.mark.parametrize(
    ("version", "dumped_by", "names"),
    [
        (b"\x01\x63\x00", "15.18 (Debian)", ["1.99", "15.18"]),
        (b"\x01\x0f\x00", "16.4", ["1.15", "16.4", "15.18"]),
        (b"\x01\x0e\x00", "99.1", ["99.1", "15.18"]),
    ],
    ids=["archive-1.99", "pg16-dump", "dumped-by-99"],
)
def test_preflight_refuses_newer_dump_naming_both_versions(tmp_path, version, dumped_by, names):
    path = tmp_path / "new.dump"
    path.write_bytes(_header(version, dumped_by))
    with pytest.raises(EnvironmentMissing) as caught:
        restore.preflight(path, tools.Tool("pg_restore", "/bin/false", "15.18"))
    assert caught.value.exit_code == 3
    for name in names:
        assert name in str(caught.value)


def test_toc_listing_parsed() -> None:
    listing = (
        ";     Dumped by pg_dump version: 16.2\n;\n"
        "2; 3079 16441 EXTENSION - citext \n"
        "3588; 0 0 COMMENT - EXTENSION citext \n"
        "3581; 0 16675 TABLE DATA public accounts h2c\n"
        "3416; 2606 16404 FK CONSTRAINT public orders orders_user_id_fkey h2c\n"
    )
    entries, dumped_by = archive.parse_toc(listing)
    assert dumped_by == "16.2"
    assert [(e.desc, e.name) for e in entries] == [
        ("EXTENSION", "citext"),
        ("COMMENT", "EXTENSION citext"),
        ("TABLE DATA", "accounts"),
        ("FK CONSTRAINT", "orders orders_user_id_fkey"),
    ]


def test_needed_extensions_from_heroku_ext_types() -> None:
    lines = ["    email heroku_ext.citext NOT NULL,", "    path heroku_ext.ltree"]
    assert archive.needed_extensions(lines) == [
        archive.NeededExtension("citext", "heroku_ext"),
        archive.NeededExtension("ltree", "heroku_ext"),
    ]


def test_mask_hides_password_everywhere() -> None:
    text = "pg_restore: error: connection to postgresql://u:hunter2@h:5432/d failed"
    assert "hunter2" not in conn.mask(text)


def test_split_password_keeps_it_off_argv() -> None:
    clean, password = conn.split_password("postgres://u:hunter2@h/d")
    assert "hunter2" not in clean and password == "hunter2"


def test_check_url_rejects_a_file_without_echoing_secrets() -> None:
    with pytest.raises(InputError) as caught:
        conn.check_url("latest.dump", "--source")
    assert caught.value.exit_code == 2 and "--source" in str(caught.value)


def test_schema_compare_names_column_and_both_types() -> None:
    diffs = schema.compare(
        {("column", "public.users.age"): "integer", ("index", "public.i"): "CREATE INDEX i"},
        {("column", "public.users.age"): "text"},
    )
    assert [str(d) for d in diffs] == [
        "column public.users.age: source 'integer', target 'text'",
        "index public.i: source 'CREATE INDEX i', target None",
    ]


def test_sequence_state_verdicts() -> None:
    assert verify.SequenceState("s", "t.id", 10, 10).ok
    assert not verify.SequenceState("s", "t.id", 9, 10).ok
    assert verify.SequenceState("s", "t.id", 0, None).ok


def test_json_report_is_machine_readable_and_fails() -> None:
    rep = verify.VerifyReport(
        counts=[verify.TableCount("public.users", 3, 2)],
        checksums=[checksums.ChunkDifference("public.users", "id >= 1 AND id < 5", (4, 1), (4, 2))],
    )
    data = json.loads(report.to_json(rep))
    assert data["ok"] is False
    assert data["counts"][0] == {"table": "public.users", "source": 3, "target": 2, "ok": False}
    assert data["checksums"][0]["key_range"] == "id >= 1 AND id < 5"


def test_many_ranges_summarized() -> None:
    found = [
        checksums.ChunkDifference("public.t", checksums.describe(["id"], i, i + 1), (1, 1), (1, 2))
        for i in range(20)
    ]
    one = checksums.summarize(found)
    assert one.table == "public.t" and one.key_range.startswith("20 ranges differ")
    assert "id >= 0" in one.key_range and "id < 20" in one.key_range


@pytest.mark.parametrize("size", [1, 2, 3])
def test_workers_run_every_task_and_a_task_may_wait_for_an_earlier_one(size: int) -> None:
    import threading

    before = threading.active_count()
    with parallel.Workers(size) as pool:
        first = pool.submit(lambda: 20)
        later = pool.submit(lambda: first.result() + 1)
        rest = [pool.submit(lambda i=i: i * i) for i in range(10)]
        pool.finish()
    assert later.result() == 21 and [r.result() for r in rest] == [i * i for i in range(10)]
    assert threading.active_count() == before  # every worker thread joined


def test_workers_error_in_a_task_is_raised_by_its_result() -> None:
    with parallel.Workers(2) as pool:
        bad = pool.submit(lambda: 1 // 0)
        good = pool.submit(lambda: "ok")
    assert good.result() == "ok"
    with pytest.raises(ZeroDivisionError):
        bad.result()


def test_workers_leaving_on_an_error_skips_tasks_not_started_and_joins() -> None:
    import threading

    ran: list[int] = []
    before = threading.active_count()
    with pytest.raises(KeyError), parallel.Workers(1) as pool:  # size 1: nothing runs early
        skipped = pool.submit(lambda: ran.append(1))
        raise KeyError("boom")
    assert ran == [] and threading.active_count() == before
    with pytest.raises(RuntimeError, match="not run"):
        skipped.result()
