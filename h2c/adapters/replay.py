"""Replay GET/HEAD requests against two base URLs, bounded: the only HTTP ``h2c compare`` sends.

Each request goes to Heroku twice and Convox once (``SLOTS``), interleaved per request so the
three answers are close in time, from a pool of ``concurrency`` threads (one ``requests``
session each) under an overall rate of ``rate`` requests per second. Redirects are not
followed: where they point is compared. Only GET and HEAD are ever sent, whatever the list says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy

import requests

from h2c.compare.answers import Answer
from h2c.compare.requestlist import SAFE_METHODS, Request

SLOTS = ("heroku", "heroku", "convox")  # Diffy: primary, secondary, candidate
MAX_BODY = 5 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_requests: int = 500  # paths; each costs three requests
    concurrency: int = 8
    rate: float = 50.0  # requests per second over both platforms; 0 = no limit
    timeout_s: float = 15.0


class _Pace:
    """Hands out send times ``1/rate`` apart, across threads."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._gap = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock

    def wait(self) -> None:
        if not self._gap:
            return
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self._gap
        if at > now:
            time.sleep(at - now)


def replay(requests_: Sequence[Request], bases: dict[str, str], limits: Limits = Limits(),
           ) -> dict[Request, tuple[Answer, Answer, Answer]]:  # fmt: skip
    """The three answers (Heroku, Heroku, Convox) of each request, in ``requests_`` order.

    ``bases`` maps ``heroku`` and ``convox`` to base URLs; the Host each platform routes by is
    the base URL's host. Requests beyond ``limits.max_requests`` are not sent (the caller says
    so); a method other than GET/HEAD is refused before anything is sent.
    """
    todo = list(requests_)[: limits.max_requests]
    for request in todo:
        if request.method not in SAFE_METHODS:
            raise ValueError(f"{request.method} is never sent")
    local = threading.local()
    pace = _Pace(limits.rate)

    def fetch(job: tuple[Request, str]) -> Answer:
        request, slot = job
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = _stateless_session()
        pace.wait()
        return _send(session, request, bases[slot].rstrip("/") + request.path, limits.timeout_s)

    jobs = [(request, slot) for request in todo for slot in SLOTS]
    with ThreadPoolExecutor(max_workers=max(1, limits.concurrency)) as pool:
        answers = list(pool.map(fetch, jobs))
    return {r: (answers[3 * i], answers[3 * i + 1], answers[3 * i + 2]) for i, r in enumerate(todo)}


def _stateless_session() -> requests.Session:
    """A session (pooled connections) whose cookie jar accepts no cookie."""
    session = requests.Session()
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def _send(session: requests.Session, request: Request, url: str, timeout_s: float) -> Answer:
    started = time.monotonic()
    try:
        response = session.request(
            request.method, url, allow_redirects=False, timeout=timeout_s, stream=True,
            headers={"Accept-Encoding": "identity"},
        )  # fmt: skip
        with response:
            body = (
                response.raw.read(MAX_BODY, decode_content=True) if request.method == "GET" else b""
            )
            raw_headers = getattr(response.raw, "headers", None)
            items = list(raw_headers.items()) if raw_headers is not None else []
            headers = tuple((str(k), str(v)) for k, v in items) or tuple(response.headers.items())
            return Answer(response.status_code, headers, body, url,
                          seconds=time.monotonic() - started)  # fmt: skip
    except requests.RequestException as error:
        return Answer(0, (), b"", url, error=_why(error), seconds=time.monotonic() - started)


def _why(error: requests.RequestException) -> str:
    """The kind of failure, never the URL (it may hold a token)."""
    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        return "connection failed"
    return type(error).__name__
