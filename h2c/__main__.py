"""The ``h2c`` console script (and ``python -m h2c``).

Kept apart from ``h2c.cli`` so the garbage collector can be switched off before any import:
start-up creates tens of thousands of objects that live until exit, and collecting them (while
importing, and once more at exit) is wasted work for a short-lived command such as
``h2c db verify``, whose fixed cost the database benchmark counts.
"""

from __future__ import annotations

import gc
import sys


def run() -> None:
    """Run the command line and exit with its code."""
    gc.disable()
    from h2c.cli import main

    code = main(before_command=_collect_from_here)
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # nothing left worth collecting: skip the interpreter's final pass over it all
    sys.exit(code)


def _collect_from_here() -> None:
    """Once the command is parsed: start-up objects are permanent, collect what comes after."""
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    run()
