"""Read the dyno formation printed by ``heroku ps:scale`` and know what each dyno size means.

``heroku ps:scale`` with no arguments prints ``web=2:Standard-2X worker=1:Performance-M``.
"""

from __future__ import annotations

import re

from h2c.errors import InputError, Location
from h2c.model import FormationEntry

DEFAULT_SIZE = "standard-1x"

# Memory per dyno size (Heroku dyno types page; REFERENCE.md "Dyno memory").
# eco/basic/standard-1x/standard-2x/private-s/shield-s/performance-m/performance-l are from the
# reference; the rest are estimates from Heroku's published dyno table, good enough for sizing.
DYNO_MEMORY_MB: dict[str, int] = {
    "eco": 512,
    "basic": 512,
    "standard-1x": 512,
    "standard-2x": 1024,
    "performance-m": 2560,
    "performance-l": 14336,
    "performance-l-ram": 30720,  # estimate
    "performance-xl": 63488,  # estimate
    "performance-2xl": 129024,  # estimate
    "private-s": 1024,
    "private-m": 2560,  # estimate: same class as performance-m
    "private-l": 14336,  # estimate: same class as performance-l
    "shield-s": 1024,
    "shield-m": 2560,  # estimate
    "shield-l": 14336,  # estimate
}

# CPU per dyno size in Convox millicores. Heroku sells shared CPU "compute units" for
# eco..standard-2x, so all of these are estimates except the dedicated cores of
# performance-m (2 cores) and performance-l (8 cores) given in the reference.
DYNO_CPU_MILLICORES: dict[str, int] = {
    "eco": 250,  # estimate (Convox's default)
    "basic": 250,  # estimate
    "standard-1x": 500,  # estimate
    "standard-2x": 1000,  # estimate
    "performance-m": 2000,
    "performance-l": 8000,
    "performance-l-ram": 4000,  # estimate
    "performance-xl": 8000,  # estimate
    "performance-2xl": 16000,  # estimate
    "private-s": 1000,  # estimate
    "private-m": 2000,  # estimate
    "private-l": 8000,  # estimate
    "shield-s": 1000,  # estimate
    "shield-m": 2000,  # estimate
    "shield-l": 8000,  # estimate
}

KNOWN_SIZES: tuple[str, ...] = tuple(DYNO_MEMORY_MB)

# Names older app.json files and the legacy CLI use for today's sizes.
SIZE_ALIASES: dict[str, str] = {
    "free": "eco",
    "hobby": "basic",
    "1x": "standard-1x",
    "2x": "standard-2x",
    "px": "performance-l",
}

_TOKEN_RE = re.compile(r"^(?P<type>[A-Za-z0-9_-]{1,63})=(?P<qty>\d+)(?::(?P<size>[^\s:]+))?$")


def normalize_size(size: str) -> str | None:
    """The canonical lower-case size, or None when Heroku has no such size.

    >>> normalize_size("Standard-2X"), normalize_size("free"), normalize_size("huge")
    ('standard-2x', 'eco', None)
    """
    lowered = size.strip().lower()
    lowered = SIZE_ALIASES.get(lowered, lowered)
    return lowered if lowered in DYNO_MEMORY_MB else None


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
                    f"unexpected {token!r}: expected `type=quantity[:size]` (web=2:Standard-2X)",
                )
            raw_size = match["size"] or DEFAULT_SIZE
            size = normalize_size(raw_size)
            if size is None:
                raise InputError(
                    Location(file, number),
                    f"unknown dyno size {raw_size!r} in {token!r}: expected one of "
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
