"""Run the gate (``pytest --pyargs h2c.checks``) in a subprocess of this interpreter.

A subprocess keeps the gate's imports, fixtures and Docker state out of the CLI process, and
its pytest exit code plus the JSON summary decide h2c's exit code (``gate_exit_code``).

The gate loads its own plugin and no other: pytest plugins installed beside h2c are not
auto-loaded (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``). They have nothing to do with the checks, some
would act on them (pytest-django configuring the user's settings), and importing them costs
start-up time (hypothesis's plugin alone 0.9 s here). ``h2c check APP -p NAME`` loads one.

Nor does the app's own pytest set-up reach the gate: it runs from a scratch folder (its cwd and
``--rootdir``) with an ini file h2c writes there (``-c``), ``--noconftest`` and no
``PYTEST_ADDOPTS``, so an app's ``pytest.ini`` / ``pyproject.toml`` / ``setup.cfg`` /
``tox.ini`` (``addopts = --cov=app``, ``--ds=...``) and its ``conftest.py`` are never read.
Paths h2c passes are made absolute for that; paths inside ``extra`` are the caller's to give
absolute.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypedDict, Unpack

from h2c.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_FAILED, EXIT_OK
from h2c.gate.summary import Record, read_json

FAILED = frozenset({"failed", "error"})
INTERRUPT_WAIT_S = 60.0  # how long a Ctrl-C waits for the gate's own clean-up
GATE_INI = """\
# Written by h2c for one gate run: the app's own pytest settings never apply to the gate.
[pytest]
addopts =
"""
DROPPED_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")  # the user's pytest settings, not the gate's
AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
URL_OPTIONS = {"--h2c-source": "H2C_GATE_SOURCE_URL", "--h2c-target": "H2C_GATE_TARGET_URL"}
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
SI_KERNEL = 0x80  # si_code of a signal the kernel sent (the terminal's Ctrl-C to its group)


@dataclass(frozen=True)
class GateRun:
    pytest_rc: int
    records: list[Record]
    exit_code: int


class GateOptions(TypedDict, total=False):
    """``run_gate``'s options, passed on to ``pytest_args`` as they are."""

    config: Path | None
    addons: Path | None
    formation: Path | None
    junit_xml: Path | None
    keep: bool
    settle: float | None
    extra: Sequence[str]


def gate_exit_code(pytest_rc: int, records: Sequence[Record]) -> int:
    """h2c's exit code: 0 pass, 1 a check failed, 2 bad input, 3 the environment lacks something.

    >>> gate_exit_code(0, [Record("c", "-")])
    0
    >>> gate_exit_code(1, [Record("c", "-", "error", kind="environment")])
    3
    >>> broken = Record("a", "-", "failed")
    >>> gate_exit_code(1, [broken, Record("b", "-", "error", kind="environment")])
    1
    >>> gate_exit_code(4, [])
    2
    """
    failed = [r for r in records if r.result in FAILED]
    if pytest_rc == 0 and not failed:
        return EXIT_OK if records else EXIT_BAD_INPUT
    if pytest_rc in (4, 5):  # usage error, nothing collected
        return EXIT_BAD_INPUT
    kinds = {r.kind for r in failed}
    if "check" in kinds or not kinds:
        return EXIT_FAILED
    return EXIT_ENVIRONMENT if "environment" in kinds else EXIT_BAD_INPUT


def pytest_args(
    app_dir: Path,
    *,
    summary: Path,
    config: Path | None = None,
    addons: Path | None = None,
    formation: Path | None = None,
    junit_xml: Path | None = None,
    keep: bool = False,
    settle: float | None = None,
    extra: Sequence[str] = (),
    scratch: Path | None = None,
) -> list[str]:
    """The pytest command line for one gate run (without the interpreter).

    With ``scratch`` (a folder holding ``GATE_INI``), the run's ini file and rootdir are there.
    """
    app = str(Path(app_dir).resolve())
    args = ["--pyargs", "h2c.checks", "-p", "h2c.gate.plugin", "--h2c-app", app]
    if scratch is not None:
        args += ["-c", str(scratch / "pytest.ini"), "--rootdir", str(scratch), "--noconftest"]
    for flag, value in (
        ("--h2c-config", config),
        ("--h2c-addons", addons),
        ("--h2c-formation", formation),
        ("--junit-xml", junit_xml),
        ("--h2c-settle", settle),
    ):
        if isinstance(value, Path):
            args += [flag, str(value.resolve())]
        elif value is not None:
            args += [flag, str(value)]
    if keep:
        args.append("--h2c-keep")
    summary_file = str(Path(summary).resolve())
    return [*args, "--h2c-summary", summary_file, "-p", "no:cacheprovider", *extra]


