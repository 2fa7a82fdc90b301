"""Read a Heroku Procfile into processes.

Heroku's grammar is ``<type>: <command>`` per line. The CNB parser wants lowercase ``a-z0-9-``
names, but real Procfiles hold ``urgent_worker`` or ``Web``: those are kept as written here and
renamed (and reported) by the writer.
"""

from __future__ import annotations

import re

from h2c.errors import InputError, Location
from h2c.model import Finding, Process, Severity

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
_LINE_RE = re.compile(r"^\s*(?P<name>[^:]*?)\s*:\s*(?P<command>.*?)\s*$")


def procfile_lines(text: str) -> list[tuple[int, str]]:
    """Split text into ``(line number, line)`` pairs, accepting a BOM and CRLF endings.

    >>> procfile_lines("\\ufeffweb: a\\r\\n\\r\\nworker: b")
    [(1, 'web: a'), (2, ''), (3, 'worker: b')]
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [(number, line.removesuffix("\r")) for number, line in enumerate(lines, start=1)]


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
        match = _LINE_RE.match(line)
        if match is None:
            raise InputError(
                Location(file, number),
                "expected `<type>: <command>` (a process type, a colon, then the command)",
            )
        name, command = match["name"], match["command"]
        if not NAME_RE.match(name):
            raise InputError(
                Location(file, number),
                f"invalid process type {name!r}: expected 1-63 letters, digits, '-' or '_'",
            )
        if not command:
            raise InputError(Location(file, number), f"process type {name!r} has an empty command")
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
