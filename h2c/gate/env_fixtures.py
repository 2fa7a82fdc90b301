"""Gate fixtures for env parity: per-key verdicts, overlays, and the env each process sees.

``checks/test_env_parity.py`` imports these fixtures and calls ``parametrize_env`` from its own
``pytest_generate_tests``, so nothing in ``h2c.gate.plugin`` has to change. Values stay
``Secret``: a running process's environ travels as hex from ``od`` to Python, is compared by
digest here, and is never printed.

The Heroku side is the ``--h2c-config`` export, else the one h2c.toml ``[heroku] config``
names. Without either the per-key checks are **not run** (skipped, with the reason in the
summary); with ``H2C_REQUIRE_HEROKU_SIDE=1`` (``h2c check --require-heroku-side``) that is a
failure.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest

from h2c.artifacts.app import GateApp
from h2c.artifacts.envsides import EnvSides, sides_from
from h2c.errors import H2cError, VerificationFailed
from h2c.gate.settings import session_app
from h2c.render.multiline import decode_twins
from h2c.runplan.argv import gate_processes
from h2c.runplan.plan import container_envs, planned_resources
from h2c.secret import Secret
from h2c.verdicts.envparity import KeyVerdict
from h2c.verdicts.envruntime import ENVIRON_ARGS, environ_from_hex

KEYS = pytest.StashKey[dict[str, list[str]]]()
UNKNOWN = "?"
NO_HEROKU_SIDE = "no-heroku-side"
REQUIRE_HEROKU_SIDE = "H2C_REQUIRE_HEROKU_SIDE"


def env_sides(app: GateApp) -> EnvSides:
    """Both sides of the app under test: its Heroku export vs. convox.env and convox.yml."""
    return sides_from(app.config, app.app_env, app.convox, app.spec, app.h2c_toml.env)


def overlays(app: GateApp) -> dict[str, Secret]:
    """Every ``<NAME>_URL`` the app env overlays, in any service (the value each service gets)."""
    found: dict[str, Secret] = {}
    for env in container_envs(app, planned_resources(app)).values():
        found.update({k: e.value for k, e in env.items() if e.source == "overlay" and
                      k.endswith("_URL")})  # fmt: skip
    return found


def no_heroku_side(app: GateApp) -> str | None:
    """Why the env parity checks cannot run (None when a Heroku side is there)."""
    if app.heroku_side:
        return None
    return (
        "not run: no Heroku side (pass --config FILE, or record it in h2c.toml "
        '[heroku] config = "FILE"; `h2c generate --config` does)'
    )


def require_heroku_side(app: GateApp) -> None:
    """Skip (or fail, with H2C_REQUIRE_HEROKU_SIDE=1) when there is nothing to compare with."""
    __tracebackhide__ = True
    why = no_heroku_side(app)
    if why is None:
        return
    if os.environ.get(REQUIRE_HEROKU_SIDE) == "1":
        pytest.fail(f"{why} ({REQUIRE_HEROKU_SIDE}=1)", pytrace=False)
    pytest.skip(why)


def _values(config: pytest.Config) -> dict[str, list[str]]:
    """The keys, services and overlays to check, computed once at collection."""
    if KEYS not in config.stash:
        values = {"keys": [UNKNOWN], "services": [UNKNOWN], "overlays": [UNKNOWN]}
        if getattr(config.option, "h2c_app", None):
            with contextlib.suppress(H2cError):  # the fixture reports the real reason, by name
                app = session_app(config)
                values["keys"] = (
                    [NO_HEROKU_SIDE]
                    if no_heroku_side(app)
                    else [v.key for v in env_sides(app).diff()]
                )
                names = app.service_names
                values["services"] = [
                    p for p in gate_processes(list(app.processes)) if names.get(p) in app.services
                ]
                values["overlays"] = sorted(overlays(app))
        config.stash[KEYS] = values
    return config.stash[KEYS]


def parametrize_env(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``gate_env_key`` (keys), ``gate_env_process`` (Procfile processes) and
    ``gate_overlay_key`` (overlaid resource URLs); ids are the names."""
    for fixture, kind in (
        ("gate_env_key", "keys"),
        ("gate_env_process", "services"),
        ("gate_overlay_key", "overlays"),
    ):
        if fixture in metafunc.fixturenames:
            values = _values(metafunc.config)[kind]
            if values:
                metafunc.parametrize(fixture, values, ids=values)
            else:
                metafunc.parametrize(
                    fixture, [pytest.param(None, marks=pytest.mark.h2c_nothing_to_check)]
                )


def parametrize_env_keys(metafunc: pytest.Metafunc) -> None:
    """The former name of ``parametrize_env``."""
    parametrize_env(metafunc)


@pytest.fixture(scope="session")
def gate_env_verdicts(gate_app: GateApp) -> dict[str, KeyVerdict]:
    """Key -> verdict of the Heroku vs Convox env diff (bad h2c.toml: InputError, exit 2)."""
    return {v.key: v for v in env_sides(gate_app).diff()}


def expected_process_env(env: dict[str, Secret]) -> dict[str, Secret]:
    """What the app process must see: its container env plus the values the entrypoint shim
    decodes from their base64 twins."""
    return {**env, **decode_twins(env)}


def read_process_env(container: Any) -> dict[str, Secret]:
    """The environment of the app's process in a running container (PID 1, or the init's
    child), as Secrets (never printed)."""
    rc, text = container.exec(ENVIRON_ARGS)
    if rc != 0:
        raise VerificationFailed(f"could not read the app process's environ (exit {rc})")
    try:
        return environ_from_hex(text if isinstance(text, str) else text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise VerificationFailed("unexpected output from od reading the process environ") from None


@pytest.fixture
def gate_env_seen(
    request: pytest.FixtureRequest, gate_env_process: str, gate_app: GateApp
) -> tuple[str, dict[str, Secret]]:
    """The service of the process under test and the env its app process sees. When the gate
    cannot read it (the process was not started, is not running, its environ is unreadable)
    that is an error at setup, not a failed check: the gate could not judge (a crash is
    ``test_process_stays_up``'s to report)."""
    from h2c.gate.services import Running

    service = gate_app.service_names.get(gate_env_process, gate_env_process)
    web: Running = request.getfixturevalue("gate_web")
    running = web if web.service == service else None
    if running is None:
        running = request.getfixturevalue("gate_processes").get(gate_env_process)
    if running is None:
        pytest.fail(f"{service} was not started by the gate: cannot read its env", pytrace=False)
    if str(running.container.status()) != "running":
        why = running.startup_error or f"exit code {running.container.exit_code()}"
        pytest.fail(f"{service} is not running ({why}): cannot read its env", pytrace=False)
    try:
        return service, read_process_env(running.container)
    except VerificationFailed as trouble:
        problem = str(trouble)
    pytest.fail(f"{service}: {problem}: cannot judge its env", pytrace=False)
