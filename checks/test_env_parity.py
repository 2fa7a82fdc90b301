"""Env parity: every Heroku config key is on Convox as it should be, and reaches the process.

One test per key (ids = key names); a failure names the key and the kind of mismatch, never a
value. Rules: ``h2c.verdicts.envparity``. Exceptions: h2c.toml ``[env]`` (each with a reason).
"""

from __future__ import annotations

import pytest

from h2c.gate.asserts import fail
from h2c.gate.env_fixtures import gate_env_verdicts, parametrize_env_keys, read_process_env
from h2c.gate.services import Running
from h2c.gate.settings import GateSettings
from h2c.secret import Secret
from h2c.verdicts.envparity import KeyVerdict, failures, runtime_diff

__all__ = ["gate_env_verdicts"]  # a fixture, imported so pytest finds it


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_env_keys(metafunc)


def test_env_key(gate_env_key: str, gate_env_verdicts: dict[str, KeyVerdict]) -> None:
    verdict = gate_env_verdicts.get(gate_env_key)
    if verdict is None:
        fail(f"{gate_env_key}: not found when the gate ran (the app changed during the run?)")
    if verdict.fails:
        fail(verdict.message())


@pytest.mark.docker
def test_env_reaches_web_process(
    gate_web: Running, gate_env: dict[str, dict[str, Secret]], gate_config: GateSettings
) -> None:
    if str(gate_web.container.status()) != "running":
        fail(f"{gate_web.service} is not running ({gate_web.startup_error}): cannot read its env")
    expected = gate_env.get(gate_config.web, {})
    wrong = failures(runtime_diff(expected, read_process_env(gate_web.container)))
    if wrong:
        fail(
            f"the {gate_web.service} process does not see the env it was given:\n"
            + "\n".join(f"  - {v.message()}" for v in wrong)
        )
