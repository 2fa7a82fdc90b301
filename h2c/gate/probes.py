"""The gate's HTTP probe, and the Host header Convox's health check sends.

One small HTTP client (``urllib``) and pure helpers that say why a probe failed. The gate's
other pure helpers live by job in ``h2c.gate.ports`` (where the web port is stated and where the
app listens) and ``h2c.gate.processes`` (commands, entry points, the gate's compose file); they
are re-exported here because the checks and tests reach them as ``probes.<name>``. Nothing here
reveals a Secret.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from h2c.gate.ports import (
    DOCKER_DNS,
    LISTENERS_ARGS,
    LOOPBACK,
    LOOPBACK_CONNECT,
    PortPlace,
    compose_web_port,
    connect_args,
    convox_port,
    dockerfile_env,
    dockerfile_expose,
    dockerfile_workdir,
    listen_verdict,
    parse_listeners,
    port_disagreement,
    reachability_verdict,
    web_port_places,
)
from h2c.gate.processes import (
    RELEASE,
    SHELLS,
    command_args,
    compose_for_gate,
    entry_point,
    gate_processes,
    log_tail,
    resolve_args,
    service_name,
    shell_args,
    shell_quote,
    was_killed,
)

__all__ = [
    "DOCKER_DNS",
    "HOST_HINT",
    "LISTENERS_ARGS",
    "LOOPBACK",
    "LOOPBACK_CONNECT",
    "RELEASE",
    "SHELLS",
    "HttpResult",
    "PortPlace",
    "command_args",
    "compose_for_gate",
    "compose_web_port",
    "connect_args",
    "convox_port",
    "dockerfile_env",
    "dockerfile_expose",
    "dockerfile_workdir",
    "entry_point",
    "gate_processes",
    "host_rejection",
    "http_probe",
    "listen_verdict",
    "log_tail",
    "parse_listeners",
    "port_disagreement",
    "probe_as_convox",
    "probe_host",
    "reachability_verdict",
    "resolve_args",
    "service_name",
    "shell_args",
    "shell_quote",
    "was_killed",
    "web_port_places",
]


@dataclass(frozen=True)
class HttpResult:
    """What one HTTP GET got back: a status (None when no answer) and how long it took."""

    status: int | None
    elapsed_s: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def http_probe(url: str, *, timeout_s: float = 5.0, host: str | None = None) -> HttpResult:
    """GET ``url`` once; HTTP errors are answers (a status), connection errors are not.

    ``host`` replaces the ``Host`` header (default: the URL's host and port).
    """
    started = time.monotonic()
    headers = {"User-Agent": "h2c-gate"}
    if host:
        headers["Host"] = host
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return HttpResult(response.status, time.monotonic() - started)
    except urllib.error.HTTPError as answer:
        return HttpResult(answer.code, time.monotonic() - started)
    except (OSError, urllib.error.URLError) as failure:
        reason = getattr(failure, "reason", failure)
        return HttpResult(None, time.monotonic() - started, f"{type(failure).__name__}: {reason}")


# --- the Host header Convox sends -------------------------------------------------------------
#
# Convox's health check is a Kubernetes httpGet probe: the kubelet connects to the pod IP and
# sends ``Host: <pod IP>:<port>``. Real traffic arrives through the router with the user's own
# domain in Host, which the app's allow-list (Django ALLOWED_HOSTS, ...) is configured for; the
# pod-IP host is the one no configuration anticipates, so the strictest realistic case. The gate
# reaches the container through a loopback port (Host would say 127.0.0.1, which development
# settings allow), so it sends the container's IP on the gate's network instead.

HOST_HINT = (
    "the app rejects hosts it does not know: check ALLOWED_HOSTS (Django) / the app's host "
    "allow-list (on Convox, allow the pod IP or every host: the router forwards your domains)"
)


def probe_host(ip: str | None, port: int | None) -> str | None:
    """The ``Host`` header Convox's health check sends: ``<container IP>:<port>``.

    >>> probe_host("172.18.0.3", 8000), probe_host(None, 8000)
    ('172.18.0.3:8000', None)
    """
    if not ip or not port:
        return None
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def host_rejection(path: str, as_convox: HttpResult, plain: HttpResult, host: str) -> str | None:
    """Why ``path`` failed when the only difference was the Host header, or None.

    A 400 to the container's own address while the same request with a loopback Host is
    answered otherwise: the app's host allow-list rejects what Convox's health check sends.

    >>> why = host_rejection("/", HttpResult(400, 0.1), HttpResult(200, 0.1), "172.18.0.3:8000")
    >>> print(why[:78])
    web answered 400 to Host: 172.18.0.3:8000 on GET / (what Convox's health check
    >>> host_rejection("/", HttpResult(400, 0.1), HttpResult(400, 0.1), "10.0.0.2:8000") is None
    True
    """
    if as_convox.status != 400 or plain.status is None or plain.status == 400:
        return None
    return (
        f"web answered 400 to Host: {host} on GET {path} (what Convox's health check sends), "
        f"but {plain.status} to the loopback Host the gate connects through: {HOST_HINT}"
    )


def probe_as_convox(base_url: str, path: str, host: str | None) -> tuple[HttpResult, str | None]:
    """GET ``path`` with Convox's Host header; on a 400, ask again with the loopback Host.

    Returns the answer and, when the Host header alone made the difference, why.
    """
    result = http_probe(base_url + path, host=host)
    if host is None or result.status != 400:
        return result, None
    return result, host_rejection(path, result, http_probe(base_url + path), host)
