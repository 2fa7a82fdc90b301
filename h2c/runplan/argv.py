"""What the gate runs: which Procfile processes, with which args, through which compose file.

Pure helpers over Procfile and convox.yml commands (service names, container args, the program
a command starts) and the compose file rewritten for the gate, plus small text helpers for
failure messages.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from h2c.plan.naming import RELEASE, SHIM_PATH


def gate_processes(process_names: Sequence[str]) -> list[str]:
    """Every Procfile process the gate runs as a service: all but ``release``, sorted.

    >>> gate_processes(["worker", "release", "web"])
    ['web', 'worker']
    """
    return sorted(name for name in process_names if name != RELEASE)


# --- commands and entry points ------------------------------------------------------------

SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env"})


def command_args(command: str | Sequence[str] | None) -> list[str] | None:
    """A convox.yml ``command`` as container args: v3 shell-splits it and runs no shell.

    >>> command_args("sh -c 'exec gunicorn app:app'")
    ['sh', '-c', 'exec gunicorn app:app']
    """
    if command is None:
        return None
    if isinstance(command, str):
        return shlex.split(command)
    return [str(word) for word in command]


def shell_args(command: str) -> list[str]:
    """A Procfile command run as Heroku does: through a shell, so ``$PORT`` and ``&&`` work."""
    return ["/bin/sh", "-c", command]


def entry_point(command: str | Sequence[str]) -> str:
    """The program a command starts, looking through ``sh -c``, ``exec``, ``K=v`` prefixes and
    h2c's multi-line shim (an ENTRYPOINT that decodes values, then execs its arguments).

    >>> entry_point(["/usr/local/bin/h2c-env", "sh", "-c", "exec gunicorn app.wsgi"])
    'gunicorn'
    >>> entry_point("sh -c 'exec gunicorn app.wsgi --bind 0.0.0.0:$PORT'")
    'gunicorn'
    >>> entry_point(["/bin/sh", "-c", "FOO=1 python manage.py migrate && echo ok"])
    'python'
    >>> entry_point("celery -A proj worker")
    'celery'
    """
    words = command_args(command) or []
    if words[:1] == [SHIM_PATH]:
        words = words[1:]
    while len(words) >= 3 and words[0] in SHELLS and words[1] in ("-c", "-ec", "-lc"):
        words = shlex.split(words[2])
    while words and (words[0] == "exec" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words = words[1:]
    return words[0] if words else ""


def resolve_args(program: str) -> list[str]:
    """Container args that print where ``program`` resolves in the image's PATH (rc 0 if found).

    The name travels as an argument, never spliced into the script.

    >>> resolve_args("gunicorn")
    ['/bin/sh', '-c', 'command -v "$1"', 'sh', 'gunicorn']
    """
    return ["/bin/sh", "-c", 'command -v "$1"', "sh", program]
