"""One HTTP answer as a comparable structure: status, content type, redirect, headers, body.

Pure. ``structure`` turns an ``Answer`` into nested plain values whose paths name what a user
would look at: ``status``, ``content_type``, ``location``, ``headers.cache-control``,
``body.user.name`` (JSON), ``body.html.body.form.input.@value`` (HTML), ``body[3]`` (the 4th
line of a text body). The app's own host is written ``<host>`` wherever it appears (a redirect
to ``https://shop.herokuapp.com/login`` and one to ``https://web.shop.convox.cloud/login`` are
the same redirect), multi-valued headers are sorted, ignored headers are dropped and
``Set-Cookie`` keeps only cookie names (its values are per-answer noise and secrets).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from h2c.compare.htmltree import html_tree

# Headers every answer sets differently, or each platform's router sets its own way: never app
# behaviour. Hop-by-hop headers and Content-Length (it follows the body, compared on its own).
DEFAULT_IGNORED_HEADERS = frozenset({
    "date", "x-request-id", "request-id", "x-runtime", "x-amzn-trace-id", "via", "server",
    "nel", "report-to", "reporting-endpoints", "connection", "keep-alive", "transfer-encoding",
    "content-length", "age", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-port",
    "strict-transport-security",
})  # fmt: skip
TEXT_TYPES = ("text/", "application/javascript", "application/xml", "application/x-www-form")
HOST_MARK = "<host>"


@dataclass(frozen=True)
class Answer:
    """What one platform answered (``error`` set, status 0, when it did not answer at all)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    url: str = ""  # the URL asked (redirects are resolved against it)
    error: str | None = None
    seconds: float = 0.0

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def structure(answer: Answer, *, ignored_headers: Collection[str] = DEFAULT_IGNORED_HEADERS,
              ) -> dict[str, Any]:  # fmt: skip
    """The comparable form of an answer.

    >>> a = Answer(302, (("Location", "http://shop.example/login?next=%2F"), ("Date", "x"),
    ...                  ("Vary", "Cookie"), ("Vary", "Accept"), ("Set-Cookie", "sid=1; Path=/")),
    ...            url="http://shop.example/account")
    >>> structure(a)  # doctest: +NORMALIZE_WHITESPACE
    {'status': 302, 'content_type': None, 'location': 'http://<host>/login?next=%2F',
     'headers': {'set-cookie': ['sid'], 'vary': ['Accept', 'Cookie']}, 'body': None}
    >>> structure(Answer(200, (("Content-Type", "application/json"),), b'{"a": [1]}'))["body"]
    {'a': [1]}
    """
    if answer.error is not None:
        return {"error": answer.error}
    host = urlsplit(answer.url).netloc
    content_type = answer.header("content-type")
    return {
        "status": answer.status,
        "content_type": " ".join(content_type.lower().split()) if content_type else None,
        "location": _location(answer, host),
        "headers": _headers(answer.headers, ignored_headers, host),
        "body": _body(answer.body, content_type or "", host),
    }


def _own(text: str, host: str) -> str:
    return text.replace(host, HOST_MARK) if host else text


def _location(answer: Answer, host: str) -> str | None:
    location = answer.header("location")
    if location is None:
        return None
    absolute = urljoin(answer.url, location) if answer.url else location
    return _own(absolute, host)


def _headers(headers: tuple[tuple[str, str], ...], ignored: Collection[str], host: str,
             ) -> dict[str, Any]:  # fmt: skip
    values: dict[str, list[str]] = {}
    for key, value in headers:
        name = key.lower()
        if name in ignored or name in ("location", "content-type"):
            continue
        if name == "set-cookie":
            value = value.split("=", 1)[0].strip()  # the cookie's name, never its value
        values.setdefault(name, []).append(_own(value, host))
    return {k: sorted(v) if len(v) > 1 or k == "set-cookie" else v[0]
            for k, v in sorted(values.items())}  # fmt: skip


def _body(body: bytes, content_type: str, host: str) -> Any:
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return _own_values(json.loads(text), host)
        except ValueError:
            pass
    if kind in ("text/html", "application/xhtml+xml"):
        return _own_values(html_tree(text), host)
    if kind.startswith(TEXT_TYPES) or kind.endswith(("+xml", "/json")):
        return [_own(line, host) for line in text.splitlines()]
    return {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def _own_values(value: Any, host: str) -> Any:
    if isinstance(value, str):
        return _own(value, host)
    if isinstance(value, list):
        return [_own_values(v, host) for v in value]
    if isinstance(value, Mapping):
        return {k: _own_values(v, host) for k, v in value.items()}
    return value
