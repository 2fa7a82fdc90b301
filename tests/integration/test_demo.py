"""`h2c demo`, the README's main job, passes offline end to end; so does `h2c demo --app node`."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Each sample: its arguments, the summary it must end with, a line only its own gate prints.
DEMOS = {
    "django": ([], "on the bundled Django sample (django-sample)", "public.notes_author"),
    "node": (["--app", "node"], "on the bundled Node.js sample (node-sample)", "knex_migrations"),
}


@pytest.mark.docker
@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(DEMOS))
def test_demo_passes_every_step(engine: object, app: str) -> None:
    argv, summary, own_table = DEMOS[app]
    done = subprocess.run(
        [sys.executable, "-m", "h2c.cli", "demo", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"h2c demo: PASS (8 of 8 steps ok) {summary}" in done.stdout
    assert "test_database::test_row_count" in done.stdout  # the database checks ran
    assert own_table in done.stdout  # ... on this sample's own tables
    assert "Traceback" not in done.stderr
