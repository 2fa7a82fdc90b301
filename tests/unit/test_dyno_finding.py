"""Code that switches on DYNO (set only on Heroku): the reader records where, the plan says so.

Each finding is reported once, by the layer that knows it: the reader records the reads (and
the formation entries the Procfile does not define), the planner what it decides about DYNO.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from h2c.cli import main
from h2c.heroku.app import dyno_reads, load_app
from h2c.model import Severity
from h2c.plan.planner import plan

REPO = Path(__file__).resolve().parents[2]
GETTING_STARTED = REPO / "fixtures" / "apps" / "getting-started"


def test_getting_started_settings_are_reported_once_with_file_and_line() -> None:
    spec = load_app(GETTING_STARTED)
    assert not [f for f in spec.findings if "DYNO" in f.message]  # a fact, not a finding
    found = [f for f in plan(spec).findings if "DYNO" in f.message]
    assert [(f.severity, f.file, f.line) for f in found] == [
        (Severity.WARNING, "gettingstarted/settings.py", 19)
    ]


def test_apps_that_never_read_dyno_get_no_warning() -> None:
    for name in ("django-sample", "flask-uv", "hard-cases"):
        assert dyno_reads(REPO / "fixtures" / "apps" / name) == ()


def test_both_quote_styles_count_and_virtualenvs_and_comments_in_prose_do_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.py").write_text("import os\n\nON = 'DYNO' in os.environ\n")
    (tmp_path / "b.py").write_text('# the DYNO variable\nX = os.environ.get("DYNO")\n')
    (tmp_path / "c.py").write_text("# DYNO is set by Heroku\n")
    venv = tmp_path / ".venv" / "lib"
    venv.mkdir(parents=True)
    (venv / "d.py").write_text("'DYNO'\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "e.py").write_text("'DYNO'\n")
    assert dyno_reads(tmp_path) == (("DYNO", "a.py", 3), ("DYNO", "b.py", 2))


def test_the_model_records_where_dyno_is_read_relative_to_the_app() -> None:
    expected = (("DYNO", "gettingstarted/settings.py", 19),)
    assert load_app(GETTING_STARTED).reads_platform_env == expected
    assert load_app(REPO / "fixtures" / "apps" / "flask-uv").reads_platform_env == ()


@pytest.mark.parametrize("command", ["inspect", "generate"])
def test_each_finding_is_printed_once(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app"
    shutil.copytree(GETTING_STARTED, app)
    formation = tmp_path / "formation.txt"
    formation.write_text("web=1 clock=1\n")  # clock: not in the Procfile
    assert main([command, str(app), "--formation", str(formation)]) == 0
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    dyno = [line for line in lines if "reads DYNO" in line]
    clock = [line for line in lines if "'clock'" in line]
    assert len(dyno) == 1, dyno
    assert "gettingstarted/settings.py:19" in dyno[0]
    assert clock == [
        f"warning: {formation}: formation scales 'clock', which the Procfile does not define"
    ]
