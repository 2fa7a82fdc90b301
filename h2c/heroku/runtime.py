"""Decide what heroku-buildpack-python would: Python version, package manager, framework.

Pure: the loader reads the files named in ``RUNTIME_FILES`` (plus any ``manage.py`` it finds and
the files ``requirements.txt`` includes) and passes their text in. Besides the buildpack's own
decisions: the web framework (Django, Flask, FastAPI, Starlette), the migration tool
(Flask-Migrate, Alembic), the ASGI server and the Celery processes the Procfile runs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from h2c.errors import InputError, Location, printable
from h2c.heroku.procfile import parse_procfile
from h2c.heroku.pyversion import DEFAULT_VERSION, Shown, meaningful_lines, python_version
from h2c.model import Finding, Process, Runtime, Severity

RUNTIME_FILES: tuple[str, ...] = (
    "runtime.txt",
    ".python-version",
    "Pipfile",
    "Pipfile.lock",
    "requirements.txt",
    "poetry.lock",
    "pyproject.toml",
    "uv.lock",
    "manage.py",
    "Aptfile",
    "bin/pre_compile",
    "bin/post_compile",
    "alembic.ini",
    "Procfile",
)
# Files whose presence alone matters: the loader may pass "" for them.
PRESENCE_ONLY: frozenset[str] = frozenset(
    {"manage.py", "bin/pre_compile", "bin/post_compile", "alembic.ini"}
)

_INCLUDE_RE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")
_APT_RE = re.compile(r"^[a-z0-9][a-z0-9+.\-]*(?::[a-z0-9-]+)?(?:=\S+)?$")
_ASGI_SERVERS = ("uvicorn", "hypercorn", "daphne")  # `gunicorn -k uvicorn.workers...` is uvicorn
_CELERY_RE = re.compile(r"(?<![\w.-])celery(?![\w.-])")
_BEAT_FLAG_RE = re.compile(r"(?<!\S)(?:-B|--beat)(?!\S)")


def inside_app(path: str) -> bool:
    """True for an app-relative path that stays in the app folder (not absolute, no ``..``).

    >>> inside_app("reqs/base.txt"), inside_app("../x.txt"), inside_app("/etc/x")
    (True, False, False)
    """
    return not posixpath.isabs(path) and path != ".." and not path.startswith("../")


def requirement_includes(text: str, base: str = "") -> tuple[str, ...]:
    """App-relative paths a requirements file pulls in with ``-r``/``-c``.

    >>> requirement_includes("-r base.txt\\n--constraint=c.txt\\nflask\\n", "reqs")
    ('reqs/base.txt', 'reqs/c.txt')
    """
    found = []
    for _, line in meaningful_lines(text):
        match = _INCLUDE_RE.match(line)
        if match:
            found.append(posixpath.normpath(posixpath.join(base, match[1])))
    return tuple(found)


def detect_runtime(
    files: Mapping[str, str],
    *,
    default_version: str = DEFAULT_VERSION,
    disable_collectstatic: bool = False,
    root: str = "",
) -> tuple[Runtime, tuple[Finding, ...]]:
    """Apply the buildpack's rules to the app's files (app-relative path -> text).

    ``root`` is how the user wrote the app directory: messages name ``root/runtime.txt``.

    >>> rt, _ = detect_runtime({"requirements.txt": "Django==5.0\\n", "manage.py": "",
    ...                         ".python-version": "3.12\\n"})
    >>> rt.version, rt.version_source, rt.package_manager, rt.framework, rt.collectstatic
    ('3.12', '.python-version', 'pip', 'django', True)
    """

    def shown(name: str) -> str:
        return posixpath.join(root, name) if root else name

    findings: list[Finding] = []
    version, source = python_version(files, shown, default_version, findings)
    manager, dep_files = _package_manager(files, shown, root or ".")
    if manager == "pip":
        findings += _missing_includes(files, dep_files, shown)
    dep_text = _dependency_text(files, manager, dep_files)
    processes = _processes(files.get("Procfile"))
    asgi_server = _asgi_server(processes)
    framework = _framework(files, dep_text, asgi_server)
    celery = _celery(processes)
    findings += _celery_findings(celery, processes, shown("Procfile"))
    collectstatic = framework == "django"
    if collectstatic and disable_collectstatic:
        collectstatic = False
        findings.append(
            Finding(
                Severity.INFO,
                "DISABLE_COLLECTSTATIC is set: collectstatic will not run at build time",
            )
        )
    runtime = Runtime(
        language="python",
        version=version,
        version_source=source,
        package_manager=manager,
        dependency_files=dep_files,
        framework=framework,
        django_manage=_manage_py(files) if framework == "django" else None,
        collectstatic=collectstatic,
        apt_packages=_aptfile(files.get("Aptfile"), shown("Aptfile"), findings),
        pre_compile="bin/pre_compile" in files,
        post_compile="bin/post_compile" in files,
        migrations=None if framework == "django" else _migrations(files, dep_text),
        asgi_server=asgi_server,
        celery=celery,
    )
    return runtime, tuple(findings)


def _dependency_text(files: Mapping[str, str], manager: str, dep_files: tuple[str, ...]) -> str:
    if manager == "pip":
        texts = [_strip_comments(files[f]) for f in dep_files]
    else:
        texts = [files.get(f, "") for f in dep_files]
    return "\n".join(texts).lower()


def _framework(files: Mapping[str, str], dep_text: str, asgi_server: str | None) -> str | None:
    """Django (with a manage.py), Flask, FastAPI or Starlette, when the dependency files name
    it; an ASGI server in the Procfile puts FastAPI and Starlette before Flask, and with no
    framework named is ``asgi``."""
    if _manage_py(files) and _mentions(dep_text, "django"):
        return "django"
    asgi, wsgi = ["fastapi", "starlette"], ["flask"]
    for name in [*asgi, *wsgi] if asgi_server else [*wsgi, *asgi]:
        if _mentions(dep_text, name):
            return name
    return "asgi" if asgi_server else None


def _migrations(files: Mapping[str, str], dep_text: str) -> str | None:
    """Flask-Migrate when it is a dependency, else Alembic (a dependency or an alembic.ini)."""
    if _mentions(dep_text, "flask-migrate"):
        return "flask-migrate"
    if _mentions(dep_text, "alembic") or "alembic.ini" in files:
        return "alembic"
    return None


def _processes(procfile: str | None) -> tuple[Process, ...]:
    """The Procfile's processes; the loader has already reported a malformed Procfile."""
    if not procfile:
        return ()
    try:
        return parse_procfile(procfile, file="Procfile")[0]
    except InputError:
        return ()