def urls_to_env(extra: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Database URLs among the pytest args, moved to the gate's environment (``ps`` shows
    argv, and a URL holds a password); the plugin reads ``$NAME`` from there.

    >>> urls_to_env(["--h2c-source", "postgres://u:pw@h/db", "--h2c-target=$T", "-x"])
    (['--h2c-source', '$H2C_GATE_SOURCE_URL', '--h2c-target=$T', '-x'], \
{'H2C_GATE_SOURCE_URL': 'postgres://u:pw@h/db'})
    """
    args, env = list(extra), {}
    for index, arg in enumerate(args):
        option, equals, value = arg.partition("=")
        if option in URL_OPTIONS and not equals and index + 1 < len(args):
            value, index = args[index + 1], index + 1
        elif option not in URL_OPTIONS or not equals:
            continue
        if "://" in value:
            name = URL_OPTIONS[option]
            env[name] = value
            args[index] = f"{option}=${name}" if equals else f"${name}"
    return args, env


def run_gate(
    app_dir: Path,
    *,
    summary: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    **options: Unpack[GateOptions],
) -> GateRun:
    """Run the checks on one app; pytest's output streams to this process's terminal.

    The JSON summary goes to ``summary`` when given (and stays there), else to a scratch file.
    """
    with tempfile.TemporaryDirectory(prefix="h2c-check-") as name:
        scratch = Path(name)
        (scratch / "pytest.ini").write_text(GATE_INI, encoding="utf-8")
        summary = summary or scratch / "summary.json"
        summary.unlink(missing_ok=True)  # an old file must not pass for this run's
        options["extra"], url_env = urls_to_env(options.get("extra", ()))
        args = pytest_args(app_dir, summary=summary, scratch=scratch, **options)
        env = child_env({**(extra_env or {}), **url_env, "H2C_REQUIRE_ENGINE": "1"})
        argv = [sys.executable, "-m", "pytest", *args]
        with subprocess.Popen(argv, env=env, cwd=scratch) as gate:
            pytest_rc = _wait(gate)
        records = read_json(summary) if summary.exists() else []
    return GateRun(pytest_rc, records, gate_exit_code(pytest_rc, records))


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment for a checks run: no ``DROPPED_ENV``, no plugin autoload."""
    kept = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    return {**kept, **extra, AUTOLOAD: "1"}


def run_checks(
    kind: str, options: Sequence[str], *, stdout: int | IO[str] | None = None,
    outputs: Sequence[str] = (),
) -> tuple[GateRun, dict[str, str]]:  # fmt: skip
    """Run ``h2c.<kind>_checks`` with plugin ``h2c.<kind>.plugin``, isolated like the gate.

    Each name of ``outputs`` is a ``--h2c-<kind>-<name> FILE`` the plugin writes; its text, when
    written, comes back by name.
    """
    with tempfile.TemporaryDirectory(prefix=f"h2c-{kind}-") as name:
        scratch = Path(name)
        files, args = _checks_args(kind, scratch, options, outputs)
        argv = [sys.executable, "-m", "pytest", *args]
        with subprocess.Popen(argv, env=child_env({}), cwd=scratch, stdout=stdout) as run:
            rc = _wait(run)
        return _checks_result(rc, files)


