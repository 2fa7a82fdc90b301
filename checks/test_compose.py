"""docker-compose.yml brings up the app and its database, and web answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from h2c.adapters import http as probes
from h2c.gate.asserts import assert_http, fail
from h2c.gate.compose import ComposeRun
from h2c.gate.settings import GateSettings
from h2c.gate.stage import Stage

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module", autouse=True)
def compose_down_when_done(gate_compose: ComposeRun, gate_stage: Stage) -> Iterator[None]:
    """Once this module's checks ran, the compose project goes down in the background."""
    yield
    gate_stage.compose_done()


def test_compose_up(gate_compose: ComposeRun, gate_redact: Callable[[str], str]) -> None:
    if gate_compose.up_rc != 0:
        output = gate_redact(gate_compose.up_output)
        fail(f"docker-compose up failed (rc {gate_compose.up_rc}):\n{output}")


def test_compose_web_answers(
    gate_compose: ComposeRun, gate_config: GateSettings, gate_redact: Callable[[str], str]
) -> None:
    if gate_compose.base_url is None:
        fail(f"compose published no loopback port for {gate_compose.web}:{gate_config.port}")
    if gate_compose.startup_error:
        reason = gate_redact(gate_compose.startup_error)
        fail(f"compose {gate_compose.web} did not come up: {reason}")
    result = probes.http_probe(f"{gate_compose.base_url}{gate_config.health_path}")
    if not result.ready:  # 200-399, as a health check counts it (a redirect is an answer)
        assert_http(result, gate_config.health_path, want_2xx=True)
