"""Reads made once per run, shared by the compare and postdeploy sessions (the side effects).

A read that failed is kept as its error and raised again for every check that needs it, so
each check reports the real reason (a missing CLI, an unknown app) by name. Reads may be started
early on threads (``prefetch``): a check that needs one still running waits for it, and no read
is ever made twice.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, Protocol, TypeVar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from h2c.adapters.convox_cli import ConvoxCli

T = TypeVar("T")
_GUARD = threading.Lock()  # creates each session's per-read locks


class ConvoxOptions(Protocol):
    @property
    def convox_app(self) -> str: ...
    @property
    def rack(self) -> str | None: ...
    @property
    def convox_bin(self) -> str | None: ...
    @property
    def target(self) -> str | None: ...


class OnceReads:
    """A session's reads, each made once; ``options`` name the Convox app and the target."""

    options: ConvoxOptions
    _done: dict[str, Any]

    @property
    def convox(self) -> ConvoxCli:
        from h2c.adapters.convox_cli import ConvoxCli

        return ConvoxCli(self.options.convox_app, self.options.rack, self.options.convox_bin)

    def _once(self, name: str, read: Callable[[], T]) -> T:
        with self._lock(name):
            if name not in self._done:
                try:
                    self._done[name] = (read(), None)
                except Exception as failed:  # kept, and raised for every check that needs it
                    self._done[name] = (None, Failure(failed))
        value, failure = self._done[name]
        if failure is not None:
            failure.reraise()
        return value  # type: ignore[no-any-return]

    def _lock(self, name: str) -> threading.RLock:
        with _GUARD:
            locks: dict[str, threading.RLock] = self.__dict__.setdefault("_locks", {})
            return locks.setdefault(name, threading.RLock())

    def prefetch(self, reads: Iterable[Callable[[], object]]) -> None:
        """Start ``reads`` (bound methods of this session) at once, each on a thread of its own.

        The platforms' CLIs and the HTTP replay spend their time waiting on the network (a
        ``heroku`` call alone takes about a second), so reads made side by side while pytest
        collects cost the longest of them rather than their sum. Errors stay with the read.
        """
        for read in reads:
            self.start(read)

    def start(self, read: Callable[[], object]) -> None:
        """Start ``read`` on a thread of its own unless it was started already.

        A daemon thread: a read no check waits for (one that ``-k`` left out) must not hold
        up the end of the run.
        """
        name = read.__name__  # never repr(read): a session's repr holds every value read
        with _GUARD:
            started: set[str] = self.__dict__.setdefault("_started", set())
            if name in started:
                return
            started.add(name)
        thread = threading.Thread(target=_quietly, args=(read,), name=f"h2c-read-{name}")
        thread.daemon = True
        thread.start()

    def done(self, name: str) -> Any:
        """A read already made (None if it was not made or failed): for the report."""
        value, error = self._done.get(name, (None, None))
        return None if error is not None else value

    def _target(self) -> str | None:
        """``--target`` ($VAR expanded) as a checked database URL; None when not given."""
        if not self.options.target:
            return None
        from h2c.db.conn import check_url
        from h2c.gate.db_targets import expand

        return check_url(expand(self.options.target, os.environ, what="--target"), "--target")


class Failure:
    """A read's error, raised again for each check that needs it from the traceback it had:
    raising one exception object again adds the raiser's frames to it each time, and a hundred
    checks would make pytest format a traceback a hundred times deeper."""

    def __init__(self, error: BaseException) -> None:
        self.error, self._traceback = error, error.__traceback__

    def reraise(self) -> NoReturn:
        raise self.error.with_traceback(self._traceback)


def _quietly(read: Callable[[], object]) -> None:
    """Run a prefetched read; its error is kept by ``_once`` for the checks that need it."""
    with contextlib.suppress(Exception):  # raised again, by name, in every check needing it
        read()
