"""Read a Node.js app's files for ``load_app``: the one place they touch the filesystem.

``h2c.heroku.node`` decides from their text; this module finds and reads them: package.json and
the lockfiles, the Procfile's processes (or Heroku's default ``web: npm start``), and the app's
own JavaScript for database settings that demand TLS.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from h2c.errors import InputError
from h2c.heroku.files import leaves, read_text
from h2c.heroku.node import (
    default_processes,
    detect_node_runtime,
    direct_commands,
    pg_ssl_findings,
    tls_sites,
)
from h2c.heroku.node_pm import LOCKFILES, NODE_FILES, YARN_DIRS
from h2c.model import Finding, Process, Runtime, Severity

# Any of these at the root makes an app a Python one, even with a package.json beside it.
PYTHON_FILES = ("requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock")
_SOURCE_SUFFIXES = (".js", ".cjs", ".mjs", ".ts")
_SKIP_DIRS = frozenset({"node_modules", ".git", "dist", "build", "coverage", "public"})
_MAX_SOURCES = 400


def is_node_app(app_dir: Path) -> bool:
    """package.json at the root and no Python dependency file: Heroku's Node.js buildpack."""
    if not (app_dir / "package.json").is_file():
        return False
    return not any((app_dir / name).is_file() for name in PYTHON_FILES)


def load_node(
    app_dir: Path, processes: tuple[Process, ...], *, procfile: str, root: str
) -> tuple[Runtime, tuple[Process, ...], tuple[Finding, ...]]:
    """The Node runtime, the processes Heroku would run, and what was noticed on the way."""
    files: dict[str, str] = {}
    for name in NODE_FILES:
        path = app_dir / name
        if path.is_file():
            big = name in LOCKFILES and name != "yarn.lock"
            files[name] = "" if big else read_text(path, expected="a text file", app_dir=app_dir)
    files.update(_yarn_files(app_dir))
    runtime, scripts, findings = detect_node_runtime(files, root=root)
    found = list(findings)
    has_server_js = (app_dir / "server.js").is_file()
    if not processes:
        processes = default_processes(scripts, has_server_js)
        found.append(
            Finding(
                Severity.INFO,
                "no Procfile: Heroku runs `web: npm start` for a Node.js app, and so does h2c"
                if processes
                else "no Procfile, no start script and no server.js: nothing to run",
                str(app_dir / "package.json"),
            )
        )
    processes, direct = direct_commands(
        processes, scripts, has_server_js=has_server_js, procfile=procfile
    )
    found += direct
    tls = pg_ssl_findings(_sources(app_dir))
    found += tls
    return replace(runtime, node_tls_sites=tls_sites(tls)), processes, tuple(found)


def _yarn_files(app_dir: Path) -> dict[str, str]:
    """The files of yarn 2+'s own folders (``YARN_DIRS``), by name only: the install needs
    them before the code is copied."""
    found = {}
    for folder in YARN_DIRS:
        for path in sorted((app_dir / folder).rglob("*")):
            if path.is_file() and not leaves(path, app_dir):
                found[path.relative_to(app_dir).as_posix()] = ""
    return found


def _sources(app_dir: Path) -> dict[str, str]:
    """The app's own JavaScript/TypeScript files, app-relative name -> text."""
    found: dict[str, str] = {}
    for directory, dirs, names in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(names):
            if not name.endswith(_SOURCE_SUFFIXES) or len(found) >= _MAX_SOURCES:
                continue
            path = Path(directory) / name
            if leaves(path, app_dir):
                continue  # scanned, not an input: a link out of the app is not followed
            try:
                found[path.relative_to(app_dir).as_posix()] = read_text(path, expected="source")
            except InputError:
                continue
    return found
