"""The generated files on their own: present, valid, consistent. No engine needed."""

from __future__ import annotations

import stat

from h2c.adapters import hadolint as lint
from h2c.artifacts.app import GateApp
from h2c.gate.asserts import assert_empty, fail
from h2c.gate.settings import GateSettings
from h2c.verdicts.ports import port_disagreement, web_port_places


def test_artifact_present(gate_app: GateApp, gate_artifact: str) -> None:
    if gate_artifact not in gate_app.present:
        fail(f"{gate_artifact} is missing from {gate_app.dir}: run `h2c generate` again")


def test_env_file_is_private(gate_app: GateApp) -> None:
    path = gate_app.dir / "convox.env"
    if not path.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        fail(f"convox.env is mode {mode:04o}; it holds config values: chmod 600 it")


def test_dockerignore_excludes_env_files(gate_app: GateApp) -> None:
    text = (gate_app.dir / ".dockerignore").read_text(encoding="utf-8")
    patterns = {line.strip().lstrip("/") for line in text.splitlines()}
    missing = [name for name in (".env", "convox.env") if name not in patterns]
    assert_empty(missing, ".dockerignore does not exclude files that hold config values:")


def test_dockerfile_lint(gate_app: GateApp) -> None:
    findings = lint.failing(lint.lint_dockerfile(gate_app.dir / gate_app.dockerfile_name))
    assert_empty(findings, "hadolint found problems in the Dockerfile (rule, line, message):")


def test_convox_yml_valid(gate_app: GateApp) -> None:
    from h2c.artifacts.validate import validate_convox_yml

    path = gate_app.dir / "convox.yml"
    problems = validate_convox_yml(path.read_text(encoding="utf-8"), file=str(path))
    assert_empty(problems, "convox.yml breaks the Convox v3 rules:")


def test_compose_valid(gate_app: GateApp) -> None:
    from h2c.artifacts.validate import validate_compose

    path = gate_app.dir / gate_app.compose_name
    problems = validate_compose(path.read_text(encoding="utf-8"), file=gate_app.compose_name)
    assert_empty(problems, f"{gate_app.compose_name} breaks the Convox Gen1 rules:")


def test_process_has_service(gate_app: GateApp, gate_process: str) -> None:
    name = gate_app.service_names[gate_process]
    if name not in gate_app.services:
        known = ", ".join(sorted(gate_app.services)) or "(none)"
        fail(f"Procfile process {gate_process!r} has no convox.yml service {name!r} ({known})")


def test_web_port_agrees(gate_app: GateApp, gate_config: GateSettings) -> None:
    places = web_port_places(
        gate_app.dockerfile, gate_app.convox, gate_app.compose, gate_config.web
    )
    message = port_disagreement(places)
    if message:
        fail(message)