def run_checks_here(
    kind: str, options: Sequence[str], *, plugins: Sequence[object] = (),
    stdout: IO[str] | None = None, outputs: Sequence[str] = (),
) -> tuple[GateRun, dict[str, str]]:  # fmt: skip
    """``run_checks`` in this process, isolated the same way but for the process: for a run
    whose reads were started before pytest was imported (``plugins`` hand them over), which
    a subprocess would have to start again after its own start-up. Its output goes to
    ``stdout`` (default: this process's). A Ctrl-C is KeyboardInterrupt once pytest has said
    so; the checks started nothing that needs stopping."""
    import pytest

    with (
        tempfile.TemporaryDirectory(prefix=f"h2c-{kind}-") as name,
        _checks_environ(),
        contextlib.redirect_stdout(stdout or sys.stdout),
        contextlib.chdir(name),  # as the subprocess's cwd: pytest names files from there
    ):
        files, args = _checks_args(kind, Path(name), options, outputs)
        rc = int(pytest.main(args, plugins=list(plugins)))
        if rc == pytest.ExitCode.INTERRUPTED:
            raise KeyboardInterrupt
        return _checks_result(rc, files)


def _checks_args(
    kind: str, scratch: Path, options: Sequence[str], outputs: Sequence[str]
) -> tuple[dict[str, Path], list[str]]:
    """The output files by name, and pytest's arguments: the gate's ini and rootdir in
    ``scratch``, no conftest, no cache."""
    (scratch / "pytest.ini").write_text(GATE_INI, encoding="utf-8")
    files = {out: scratch / f"{out}.json" for out in ("summary", *outputs)}
    args = [
        "--pyargs", f"h2c.{kind}_checks", "-p", f"h2c.{kind}.plugin",
        "-c", str(scratch / "pytest.ini"), "--rootdir", str(scratch), "--noconftest",
        "-p", "no:cacheprovider",
        *(arg for out, file in files.items() for arg in (f"--h2c-{kind}-{out}", str(file))),
        *options,
    ]  # fmt: skip
    return files, args


def _checks_result(rc: int, files: dict[str, Path]) -> tuple[GateRun, dict[str, str]]:
    summary = files["summary"]
    records = read_json(summary) if summary.exists() else []
    texts = {out: f.read_text() for out, f in files.items() if out != "summary" and f.exists()}
    return GateRun(rc, records, gate_exit_code(rc, records)), texts


@contextlib.contextmanager
def _checks_environ() -> Iterator[None]:
    """This process's environment as ``child_env`` makes a checks run's, while it runs."""
    saved = {name: os.environ.get(name) for name in (*DROPPED_ENV, AUTOLOAD)}
    try:
        for name in DROPPED_ENV:
            os.environ.pop(name, None)
        os.environ[AUTOLOAD] = "1"
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait(gate: subprocess.Popen[bytes]) -> int:
    """The gate's exit code; on SIGINT or SIGTERM, stop it, let it clean up, then stop too.

    Ctrl-C in a terminal reaches the gate too (its ``si_code`` says the terminal sent it), and
    its teardown removes what it started. A signal sent to h2c alone (``kill -INT PID``) is
    passed on to the gate, whose teardown does the same. h2c waits ``INTERRUPT_WAIT_S`` for
    that, then raises KeyboardInterrupt (exit 130). Off the main thread: a plain wait.
    """
    if threading.current_thread() is not threading.main_thread():
        return gate.wait()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        info = None
        while info is None:
            rc = gate.poll()
            if rc is not None:
                return rc
            info = signal.sigtimedwait(_STOP_SIGNALS, 0.2)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    if info.si_code != SI_KERNEL:  # not from the terminal: the gate has not seen it
        gate.send_signal(info.si_signo)
    _stop(gate)
    raise KeyboardInterrupt


def _stop(gate: subprocess.Popen[bytes]) -> None:
    """Wait a bounded time for a signalled gate; a second Ctrl-C, or a gate that does not end,
    gets SIGTERM (its handler still cleans up), then SIGKILL."""
    try:
        gate.wait(timeout=INTERRUPT_WAIT_S)
        return
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        gate.terminate()
    try:
        gate.wait(timeout=INTERRUPT_WAIT_S)
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        gate.kill()
        gate.wait()
