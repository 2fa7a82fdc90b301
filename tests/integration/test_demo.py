"""`h2c demo`, the README's main job, passes offline end to end."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.docker
@pytest.mark.postgres
@pytest.mark.slow
def test_demo_passes_every_step(engine: object) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "h2c.cli", "demo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "h2c demo: PASS (8 of 8 steps ok)" in done.stdout
    assert "test_database::test_row_count" in done.stdout  # the database checks ran
    assert "Traceback" not in done.stderr
