"""The disk writer: creates, updates, keeps user edits and seeds, modes."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from h2c.adapters.files import Action, apply_writes, plan_writes


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
