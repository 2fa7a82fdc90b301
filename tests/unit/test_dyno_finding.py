"""The reader warns when the app's code switches on DYNO (set only on Heroku)."""

from __future__ import annotations

from pathlib import Path

from h2c.heroku.app import DYNO_HAZARD, dyno_findings, load_app
from h2c.model import Severity

REPO = Path(__file__).resolve().parents[2]


def test_getting_started_settings_are_reported_with_file_and_line() -> None:
    app = REPO / "fixtures" / "apps" / "getting-started"
    found = [f for f in load_app(app).findings if f.message == DYNO_HAZARD]
    assert [(f.severity, Path(f.file or "").name, f.line) for f in found] == [
        (Severity.WARNING, "settings.py", 19)
    ]


def test_apps_that_never_read_dyno_get_no_warning() -> None:
    for name in ("django-sample", "flask-uv", "hard-cases"):
        assert dyno_findings(REPO / "fixtures" / "apps" / name) == []


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
    found = [(Path(f.file or "").name, f.line) for f in dyno_findings(tmp_path)]
    assert found == [("a.py", 3), ("b.py", 2)]


def test_the_model_records_where_dyno_is_read_relative_to_the_app() -> None:
    app = REPO / "fixtures" / "apps" / "getting-started"
    expected = (("DYNO", "gettingstarted/settings.py", 19),)
    assert load_app(app).reads_platform_env == expected
    assert load_app(REPO / "fixtures" / "apps" / "flask-uv").reads_platform_env == ()
