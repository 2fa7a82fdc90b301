"""Reading a Dockerfile: instructions with continuations joined, then FROM, EXPOSE, ENV, WORKDIR.

The one Dockerfile parser: the engine (base images to check), the port checks and the image
checks all read a Dockerfile through here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping


def _logical_lines(dockerfile: str) -> list[tuple[int, str]]:
    """Dockerfile instructions with continuations joined, each with its first line number."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(dockerfile.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append((start, pending + stripped))
        pending = ""
    if pending:
        lines.append((start, pending))
    return lines


def dockerfile_expose(dockerfile: str) -> list[int]:
    """Ports named by ``EXPOSE`` (``8000/tcp`` counts as 8000).

    >>> dockerfile_expose("FROM x\\nEXPOSE 8000/tcp 9000\\n")
    [8000, 9000]
    """
    ports = []
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() == "EXPOSE":
            for item in rest.split():
                number = item.split("/")[0]
                if number.isdigit():
                    ports.append(int(number))
    return ports


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    """Variables set by ``ENV`` (both ``K=V ...`` and the legacy ``K V`` form); last one wins.

    >>> dockerfile_env('ENV PORT=8000 A="b c"\\nENV LEGACY some value\\n')
    {'PORT': '8000', 'A': 'b c', 'LEGACY': 'some value'}
    """
    env: dict[str, str] = {}
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() != "ENV":
            continue
        rest = rest.strip()
        first = rest.split(None, 1)[0] if rest else ""
        if "=" in first:
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
        elif first:
            env[first] = rest[len(first) :].strip()
    return env


def dockerfile_workdir(dockerfile: str) -> str:
    """The last ``WORKDIR`` (``/app`` when none), where the app's files live in the image."""
    workdir = "/app"
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() == "WORKDIR" and rest.strip():
            workdir = rest.strip()
    return workdir


def from_images(dockerfile: str, buildargs: Mapping[str, str] | None = None) -> list[str]:
    """Images a Dockerfile builds FROM, without stage names, ``scratch`` or duplicates.

    >>> from_images("ARG V=3.11\\nFROM python:${V}-slim AS base\\nFROM base\\nFROM --platform=x pg")
    ['python:3.11-slim', 'pg']
    """
    args: dict[str, str] = {}
    stages: set[str] = {"scratch"}
    found: list[str] = []
    for _, line in _logical_lines(dockerfile):
        words = line.split()
        keyword = words[0].upper()
        if keyword == "ARG" and len(words) > 1 and not stages - {"scratch"} and not found:
            name, _, default = words[1].partition("=")
            args[name] = (buildargs or {}).get(name, default.strip("\"'"))
        elif keyword == "FROM":
            rest = [w for w in words[1:] if not w.startswith("--")]
            if not rest:
                continue
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), ""), rest[0])
            if len(rest) >= 3 and rest[1].upper() == "AS":
                stages.add(rest[2].lower())
            if image.lower() not in stages and image not in found:
                found.append(image)
    return found


def declared_args(dockerfile: str) -> list[str]:
    """Every ``ARG`` name, in order: Convox passes the app env's value of each as a build arg.

    >>> declared_args("ARG PY=3.11\\nFROM python:${PY}\\nARG DJANGO_SETTINGS_MODULE\\nARG PY\\n")
    ['PY', 'DJANGO_SETTINGS_MODULE']
    """
    names: list[str] = []
    for _, line in _logical_lines(dockerfile):
        words = line.split()
        if words[0].upper() == "ARG" and len(words) > 1:
            name = words[1].partition("=")[0]
            if name not in names:
                names.append(name)
    return names
