"""What an HTTP probe got back, and why it failed: pure verdicts over status codes and Host."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpResult:
    """What one HTTP GET got back: a status (None when no answer) and how long it took."""

    status: int | None
    elapsed_s: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def ready(self) -> bool:
        """What a Kubernetes httpGet probe counts as success: 200-399 (a redirect included)."""
        return self.status is not None and 200 <= self.status < 400

    def said(self) -> str:
        """What came back, for a message: ``answered 404`` or ``got no answer (...)``."""
        if self.status is None:
            return f"got no answer ({self.error})"
        return f"answered {self.status}"


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


# --- the readiness probe (Convox's ``health``) and the router ------------------------------

FAILURE_THRESHOLD = 3  # Convox's readinessProbe failureThreshold
RACK_ROUTER = "0a1b2c3d4e5f.convox.cloud"  # the shape of a rack's router domain (Convox's docs)
CLIENT_IP = "203.0.113.10"  # a TEST-NET address for X-Forwarded-For


@dataclass
class Readiness:
    """A readinessProbe's tally: the first success makes the container ready; ``threshold``
    failures in a row before that, not ready.

    >>> probe = Readiness("/health")
    >>> [probe.record(HttpResult(s, 0.0)) for s in (503, 301)]
    [None, True]
    >>> probe = Readiness("/health")
    >>> [probe.record(HttpResult(404, 0.0)) for _ in range(3)]
    [None, None, False]
    >>> print(probe.why_not())
    GET /health answered 404 3 times in a row (a readiness probe succeeds on 200-399)
    """

    path: str
    threshold: int = FAILURE_THRESHOLD
    failures: list[HttpResult] = field(default_factory=list)
    ready: bool | None = None  # None while undecided

    def record(self, result: HttpResult) -> bool | None:
        """Count one probe; True once ready, False once not ready, None while undecided."""
        if self.ready is None:
            if result.ready:
                self.ready = True
            else:
                self.failures.append(result)
                if len(self.failures) >= self.threshold:
                    self.ready = False
        return self.ready

    @property
    def last(self) -> HttpResult | None:
        return self.failures[-1] if self.failures else None

    def why_not(self) -> str:
        """Why the probe gave up, naming the path and what it got."""
        said = sorted({r.said() for r in self.failures[-self.threshold :]})
        return (
            f"GET {self.path} {' / '.join(said)} {len(self.failures)} times in a row "
            "(a readiness probe succeeds on 200-399)"
        )


def default_domain(service: str, app: str) -> str:
    """The domain Convox gives a service: ``<service>.<app>.<rack router domain>``.

    >>> default_domain("web", "shop")
    'web.shop.0a1b2c3d4e5f.convox.cloud'
    """
    return f"{service}.{app}.{RACK_ROUTER}"


def router_headers(domain: str) -> dict[str, str]:
    """What the app sees of a request through Convox's router (an nginx ingress, TLS ended).

    >>> router_headers("web.shop.example.org")["X-Forwarded-Proto"]
    'https'
    """
    return {
        "Host": domain,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": CLIENT_IP,
        "X-Forwarded-Port": "443",
    }
