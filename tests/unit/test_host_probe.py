"""The gate probes with the Host header Convox's health check sends, and names a Host 400.

A real HTTP server on 127.0.0.1 (a thread in this process) stands in for the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import ClassVar

import pytest

from h2c.adapters import http as probes
from h2c.adapters.docker import RunningContainer
from h2c.verdicts.http import HttpResult, host_rejection, probe_host
from tests.local_http import serving


class LocalOnly(BaseHTTPRequestHandler):
    """Answers 200 to local host names only, 400 to any other Host (like Django's dev hosts)."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        LocalOnly.seen.append(host)
        ok = host.rsplit(":", 1)[0] in ("localhost", "127.0.0.1")
        self.send_response(200 if ok else 400)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_only() -> Iterator[str]:
    LocalOnly.seen = []
    with serving(LocalOnly) as base:
        yield base


def test_probe_host_is_container_ip_and_port() -> None:
    assert probe_host("172.18.0.3", 8000) == "172.18.0.3:8000"
    assert probe_host("fd00::3", 8000) == "[fd00::3]:8000"
    assert probe_host(None, 8000) is None
    assert probe_host("172.18.0.3", None) is None


def test_http_probe_sends_the_given_host(local_only: str) -> None:
    assert probes.http_probe(local_only + "/", host="10.1.2.3:8000").status == 400
    assert probes.http_probe(local_only + "/").status == 200
    assert LocalOnly.seen[0] == "10.1.2.3:8000"
    assert LocalOnly.seen[1].startswith("127.0.0.1:")


def test_a_host_rejection_is_named(local_only: str) -> None:
    result, why = probes.probe_as_convox(local_only, "/health", "172.18.0.3:8000")
    assert result.status == 400
    assert why is not None
    for part in (
        "web answered 400 to Host: 172.18.0.3:8000 on GET /health",
        "what Convox's health check sends",
        "but 200 to the loopback Host",
        "check ALLOWED_HOSTS (Django) / the app's host allow-list",
    ):
        assert part in why


def test_an_app_that_accepts_the_host_passes_without_a_second_probe(local_only: str) -> None:
    result, why = probes.probe_as_convox(local_only, "/", "localhost:8000")
    assert (result.status, why) == (200, None)
    assert LocalOnly.seen == ["localhost:8000"]


def test_a_400_that_is_not_about_the_host_is_not_blamed_on_it() -> None:
    assert host_rejection("/", HttpResult(400, 0.1), HttpResult(400, 0.1), "h:1") is None
    assert host_rejection("/", HttpResult(400, 0.1), HttpResult(None, 0.1), "h:1") is None
    assert host_rejection("/", HttpResult(404, 0.1), HttpResult(200, 0.1), "h:1") is None
    assert host_rejection("/", HttpResult(400, 0.1), HttpResult(302, 0.1), "h:1")


def test_without_a_host_the_probe_is_a_plain_get(local_only: str) -> None:
    result, why = probes.probe_as_convox(local_only, "/", None)
    assert (result.status, why) == (200, None)


def _container(networks: dict[str, dict[str, str]]) -> SimpleNamespace:
    attrs = {"NetworkSettings": {"Networks": networks}}
    return SimpleNamespace(id="c1", name="web", attrs=attrs, reload=lambda: None)


def test_running_container_ip_on_a_network() -> None:
    running = RunningContainer(_container({"h2c-gate-1": {"IPAddress": "172.18.0.3"}}))
    assert running.ip("h2c-gate-1") == "172.18.0.3"
    assert running.ip("bridge") is None


def test_running_container_ip_when_stopped() -> None:
    running = RunningContainer(_container({"h2c-gate-1": {"IPAddress": ""}}))
    assert running.ip("h2c-gate-1") is None
