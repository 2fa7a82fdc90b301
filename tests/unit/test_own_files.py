"""An app that already has a Dockerfile, a docker-compose.yml and a .dockerignore of its own.

fixtures/apps/own-dockerfile has all three for local development (``ADD . /code/``, a
.dockerignore that lets ``.env`` through). h2c must leave them alone, write its own beside
them, point convox.yml at its Dockerfile, and keep secret files out of the build context.
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

import pytest
import yaml

from h2c.adapters.files import existing_layout
from h2c.artifacts.app import build_manifest, load_target
from h2c.artifacts.validate import validate_compose, validate_convox_yml
from h2c.errors import InputError
from h2c.heroku.app import load_app
from h2c.render.bundle import render_all
from h2c.render.layout import BLOCK_BEGIN, H2C_COMPOSE, H2C_DOCKERFILE, Layout, with_h2c_block
from tests.golden_cases import APPS

APP = APPS / "own-dockerfile"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    target = tmp_path / "own-dockerfile"
    shutil.copytree(APP, target)
    return target


def test_the_apps_own_files_move_h2cs_beside_them(app: Path) -> None:
    layout = existing_layout(app)
    assert layout == Layout(
        dockerfile=H2C_DOCKERFILE,
        compose=H2C_COMPOSE,
        dockerignore=(app / ".dockerignore").read_text(),
    )
    rendered = render_all(load_app(app), layout)
    paths = [f.path for f in rendered.files]
    assert H2C_DOCKERFILE in paths and H2C_COMPOSE in paths
    assert "Dockerfile" not in paths and "docker-compose.yml" not in paths
    convox = rendered.file("convox.yml").content
    assert validate_convox_yml(convox) == []
    doc = yaml.safe_load(convox)
    assert doc["services"]["web"]["build"] == {"path": ".", "manifest": H2C_DOCKERFILE}
    compose = rendered.file(H2C_COMPOSE).content
    assert validate_compose(compose, file=H2C_COMPOSE) == []
    web = yaml.safe_load(compose)["services"]["web"]
    assert web["build"] == {"context": ".", "dockerfile": H2C_DOCKERFILE}
    files = {f.file for f in rendered.findings}
    assert {"Dockerfile", "docker-compose.yml", ".dockerignore"} <= files


def _ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule for a root-level file: the last matching line wins, ``!`` re-includes."""
    result = False
    for line in patterns:
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            if fnmatch.fnmatchcase(path, line.lstrip("!").lstrip("/")):
                result = not negated
    return result


def test_the_block_keeps_secret_files_out_and_h2cs_dockerfile_in() -> None:
    app_own = "*\n!app.py\n"  # even an app that ignores everything keeps h2c's Dockerfile
    text = with_h2c_block(app_own, keep=(H2C_DOCKERFILE,))
    patterns = text.splitlines()
    for secret in (".env", ".env.local", "convox.env", "prod.env"):
        assert _ignored(patterns, secret), secret
    assert not _ignored(patterns, H2C_DOCKERFILE)
    assert text.startswith(app_own)
    assert with_h2c_block(text, keep=(H2C_DOCKERFILE,)) == text
    assert text.count(BLOCK_BEGIN) == 1


def test_an_outdated_block_is_replaced_in_place() -> None:
    old = f"a\n{BLOCK_BEGIN}\n.env\n# <<< h2c\nb\n"
    new = with_h2c_block(old, keep=("Dockerfile",))
    lines = new.splitlines()
    assert lines[0] == "a" and lines[-1] == "b"
    assert "convox.env" in lines and "!Dockerfile" in lines


def test_adopting_the_apps_dockerfile_writes_none_and_builds_with_it(app: Path) -> None:
    layout = existing_layout(app, adopt_dockerfile=True, adopt_compose=True)
    rendered = render_all(load_app(app), layout)
    paths = [f.path for f in rendered.files]
    assert not {"Dockerfile", H2C_DOCKERFILE, "docker-compose.yml", H2C_COMPOSE} & set(paths)
    doc = yaml.safe_load(rendered.file("convox.yml").content)
    assert build_manifest(doc) == "Dockerfile"


def test_adopting_a_file_that_is_not_there_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file to adopt"):
        existing_layout(tmp_path, adopt_dockerfile=True)


def test_a_folder_without_files_of_its_own_keeps_the_usual_names(tmp_path: Path) -> None:
    assert existing_layout(tmp_path) == Layout()


def test_the_gate_reads_the_dockerfile_convox_yml_builds_with(app: Path) -> None:
    from h2c.cli import main

    assert main(["generate", str(app)]) == 0
    target = load_target(app)
    assert target.dockerfile_name == H2C_DOCKERFILE
    assert target.dockerfile == (app / H2C_DOCKERFILE).read_text()
    assert target.compose_name == H2C_COMPOSE
    assert target.compose is not None and target.compose["version"] == "2"

    assert main(["generate", str(app), "--adopt-dockerfile", "--adopt-compose"]) == 0
    (app / H2C_COMPOSE).unlink()
    adopted = load_target(app)
    assert adopted.dockerfile_name == "Dockerfile"
    assert "ADD . /code/" in adopted.dockerfile
    assert adopted.compose_name == "docker-compose.yml"
