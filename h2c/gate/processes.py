"""What the gate runs: which Procfile processes, with which args, through which compose file.

Pure helpers over Procfile and convox.yml commands (service names, container args, the program
a command starts) and the compose file rewritten for the gate, plus small text helpers for
failure messages.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RELEASE = "release"


def service_name(process: str) -> str:
    """The Convox service name a Procfile process type becomes.

    >>> service_name("urgent_worker"), service_name("Web")
    ('urgent-worker', 'web')
    """
    return process.lower().replace("_", "-")


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
    """The program a command starts, looking through ``sh -c``, ``exec`` and ``K=v`` prefixes.

    >>> entry_point("sh -c 'exec gunicorn app.wsgi --bind 0.0.0.0:$PORT'")
    'gunicorn'
    >>> entry_point(["/bin/sh", "-c", "FOO=1 python manage.py migrate && echo ok"])
    'python'
    >>> entry_point("celery -A proj worker")
    'celery'
    """
    words = command_args(command) or []
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


# --- compose --------------------------------------------------------------------------------


def compose_for_gate(
    compose: Mapping[str, Any], app_dir: Path, image: str | None = None
) -> dict[str, Any]:
    """The compose file the gate runs: published ports moved to random loopback host ports.

    An override file cannot do this: compose appends override ``ports`` to the base ones, so
    ``80:<port>`` would still try to bind host port 80. Services built from the app use the
    gate's image (built once per session) when one is given; other paths become absolute so
    the file can live in a temporary folder.

    >>> out = compose_for_gate({"services": {"web": {"build": ".", "ports": ["80:8000"]}}},
    ...                        Path("/src"), image="app:gate")
    >>> out["services"]["web"]
    {'ports': ['127.0.0.1::8000'], 'image': 'app:gate'}
    """
    result: dict[str, Any] = json.loads(json.dumps(compose))
    for service in (result.get("services") or {}).values():
        build = service.pop("build", None)
        if build is not None and image is not None:
            service["image"] = image
        elif isinstance(build, str):
            service["build"] = str((app_dir / build).resolve())
        elif isinstance(build, dict):
            build["context"] = str((app_dir / str(build.get("context", "."))).resolve())
            service["build"] = build
        if "ports" in service:
            service["ports"] = [
                f"127.0.0.1::{str(item).split('/')[0].split(':')[-1]}"
                for item in service.get("ports") or []
            ]
        if "env_file" in service:
            files = service["env_file"]
            files = [files] if isinstance(files, str) else files
            service["env_file"] = [str((app_dir / f).resolve()) for f in files]
    return result


def log_tail(text: str, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, for a failure message."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def shell_quote(word: str) -> str:
    """One argument quoted for ``/bin/sh`` (testinfra runs commands through a shell)."""
    return shlex.quote(word)


def was_killed(exit_code: int | None) -> bool:
    """True when a stop ended in SIGKILL (137 from Docker, -9 from a raw wait status).

    >>> was_killed(137), was_killed(0), was_killed(143)
    (True, False, False)
    """
    return exit_code in (137, -9)
