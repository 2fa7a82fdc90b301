"""One error family for h2c; ``cli.main`` maps each kind to an exit code.

Exit codes (documented once, here):

- 0 ok
- 1 the gate, a verification or ``--check`` failed
- 2 bad input (a file, line or JSON pointer says where)
- 3 the environment lacks something (Docker engine, pg_restore, an image)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3


class H2cError(Exception):
    """Base of every error h2c reports to a user instead of a traceback."""

    exit_code = EXIT_FAILED


# What a message may not show raw: controls, separators, bidi and zero-width marks, surrogates.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def printable(text: str) -> str:
    r"""``text`` with every character that could break a line or hide text escaped.

    >>> print(printable("a\nb\u202e\udc00"))
    a\x0ab\u202e\udc00
    """
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256
                            else f"\\u{ord(m[0]):04x}", text)  # fmt: skip


@dataclass(frozen=True)
class Location:
    """Where in the user's input something is: a file and a line or a JSON pointer."""

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        text = printable(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.pointer is not None:
            pointer = printable(self.pointer) or "/"
            if any(c.isspace() for c in pointer):  # a key with a space: quoted, or it reads as two
                pointer = json.dumps(pointer, ensure_ascii=False)
            text += f" at {pointer}"
        return text


class InputError(H2cError):
    """Bad input: the message always starts with the location."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, location: Location | str, message: str) -> None:
        self.location = location if isinstance(location, Location) else Location(location)
        self.message = message
        super().__init__(f"{self.location}: {message}")


class EnvironmentMissing(H2cError):
    """The machine lacks a tool, service or image that the command needs."""

    exit_code = EXIT_ENVIRONMENT


class VerificationFailed(H2cError):
    """A check or verification ran and found a problem."""

    exit_code = EXIT_FAILED
