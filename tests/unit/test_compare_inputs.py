"""Request lists, CLI tables, process and schedule verdicts, the report's masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from h2c.adapters.convox_cli import ConvoxCli, Process
from h2c.compare.clitext import parse_labels, parse_table
from h2c.compare.diffy import FieldDiff, PathVerdict
from h2c.compare.report import render
from h2c.compare.requestlist import Request, parse_requests
from h2c.compare.verdicts import process_verdicts, schedule_verdicts
from h2c.errors import InputError
from h2c.gate.summary import Record
from h2c.model import FormationEntry, ScheduledJob
from tests.integration.compare_env import BIN, scenario, write_scenario


def test_router_log_lines_give_deduplicated_get_paths() -> None:
    text = "\n".join([
        'heroku[router]: at=info method=GET path="/a?b=1" host=shop.herokuapp.com status=200',
        'heroku[router]: at=info method=PUT path="/a" host=shop.herokuapp.com status=200',
        'heroku[router]: at=info method=GET path="/a?b=1" host=shop.herokuapp.com status=200',
        "/plain", "HEAD /h",
    ])  # fmt: skip
    got = parse_requests(text, file="r.log")
    assert got.requests == (Request("/a?b=1"), Request("/plain"), Request("/h", "HEAD"))
    assert (got.skipped_unsafe, got.duplicates) == (1, 1)


@pytest.mark.parametrize("line", ["POST /x", "PATCH /x", "DELETE /x", "PUT /x"])
def test_a_hand_written_write_request_is_refused(line: str) -> None:
    with pytest.raises(InputError, match=r"r\.txt:2: .* is never sent"):
        parse_requests("/\n" + line + "\n", file="r.txt")


def test_table_cells_with_spaces_and_an_empty_last_cell() -> None:
    text = (
        "ID                   SERVICE  STATUS   RELEASE     STARTED      COMMAND\n"
        "web-5d8f9c7b4-abcde  web      running  RABCDEFGHI  2 days ago   gunicorn shop.wsgi -w 2\n"
        "worker-1             worker   crashed  RABCDEFGHI  3 hours ago  \n"
    )
    rows = parse_table(text)
    assert rows[0]["COMMAND"] == "gunicorn shop.wsgi -w 2" and rows[0]["STARTED"] == "2 days ago"
    assert rows[1] == {"ID": "worker-1", "SERVICE": "worker", "STATUS": "crashed",
                       "RELEASE": "RABCDEFGHI", "STARTED": "3 hours ago",
                       "COMMAND": ""}  # fmt: skip
    assert parse_labels("Name     shop\nRelease  RA\n") == {"Name": "shop", "Release": "RA"}


def test_process_type_missing_crashed_or_on_another_release() -> None:
    formation = [
        FormationEntry(t, n, "standard-1x") for t, n in (("web", 2), ("worker", 1), ("clock", 1))
    ]
    processes = [Process("w1", "web", "running", "R2"), Process("w2", "web", "running", "R1"),
                 Process("k1", "worker", "crashed", "R2")]  # fmt: skip
    got = {v.target: (v.ok, v.message) for v in process_verdicts(formation, processes, "R2")}
    assert got["web"] == (False, "web: Heroku runs 2, Convox 1 running on R2")
    assert got["worker"][0] is False and "1 crashed" in got["worker"][1]
    assert got["clock"] == (False, "clock: Heroku runs 1, Convox has no process of this service")


def test_scheduler_job_needs_a_timer_with_schedule_and_command() -> None:
    jobs = [ScheduledJob("python manage.py update_feed", 60, 30)]
    good = {"update-feed": {"schedule": "30 * * * *", "command": "python manage.py update_feed"}}
    assert [v.ok for v in schedule_verdicts(jobs, good)] == [True]
    assert [v.ok for v in schedule_verdicts(jobs, {})] == [False]


def test_report_masks_config_values_in_markdown_and_html() -> None:
    verdict = PathVerdict(
        Request("/me"), (FieldDiff("body.token", "tok-s3cret-1", "x"),), (), 200, 200
    )
    records = [Record("test_http::test_same_answer", "/me", "failed", reason="body.token")]
    for name in ("r.md", "r.html"):
        text = render(name, "t", records, [verdict], ["tok-s3cret-1"])
        assert "tok-s3cret-1" not in text and "body.token" in text
    assert render("r.html", "t", records, [verdict]).startswith("<!doctype html>")


def test_release_is_read_as_the_convox_cli_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``convox api get`` has ``--rack`` but no ``-a`` (stdcli: unknown flag): the app is in the
    path, and the JSON's ``manifest`` is the release's convox.yml."""
    monkeypatch.setenv("H2C_FAKE_STATE", str(write_scenario(tmp_path, scenario())))
    monkeypatch.setenv("H2C_FAKE_LOG", str(tmp_path / "calls.jsonl"))
    release = ConvoxCli("shop", "prod", binary=str(BIN / "convox")).release("RACTIVE")
    assert release["id"] == "RACTIVE" and "manifest" in release
    (call,) = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert call["argv"] == ["api", "get", "/apps/shop/releases/RACTIVE", "-r", "prod"]
