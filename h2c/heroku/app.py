"""Load a Heroku app directory (and optional CLI exports) into one AppSpec.

The only reader that touches the filesystem: it reads the files, hands their text to the pure
parsers, and merges what they found. Paths in messages are shown as the user typed them.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from h2c.errors import InputError
from h2c.heroku.addons import parse_addons_json
from h2c.heroku.appjson import AppJson, parse_app_json
from h2c.heroku.buildenv import default_settings_module, python_reads, settings_files, shell_reads
from h2c.heroku.config import parse_config
from h2c.heroku.files import check_inside, leaves, read_text
from h2c.heroku.formation import parse_formation
from h2c.heroku.node_app import is_node_app, load_node
from h2c.heroku.procfile import parse_procfile
from h2c.heroku.runtime import (
    PRESENCE_ONLY,
    RUNTIME_FILES,
    detect_runtime,
    inside_app,
    requirement_includes,
)
from h2c.heroku.scheduler import parse_scheduler
from h2c.model import (
    Addon,
    AppSpec,
    ConfigVar,
    Finding,
    FormationEntry,
    Process,
    Runtime,
    ScheduledJob,
    Severity,
)

__all__ = ["dyno_reads", "load_app", "read_text"]  # read_text: the artifact readers' too

# Directories never searched for manage.py: virtualenvs, dependencies, VCS metadata.
_SKIP_DIRS = frozenset({"node_modules", "venv", "env", "__pycache__", "site-packages"})


# A Heroku CLI export given on the command line (``heroku config -s``, ``addons --json``,
# ``ps:scale``), or None when it was not.
Export = Path | None


def load_app(
    app_dir: Path,
    *,
    config: Export = None,
    addons: Export = None,
    formation: Export = None,
    scheduler: Export = None,
) -> AppSpec:
    """Read a Heroku app directory and the optional ``heroku config``/``addons``/``ps`` exports
    and Heroku Scheduler jobs."""
    app_dir = Path(app_dir)
    if not app_dir.is_dir():
        raise InputError(str(app_dir), "not a directory; expected a Heroku app directory")
    procfile = app_dir / "Procfile"
    node = is_node_app(app_dir)  # a Node.js app may have no Procfile: `web: npm start`
    processes, procfile_findings = (
        ((), ())
        if node and not procfile.is_file()
        else parse_procfile(
            read_text(procfile, expected="a Heroku Procfile", app_dir=app_dir), file=str(procfile)
        )
    )
    findings = list(procfile_findings)
    app_json = _read_app_json(app_dir)
    findings += app_json.findings
    config_vars = _read_config(config)
    root = "" if str(app_dir) == "." else str(app_dir)
    if node:
        runtime, processes, runtime_findings = load_node(
            app_dir, processes, procfile=str(procfile), root=root
        )
    else:
        runtime, runtime_findings = detect_runtime(
            _runtime_files(app_dir),
            disable_collectstatic=any(c.key == "DISABLE_COLLECTSTATIC" for c in config_vars),
            root=root,
        )
    findings += runtime_findings
    app_addons = _read_addons(addons, app_json, findings)
    app_formation = _read_formation(formation, app_dir, app_json, processes, findings)
    return AppSpec(
        name=app_json.name or app_dir.resolve().name,
        processes=processes,
        runtime=runtime,
        addons=app_addons,
        formation=app_formation,
        env_decls=app_json.env,
        config=config_vars,
        scripts=app_json.scripts,
        buildpacks=app_json.buildpacks,
        stack=app_json.stack,
        reads_platform_env=dyno_reads(app_dir),
        scheduled_jobs=_read_scheduler(scheduler),
        exports=_exports(
            app_dir, config=config, addons=addons, formation=formation, scheduler=scheduler
        ),
        build_reads=_build_reads(app_dir, runtime, config_vars),
        findings=tuple(findings),
    )


def _exports(app_dir: Path, **given: Export) -> tuple[tuple[str, str], ...]:
    """The exports read, relative to the app folder (POSIX form: the same on every machine)."""
    return tuple(
        (kind, Path(os.path.relpath(path.absolute(), app_dir.absolute())).as_posix())
        for kind, path in given.items()
        if path is not None
    )


def _read_scheduler(scheduler: Export) -> tuple[ScheduledJob, ...]:
    if scheduler is None:
        return ()
    text = read_text(scheduler, expected="Heroku Scheduler jobs (JSON)")
    return parse_scheduler(text, file=str(scheduler))


def _build_reads(
    app_dir: Path, runtime: Runtime, config: tuple[ConfigVar, ...]
) -> tuple[tuple[str, str, int], ...]:
    """Config vars the build's own code reads: the hooks, and the settings collectstatic loads."""
    found: list[tuple[str, str, int]] = []
    for hook, present in (("bin/pre_compile", runtime.pre_compile),
                          ("bin/post_compile", runtime.post_compile)):  # fmt: skip
        text = (_optional_text(app_dir, hook) or "") if present else ""
        # a hook is a shell script that may run Python inline, or a Python script: read both
        reads = sorted({*shell_reads(text), *python_reads(text)}, key=lambda r: (r[1], r[0]))
        found += [(key, hook, line) for key, line in reads]
    if runtime.collectstatic:
        for name in _settings_files(app_dir, runtime, config):
            text = _optional_text(app_dir, name) or ""
            found += [(key, name, line) for key, line in python_reads(text)]
    return tuple(dict.fromkeys(found))


