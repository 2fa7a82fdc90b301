"""The requests ``h2c compare`` replays: paths one a line, or Heroku router log lines (pure).

Only GET and HEAD are ever sent. A router line (``at=info method=GET path="/x" host=...
status=200``) gives its method and path; lines for other methods are skipped and counted, and
repeated requests are kept once. A plain line is a path (``/x``) or ``METHOD /x``; a plain
``POST /x`` is refused (exit 2), since the list was written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from h2c.errors import InputError, Location

SAFE_METHODS = ("GET", "HEAD")
_ROUTER_FIELD = re.compile(r'(?:^|\s)(?P<key>method|path)=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))')
_PLAIN = re.compile(r"^(?:(?P<method>[A-Z]+)\s+)?(?P<path>/\S*)$")


@dataclass(frozen=True, order=True)
class Request:
    """One request to replay on both platforms."""

    path: str
    method: str = "GET"

    @property
    def label(self) -> str:
        """How a check names it: the path, with the method when it is not GET."""
        return self.path if self.method == "GET" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class RequestList:
    requests: tuple[Request, ...]
    skipped_unsafe: int = 0  # router lines for POST, PUT, PATCH, DELETE...
    duplicates: int = 0


def parse_requests(text: str, *, file: str) -> RequestList:
    """The requests in a file of paths or router log lines, deduplicated, in first-seen order.

    >>> got = parse_requests(
    ...     '/\\n# a comment\\nHEAD /health\\n'
    ...     '2024-05-01T10:00:00+00:00 heroku[router]: at=info method=GET path="/a?x=1" '
    ...     'host=shop.herokuapp.com status=200 bytes=12\\n'
    ...     'heroku[router]: at=info method=POST path="/login" host=h status=302\\n'
    ...     'heroku[router]: at=info method=GET path="/" host=h status=200\\n', file="r.txt")
    >>> [r.label for r in got.requests], got.skipped_unsafe, got.duplicates
    (['/', 'HEAD /health', '/a?x=1'], 1, 1)
    >>> parse_requests("DELETE /users/1\\n", file="r.txt")
    Traceback (most recent call last):
    h2c.errors.InputError: r.txt:1: DELETE is never sent (h2c compare replays GET and HEAD only)
    """
    seen: dict[Request, None] = {}
    skipped = duplicates = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        request = _router_request(line) if "path=" in line else None
        if request is None and "path=" in line and "method=" in line:
            skipped += 1
            continue
        if request is None:
            request = _plain_request(line, Location(file, number))
        if request in seen:
            duplicates += 1
        seen.setdefault(request, None)
    return RequestList(tuple(seen), skipped, duplicates)


def _router_request(line: str) -> Request | None:
    """The request a router log line describes, or None for a method h2c never sends."""
    fields = {m["key"]: m["quoted"] if m["quoted"] is not None else m["bare"]
              for m in _ROUTER_FIELD.finditer(line)}  # fmt: skip
    method, path = fields.get("method", "GET").upper(), fields.get("path")
    if path is None or not path.startswith("/") or method not in SAFE_METHODS:
        return None
    return Request(path, method)


def _plain_request(line: str, where: Location) -> Request:
    match = _PLAIN.match(line)
    if match is None:
        raise InputError(where, "expected a path (/x), `GET /x`, or a Heroku router log line")
    method = match["method"] or "GET"
    if method not in SAFE_METHODS:
        raise InputError(where, f"{method} is never sent (h2c compare replays GET and HEAD only)")
    return Request(match["path"], method)


def from_paths(paths: tuple[str, ...] | list[str]) -> RequestList:
    """h2c.toml's smoke paths as a request list.

    >>> [r.label for r in from_paths(["/", "/health", "/"]).requests]
    ['/', '/health']
    """
    return RequestList(tuple(dict.fromkeys(Request(p) for p in paths)))


def coverage_note(requests: RequestList, max_requests: int) -> str | None:
    """What of the list was not replayed, in a line (None when everything was): a comparison
    of part of the traffic must say so, or it passes for all of it.

    >>> coverage_note(RequestList((Request("/a"), Request("/b")), 2, 1), 1)
    'replayed 1 of 2 requests: 1 beyond --max-requests 1 not sent; 2 router lines for methods \
h2c never sends (POST, PUT...) skipped; 1 repeat kept once'
    >>> coverage_note(RequestList((Request("/a"),)), 500) is None
    True
    """
    total = len(requests.requests)
    sent = min(total, max_requests)
    parts = []
    if sent < total:
        parts.append(f"{total - sent} beyond --max-requests {max_requests} not sent")
    if requests.skipped_unsafe:
        parts.append(f"{requests.skipped_unsafe} router line{'s' * (requests.skipped_unsafe != 1)}"
                     " for methods h2c never sends (POST, PUT...) skipped")  # fmt: skip
    if requests.duplicates:
        parts.append(f"{requests.duplicates} repeat{'s' * (requests.duplicates != 1)} kept once")
    if not parts:
        return None
    return f"replayed {sent} of {total} requests: " + "; ".join(parts)
