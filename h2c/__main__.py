"""The ``h2c`` console script (and ``python -m h2c``).

Kept apart from ``h2c.cli`` so the garbage collector can be switched off before any import:
start-up creates tens of thousands of objects that live until exit, and collecting them (while
importing, and once more at exit) is wasted work for a short-lived command such as
``h2c db verify``, whose fixed cost the database benchmark counts. For the same reason the
command ends with ``os._exit`` once its output is flushed and the exit handlers have run (as
mypy does): tearing down pytest, rich and the rest module by module changes nothing.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys


def run() -> None:
    """Run the command line and exit with its code."""
    gc.disable()
    if sys.argv[1:2] == ["compare"]:  # its replay worker starts while h2c does
        from h2c.adapters.replay_worker import ReplayWorker

        ReplayWorker.prestart()
    from h2c.cli import main

    code = main(before_command=_collect_from_here)
    _exit(code)


def _exit(code: int) -> None:
    """Flush the output, run the exit handlers (the gate's Docker clean-up), then leave without
    the interpreter's teardown of every module (0.2 s after a compare)."""
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _collect_from_here() -> None:
    """Once the command is parsed: start-up objects are permanent, collect what comes after."""
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    run()
