"""Gate fixtures for env parity: per-key verdicts, and the env the running web process sees.

``checks/test_env_parity.py`` imports these fixtures and calls ``parametrize_env_keys`` from
its own ``pytest_generate_tests``, so nothing in ``h2c.gate.plugin`` has to change. Values stay
``Secret``: the running process's environ travels as hex from ``od`` to Python, is compared by
digest here, and is never printed.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from h2c.artifacts.app import GateApp
from h2c.artifacts.envsides import EnvSides, sides_from
from h2c.errors import H2cError, VerificationFailed
from h2c.gate.settings import session_app
from h2c.secret import Secret
from h2c.verdicts.envparity import ENVIRON_ARGS, KeyVerdict, environ_from_hex

KEYS = pytest.StashKey[list[str]]()
UNKNOWN = "?"


def env_sides(app: GateApp) -> EnvSides:
    """Both sides of the app under test: its Heroku export vs. convox.env and convox.yml."""
    return sides_from(app.config, app.app_env, app.convox, app.spec, app.h2c_toml.env)


def _keys(config: pytest.Config) -> list[str]:
    """The keys to check, computed once at collection; ``?`` when the app cannot be read."""
    if KEYS not in config.stash:
        option = config.option
        keys = [UNKNOWN]
        if getattr(option, "h2c_app", None):
            with contextlib.suppress(H2cError):  # the fixture reports the real reason, by name
                keys = [v.key for v in env_sides(session_app(config)).diff()] or []
        config.stash[KEYS] = keys
    return config.stash[KEYS]


def parametrize_env_keys(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``gate_env_key`` with every key, ids = key names."""
    if "gate_env_key" in metafunc.fixturenames:
        keys = _keys(metafunc.config)
        if keys:
            metafunc.parametrize("gate_env_key", keys, ids=keys)
        else:
            metafunc.parametrize(
                "gate_env_key", [pytest.param(None, marks=pytest.mark.h2c_nothing_to_check)]
            )


@pytest.fixture(scope="session")
def gate_env_verdicts(gate_app: GateApp) -> dict[str, KeyVerdict]:
    """Key -> verdict of the Heroku vs Convox env diff (bad h2c.toml: InputError, exit 2)."""
    return {v.key: v for v in env_sides(gate_app).diff()}


def read_process_env(container: Any) -> dict[str, Secret]:
    """The environment of PID 1 in a running container, as Secrets (never printed)."""
    rc, text = container.exec(ENVIRON_ARGS)
    if rc != 0:
        raise VerificationFailed(f"could not read /proc/1/environ in the container (exit {rc})")
    try:
        return environ_from_hex(text if isinstance(text, str) else text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise VerificationFailed("unexpected output from od reading /proc/1/environ") from None
