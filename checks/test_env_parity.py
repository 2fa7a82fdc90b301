"""Env parity: every Heroku config key is on Convox as it should be, and reaches the process.

One test per key (ids = key names); a failure names the key and the kind of mismatch, never a
value. Rules: ``h2c.verdicts.envparity``. Exceptions: h2c.toml ``[env]`` (each with a reason).
Without a Heroku side the per-key checks are not run (skipped, with the reason). Every process
is read at runtime (the app process's environ, by digest), so a multi-line value carried by its
base64 twin is proven to arrive exactly; an overlaid resource URL that is Heroku's fails by name.
"""

from __future__ import annotations

import pytest

from h2c.artifacts.app import GateApp
from h2c.gate.asserts import fail
from h2c.gate.env_fixtures import (
    expected_process_env,
    gate_env_seen,
    gate_env_verdicts,
    overlays,
    parametrize_env,
    require_heroku_side,
)
from h2c.secret import Secret
from h2c.verdicts.envparity import KeyVerdict, failures
from h2c.verdicts.envruntime import runtime_diff
from h2c.verdicts.overlays import overlay_verdicts

__all__ = ["gate_env_seen", "gate_env_verdicts"]  # fixtures, imported so pytest finds them


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_env(metafunc)


def test_env_key(
    gate_env_key: str, gate_env_verdicts: dict[str, KeyVerdict], gate_app: GateApp
) -> None:
    require_heroku_side(gate_app)
    verdict = gate_env_verdicts.get(gate_env_key)
    if verdict is None:
        fail(f"{gate_env_key}: not found when the gate ran (the app changed during the run?)")
    if verdict.fails:
        fail(verdict.message())


def test_resource_overlay(gate_overlay_key: str, gate_app: GateApp) -> None:
    """An app env ``<NAME>_URL`` replaces the resource on Convox: it must not be Heroku's."""
    found = overlays(gate_app)
    if gate_overlay_key not in found:
        fail(f"{gate_overlay_key}: no longer overlaid when the gate ran (the app changed?)")
    verdict = overlay_verdicts({gate_overlay_key: found[gate_overlay_key]}, gate_app.config)[0]
    if verdict.fails:
        fail(verdict.message())


@pytest.mark.docker
def test_env_reaches_process(
    gate_env_seen: tuple[str, dict[str, Secret]], gate_env: dict[str, dict[str, Secret]]
) -> None:
    service, seen = gate_env_seen  # not readable: an error at setup, the gate could not judge
    wrong = failures(runtime_diff(expected_process_env(gate_env.get(service, {})), seen))
    if wrong:
        fail(
            f"the {service} process does not see the env it was given:\n"
            + "\n".join(f"  - {v.message()}" for v in wrong)
        )