def _asgi_server(processes: tuple[Process, ...]) -> str | None:
    """The ASGI server the Procfile runs, web first (``gunicorn -k uvicorn...`` is uvicorn).

    >>> _asgi_server((Process("web", "gunicorn -k uvicorn.workers.UvicornWorker main:app", 1),))
    'uvicorn'
    """
    for proc in sorted(processes, key=lambda p: p.name != "web"):
        words = re.split(r"[\s=]+", proc.command.lower())
        for server in _ASGI_SERVERS:
            if any(w == server or w.startswith(f"{server}.") for w in words):
                return server
    return None


def _celery(processes: tuple[Process, ...]) -> tuple[tuple[str, str], ...]:
    """(process, role) for each Procfile process that runs Celery's worker or beat.

    >>> _celery((Process("worker", "celery -A app worker -B -l info", 1),
    ...          Process("clock", "celery -A app beat", 2)))
    (('worker', 'worker+beat'), ('clock', 'beat'))
    """
    found = []
    for proc in processes:
        if not _CELERY_RE.search(proc.command):
            continue
        words = proc.command.split()
        if "worker" in words:
            beat = _BEAT_FLAG_RE.search(proc.command) is not None
            found.append((proc.name, "worker+beat" if beat else "worker"))
        elif "beat" in words:
            found.append((proc.name, "beat"))
    return tuple(found)


def _celery_findings(
    celery: tuple[tuple[str, str], ...], processes: tuple[Process, ...], procfile: str
) -> list[Finding]:
    """A worker that embeds beat sends every scheduled task once per replica."""
    lines = {p.name: p.line for p in processes}
    return [
        Finding(
            Severity.WARNING,
            f"{name}: the Celery worker also runs beat (`-B`/`--beat`): keep it at exactly one "
            "replica on Convox, or move beat to a process of its own (`celery ... beat`); "
            "with more replicas every scheduled task is sent once per replica",
            procfile,
            lines.get(name),
        )
        for name, role in celery
        if role == "worker+beat"
    ]


