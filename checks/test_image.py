"""The image: it builds, runs as a non-root user, holds no secret, and has what it runs."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

import pytest

from h2c.adapters.contracts import Container, Engine
from h2c.adapters.docker_types import ImageInfo
from h2c.artifacts.app import GateApp
from h2c.artifacts.dockerfile import dockerfile_workdir
from h2c.gate.asserts import assert_empty, fail
from h2c.gate.fixtures import BuildOutcome
from h2c.gate.settings import GateSettings
from h2c.runplan.argv import entry_point, resolve_args
from h2c.verdicts import leaks

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def image_info(gate_engine: Engine, gate_image: str) -> ImageInfo:
    return gate_engine.image_info(gate_image)


@pytest.fixture(scope="module")
def shell_host(gate_shell: Container) -> Any:
    """pytest-testinfra's docker backend on an idle container of the image."""
    import testinfra

    return testinfra.get_host(f"docker://{gate_shell.id}")


def test_builds(
    gate_build: BuildOutcome,
    gate_redact: Callable[[str], str],
    request: pytest.FixtureRequest,
) -> None:
    request.node.user_properties.append(("build", f"{gate_build.seconds:.0f}s"))
    if gate_build.tag is None:
        fail(
            f"the image did not build; failing step: {gate_build.step}\n"
            f"log tail ({gate_build.log_file}):\n{gate_redact(gate_build.log_tail)}"
        )


def test_runs_as_non_root(image_info: ImageInfo) -> None:
    user = str(image_info.user or "").strip()
    if user.split(":")[0] in ("", "root", "0"):
        fail(f"the image runs as root (Config.User={user!r}); add a USER line to the Dockerfile")


def test_exposes_web_port(image_info: ImageInfo, gate_config: GateSettings) -> None:
    exposed = sorted(int(str(p).split("/")[0]) for p in image_info.exposed_ports or ())
    if gate_config.port not in exposed:
        fail(f"the image exposes {exposed or 'no port'}; convox.yml says {gate_config.port}")


def test_cmd_runs_web(image_info: ImageInfo, gate_app: GateApp, gate_config: GateSettings) -> None:
    cmd = list(image_info.entrypoint or []) + list(image_info.cmd or [])
    if not cmd:
        fail("the image has no CMD: `docker run` of it would start nothing")
    expected = (gate_app.services.get(gate_config.web) or {}).get("command")
    if expected and entry_point(cmd) != entry_point(expected):
        fail(
            f"the image CMD starts {entry_point(cmd)!r}, "
            f"convox.yml {gate_config.web} starts {entry_point(expected)!r}"
        )


def test_no_env_file_in_image(gate_shell: Container, gate_app: GateApp) -> None:
    workdir = dockerfile_workdir(gate_app.dockerfile)
    found = []
    for name in (".env", "convox.env"):
        path = f"{workdir.rstrip('/')}/{name}"
        rc, _ = gate_shell.exec(["test", "-e", path])
        if rc == 0:
            found.append(path)
    assert_empty(found, "the image holds env files (add them to .dockerignore):")


def test_no_config_value_in_metadata(
    image_info: ImageInfo, gate_app: GateApp, shell_host: Any
) -> None:
    needles = leaks.secret_needles(
        {**gate_app.config, **gate_app.app_env}, published=gate_app.published_values
    )
    history = "\n".join(str(h) for h in image_info.history or ())
    env_text = shell_host.run("env").stdout
    found = leaks.text_leaks({"image history": history, "image ENV": env_text}, needles)
    assert_empty(found, "config values are baked into the image (keys shown, values hidden):")


def test_no_config_value_in_files(
    gate_image: str, gate_app: GateApp, request: pytest.FixtureRequest
) -> None:
    """Every file of every layer, read from the host as root (``docker save``): files only
    root may read and files a later layer deleted are searched too; no container is started,
    so no config value sits in a container's env."""
    from h2c.adapters import image_export

    needles = leaks.secret_needles(
        {**gate_app.config, **gate_app.app_env}, published=gate_app.published_values
    )
    if not needles:
        return
    with image_export.saved(gate_image) as stream:
        scan = leaks.scan_saved_image(stream, needles)
    request.node.user_properties.append(("files", scan.files))
    if scan.skipped:
        request.node.user_properties.append(("skipped (too large)", "; ".join(scan.skipped)))
    assert_empty(
        [str(hit) for hit in scan.hits],
        "config values are in the image's files (keys shown, values hidden):",
    )


# Per runtime language (or Node.js package manager): the command that exits non-zero when an
# installed dependency is missing or conflicts (npm: a package the app depends on is absent or
# at a wrong version). pnpm links each package's own dependencies beside it, a layout npm
# cannot walk past the app's direct dependencies: those are checked.
DEPENDENCY_CHECKS = {
    "python": "python -m pip check",
    "node": "npm ls --omit=dev --all",
    "pnpm": "npm ls --omit=dev",
}


def test_dependencies_consistent(shell_host: Any, gate_app: GateApp) -> None:
    runtime = gate_app.spec.runtime
    key = "pnpm" if runtime.package_manager == "pnpm" else runtime.language
    command = DEPENDENCY_CHECKS.get(key, DEPENDENCY_CHECKS["python"])
    result = shell_host.run(command)
    if result.rc != 0:
        fail(f"`{command}` in the image failed (rc {result.rc}):\n{result.stdout}{result.stderr}")


def test_entry_point_resolves(gate_app: GateApp, gate_process: str, shell_host: Any) -> None:
    service = gate_app.services.get(gate_app.service_names[gate_process]) or {}
    command = service.get("command") or gate_app.processes.get(gate_process, "")
    program = entry_point(command)
    args = shlex.join(resolve_args(program))
    if not program or shell_host.run(args).rc != 0:
        fail(f"{gate_process}: {program!r} is not on the image's PATH (installed dependencies?)")


def test_image_size(image_info: ImageInfo, request: pytest.FixtureRequest) -> None:
    size = int(image_info.size_bytes)
    request.node.user_properties.append(("size", f"{size / 1e6:.0f} MB"))
    assert size > 0, "the image reports no size"
