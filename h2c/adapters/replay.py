"""Replay GET/HEAD requests against two base URLs, bounded: the only HTTP ``h2c compare`` sends.

Each request goes to Heroku twice and Convox once (``SLOTS``), interleaved per request so the
three answers are close in time, from a pool of ``concurrency`` threads (one ``requests``
session each) under an overall rate of ``rate`` requests per second. Redirects are not
followed: where they point is compared. Only GET and HEAD are ever sent, whatever the list says.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any, cast

from h2c.compare.answers import Answer
from h2c.compare.requestlist import SAFE_METHODS, Request

# requests (0.15 s to import) loads where the requests are sent: in the replay worker, which
# imports it while h2c compare prepares its job (``h2c.adapters.replay_worker``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import requests

SLOTS = ("heroku", "heroku", "convox")  # Diffy: primary, secondary, candidate
MAX_BODY = 5 * 1024 * 1024
_ENV_ATTEMPTS = 3


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


Three = tuple[Answer, Answer, Answer]


def replay(
    requests_: Sequence[Request], bases: dict[str, str], limits: Limits = Limits(),
    each: Callable[[Request, Three], None] | None = None,
) -> dict[Request, Three]:  # fmt: skip
    """The three answers (Heroku, Heroku, Convox) of each request, in ``requests_`` order.

    ``bases`` maps ``heroku`` and ``convox`` to base URLs; the Host each platform routes by is
    the base URL's host. Requests beyond ``limits.max_requests`` are not sent (the caller says
    so); a method other than GET/HEAD is refused before anything is sent.

    ``each(request, answers)`` is called on the pool's thread that got a request's last answer,
    while the others go on sending: a request can be judged while the rest are on the wire.
    """
    todo = list(requests_)[: limits.max_requests]
    for request in todo:
        if request.method not in SAFE_METHODS:
            raise ValueError(f"{request.method} is never sent")
    local = threading.local()
    pace = _Pace(limits.rate)
    settings = {slot: _environment_settings(bases[slot]) for slot in set(SLOTS)}
    got: list[Answer | None] = [None] * (len(SLOTS) * len(todo))
    lock = threading.Lock()

    def fetch(index: int) -> None:
        request, slot = todo[index // len(SLOTS)], SLOTS[index % len(SLOTS)]
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = _stateless_session()
        pace.wait()
        url = bases[slot].rstrip("/") + request.path
        answer = _send(session, request, url, limits.timeout_s, settings[slot])
        first = index - index % len(SLOTS)
        with lock:
            got[index] = answer
            three = got[first : first + len(SLOTS)]
            complete = all(a is not None for a in three)
        if complete and each is not None:
            each(request, _three(three))

    with ThreadPoolExecutor(max_workers=max(1, limits.concurrency)) as pool:
        for _ in pool.map(fetch, range(len(got))):  # raises what a call raised
            pass
    n = len(SLOTS)
    return {r: _three(got[n * i : n * i + n]) for i, r in enumerate(todo)}


def _three(answers: Sequence[Answer | None]) -> Three:
    """A request's answers once all are in (each slot is filled before it is read)."""
    return cast(Three, tuple(answers))


def _environment_settings(url: str) -> dict[str, Any]:
    """What requests takes from the environment for ``url`` (proxies, ``NO_PROXY``, CA bundle),
    read once before sending: per request, requests would walk ``os.environ`` on the pool's
    threads while pytest, in the same process, sets ``PYTEST_CURRENT_TEST`` for each test
    phase (a KeyError mid-walk). A walk that meets such a change is made again."""
    import requests

    probe = requests.Session()
    for _ in range(_ENV_ATTEMPTS - 1):
        with contextlib.suppress(KeyError, RuntimeError):  # os.environ changed during the walk
            return dict(probe.merge_environment_settings(url, {}, None, None, None))
    return dict(probe.merge_environment_settings(url, {}, None, None, None))


def _stateless_session() -> requests.Session:
    """A session (pooled connections) whose cookie jar accepts no cookie and that never reads
    the environment (its settings come from ``_environment_settings``, nor ``~/.netrc``: no
    credentials are sent to the apps)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def _send(session: requests.Session, request: Request, url: str, timeout_s: float,
          settings: dict[str, Any]) -> Answer:  # fmt: skip
    import requests

    started = time.monotonic()
    try:
        response = session.request(
            request.method, url, allow_redirects=False, timeout=timeout_s, stream=True,
            headers={"Accept-Encoding": "identity"}, proxies=settings["proxies"],
            verify=settings["verify"], cert=settings["cert"],
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
    import requests

    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        return "connection failed"
    return type(error).__name__
