"""The disk writer: creates, updates, keeps user edits and seeds, modes."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from h2c.adapters.files import STATE_FILE, Action, apply_writes, plan_writes
from h2c.cli import main
from tests.golden_cases import golden_cases


@dataclass(frozen=True)
class F:
    path: str
    content: str
    mode: int = 0o644
    secret: bool = False


def write(files: list[F], out: Path, *, force: bool = False) -> dict[str, Action]:
    outcomes = plan_writes(files, out, force=force, seeds=frozenset({"h2c.toml"}))
    apply_writes(files, out, outcomes)
    return {o.path: o.action for o in outcomes}


def test_first_run_creates_and_second_run_changes_nothing(tmp_path: Path) -> None:
    files = [F("Dockerfile", "FROM x\n"), F("convox.env", "A=1\n", 0o600, True)]
    assert write(files, tmp_path) == {"Dockerfile": Action.CREATE, "convox.env": Action.CREATE}
    assert write(files, tmp_path) == {
        "Dockerfile": Action.UNCHANGED,
        "convox.env": Action.UNCHANGED,
    }


def test_secret_file_is_private_and_its_diff_hides_content(tmp_path: Path) -> None:
    files = [F("convox.env", "TOKEN=hunter2\n", 0o600, True)]
    (outcome,) = plan_writes(files, tmp_path, force=False)
    assert "hunter2" not in outcome.diff
    apply_writes(files, tmp_path, [outcome])
    assert stat.S_IMODE((tmp_path / "convox.env").stat().st_mode) == 0o600


def test_regenerated_file_is_updated_when_user_did_not_touch_it(tmp_path: Path) -> None:
    write([F("Dockerfile", "FROM a\n")], tmp_path)
    assert write([F("Dockerfile", "FROM b\n")], tmp_path) == {"Dockerfile": Action.UPDATE}
    assert (tmp_path / "Dockerfile").read_text() == "FROM b\n"


def test_user_edit_is_kept_without_force(tmp_path: Path) -> None:
    write([F("Dockerfile", "FROM a\n")], tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM a\nRUN echo mine\n")
    assert write([F("Dockerfile", "FROM b\n")], tmp_path) == {"Dockerfile": Action.KEPT_EDITED}
    assert "mine" in (tmp_path / "Dockerfile").read_text()
    assert write([F("Dockerfile", "FROM b\n")], tmp_path, force=True) == {
        "Dockerfile": Action.UPDATE
    }


def test_unknown_existing_file_counts_as_the_users(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM handmade\n")
    assert write([F("Dockerfile", "FROM b\n")], tmp_path) == {"Dockerfile": Action.KEPT_EDITED}


def test_seed_is_written_once_then_left_alone(tmp_path: Path) -> None:
    assert write([F("h2c.toml", "a = 1\n")], tmp_path) == {"h2c.toml": Action.CREATE}
    assert write([F("h2c.toml", "a = 2\n")], tmp_path) == {"h2c.toml": Action.KEPT_SEED}


def test_dry_run_diff_is_unified(tmp_path: Path) -> None:
    write([F("convox.yml", "services: {}\n")], tmp_path)
    (outcome,) = plan_writes([F("convox.yml", "services: {web: {}}\n")], tmp_path, force=False)
    assert outcome.diff.startswith("--- a/convox.yml\n+++ b/convox.yml\n")
    assert "+services: {web: {}}" in outcome.diff


def test_a_second_generate_writes_nothing_not_even_its_state(tmp_path: Path) -> None:
    case = next(c for c in golden_cases() if c.name == "django-sample")
    app = tmp_path / case.name
    shutil.copytree(case.app_dir, app)
    assert main(["generate", str(app), *case.cli_args()]) == 0
    assert (app / STATE_FILE).is_file()
    # Back-date every file, so a rewrite shows even on a file system with coarse timestamps.
    for path in app.rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = {path: path.stat().st_mtime_ns for path in app.rglob("*")}
    assert main(["generate", str(app), *case.cli_args()]) == 0
    assert {path: path.stat().st_mtime_ns for path in app.rglob("*")} == before
