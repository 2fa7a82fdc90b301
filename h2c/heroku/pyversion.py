"""Which Python heroku-buildpack-python installs, and which file decided it.

Pure, like ``h2c.heroku.runtime`` (its one caller): file texts in, a version out. The
buildpack's order: ``runtime.txt`` (deprecated), ``.python-version``, ``Pipfile.lock``, then
its default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from h2c.errors import InputError, Location
from h2c.heroku.files import split_lines
from h2c.heroku.jsonshape import expect_object, load_json, shape_error
from h2c.model import Finding, Severity

DEFAULT_VERSION = "3.14"
SUPPORTED_MINORS = ("3.10", "3.11", "3.12", "3.13", "3.14")

Shown = Callable[[str], str]  # app-relative name -> the name as the user sees it

_RUNTIME_TXT_RE = re.compile(r"^python-(\d+\.\d+(?:\.\d+)?)$")
_VERSION_RE = re.compile(r"^(\d+\.\d+(?:\.\d+)?)$")


def meaningful_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, stripped line)`` for the lines that are neither blank nor ``#`` comments,
    as the buildpack reads its one-entry-a-line files (a BOM is accepted).

    >>> meaningful_lines("\\ufeff# pinned\\n\\n  3.12 \\n")
    [(3, '3.12')]
    """
    lines = [
        (n, line.strip()) for n, line in enumerate(split_lines(text.removeprefix("\ufeff")), 1)
    ]
    return [(n, line) for n, line in lines if line and not line.startswith("#")]


def python_version(
    files: Mapping[str, str], shown: Shown, default_version: str, findings: list[Finding]
) -> tuple[str, str]:
    """``(version as the app asks, the file that decided it or "default")``.

    >>> python_version({".python-version": "3.12\\n"}, str, DEFAULT_VERSION, [])
    ('3.12', '.python-version')
    """
    if "runtime.txt" in files:
        return _from_runtime_txt(
            files["runtime.txt"], shown("runtime.txt"), findings
        ), "runtime.txt"
    if ".python-version" in files:
        name = ".python-version"
        return _from_python_version(files[name], shown(name)), name
    if "Pipfile.lock" in files:
        version = _from_pipfile_lock(files["Pipfile.lock"], shown("Pipfile.lock"))
        if version is not None:
            return version, "Pipfile.lock"
    findings.append(
        Finding(
            Severity.INFO,
            f"no Python version requested; using the buildpack default {default_version}",
        )
    )
    return default_version, "default"


def _from_runtime_txt(text: str, name: str, findings: list[Finding]) -> str:
    lines = meaningful_lines(text)
    number, line = lines[0] if lines else (1, "")
    match = _RUNTIME_TXT_RE.match(line)
    if len(lines) != 1 or not match:
        raise InputError(
            Location(name, number),
            "expected one line `python-X.Y` or `python-X.Y.Z`, e.g. python-3.12",
        )
    findings.append(
        Finding(
            Severity.WARNING,
            "runtime.txt is deprecated; Heroku recommends .python-version",
            name,
            number,
        )
    )
    return _check_supported(match[1], Location(name, number))


def _from_python_version(text: str, name: str) -> str:
    lines = meaningful_lines(text)
    if len(lines) != 1:
        where = Location(name, lines[1][0]) if len(lines) > 1 else Location(name)
        raise InputError(where, f"expected exactly one Python version line, found {len(lines)}")
    number, line = lines[0]
    if not _VERSION_RE.match(line):
        raise InputError(
            Location(name, number),
            f"invalid Python version {line!r}: expected X.Y or X.Y.Z, e.g. 3.12",
        )
    return _check_supported(line, Location(name, number))


def _from_pipfile_lock(text: str, name: str) -> str | None:
    """The version ``_meta.requires`` pins, or None when it pins none."""
    meta = expect_object(load_json(text, name), name, "")
    requires = expect_object(meta.get("_meta", {}), name, "/_meta")
    requires = expect_object(requires.get("requires", {}), name, "/_meta/requires")
    for key in ("python_full_version", "python_version"):
        if key in requires:
            ptr = f"/_meta/requires/{key}"
            value = requires[key]
            if not isinstance(value, str) or not _VERSION_RE.match(value):
                raise shape_error(name, ptr, "a Python version X.Y or X.Y.Z", value)
            return _check_supported(value, Location(name, pointer=ptr))
    return None


def _check_supported(version: str, where: Location) -> str:
    minor = ".".join(version.split(".")[:2])
    if minor not in SUPPORTED_MINORS:
        raise InputError(
            where,
            f"Python {version} is not supported by Heroku's Python buildpack; "
            f"expected {SUPPORTED_MINORS[0]} to {SUPPORTED_MINORS[-1]}",
        )
    return version
