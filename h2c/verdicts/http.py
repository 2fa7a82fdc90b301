"""What an HTTP probe got back, and why it failed: pure verdicts over status codes and Host."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HttpResult:
    """What one HTTP GET got back: a status (None when no answer) and how long it took."""

    status: int | None
    elapsed_s: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


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