def _package_manager(
    files: Mapping[str, str], shown: Shown, app: str
) -> tuple[str, tuple[str, ...]]:
    found = [
        name
        for name in ("requirements.txt", "Pipfile", "poetry.lock", "uv.lock")
        if name in files or (name == "Pipfile" and "Pipfile.lock" in files)
    ]
    if len(found) > 1:
        raise InputError(
            app,
            "multiple Python package manager files were found: "
            + ", ".join(found)
            + "; exactly one must be present, as Heroku's "
            "Python buildpack requires (remove the others)",
        )
    if not found:
        raise InputError(
            app,
            "no Python package manager file found; expected one of "
            "requirements.txt, Pipfile.lock, poetry.lock or uv.lock",
        )
    kind = found[0]
    if kind == "requirements.txt":
        return "pip", _pip_files(files)
    if kind == "Pipfile":
        if "Pipfile.lock" not in files:
            raise InputError(
                shown("Pipfile"),
                "found without Pipfile.lock; Heroku's Python "
                "buildpack requires the lock file (run `pipenv lock` and commit it)",
            )
        if "Pipfile" not in files:
            raise InputError(shown("Pipfile.lock"), "found without Pipfile; expected both")
        return "pipenv", ("Pipfile", "Pipfile.lock")
    manager = "poetry" if kind == "poetry.lock" else "uv"
    if "pyproject.toml" not in files:
        raise InputError(shown(kind), f"found without pyproject.toml; {manager} needs both")
    return manager, ("pyproject.toml", kind)


def _pip_files(files: Mapping[str, str]) -> tuple[str, ...]:
    ordered = ["requirements.txt"]
    todo = ["requirements.txt"]
    while todo:
        current = todo.pop()
        for path in requirement_includes(files.get(current, ""), posixpath.dirname(current)):
            if path in files and path not in ordered and inside_app(path):
                ordered.append(path)
                todo.append(path)
    return tuple(ordered)


def _missing_includes(
    files: Mapping[str, str], dep_files: tuple[str, ...], shown: Shown
) -> list[Finding]:
    """A ``-r``/``-c`` file that is not there: pip would fail at build time; one outside the app
    folder (absolute, or up with ``..``) is an InputError, never a file to copy."""
    findings = []
    for name in dep_files:
        for number, line in meaningful_lines(files[name]):
            for path in requirement_includes(line, posixpath.dirname(name)):
                if not inside_app(path):
                    raise InputError(
                        Location(shown(name), number),
                        f"`{printable(line)}` reads {printable(path)}, outside the app folder; "
                        "expected a file inside it (Heroku builds the app folder alone, and "
                        "so does the image)",
                    )
                if path not in files:
                    findings.append(
                        Finding(
                            Severity.WARNING,
                            f"references {path}, which is not in the app directory",
                            shown(name),
                            number,
                        )
                    )
    return findings


def _strip_comments(text: str) -> str:
    return "\n".join(line.split(" #")[0] for _, line in meaningful_lines(text))


def _mentions(text: str, package: str) -> bool:
    """True when ``package`` appears as a whole requirement name (not ``django-environ``);
    ``-``, ``_`` and ``.`` are the same in a name, as pip normalises them.

    >>> _mentions("flask_migrate==4.0", "flask-migrate"), _mentions("django-environ", "django")
    (True, False)
    """
    name = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", package))
    return re.search(rf"(?<![a-z0-9_.\-]){name}(?![a-z0-9_.\-])", text) is not None


def _manage_py(files: Mapping[str, str]) -> str | None:
    """The shallowest manage.py, as the buildpack's ``find -maxdepth 3`` picks it."""
    paths = [p for p in files if posixpath.basename(p) == "manage.py"]
    return min(paths, key=lambda p: (p.count("/"), p)) if paths else None


def _aptfile(text: str | None, name: str, findings: list[Finding]) -> tuple[str, ...]:
    if text is None:
        return ()
    packages = []
    for number, line in meaningful_lines(text):
        if "://" in line or line.endswith(".deb") or line.startswith(":repo:"):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "package URLs and extra apt repositories cannot be carried over; line skipped",
                    name,
                    number,
                )
            )
        elif _APT_RE.match(line):
            packages.append(line)
        else:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{line!r} is not a Debian package name; line skipped",
                    name,
                    number,
                )
            )
    return tuple(packages)
