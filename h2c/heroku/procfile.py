"""Read a Heroku Procfile into processes.

Heroku's grammar is ``<type>: <command>`` per line. The CNB parser wants lowercase ``a-z0-9-``
names, but real Procfiles hold ``urgent_worker`` or ``Web``: those are kept as written here and
renamed (and reported) by the writer.
"""

from __future__ import annotations

import re

from h2c.errors import InputError, Location
from h2c.heroku.files import split_lines
from h2c.model import Finding, Process, Severity

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
# C0/C1 controls but tab, line/paragraph separators, bidi and zero-width marks, BOM.
CONTROL_RE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
# Linux's limit for one argument (MAX_ARG_STRLEN, with its NUL): Heroku runs `bash -c <command>`.
MAX_COMMAND_BYTES = 131071


def procfile_lines(text: str) -> list[tuple[int, str]]:
    """Split text into ``(line number, line)`` pairs, accepting a BOM and CRLF, LF or lone CR
    (old Mac) endings.

    >>> procfile_lines("\\ufeffweb: a\\r\\n\\r\\nworker: b\\rclock: c\\r")
    [(1, 'web: a'), (2, ''), (3, 'worker: b'), (4, 'clock: c')]
    """
    lines = split_lines(text.removeprefix("\ufeff"))
    if lines and lines[-1] == "":
        lines.pop()
    return list(enumerate(lines, start=1))


def parse_procfile(
    text: str, *, file: str = "Procfile"
) -> tuple[tuple[Process, ...], tuple[Finding, ...]]:
    """Parse a Procfile: processes in first-seen order, and findings (duplicates).

    >>> procs, findings = parse_procfile("web: gunicorn app:app\\n# note\\nworker: celery -A x")
    >>> [(p.name, p.command, p.line) for p in procs]
    [('web', 'gunicorn app:app', 1), ('worker', 'celery -A x', 3)]
    """
    found: dict[str, Process] = {}
    findings: list[Finding] = []
    for number, line in procfile_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, colon, command = line.partition(":")
        name, command = name.strip(), command.strip()
        if not colon:
            raise InputError(
                Location(file, number),
                "expected `<type>: <command>` (a process type, a colon, then the command)",
            )
        if not NAME_RE.match(name):
            raise InputError(
                Location(file, number),
                f"invalid process type {name!r}: expected 1-63 letters, digits, '-' or '_'",
            )
        if not command:
            raise InputError(Location(file, number), f"process type {name!r} has an empty command")
        _check_command(command, name, Location(file, number))
        previous = found.get(name)
        if previous is not None:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"process type {name!r} is defined on lines {previous.line} and {number}; "
                    f"Heroku uses the last one (line {number})",
                    file,
                    number,
                )
            )
        found[name] = Process(name=name, command=command, line=number)
    if not found:
        raise InputError(file, "no process types; expected at least one `<type>: <command>` line")
    return tuple(found.values()), tuple(findings)


def _check_command(command: str, name: str, where: Location) -> None:
    """A command is one line of visible text (tabs allowed) that Linux can pass to bash."""
    bad = CONTROL_RE.search(command)
    if bad is not None:
        raise InputError(
            where,
            f"control character U+{ord(bad[0]):04X} in the command of {name!r}; expected a "
            "command of visible characters (and tabs)",
        )
    size = len(command.encode("utf-8", "surrogatepass"))
    if size > MAX_COMMAND_BYTES:
        raise InputError(
            where,
            f"the command of {name!r} is {size} bytes; expected at most {MAX_COMMAND_BYTES} "
            "(Linux's limit for the one argument of `bash -c`)",
        )
