"""The gate's HTTP probe: one GET through ``urllib``, with the Host header Convox sends.

Redirects are never followed: Kubernetes counts a 3xx as a probe's success, and the router
hands the redirect to the user's browser (following ``https://127.0.0.1/...`` would only fail).

The verdicts on what came back (``HttpResult``, the Host rules) are pure and live in
``h2c.verdicts.http``. Nothing here reveals a Secret.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import IO

from h2c.verdicts.http import HttpResult, host_rejection


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is the answer: it comes back as an ``HTTPError`` with its status."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http_probe(
    url: str,
    *,
    timeout_s: float = 5.0,
    host: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResult:
    """GET ``url`` once; HTTP errors and redirects are answers (a status), connection errors
    are not.

    ``host`` replaces the ``Host`` header (default: the URL's host and port); ``headers`` are
    added (their ``Host``, if any, too).
    """
    started = time.monotonic()
    sent = {"User-Agent": "h2c-gate", **(headers or {})}
    if host:
        sent["Host"] = host
    request = urllib.request.Request(url, headers=sent)
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return HttpResult(response.status, time.monotonic() - started)
    except urllib.error.HTTPError as answer:
        return HttpResult(answer.code, time.monotonic() - started)
    except (OSError, urllib.error.URLError) as failure:
        reason = getattr(failure, "reason", failure)
        return HttpResult(None, time.monotonic() - started, f"{type(failure).__name__}: {reason}")


def tcp_open(host: str, port: int, *, timeout_s: float = 1.0) -> bool:
    """Whether a TCP connection to ``host``:``port`` opens (from here, the gate's host)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


# --- the Host header Convox sends -------------------------------------------------------------
#
# Convox's health check is a Kubernetes httpGet probe: the kubelet connects to the pod IP and
# sends ``Host: <pod IP>:<port>``. Real traffic arrives through the router with the user's own
# domain in Host, which the app's allow-list (Django ALLOWED_HOSTS, ...) is configured for; the
# pod-IP host is the one no configuration anticipates, so the strictest realistic case. The gate
# reaches the container through a loopback port (Host would say 127.0.0.1, which development
# settings allow), so it sends the container's IP on the gate's network instead.


def probe_as_convox(base_url: str, path: str, host: str | None) -> tuple[HttpResult, str | None]:
    """GET ``path`` with Convox's Host header; on a 400, ask again with the loopback Host.

    Returns the answer and, when the Host header alone made the difference, why.
    """
    result = http_probe(base_url + path, host=host)
    if host is None or result.status != 400:
        return result, None
    return result, host_rejection(path, result, http_probe(base_url + path), host)
