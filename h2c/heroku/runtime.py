"""Decide what heroku-buildpack-python would: Python version, package manager, framework.

Pure: the loader reads the files named in ``RUNTIME_FILES`` (plus any ``manage.py`` it finds and
the files ``requirements.txt`` includes) and passes their text in.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping

from h2c.errors import InputError, Location
from h2c.heroku.jsonshape import expect_object, load_json, shape_error
from h2c.model import Finding, Runtime, Severity

DEFAULT_VERSION = "3.14"
SUPPORTED_MINORS = ("3.10", "3.11", "3.12", "3.13", "3.14")
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
)
# Files whose presence alone matters: the loader may pass "" for them.
PRESENCE_ONLY: frozenset[str] = frozenset({"manage.py", "bin/pre_compile", "bin/post_compile"})

Shown = Callable[[str], str]  # app-relative name -> the name as the user sees it

_RUNTIME_TXT_RE = re.compile(r"^python-(\d+\.\d+(?:\.\d+)?)$")
_VERSION_RE = re.compile(r"^(\d+\.\d+(?:\.\d+)?)$")
_INCLUDE_RE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")
_APT_RE = re.compile(r"^[a-z0-9][a-z0-9+.\-]*(?::[a-z0-9-]+)?(?:=\S+)?$")


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1)]


def _meaningful(text: str) -> list[tuple[int, str]]:
    """Non-blank lines that are not ``#`` comments."""
    return [(n, line) for n, line in _lines(text) if line and not line.startswith("#")]


def requirement_includes(text: str, base: str = "") -> tuple[str, ...]:
    """App-relative paths a requirements file pulls in with ``-r``/``-c``.

    >>> requirement_includes("-r base.txt\\n--constraint=c.txt\\nflask\\n", "reqs")
    ('reqs/base.txt', 'reqs/c.txt')
    """
    found = []
    for _, line in _meaningful(text):
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
    version, source = _version(files, shown, default_version, findings)
    manager, dep_files = _package_manager(files, shown, root or ".")
    if manager == "pip":
        findings += _missing_includes(files, dep_files, shown)
        texts = [_strip_comments(files[f]) for f in dep_files]
    else:
        texts = [files.get(f, "") for f in dep_files]
    dep_text = "\n".join(texts).lower()
    manage = _manage_py(files)
    framework = None
    if manage and _mentions(dep_text, "django"):
        framework = "django"
    elif _mentions(dep_text, "flask"):
        framework = "flask"
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
        django_manage=manage if framework == "django" else None,
        collectstatic=collectstatic,
        apt_packages=_aptfile(files.get("Aptfile"), shown("Aptfile"), findings),
        pre_compile="bin/pre_compile" in files,
        post_compile="bin/post_compile" in files,
    )
    return runtime, tuple(findings)


def _check_supported(version: str, where: Location) -> str:
    minor = ".".join(version.split(".")[:2])
    if minor not in SUPPORTED_MINORS:
        raise InputError(
            where,
            f"Python {version} is not supported by Heroku's Python buildpack; "
            f"expected {SUPPORTED_MINORS[0]} to {SUPPORTED_MINORS[-1]}",
        )
    return version


def _version(
    files: Mapping[str, str], shown: Shown, default_version: str, findings: list[Finding]
) -> tuple[str, str]:
    if "runtime.txt" in files:
        lines = _meaningful(files["runtime.txt"])
        number, line = lines[0] if lines else (1, "")
        match = _RUNTIME_TXT_RE.match(line)
        if len(lines) != 1 or not match:
            raise InputError(
                Location(shown("runtime.txt"), number),
                "expected one line `python-X.Y` or `python-X.Y.Z`, e.g. python-3.12",
            )
        findings.append(
            Finding(
                Severity.WARNING,
                "runtime.txt is deprecated; Heroku recommends .python-version",
                shown("runtime.txt"),
                number,
            )
        )
        return _check_supported(match[1], Location(shown("runtime.txt"), number)), "runtime.txt"
    if ".python-version" in files:
        name = shown(".python-version")
        lines = _meaningful(files[".python-version"])
        if len(lines) != 1:
            where = Location(name, lines[1][0]) if len(lines) > 1 else Location(name)
            raise InputError(where, f"expected exactly one Python version line, found {len(lines)}")
        number, line = lines[0]
        if not _VERSION_RE.match(line):
            raise InputError(
                Location(name, number),
                f"invalid Python version {line!r}: expected X.Y or X.Y.Z, e.g. 3.12",
            )
        return _check_supported(line, Location(name, number)), ".python-version"
    if "Pipfile.lock" in files:
        name = shown("Pipfile.lock")
        meta = expect_object(load_json(files["Pipfile.lock"], name), name, "")
        requires = expect_object(meta.get("_meta", {}), name, "/_meta")
        requires = expect_object(requires.get("requires", {}), name, "/_meta/requires")
        for key in ("python_full_version", "python_version"):
            if key in requires:
                ptr = f"/_meta/requires/{key}"
                value = requires[key]
                if not isinstance(value, str) or not _VERSION_RE.match(value):
                    raise shape_error(name, ptr, "a Python version X.Y or X.Y.Z", value)
                return _check_supported(value, Location(name, pointer=ptr)), "Pipfile.lock"
    findings.append(
        Finding(
            Severity.INFO,
            f"no Python version requested; using the buildpack default {default_version}",
        )
    )
    return default_version, "default"


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
            if path in files and path not in ordered:
                ordered.append(path)
                todo.append(path)
    return tuple(ordered)


def _missing_includes(
    files: Mapping[str, str], dep_files: tuple[str, ...], shown: Shown
) -> list[Finding]:
    """A ``-r``/``-c`` file that is not there: pip would fail at build time."""
    findings = []
    for name in dep_files:
        for number, line in _meaningful(files[name]):
            for path in requirement_includes(line, posixpath.dirname(name)):
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
    return "\n".join(line.split(" #")[0] for _, line in _meaningful(text))


def _mentions(text: str, package: str) -> bool:
    """True when ``package`` appears as a whole requirement name (not ``django-environ``)."""
    return re.search(rf"(?<![a-z0-9_.\-]){package}(?![a-z0-9_.\-])", text) is not None


def _manage_py(files: Mapping[str, str]) -> str | None:
    """The shallowest manage.py, as the buildpack's ``find -maxdepth 3`` picks it."""
    paths = [p for p in files if posixpath.basename(p) == "manage.py"]
    return min(paths, key=lambda p: (p.count("/"), p)) if paths else None


def _aptfile(text: str | None, name: str, findings: list[Finding]) -> tuple[str, ...]:
    if text is None:
        return ()
    packages = []
    for number, line in _meaningful(text):
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
