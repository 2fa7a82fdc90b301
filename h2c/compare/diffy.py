"""Diffy's noise cancelling for one request: Heroku twice, Convox once (pure).

Twitter's Diffy sends each request to a primary, a secondary (a second copy of the old
service) and the candidate; raw = diff(primary, candidate), noise = diff(primary, secondary).
Here Heroku is asked twice and Convox once, and a field is a difference only where Convox
differs from the first Heroku answer **and** the two Heroku answers agree on it (its path, or a
path above it, did not differ between them). A timestamp, a request id or a csrf token differs
between the two Heroku answers, so it is noise whatever Convox says. So is the length of a list
the two Heroku answers disagree on (a feed or a log that grew between them, as Diffy judges a
sequence as a whole): an element only one side has, in a list whose elements came or went
between the Heroku answers, is noise too (a JSON array's items, an HTML element's children of
one tag, ``li`` .. ``li[7]``); its elements present on all three sides are still compared.
Diffy's per-endpoint thresholds (relative > 20 %, absolute > 0.03 %) need many requests per
endpoint; h2c replays each path once, so each path gets its own verdict: any field left after
cancelling fails it.

The structural diff is DeepDiff's (JSON bodies field by field, the HTML tree of
``h2c.compare.htmltree``, headers, status); this module only cancels noise and names paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from h2c.compare.answers import DEFAULT_IGNORED_HEADERS, Answer, structure
from h2c.compare.requestlist import Request

Path = tuple[str | int, ...]
EXCERPT = 200  # characters of a value the report shows (masked), never a message
_EXISTENCE = frozenset({"dictionary_item_added", "dictionary_item_removed",
                        "iterable_item_added", "iterable_item_removed"})  # fmt: skip
_NUMBERED = re.compile(r"\[\d+\]$")  # htmltree's li[2], li[3]... siblings of one tag


@dataclass(frozen=True)
class FieldDiff:
    """One field where Convox differs while Heroku agreed with itself."""

    path: str
    heroku: str  # an excerpt of the value, for the report only (it may hold data)
    convox: str


@dataclass(frozen=True)
class PathVerdict:
    request: Request
    differences: tuple[FieldDiff, ...] = ()
    noise: tuple[str, ...] = ()  # fields that differed between the two Heroku answers
    heroku_status: int = 0
    convox_status: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences

    def message(self, limit: int = 6) -> str:
        """What a failed check says: the fields, never their values.

        >>> v = PathVerdict(Request("/a"), (FieldDiff("status", "200", "500"),), (), 200, 500)
        >>> v.message()
        'GET /a differs on Convox in: status (Heroku 200, Convox 500)'
        """
        paths = [d.path for d in self.differences]
        shown = ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit
                                             else "")  # fmt: skip
        text = f"{self.request.method} {self.request.path} differs on Convox in: {shown}"
        if self.heroku_status != self.convox_status:
            text += f" (Heroku {_status(self.heroku_status)}, Convox {_status(self.convox_status)})"
        return text


def _status(code: int) -> str:
    return str(code) if code else "no answer"


def render_path(path: Sequence[str | int]) -> str:
    """A DeepDiff path list as text.

    >>> render_path(["body", "user", "name"]), render_path(["body", 3]), render_path(["status"])
    ('body.user.name', 'body[3]', 'status')
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def changed_paths(left: Any, right: Any) -> dict[Path, tuple[Any, Any]]:
    """Every path where ``right`` differs from ``left``, with both values (``None`` if absent).

    >>> sorted(changed_paths({"a": 1, "b": [1]}, {"a": 2, "b": [1, 2], "c": 0}))
    [('a',), ('b', 1), ('c',)]
    """
    return _diff(left, right)[0]


def _diff(left: Any, right: Any) -> tuple[dict[Path, tuple[Any, Any]], set[Path]]:
    """``changed_paths``, and which of those paths are an element present on one side only."""
    tree = DeepDiff(left, right, view="tree", verbose_level=2)
    found: dict[Path, tuple[Any, Any]] = {}
    existence: set[Path] = set()
    for report, items in tree.items():
        for item in items:
            path = tuple(item.path(output_format="list"))
            found[path] = (_present(item.t1), _present(item.t2))
            if report in _EXISTENCE:
                existence.add(path)
    return found, existence


def _family(path: Path) -> tuple[Path, str | None]:
    """The list an element belongs to: its parent and its kind (an index, or a tag's siblings).

    >>> _family(("body", 3)), _family(("body", "ul", "li[4]")), _family(("body", "ul", "li"))
    ((('body',), '#index'), (('body', 'ul'), 'li'), (('body', 'ul'), 'li'))
    """
    *parent, last = path
    kind = "#index" if isinstance(last, int) else _NUMBERED.sub("", last)
    return tuple(parent), kind


def _present(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value


def _covered(path: Path, noise: Collection[Path], lists: Collection[tuple[Path, str | None]] = (),
             existence: bool = False) -> bool:  # fmt: skip
    """Whether ``path`` or a path above it was noisy on Heroku, or (``existence``: an element
    only one side has) it belongs to a list whose length was noisy on Heroku (``lists``)."""
    if any(path[: len(n)] == n for n in noise):
        return True
    return existence and bool(path) and _family(path) in lists


def compare(request: Request, first: Answer, second: Answer, convox: Answer, *,
            ignored_headers: Collection[str] = DEFAULT_IGNORED_HEADERS) -> PathVerdict:  # fmt: skip
    """The verdict for one request from its three answers.

    >>> from h2c.compare.answers import Answer as A
    >>> j = lambda body: A(200, (("Content-Type", "application/json"),), body.encode())
    >>> v = compare(Request("/me"), j('{"n": "a", "t": 1}'), j('{"n": "a", "t": 2}'),
    ...             j('{"n": "b", "t": 3}'))
    >>> [d.path for d in v.differences], v.noise
    (['body.n'], ('body.t',))
    """
    s1, s2, sc = (structure(a, ignored_headers=ignored_headers) for a in (first, second, convox))
    noise, noisy_elements = _diff(s1, s2)
    raw, raw_elements = _diff(s1, sc)
    lists = {_family(path) for path in noisy_elements if path}
    differences = tuple(
        FieldDiff(render_path(path), _excerpt(h), _excerpt(c))
        for path, (h, c) in sorted(raw.items(), key=lambda kv: render_path(kv[0]))
        if not _covered(path, noise, lists, path in raw_elements)
    )
    return PathVerdict(request, differences, tuple(sorted(render_path(p) for p in noise)),
                       first.status, convox.status)  # fmt: skip


def _excerpt(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
