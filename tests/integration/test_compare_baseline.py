"""``h2c compare --baseline F``: the cut-over baseline ``h2c postdeploy --baseline`` reads, written
only when the two apps were found the same (real PostgreSQL, the CLI doubles, two containers)."""

from __future__ import annotations

import json

import pytest

from h2c.cli import main
from tests.integration.compare_env import FIXTURES, scenario
from tests.integration.pg import pg_source, pg_target, run_sql  # noqa: F401
from tests.integration.test_compare_live import _paths, bases, compare, databases  # noqa: F401

pytestmark = [pytest.mark.docker, pytest.mark.postgres]


def test_only_when_same(tmp_path, monkeypatch, capsys, bases, databases) -> None:  # noqa: F811
    """Written when the apps are the same; kept out when they are not."""
    source, target = databases
    baseline = tmp_path / "baseline.json"
    args = ("--requests", str(_paths(tmp_path)), "--source", source, "--target", target,
            "--quiet", "0.1", "--baseline", str(baseline))  # fmt: skip
    code, _ = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    assert code == 0 and baseline.is_file()
    doc = json.loads(baseline.read_text())
    assert doc["database"]["tables"]["public.order_items"]["rows"] == 10000
    assert set(doc["env"]["keys"]) == {"SECRET_KEY", "ALLOWED_HOSTS", "FEATURE_FLAGS"}
    assert doc["env"]["release"] == "RACTIVE"
    text = baseline.read_text()
    assert "k3y-of-the-shop-1234" not in text and "pw@" not in text  # digests, never values

    baseline.unlink()
    run_sql(target, (FIXTURES.parent / "db" / "broken" / "missing_rows.sql").read_text())
    code, _ = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    assert code == 1 and not baseline.exists()  # a migration that differs is no baseline


def test_needs_a_target(tmp_path, capsys) -> None:
    from tests.integration.compare_env import APP, BIN

    code = main(["compare", str(APP), "--heroku-app", "shop", "--convox-app", "shop",
                 "--heroku-bin", str(BIN / "heroku"), "--convox-bin", str(BIN / "convox"),
                 "--baseline", str(tmp_path / "b.json")])  # fmt: skip
    assert code == 2
    assert "--baseline: a baseline needs --target" in capsys.readouterr().err


def test_the_report_says_what_was_not_replayed(tmp_path, monkeypatch, capsys, bases) -> None:  # noqa: F811
    listed = tmp_path / "router.log"
    listed.write_text(
        'heroku[router]: at=info method=GET path="/text" host=h status=200\n'
        'heroku[router]: at=info method=POST path="/login" host=h status=302\n'
        'heroku[router]: at=info method=GET path="/text" host=h status=200\n'
        "/json\n/html\n"
    )
    report = tmp_path / "report.md"
    args = ("--requests", str(listed), "--max-requests", "2", "--report", str(report))
    code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    assert code == 0
    sent = {k[1] for k in got if k != "http" and k[0] == "test_http::test_same_answer"}
    assert sent == {"/text", "/json"}
    assert (
        "replayed 2 of 3 requests: 1 beyond --max-requests 2 not sent; 1 router line for "
        "methods h2c never sends (POST, PUT...) skipped; 1 repeat kept once"
    ) in report.read_text()


def test_only_compares_the_aspects_named(tmp_path, monkeypatch, capsys, bases) -> None:  # noqa: F811
    args = ("--requests", str(_paths(tmp_path)), "--only", "config", "--only", "processes")
    code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    modules = {k[0].partition("::")[0] for k in got if k != "http"}
    assert code == 0 and modules == {"test_config", "test_processes"}
    assert got["http"] == []  # nothing replayed: no request was sent to either app
