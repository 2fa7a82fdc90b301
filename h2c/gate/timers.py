"""The gate's timers: each convox.yml timer's command runs once, in the image, in the env of
the service it names, against the gate's resources, after the release.

``checks/test_timers.py`` imports the fixture and calls ``parametrize_timers`` from its own
``pytest_generate_tests`` (ids = timer names).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest

from h2c.adapters.contracts import Attachable, Engine
from h2c.adapters.polling import wait_stopped
from h2c.artifacts.app import GateApp
from h2c.errors import H2cError
from h2c.gate.services import ReleaseOutcome
from h2c.gate.settings import session_app
from h2c.runplan.argv import command_args
from h2c.secret import Secret
from h2c.verdicts.leaks import Redactor
from h2c.verdicts.process import log_tail

TIMER_DEADLINE_S = 300.0


@dataclass(frozen=True)
class TimerRun:
    name: str
    service: str
    argv: list[str]
    exit_code: int | None  # None: still running at the deadline
    log_tail: str


def timer_names(app: GateApp) -> list[str]:
    """convox.yml's timers, sorted (the test ids)."""
    timers = app.convox.get("timers") or {}
    return sorted(str(name) for name in timers) if isinstance(timers, dict) else []


def parametrize_timers(metafunc: pytest.Metafunc) -> None:
    if "gate_timer" not in metafunc.fixturenames:
        return
    names: list[str] = []
    with contextlib.suppress(H2cError):  # the gate_app fixture reports why it cannot be read
        names = timer_names(session_app(metafunc.config))
    if names:
        metafunc.parametrize("gate_timer", names, ids=names)
    else:
        metafunc.parametrize(
            "gate_timer", [pytest.param(None, marks=pytest.mark.h2c_nothing_to_check)]
        )


def run_timer(
    engine: Engine,
    image: str,
    network: Attachable,
    app: GateApp,
    env: dict[str, dict[str, Secret]],
    name: str,
) -> TimerRun:
    """Run one timer's command to its end, as Convox's CronJob would (shell-split, no shell)."""
    timer = (app.convox.get("timers") or {})[name] or {}
    service = str(timer.get("service", ""))
    argv = command_args(timer.get("command")) or []
    container = engine.run(image, command=argv, env=env.get(service, {}), network=network)
    finished = wait_stopped(container, deadline_s=TIMER_DEADLINE_S, interval_s=0.2)
    code = container.exit_code() if finished else None
    redact = Redactor([*env.get(service, {}).values(), *app.config.values()])
    return TimerRun(name, service, argv, code, redact(log_tail(container.logs())))


@pytest.fixture
def gate_timer_run(
    gate_timer: str,
    gate_app: GateApp,
    gate_engine: Engine,
    gate_image: str,
    gate_network: Attachable,
    gate_env: dict[str, dict[str, Secret]],
    gate_release: ReleaseOutcome | None,  # the timers run after the release, as on Convox
) -> TimerRun:
    return run_timer(gate_engine, gate_image, gate_network, gate_app, gate_env, gate_timer)
