"""load_app: reading an app directory and the CLI exports, merging, and naming files as typed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from h2c.errors import InputError
from h2c.heroku.app import load_app
from h2c.model import FormationEntry, Severity

REPO = Path(__file__).resolve().parents[2]
ADDONS = REPO / "fixtures" / "heroku" / "addons.json"
SAMPLE = REPO / "fixtures" / "apps" / "django-sample"

APP_JSON = {
    "name": "notes",
    "env": {"SECRET_KEY": {"generator": "secret"}},
    "addons": ["heroku-postgresql:essential-0"],
    "formation": {"web": {"quantity": 2, "size": "standard-2x"}},
    "scripts": {"postdeploy": "python manage.py migrate"},
    "buildpacks": [{"url": "heroku/python"}],
    "stack": "heroku-24",
}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Django app at ``apps/notes`` under a temporary working directory."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "apps" / "notes",
        {
            "Procfile": "web: gunicorn notes.wsgi\nrelease: python manage.py migrate\n",
            "app.json": json.dumps(APP_JSON),
            "requirements.txt": "Django==5.2\ngunicorn\n",
            ".python-version": "3.12\n",
            "manage.py": "",
            "Aptfile": "libpq-dev\n",
            "bin/post_compile": "#!/bin/sh\n",
        },
    )
    return Path("apps/notes")


def test_loads_everything(app: Path) -> None:
    spec = load_app(app)
    assert spec.name == "notes"
    assert [p.name for p in spec.processes] == ["web", "release"]
    assert (spec.runtime.version, spec.runtime.package_manager) == ("3.12", "pip")
    assert (spec.runtime.framework, spec.runtime.collectstatic) == ("django", True)
    assert spec.runtime.apt_packages == ("libpq-dev",)
    assert spec.runtime.post_compile and not spec.runtime.pre_compile
    assert [a.attachment for a in spec.addons] == ["DATABASE"]
    assert spec.formation == (FormationEntry("web", 2, "standard-2x"),)
    assert [e.key for e in spec.env_decls] == ["SECRET_KEY"]
    assert spec.scripts == (("postdeploy", "python manage.py migrate"),)
    assert (spec.buildpacks, spec.stack, spec.config) == (("heroku/python",), "heroku-24", ())


def test_name_falls_back_to_directory(app: Path) -> None:
    (app / "app.json").unlink()
    spec = load_app(app)
    assert spec.name == "notes"
    assert spec.addons == () and spec.formation == ()


def test_exports_override_app_json(app: Path, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "exports/config.env": "DISABLE_COLLECTSTATIC=1\nSECRET_KEY='a b'\n",
            "exports/ps.txt": "web=1:Performance-M release=0\n",
        },
    )
    shutil.copy(ADDONS, tmp_path / "exports" / "addons.json")
    spec = load_app(
        app,
        config=Path("exports/config.env"),
        addons=Path("exports/addons.json"),
        formation=Path("exports/ps.txt"),
    )
    assert [a.service for a in spec.addons] == ["heroku-postgresql", "heroku-redis", "papertrail"]
    assert {a.source for a in spec.addons} == {"exports/addons.json"}
    assert spec.formation == (
        FormationEntry("web", 1, "performance-m"),
        FormationEntry("release", 0, "standard-1x"),
    )
    assert [c.key for c in spec.config] == ["DISABLE_COLLECTSTATIC", "SECRET_KEY"]
    secret = spec.config_value("SECRET_KEY")
    assert secret is not None and secret.reveal() == "a b"
    assert spec.runtime.collectstatic is False
    assert any("replaced" in f.message for f in spec.findings)


def test_findings_from_every_reader_are_collected(app: Path) -> None:
    write(
        app,
        {
            "Procfile": "web: a\nweb: b\n",
            "runtime.txt": "python-3.12.3\n",
            "app.json": json.dumps({**APP_JSON, "mystery": 1, "formation": {"clock": {}}}),
        },
    )
    spec = load_app(app)
    messages = [(f.severity, f.file, f.message) for f in spec.findings]
    assert any(s is Severity.WARNING and f == "apps/notes/Procfile" for s, f, _ in messages)
    assert any(f == "apps/notes/runtime.txt" and "deprecated" in m for _, f, m in messages)
    assert any(f == "apps/notes/app.json" and "mystery" in m for _, f, m in messages)
    assert any("'clock'" in m and "Procfile does not define" in m for _, _, m in messages)


def test_manage_py_found_below_the_root(app: Path) -> None:
    (app / "manage.py").unlink()
    write(app, {"src/manage.py": "", "node_modules/x/manage.py": ""})
    assert load_app(app).runtime.django_manage == "src/manage.py"


def test_requirement_includes_are_read(app: Path) -> None:
    write(app, {"requirements.txt": "-r reqs/base.txt\n", "reqs/base.txt": "Django\n"})
    runtime = load_app(app).runtime
    assert runtime.dependency_files == ("requirements.txt", "reqs/base.txt")
    assert runtime.framework == "django"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Procfile": None}, "apps/notes/Procfile: not found; expected a Heroku Procfile"),
        ({"Procfile": "web: a\nbad line\n"}, "apps/notes/Procfile:2: expected"),
        ({"Procfile": b"web: a\nworker: \xff\n"}, "apps/notes/Procfile:2: not valid UTF-8"),
        ({"app.json": "{"}, "apps/notes/app.json:1:2: invalid JSON"),
        ({"requirements.txt": b"\xfe"}, "apps/notes/requirements.txt:1: not valid UTF-8"),
        ({".python-version": "3.8\n"}, "apps/notes/.python-version:1: Python 3.8"),
        ({"Pipfile": ""}, "apps/notes: multiple Python package manager files"),
    ],
)
def test_errors_name_files_as_typed(
    app: Path, change: dict[str, str | bytes | None], message: str
) -> None:
    for name, content in change.items():
        if content is None:
            (app / name).unlink()
        else:
            write(app, {name: content})
    with pytest.raises(InputError) as info:
        load_app(app)
    assert str(info.value).startswith(message)


def test_missing_exports_are_input_errors(app: Path) -> None:
    with pytest.raises(InputError, match=r"^nope.env: not found; expected the output of"):
        load_app(app, config=Path("nope.env"))
    with pytest.raises(InputError, match=r"^nope.json: not found"):
        load_app(app, addons=Path("nope.json"))
    with pytest.raises(InputError, match=r"^nope.txt: not found"):
        load_app(app, formation=Path("nope.txt"))


def test_app_dir_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        load_app(tmp_path / "missing")


def test_dot_app_dir_shows_bare_names(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    write(Path("."), {"Procfile": "oops\n"})
    with pytest.raises(InputError, match=r"^Procfile:1: "):
        load_app(Path("."))
    write(Path("."), {"Procfile": "web: a\n"})
    assert load_app(Path(".")).name == "notes"


def test_bundled_sample_app_loads() -> None:
    spec = load_app(SAMPLE, addons=ADDONS)
    assert spec.process("web") is not None
    assert spec.runtime.framework == "django"
    assert spec.runtime.package_manager == "pip"
