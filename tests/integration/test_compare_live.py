"""h2c compare end to end: the heroku/convox test doubles, two containers on loopback playing
the Heroku and the Convox app, and every must-fail / must-pass case of the issue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from tests.integration.compare_env import (
    APP,
    BIN,
    FIXTURES,
    deployments,
    engine_with_standin,
    scenario,
    write_scenario,
)

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def bases() -> Any:
    client = engine_with_standin()
    with deployments(client) as urls:
        yield urls


def compare(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bases: dict[str, str],
    doc: dict[str, Any],
    *extra: str,
) -> tuple[int, dict[str, Any]]:
    """Run `h2c compare --json` against the scenario; (exit code, {(check, target): record})."""
    monkeypatch.setenv("H2C_FAKE_STATE", str(write_scenario(tmp_path, doc)))
    monkeypatch.setenv("H2C_FAKE_LOG", str(tmp_path / "calls.jsonl"))
    argv = ["compare", str(APP), "--heroku-app", "shop", "--convox-app", "shop",
            "--heroku-bin", str(BIN / "heroku"), "--convox-bin", str(BIN / "convox"),
            "--heroku-url", bases["heroku"], "--convox-url", bases["convox"],
            "--rate", "0", "--json", *extra]  # fmt: skip
    code = main(argv)
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == code
    return code, {(r["check"], r["target"]): r for r in out["checks"]} | {"http": out["http"]}


def test_everything_matches_on_smoke_paths(tmp_path, monkeypatch, capsys, bases) -> None:
    code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario())
    failed = {
        k: v["reason"] for k, v in got.items() if k != "http" and v["result"] in ("failed", "error")
    }
    assert failed == {} and code == 0
    assert {k[1] for k in got if k != "http" and k[0] == "test_http::test_same_answer"} == {
        "/",
        "/api/user",
    }
    calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert calls and all(c["stdin_closed"] for c in calls)
    env_calls = [c["argv"] for c in calls if c["tool"] == "convox" and c["argv"][0] == "env"]
    assert env_calls and all("--release" in a and "RACTIVE" in a for a in env_calls)


def test_http_must_fail_and_must_pass(tmp_path, monkeypatch, capsys, bases) -> None:
    report = tmp_path / "report.md"
    code, got = compare(
        tmp_path,
        monkeypatch,
        capsys,
        bases,
        scenario(),
        "--requests",
        str(FIXTURES / "requests.log"),
        "--report",
        str(report),
    )
    http = {k[1]: v for k, v in got.items() if k != "http" and k[0].startswith("test_http")}
    assert code == 1
    must_pass = ["/", "/api/user", "/text", "/form", "HEAD /api/user", "/redirect-same"]
    assert {p: http[p]["result"] for p in must_pass} == dict.fromkeys(must_pass, "passed")
    assert "/login" not in http  # a POST in the router log is never sent
    assert (
        "status" in http["/broken-500"]["reason"] and "Convox 500" in http["/broken-500"]["reason"]
    )
    assert "body.order.total" in http["/broken-json"]["reason"]
    assert "headers.cache-control" in http["/broken-header"]["reason"]
    assert "location" in http["/broken-redirect"]["reason"]
    details = {row["request"]: row for row in got["http"]}
    assert "body.html.body.form.input.@value" in details["/"]["noise"]  # the csrf token
    text = report.read_text()
    assert "## GET /broken-json" in text and "| body.order.total | 12.00 | 12.50 |" in text
    assert "k3y-of-the-shop-1234" not in text


def _without(env: dict[str, str], key: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != key}


def test_config_missing_and_changed_keys_by_name(tmp_path, monkeypatch, capsys, bases) -> None:
    doc = scenario()
    active = doc["convox"]["releases"]["RACTIVE"]["env"]
    doc["convox"]["releases"]["RACTIVE"]["env"] = _without(active, "FEATURE_FLAGS")
    active["SECRET_KEY"] = "another-value-9876"
    doc["convox"]["releases"]["RACTIVE"]["env"]["SECRET_KEY"] = "another-value-9876"
    code, got = compare(tmp_path, monkeypatch, capsys, bases, doc)
    config = {k[1]: v for k, v in got.items() if k != "http" and k[0].startswith("test_config")}
    assert code == 1
    assert config["FEATURE_FLAGS"]["result"] == "failed"
    assert "Convox has no value" in config["FEATURE_FLAGS"]["reason"]
    assert "changed" in config["SECRET_KEY"]["reason"]
    assert config["ALLOWED_HOSTS"]["result"] == "passed"
    assert config["DATABASE_URL"]["result"] == "passed"  # provided by the linked resource
    out = json.dumps([v for k, v in got.items() if k != "http"])
    assert "another-value-9876" not in out and "k3y-of-the-shop-1234" not in out


def test_process_type_missing_or_crashed(tmp_path, monkeypatch, capsys, bases) -> None:
    doc = scenario()
    procs = doc["convox"]["processes"]
    procs[1]["status"] = "crashed"
    doc["convox"]["processes"] = [p for p in procs if p["service"] != "worker"]
    code, got = compare(tmp_path, monkeypatch, capsys, bases, doc)
    proc = {k[1]: v for k, v in got.items() if k != "http" and k[0].startswith("test_processes")}
    assert code == 1
    assert "crashed" in proc["web"]["reason"] and "Heroku runs 2" in proc["web"]["reason"]
    assert "no process" in proc["worker"]["reason"]


def test_missing_cli_is_exit_3(tmp_path, monkeypatch, capsys) -> None:
    code = main(
        [
            "compare",
            str(APP),
            "--heroku-app",
            "shop",
            "--convox-app",
            "shop",
            "--heroku-bin",
            str(tmp_path / "nope"),
            "--convox-bin",
            str(BIN / "convox"),
        ]
    )
    assert code == 3
    assert "`heroku` CLI is not installed" in capsys.readouterr().err


def test_not_logged_in_is_exit_3(tmp_path, monkeypatch, capsys, bases) -> None:
    doc = scenario(heroku={"logged_in": False})
    code, got = compare(
        tmp_path, monkeypatch, capsys, bases, doc, "--requests", str(_paths(tmp_path))
    )
    assert code == 3
    bad = {k[0]: v["reason"] for k, v in got.items() if k != "http" and v["result"] == "failed"}
    assert bad and all("`heroku` CLI is not logged in" in r for r in bad.values())


def _paths(tmp_path: Path) -> Path:
    path = tmp_path / "paths.txt"
    path.write_text("/text\n")
    return path


# --- data: h2c db verify under compare, with the "source still being written" check ----------

from tests.integration.pg import pg_source, pg_target, run_sql, seeded_app_database  # noqa: E402, F401


@pytest.fixture
def databases(pg_source, pg_target, tmp_path) -> tuple[str, str]:  # noqa: F811
    from h2c.db import dump, restore

    source = seeded_app_database(pg_source)
    path = tmp_path / "latest.dump"
    dump.dump(source, path)
    target = pg_target.new_database()
    assert restore.restore(path, target, jobs=2).ok
    return source, target


def _data(got: dict[str, Any]) -> dict[str, Any]:
    return {k[0]: v for k, v in got.items() if k != "http" and k[0].startswith("test_data")}


@pytest.mark.postgres
def test_data_matches_then_a_table_with_fewer_rows_fails(
    tmp_path, monkeypatch, capsys, bases, databases
) -> None:
    source, target = databases
    monkeypatch.setenv("H2C_TEST_TARGET", target)
    args = ("--requests", str(_paths(tmp_path)), "--source", source, "--target",
            "$H2C_TEST_TARGET", "--quiet", "0.2", "--checksums")  # fmt: skip
    code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    assert code == 0, {k: v["reason"] for k, v in _data(got).items()}
    assert _data(got)["test_data::test_checksums"]["result"] == "passed"
    run_sql(target, (FIXTURES.parent / "db" / "broken" / "missing_rows.sql").read_text())
    code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario(), *args)
    data = _data(got)
    assert code == 1
    assert (
        "public.order_items (Heroku 10000, Convox 9980)"
        in data["test_data::test_row_counts"]["reason"]
    )
    assert data["test_data::test_source_not_being_written"]["result"] == "passed"


@pytest.mark.postgres
def test_source_still_being_written_fails_and_says_maintenance_is_off(
    tmp_path, monkeypatch, capsys, bases, databases
) -> None:
    import threading

    source, target = databases
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            run_sql(
                source, "INSERT INTO public.audit_log (happened_at, action) VALUES (now(), 'x')"
            )
            stop.wait(0.05)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        code, got = compare(tmp_path, monkeypatch, capsys, bases, scenario(), "--requests",
                            str(_paths(tmp_path)), "--source", source, "--target", target,
                            "--quiet", "1")  # fmt: skip
    finally:
        stop.set()
        writer.join()
    reason = _data(got)["test_data::test_source_not_being_written"]["reason"]
    assert code == 1
    assert "still being written" in reason and "public.audit_log" in reason
    assert "maintenance mode is off" in reason
