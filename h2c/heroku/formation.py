"""Read the dyno formation printed by ``heroku ps:scale``.

``heroku ps:scale`` with no arguments prints ``web=2:Standard-2X worker=1:Performance-M``.
The dyno size tables live in ``h2c.heroku.dynos``.
"""

from __future__ import annotations

import re

from h2c.errors import InputError, Location
from h2c.heroku.dynos import (
    DEFAULT_SIZE,
    DYNO_CPU_MILLICORES,
    DYNO_MEMORY_MB,
    KNOWN_SIZES,
    MAX_QUANTITY,
    SIZE_ALIASES,
    normalize_size,
)
from h2c.model import FormationEntry

__all__ = [
    "DEFAULT_SIZE",
    "DYNO_CPU_MILLICORES",
    "DYNO_MEMORY_MB",
    "KNOWN_SIZES",
    "SIZE_ALIASES",
    "normalize_size",
    "parse_formation",
]

_TOKEN_RE = re.compile(r"^(?P<type>[A-Za-z0-9_-]{1,63})=(?P<qty>\d+)(?::(?P<size>[^\s:]+))?$")


def parse_formation(text: str, *, file: str) -> tuple[FormationEntry, ...]:
    """Parse ``type=quantity[:size]`` tokens separated by whitespace or newlines.

    >>> parse_formation("web=2:Standard-2X worker=1", file="ps.txt")
    ... # doctest: +NORMALIZE_WHITESPACE
    (FormationEntry(process='web', quantity=2, size='standard-2x'),
     FormationEntry(process='worker', quantity=1, size='standard-1x'))
    """
    entries: dict[str, tuple[int, FormationEntry]] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        for token in line.split():
            match = _TOKEN_RE.match(token)
            if match is None:
                raise InputError(
                    Location(file, number),
                    f"unexpected {_shown(token)}: expected `type=quantity[:size]` "
                    "(web=2:Standard-2X)",
                )
            if len(match["qty"]) > 5 or int(match["qty"]) > MAX_QUANTITY:
                raise InputError(
                    Location(file, number),
                    f"quantity of {match['type']!r} too large; expected 0 to {MAX_QUANTITY}",
                )
            raw_size = match["size"] or DEFAULT_SIZE
            size = normalize_size(raw_size)
            if size is None:
                raise InputError(
                    Location(file, number),
                    f"unknown dyno size {_shown(raw_size)} in {_shown(token)}: expected one of "
                    + ", ".join(KNOWN_SIZES),
                )
            process = match["type"]
            if process in entries:
                raise InputError(
                    Location(file, number),
                    f"process type {process!r} is scaled twice "
                    f"(lines {entries[process][0]} and {number})",
                )
            entries[process] = (number, FormationEntry(process, int(match["qty"]), size))
    if not entries:
        raise InputError(file, "no formation; expected `type=quantity[:size]` tokens")
    return tuple(entry for _, entry in entries.values())


def _shown(token: str) -> str:
    """A token as a message shows it: quoted, escaped, at most 60 characters."""
    return repr(token if len(token) <= 60 else token[:57] + "...")
