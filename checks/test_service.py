"""The running app: release, health, reachability, processes that stay up and stop on SIGTERM.

The SIGTERM checks stop the containers, so they come last in this module.
"""

from __future__ import annotations

from typing import Any

import pytest

from h2c.adapters import http as probes
from h2c.gate.asserts import assert_http, container_tail, fail
from h2c.gate.services import GRACE_S, ReleaseOutcome, Running, Stopped, listeners, settle, stop_all
from h2c.gate.settings import GateSettings
from h2c.verdicts.http import probe_host
from h2c.verdicts.ports import listen_verdict
from h2c.verdicts.process import was_killed

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
        fail(f"{gate_release_name} did not finish in time:\n{gate_redact(gate_release.log_tail)}")
    if gate_release.exit_code != 0:
        fail(
            f"{gate_release_name} exited {gate_release.exit_code} against the target database:\n"
            f"{gate_redact(gate_release.log_tail)}"
        )


@pytest.fixture(scope="module")
def convox_host(gate_web: Running, gate_network: Any, gate_config: GateSettings) -> str | None:
    """The Host header Convox's health check sends: ``<container IP>:<port>`` (see probes)."""
    return probe_host(gate_web.container.ip(gate_network.name), gate_config.port)


def test_web_health(
    gate_web: Running, gate_config: GateSettings, gate_redact: Any, convox_host: str | None
) -> None:
    path = gate_config.health_path
    result, host_problem = probes.probe_as_convox(str(gate_web.base_url), path, convox_host)
    if not result.ok and gate_web.startup_error:
        fail(
            f"web never became ready on {path} through the mapped port "
            f"({gate_web.startup_error})" + container_tail(gate_web.container, gate_redact)
        )
    if host_problem:
        fail(host_problem + container_tail(gate_web.container, gate_redact))
    assert_http(result, path, want_2xx=True, container=gate_web.container, redact=gate_redact)


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
    gate_web: Running, gate_smoke_path: str, gate_redact: Any, convox_host: str | None
) -> None:
    # The same Host as the health check: on Convox the router forwards the user's domain, which
    # the app's allow-list is configured for; the pod-IP host is the strictest realistic case.
    path = gate_smoke_path
    result, host_problem = probes.probe_as_convox(str(gate_web.base_url), path, convox_host)
    if host_problem:
        fail(host_problem + container_tail(gate_web.container, gate_redact))
    assert_http(
        result, gate_smoke_path, want_2xx=False, container=gate_web.container, redact=gate_redact
    )


def test_process_stays_up(
    running: dict[str, Running], gate_process: str, gate_config: GateSettings, gate_redact: Any
) -> None:
    started = running.get(gate_process)
    if started is None:
        fail(f"{gate_process} was not started: no convox.yml service for it")
    settle(started, gate_config.settle_seconds)  # what is left of it: the other checks ran
    status = str(started.container.status())
    if status != "running":
        code = started.container.exit_code()
        fail(
            f"{gate_process} is {status} (exit code {code}) "
            f"{gate_config.settle_seconds:g} s after it started"
            + container_tail(started.container, gate_redact)
        )


_SIGTERM = "test_stops_on_sigterm"


@pytest.fixture(scope="module")
def sigterm(running: dict[str, Running], request: pytest.FixtureRequest) -> dict[str, Stopped]:
    """SIGTERM to every process whose check is selected, all at once; each timed on its own."""
    checks = [i for i in request.session.items if getattr(i, "originalname", "") == _SIGTERM]
    selected = {i.callspec.params.get("gate_process") for i in checks if hasattr(i, "callspec")}
    return stop_all({name: p for name, p in running.items() if name in selected}, GRACE_S)


def test_stops_on_sigterm(
    running: dict[str, Running],
    gate_process: str,
    sigterm: dict[str, Stopped],
    request: pytest.FixtureRequest,
) -> None:
    started = running.get(gate_process)
    if started is None:
        fail(f"{gate_process} was not started: no convox.yml service for it")
    status, seconds, code = sigterm[gate_process]
    if status != "running":
        fail(
            f"{gate_process} had already exited before SIGTERM (exit code {code}): "
            "its shutdown cannot be checked (see test_process_stays_up)"
        )
    request.node.user_properties.append(("stopped", f"{seconds:.1f}s"))
    if was_killed(code):
        fail(
            f"{gate_process} ignored SIGTERM: still running after {GRACE_S} s "
            f"(Convox's termination grace), then killed (exit code {code})"
        )
