"""The running app: release, health, reachability, processes that stay up and stop on SIGTERM.

Each process runs as on Convox (``h2c.gate.services``): an init process, its memory limit, its
termination grace. Health is convox.yml's readiness probe; smoke paths come as the router
delivers them. The stay-up and SIGTERM checks look at each process right before they stop it
(so a process is watched from its start until then), so they come last in this module.
"""

from __future__ import annotations

from typing import Any

import pytest

from h2c.adapters import http as probes
from h2c.gate.asserts import container_tail, fail
from h2c.gate.readiness import listeners
from h2c.gate.services import ReleaseOutcome, Running
from h2c.gate.settings import GateSettings
from h2c.gate.stops import Stopped, settle, stop_all
from h2c.verdicts.http import host_rejection, router_headers
from h2c.verdicts.ports import listen_verdict
from h2c.verdicts.process import stay_up_verdict, was_killed

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def running(gate_web: Running, gate_processes: dict[str, Running]) -> dict[str, Running]:
    """Every started process by Procfile name (web included)."""
    return {"web" if gate_web.service == "web" else gate_web.service: gate_web, **gate_processes}


def test_release_succeeds(
    gate_release_name: str, gate_release: ReleaseOutcome | None, gate_redact: Any
) -> None:
    assert gate_release is not None, "release is in the Procfile but was not run"
    if gate_release.exit_code is None:
        fail(
            f"{gate_release_name} `{gate_release.source}` did not finish within "
            f"{gate_release.timeout_s:g} s ([database] release_timeout in h2c.toml):\n"
            f"{gate_redact(gate_release.log_tail)}"
        )
    if gate_release.exit_code != 0:
        fail(
            f"{gate_release_name} exited {gate_release.exit_code} against the target database:\n"
            f"{gate_redact(gate_release.log_tail)}"
        )


def test_web_health(gate_web: Running, gate_config: GateSettings, gate_redact: Any) -> None:
    """convox.yml's ``health``, probed as Kubernetes' readinessProbe (``services``)."""
    path = gate_config.health_path
    if gate_config.health is None:
        pytest.skip("convox.yml disables web's health check (health.disable)")
    readiness = gate_web.readiness
    if readiness is None or (readiness.ready is None and gate_web.startup_error):
        fail(
            f"web never became ready on {path} through the mapped port "
            f"({gate_web.startup_error})" + container_tail(gate_web.container, gate_redact)
        )
    if readiness.ready is None:
        fail("the gate stopped before web's readiness probe was decided")
    if readiness.ready:
        return
    last = readiness.last
    if last is not None and last.status == 400 and gate_web.probe_host:
        plain = probes.http_probe(f"{gate_web.base_url}{path}")
        host_problem = host_rejection(path, last, plain, gate_web.probe_host)
        if host_problem:
            fail(host_problem + container_tail(gate_web.container, gate_redact))
    health = gate_config.health
    fail(
        f"web never became ready: {readiness.why_not()}; Convox's probe: GET {path} to "
        f"Host: {gate_web.probe_host}, first after {health.grace_s} s, every "
        f"{health.interval_s} s, {health.timeout_s} s each (convox.yml health). Convox keeps "
        "web out of the router and the deploy does not finish"
        + container_tail(gate_web.container, gate_redact)
    )


def test_web_reachable_from_outside(gate_web: Running, gate_config: GateSettings) -> None:
    port = gate_config.port or 0
    outside = probes.http_probe(f"{gate_web.base_url}{gate_config.health_path}")
    if outside.status is not None:
        return
    if str(gate_web.container.status()) != "running":
        fail(f"web is not running ({gate_web.startup_error}); see test_web_health")
    verdict = listen_verdict(listeners(gate_web.container), port)
    fail(verdict or f"no answer through the mapped port, though something listens on {port}")


def test_smoke_path(
    gate_web: Running, gate_smoke_path: str, gate_config: GateSettings, gate_redact: Any
) -> None:
    # As the router delivers it: the app's domain in Host, TLS ended in front of the app
    # (X-Forwarded-Proto: https); a redirect is an answer, never followed.
    path = gate_smoke_path
    result = probes.http_probe(
        f"{gate_web.base_url}{path}", headers=router_headers(gate_config.domain)
    )
    if result.status is not None and result.status < 500:
        return
    fail(
        f"GET {path} {result.said()} through Convox's router (Host: {gate_config.domain}, "
        "X-Forwarded-Proto: https), expected an answer below 500"
        + container_tail(gate_web.container, gate_redact)
    )


@pytest.fixture(scope="module")
def sigterm(
    running: dict[str, Running], request: pytest.FixtureRequest, gate_config: GateSettings
) -> dict[str, Stopped]:
    """Every process looked at right before the stop, then SIGTERM to each whose check is
    selected, all at once; each timed on its own, killed after its own termination grace.

    The processes ran from their start until now (the other checks ran meanwhile; at least the
    settle time and the health grace): ``test_process_stays_up`` judges that whole run.
    """
    for process in running.values():
        settle(process, gate_config.watch_seconds)  # what is left of it: the other checks ran
    checks = [i for i in request.session.items if getattr(i, "originalname", "") == _SIGTERM]
    selected = {i.callspec.params.get("gate_process") for i in checks if hasattr(i, "callspec")}
    stops = stop_all({name: p for name, p in running.items() if name in selected})
    looks = stop_all({n: p for n, p in running.items() if n not in selected}, signal=False)
    return {**looks, **stops}


def test_process_stays_up(
    running: dict[str, Running],
    gate_process: str,
    sigterm: dict[str, Stopped],
    gate_redact: Any,
) -> None:
    started = running.get(gate_process)
    if started is None:
        fail(f"{gate_process} was not started: no convox.yml service for it")
    before = sigterm[gate_process].before
    if before is None:
        fail(f"{gate_process}: the engine gave no state before the stop")
    first = started.first
    restarts = before.restart_count - (first.restart_count if first else 0)
    if first is not None and before.started_at != first.started_at:
        restarts = max(restarts, 1)
    why = stay_up_verdict(
        gate_process,
        exit_code=None if before.running else before.exit_code,
        oom_killed=before.oom_killed,
        ran_for_s=before.ran_for_s(),
        restarts=restarts,
        memory_mb=started.run.memory_mb,
        memory_key=started.run.memory_key,
    )
    if why:
        ended = f" (at {before.finished_at:%H:%M:%S} UTC)" if before.finished_at else ""
        fail(why + ended + container_tail(started.container, gate_redact))


_SIGTERM = "test_stops_on_sigterm"


def test_stops_on_sigterm(
    running: dict[str, Running],
    gate_process: str,
    sigterm: dict[str, Stopped],
    request: pytest.FixtureRequest,
) -> None:
    started = running.get(gate_process)
    if started is None:
        fail(f"{gate_process} was not started: no convox.yml service for it")
    status, seconds, code, _, grace = sigterm[gate_process]
    if status != "running":
        fail(
            f"{gate_process} had already exited before SIGTERM (exit code {code}): "
            "its shutdown cannot be checked (see test_process_stays_up)"
        )
    request.node.user_properties.append(("stopped", f"{seconds:.1f}s"))
    if was_killed(code):
        init = "with an init process" if started.run.init else "as PID 1 (init: false)"
        fail(
            f"{gate_process} ignored SIGTERM: still running after {grace} s "
            f"(its termination.grace), then killed (exit code {code}); it ran {init}, "
            "as on Convox: handle SIGTERM, or leave its default (exit)"
        )
