"""h2c postdeploy end to end: the convox test double, a container on loopback playing the
deployed web, and every must-fail / must-pass case of the issue (the data ones with PostgreSQL
in test_postdeploy_data.py)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from h2c.postdeploy.baseline import Baseline, env_baseline, to_json
from h2c.secret import Secret
from tests.integration.compare_env import engine_with_standin
from tests.integration.postdeploy_env import (
    APP,
    CONVOX,
    ENV,
    MIGRATION_STATUS,
    app_copy,
    deployed,
    rolling_out,
    scenario,
    write_scenario,
)

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def base() -> Any:
    client = engine_with_standin()
    with deployed(client) as url:
        yield url


Records = dict[tuple[str, str], dict[str, Any]]


def postdeploy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               doc: dict[str, Any], *extra: str, app: Path = APP,
               url: str | None = None) -> tuple[int, Records]:  # fmt: skip
    """Run `h2c postdeploy --json`; (exit code, {(check, target): record})."""
    monkeypatch.setenv("H2C_FAKE_STATE", str(write_scenario(tmp_path, doc)))
    monkeypatch.setenv("H2C_FAKE_LOG", str(tmp_path / "calls.jsonl"))
    argv = ["postdeploy", str(app), "--convox-app", "shop", "--convox-bin", str(CONVOX),
            "--poll", "0.1", "--timeout", "20", "--http-wait", "1", "--json", *extra]  # fmt: skip
    if url:
        argv += ["--url", url]
    code = main(argv)
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == code
    return code, {(r["check"], r["target"]): r for r in out["checks"]}


def failed(got: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {k: v["reason"] for k, v in got.items() if v["result"] in ("failed", "error")}


def calls(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]


def test_healthy_deploy_passes_and_only_reads(tmp_path, monkeypatch, capsys, base) -> None:
    junit = tmp_path / "postdeploy.xml"
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(), "--junit-xml", str(junit),
                           url=base)  # fmt: skip
    assert failed(got) == {} and code == 0
    assert {k for k in got if k[0] == "test_processes::test_service"} == {
        ("test_processes::test_service", "web"),
        ("test_processes::test_service", "worker"),
    }  # the timer's service (scale count 0) is not expected to run
    assert {k[1] for k in got if k[0] == "test_http::test_smoke"} == {"/", "/api/user"}
    assert got[("test_data::test_migrations_applied", "-")]["result"] == "passed"
    assert got[("test_data::test_rows", "-")]["result"] == "skipped"  # no baseline
    assert "testcase" in junit.read_text()
    log = calls(tmp_path)
    assert log and all(c["stdin_closed"] for c in log)
    verbs = {c["argv"][0] for c in log}
    assert verbs <= {"apps", "ps", "services", "env", "run"}
    runs = [c["argv"] for c in log if c["argv"][0] == "run"]
    assert runs == [["run", "web", MIGRATION_STATUS, "--release", "R2", "-a", "shop"]]
    envs = [c["argv"] for c in log if c["argv"][0] == "env"]
    assert envs and all(a[:3] == ["env", "--release", "R2"] for a in envs)


def test_deploy_rolling_out_that_settles_passes(tmp_path, monkeypatch, capsys, base) -> None:
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(steps=rolling_out()), url=base)
    assert failed(got) == {} and code == 0
    assert "running on R2 (2 polls in a row)" in got[("test_deploy::test_settled", "-")]["reason"]
    infos = [c for c in calls(tmp_path) if c["argv"][:2] == ["apps", "info"]]
    assert len(infos) >= 5  # four steps, the last one twice


def test_rollback_fails_at_once_naming_it(tmp_path, monkeypatch, capsys, base) -> None:
    doc = scenario(status="rollback", release="R1")
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, "--timeout", "600", url=base)
    assert code == 1
    reason = failed(got)[("test_deploy::test_settled", "-")]
    assert "rollback" in reason and "R1" in reason
    infos = [c for c in calls(tmp_path) if c["argv"][:2] == ["apps", "info"]]
    assert len(infos) <= 2  # the first poll ended the wait (one more is the active release)


def test_a_deploy_that_never_settles_fails_at_the_timeout(tmp_path, monkeypatch, capsys,
                                                         base) -> None:  # fmt: skip
    doc = scenario(status="updating")
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, "--timeout", "0.5", url=base)
    assert code == 1
    assert "did not settle in 0.5 s: last status updating" in failed(got)[
        ("test_deploy::test_settled", "-")]  # fmt: skip


def test_fewer_processes_than_scale_fails(tmp_path, monkeypatch, capsys, base) -> None:
    doc = scenario()
    doc["convox"]["processes"] = doc["convox"]["processes"][1:]
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, url=base)
    assert code == 1
    assert failed(got) == {("test_processes::test_service", "web"): "web: 1 of 2 running on R2"}


def test_crashed_process_fails(tmp_path, monkeypatch, capsys, base) -> None:
    doc = scenario()
    doc["convox"]["processes"].append({"id": "worker-7c9d8e6f5-zzzzz", "service": "worker",
                                       "status": "crashed", "release": "R2"})  # fmt: skip
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, url=base)
    assert code == 1
    assert failed(got) == {
        ("test_processes::test_service", "worker"): "worker: 1 of 1 running on R2; 1 crashed"
    }


def test_health_503_fails(tmp_path, monkeypatch, capsys, base) -> None:
    app = app_copy(tmp_path, health="/health-503")
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(), app=app, url=base)
    assert code == 1
    reason = failed(got)[("test_http::test_health", "-")]
    assert reason.startswith("/health-503 answered 503 (want 200-399) after")


def test_health_still_starting_is_retried_with_backoff(tmp_path, monkeypatch, capsys,
                                                       base) -> None:  # fmt: skip
    app = app_copy(tmp_path, health=f"/warming/{secrets.token_hex(4)}")  # 503 for 2 s
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(), "--http-wait", "20",
                           app=app, url=base)  # fmt: skip
    assert failed(got) == {} and code == 0


def test_smoke_path_500_fails(tmp_path, monkeypatch, capsys, base) -> None:
    app = app_copy(tmp_path, smoke=["/", "/redirect", "/broken-500"])
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(), app=app, url=base)
    assert code == 1
    assert failed(got) == {
        ("test_http::test_smoke", "/broken-500"): "/broken-500 answered 500 (want below 500)"
    }
    assert got[("test_http::test_smoke", "/redirect")]["result"] == "passed"


def test_url_from_the_environment(tmp_path, monkeypatch, capsys, base) -> None:
    monkeypatch.setenv("H2C_POSTDEPLOY_URL", base)  # as pytest-base-url's PYTEST_BASE_URL
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario())
    assert failed(got) == {} and code == 0


def test_required_key_missing_fails(tmp_path, monkeypatch, capsys, base) -> None:
    doc = scenario()
    del doc["convox"]["releases"]["R2"]["env"]["SECRET_KEY"]
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, url=base)
    assert code == 1
    assert failed(got) == {
        ("test_config::test_key", "SECRET_KEY"):
            "SECRET_KEY: convox.yml requires it; release R2 has no value"
    }  # fmt: skip


def test_key_changed_that_may_not_change_fails(tmp_path, monkeypatch, capsys, base) -> None:
    baseline = tmp_path / "baseline.json"
    digests = env_baseline("R1", {k: Secret(v) for k, v in ENV.items()})
    baseline.write_text(to_json(Baseline(env=digests)))
    doc = scenario()
    doc["convox"]["releases"]["R2"]["env"].update(SECRET_KEY="an0ther-value-987",
                                                  RELEASE_NOTE="v42")  # fmt: skip
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, "--baseline", str(baseline),
                           url=base)  # fmt: skip
    assert code == 1
    assert list(failed(got)) == [("test_config::test_key", "SECRET_KEY")]
    assert "changed since the baseline (release R1 -> R2)" in failed(got)[
        ("test_config::test_key", "SECRET_KEY")]  # fmt: skip
    assert "changed, as h2c.toml expects" in got[("test_config::test_key", "RELEASE_NOTE")][
        "reason"]  # fmt: skip
    text = json.dumps(list(got.values())) + baseline.read_text()
    assert "an0ther-value-987" not in text and "k3y-of-the-shop-1234" not in text


def test_pending_migration_fails(tmp_path, monkeypatch, capsys, base) -> None:
    doc = scenario(run_exit={MIGRATION_STATUS: 1})
    code, got = postdeploy(tmp_path, monkeypatch, capsys, doc, url=base)
    assert code == 1
    assert failed(got) == {
        ("test_data::test_migrations_applied", "-"):
            f"migrations pending: `{MIGRATION_STATUS}` exited 1 in web on release R2"
    }  # fmt: skip


def test_missing_cli_is_exit_3(tmp_path, capsys) -> None:
    code = main(["postdeploy", str(APP), "--convox-app", "shop", "--convox-bin",
                 str(tmp_path / "nope")])  # fmt: skip
    assert code == 3
    assert "`convox` CLI is not installed" in capsys.readouterr().err


def test_not_logged_in_is_exit_3(tmp_path, monkeypatch, capsys, base) -> None:
    code, got = postdeploy(tmp_path, monkeypatch, capsys, scenario(logged_in=False), url=base)
    assert code == 3
    assert "`convox` CLI is not logged in" in failed(got)[("test_deploy::test_settled", "-")]
