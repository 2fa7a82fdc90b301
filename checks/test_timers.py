"""Timers: each Heroku Scheduler job, now a convox.yml timer, runs once and succeeds.

One test per timer (ids = timer names): its command, shell-split as Convox runs it, in its
service's image and env, against the gate's database after the release.
"""

from __future__ import annotations

import shlex

import pytest

from h2c.gate.asserts import fail
from h2c.gate.timers import TIMER_DEADLINE_S, TimerRun, gate_timer_run, parametrize_timers

__all__ = ["gate_timer_run"]  # a fixture, imported so pytest finds it


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_timers(metafunc)


@pytest.mark.docker
def test_timer_runs(gate_timer_run: TimerRun) -> None:
    run = gate_timer_run
    where = f"timer {run.name} (`{shlex.join(run.argv)}` in {run.service})"
    if run.exit_code is None:
        fail(f"{where} still ran after {TIMER_DEADLINE_S:g} s")
    if run.exit_code != 0:
        fail(f"{where} exited {run.exit_code}; last log lines:\n{run.log_tail}")
