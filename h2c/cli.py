"""The ``h2c`` command: a thin layer that parses arguments and maps errors to exit codes.

Each subcommand lives in its own module under ``h2c.commands`` and exposes
``register(subparsers)``; the parser it adds sets ``func`` to a callable taking the parsed
arguments and returning an exit code. No other module calls ``sys.exit``.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from h2c import __version__
from h2c.errors import EXIT_BAD_INPUT, H2cError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C; SIGTERM ends the same way

COMMAND_MODULES = {
    "inspect": "h2c.commands.inspect",
    "generate": "h2c.commands.generate",
    "check": "h2c.commands.check",
    "db": "h2c.commands.db",
    "env": "h2c.commands.env",
    "demo": "h2c.commands.demo",
    "compare": "h2c.commands.compare",
    "postdeploy": "h2c.commands.postdeploy",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as bad input (exit 2), like every other input error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: {message}")


class UsageError(H2cError):
    """Wrong arguments on the command line."""

    exit_code = EXIT_BAD_INPUT


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the command about to run, only that command's module is imported."""
    parser = _Parser(prog="h2c", description="Move a Heroku app to Convox; prove the move worked.")
    parser.add_argument("--version", action="version", version=f"h2c {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    names = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for name in names:
        importlib.import_module(name).register(subparsers)
    return parser


def main(
    argv: Sequence[str] | None = None, *, before_command: Callable[[], None] | None = None
) -> int:
    """Parse ``argv`` and run the command; returns the process exit code.

    ``before_command`` runs once the command's module is loaded and its arguments parsed
    (``h2c.__main__`` re-enables the garbage collector there).
    """
    from h2c import output

    previous = _stop_on_sigterm()
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = build_parser(argv[0] if argv else None).parse_args(argv)
        if before_command is not None:
            before_command()
        return int(args.func(args))
    except H2cError as error:
        output.error(str(error))
        return error.exit_code
    except KeyboardInterrupt as stop:  # SIGINT, or SIGTERM (below); a restore says what it left
        output.error(str(stop) or "interrupted")
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> signal._HANDLER | None:
    """SIGTERM stops h2c as Ctrl-C does (clean-up runs: temporary files, pg_restore, the
    gate's child); only from the main thread, and only where SIGTERM still has its default."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, _terminated)


if __name__ == "__main__":  # pragma: no cover
    from h2c.__main__ import run

    run()