def _settings_files(app_dir: Path, runtime: Runtime, config: tuple[ConfigVar, ...]) -> list[str]:
    """The settings module Django loads at build time: the config's, else manage.py's default."""
    module = next((c.value.reveal() for c in config if c.key == "DJANGO_SETTINGS_MODULE"), None)
    manage_dir = posixpath.dirname(runtime.django_manage or "manage.py")
    if module is None:
        module = default_settings_module(
            _optional_text(app_dir, runtime.django_manage or "manage.py") or ""
        )
    if not module:
        return []
    names = [posixpath.join(manage_dir, f) for f in settings_files(module)]
    return [n for n in names if (app_dir / n).is_file()][:1]


def _optional_text(app_dir: Path, name: str) -> str | None:
    """The text of an app file that may be absent (None); a present one is read as any other."""
    path = app_dir / name
    check_inside(path, app_dir)
    return read_text(path, expected="a text file") if os.path.lexists(path) else None


def _read_app_json(app_dir: Path) -> AppJson:
    """app.json when the app has one; an app without one has nothing it would declare."""
    path = app_dir / "app.json"
    if not path.is_file():
        return AppJson()
    return parse_app_json(read_text(path, expected="app.json", app_dir=app_dir), file=str(path))


def _read_config(config: Export) -> tuple[ConfigVar, ...]:
    if config is None:
        return ()
    text = read_text(config, expected="the output of `heroku config -s` or `--json`")
    return parse_config(text, file=str(config))


def _read_addons(addons: Export, app_json: AppJson, findings: list[Finding]) -> tuple[Addon, ...]:
    """The add-ons export wins over app.json's add-ons: it is what the app runs today."""
    if addons is None:
        return app_json.addons
    text = read_text(addons, expected="the output of `heroku addons --json`")
    if app_json.addons:
        findings.append(
            Finding(
                Severity.INFO,
                "add-ons from app.json replaced by those in the add-ons export",
                str(addons),
            )
        )
    return parse_addons_json(text, file=str(addons))


def _read_formation(
    formation: Export,
    app_dir: Path,
    app_json: AppJson,
    processes: tuple[Process, ...],
    findings: list[Finding],
) -> tuple[FormationEntry, ...]:
    """The ``ps:scale`` export, else app.json's formation; a process neither side knows is said
    here, where both the formation and the Procfile were read."""
    entries, file = app_json.formation, str(app_dir / "app.json")
    if formation is not None:
        text = read_text(formation, expected="the output of `heroku ps:scale`")
        entries, file = parse_formation(text, file=str(formation)), str(formation)
    names = {p.name for p in processes}
    findings += [
        Finding(
            Severity.WARNING,
            f"formation scales {f.process!r}, which the Procfile does not define",
            file,
        )
        for f in entries
        if f.process not in names
    ]
    return entries


DYNO_READ = re.compile(r"""["']DYNO["']""")


def dyno_reads(app_dir: Path) -> tuple[tuple[str, str, int], ...]:
    """``("DYNO", file, line)`` for each Python file that reads DYNO, app-relative.

    A fact for the model, not a finding: the planner, which decides to set DYNO on Convox, says
    so once, naming these places.
    """
    found = []
    for path in _python_files(app_dir):
        if leaves(path, app_dir):
            continue  # scanned, not an input: a link out of the app is not followed
        try:
            lines = read_text(path, expected="a Python file").splitlines()
        except InputError:
            continue
        line = next((n for n, text in enumerate(lines, 1) if DYNO_READ.search(text)), None)
        if line is not None:
            found.append(("DYNO", _relative(str(path), app_dir), line))
    return tuple(found)


def _relative(file: str, app_dir: Path) -> str:
    """``file`` relative to the app, in POSIX form: the same on every machine."""
    try:
        return Path(file).relative_to(app_dir).as_posix()
    except ValueError:
        return Path(file).as_posix()


def _python_files(app_dir: Path) -> list[Path]:
    """The app's own ``*.py`` files, sorted; virtualenvs and hidden folders skipped."""
    files = []
    for directory, dirs, names in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        files += [Path(directory) / n for n in sorted(names) if n.endswith(".py")]
    return files


def _runtime_files(app_dir: Path) -> dict[str, str]:
    """The runtime files that exist, app-relative name -> text ("" for presence-only ones)."""
    files: dict[str, str] = {}

    def add(name: str) -> None:
        path = app_dir / name
        if name in files or not os.path.lexists(path) or path.is_dir():
            return
        if posixpath.basename(name) in PRESENCE_ONLY or name in PRESENCE_ONLY:
            files[name] = ""
        else:
            files[name] = read_text(path, expected="a text file", app_dir=app_dir)

    for name in RUNTIME_FILES:
        add(name)
    for manage in _find_manage_py(app_dir):
        add(manage)
    todo = ["requirements.txt"] if "requirements.txt" in files else []
    while todo:
        current = todo.pop()
        for include in requirement_includes(files[current], posixpath.dirname(current)):
            if include not in files and inside_app(include):  # detect_runtime refuses others
                add(include)
                if include in files:
                    todo.append(include)
    return files


def _find_manage_py(app_dir: Path) -> list[str]:
    """manage.py up to two levels down, as the buildpack's ``find . -maxdepth 3`` sees them."""
    found = []
    level = [app_dir]
    for _depth in range(2):
        next_level = []
        for directory in level:
            for child in sorted(directory.iterdir()):
                if (
                    child.is_dir()
                    and not child.name.startswith(".")
                    and (child.name not in _SKIP_DIRS)
                    and not leaves(child, app_dir)
                ):
                    next_level.append(child)
                    if (child / "manage.py").is_file():
                        found.append(child.relative_to(app_dir).as_posix() + "/manage.py")
        level = next_level
    return found
