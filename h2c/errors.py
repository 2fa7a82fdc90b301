"""One error family for h2c; ``cli.main`` maps each kind to an exit code.

Exit codes (documented once, here):

- 0 ok
- 1 the gate, a verification or ``--check`` failed
- 2 bad input (a file, line or JSON pointer says where)
- 3 the environment lacks something (Docker engine, pg_restore, an image)
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3


class H2cError(Exception):
    """Base of every error h2c reports to a user instead of a traceback."""

    exit_code = EXIT_FAILED


@dataclass(frozen=True)
class Location:
    """Where in the user's input something is: a file and a line or a JSON pointer."""

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.pointer is not None:
            text += f" at {self.pointer or '/'}"
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
