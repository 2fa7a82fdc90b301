"""How the gate reads the way Convox runs a service (init, memory, grace, health) and judges it."""

from __future__ import annotations

from pathlib import Path

import pytest

from h2c.adapters.docker_types import ContainerState, engine_time
from h2c.artifacts.convox_yml import Health, ServiceRun, service_health, service_run
from h2c.verdicts.http import HttpResult, Readiness, router_headers
from h2c.verdicts.process import stay_up_verdict

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({}, ServiceRun()),
        ({"init": False}, ServiceRun(init=False)),
        ({"scale": {"memory": 1024}}, ServiceRun(memory_mb=1024)),
        (
            {"scale": {"memory": 256, "limit": {"memory": "768"}}},
            ServiceRun(memory_mb=768, memory_key="scale.limit.memory"),
        ),
        ({"termination": {"grace": 45}}, ServiceRun(grace_s=45)),
        ({"scale": 3, "termination": None}, ServiceRun()),
    ],
)
def test_service_run(service: dict[str, object], expected: ServiceRun) -> None:
    assert service_run(service) == expected


def test_health_forms() -> None:
    assert service_health({}) == Health()
    assert service_health({"health": "health"}) == Health(path="/health")
    full = {"health": {"path": "/up", "grace": 30, "interval": 10, "timeout": 2}}
    assert service_health(full) == Health("/up", 30, 10, 2)
    assert service_health({"health": {"path": "/up", "disable": True}}) is None


def test_readiness_needs_three_failures_in_a_row_before_a_success() -> None:
    probe = Readiness("/")
    assert probe.record(HttpResult(None, 0.0, "refused")) is None
    assert probe.record(HttpResult(502, 0.0)) is None
    assert probe.record(HttpResult(302, 0.0)) is True  # a redirect counts as success
    assert probe.record(HttpResult(500, 0.0)) is True  # decided: later probes do not undo it


def test_router_headers_say_https_through_the_domain() -> None:
    headers = router_headers("web.shop.example.org")
    assert headers["Host"] == "web.shop.example.org"
    assert (headers["X-Forwarded-Proto"], headers["X-Forwarded-Port"]) == ("https", "443")
    assert headers["X-Forwarded-For"]


def test_stay_up_names_a_late_exit_and_an_oom_kill() -> None:
    start = engine_time("2026-12-01T09:00:00.000000001Z")
    end = engine_time("2026-12-01T09:00:08.250000000Z")
    state = ContainerState("exited", False, 1, False, start, end, 0)
    assert state.ran_for_s() == pytest.approx(8.25)
    why = stay_up_verdict(
        "worker", exit_code=1, oom_killed=False, ran_for_s=state.ran_for_s(), restarts=0,
        memory_mb=512,
    )  # fmt: skip
    assert why == "worker exited (exit code 1) 8.2 s after it started, before the gate stopped it"
    oom = stay_up_verdict(
        "worker", exit_code=137, oom_killed=True, ran_for_s=2.0, restarts=0, memory_mb=512
    )
    assert oom is not None and "512 MB limit (scale.memory" in oom
    restarted = stay_up_verdict(
        "web", exit_code=None, oom_killed=False, ran_for_s=None, restarts=1, memory_mb=512
    )
    assert restarted == "web restarted 1 time(s) before the gate stopped it"


def test_broken_cases_set_what_they_test() -> None:
    from h2c.artifacts.yamldoc import load_yaml_mapping

    def service(case: str, name: str) -> dict[str, object]:
        text = (REPO / "fixtures" / "broken" / case / "convox.yml").read_text()
        return dict(load_yaml_mapping(text, file=case)["services"][name])

    assert service_run(service("ignores-sigterm", "worker")).grace_s == 10
    assert service_run(service("memory-hog", "worker")).memory_mb == 512
    health = service_health(service("health-404", "web"))
    assert health is not None and health.path == "/healthz"
