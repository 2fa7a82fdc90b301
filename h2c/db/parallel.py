"""The one way h2c.db runs work in parallel: a FIFO queue worked by a few threads.

Verify's counts and catalog reads, the two sides of a checksum query, the tables checksummed
at once and the two schema reads all go through ``Workers``. It is lighter than
concurrent.futures, whose import ``h2c db verify`` would pay for at start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from queue import SimpleQueue
from types import GenericAlias

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from typing import Any, Generic, TypeVar

    T = TypeVar("T")
else:  # at run time ``Later[T]`` need only be subscriptable, as the stdlib's queues are
    T = object

    class Generic:
        __class_getitem__ = classmethod(GenericAlias)


class Later(Generic[T]):
    """The result of a queued task, waited for by a later task or by the caller."""

    def __init__(self, fn: Callable[[], T]):
        self._fn, self._done = fn, threading.Event()
        self._value: list[T] = []  # the one value, once run() has it
        self._error: BaseException | None = None

    def run(self) -> None:
        """Run the task, keeping its value or its error for whoever waits."""
        try:
            self._value.append(self._fn())
        except BaseException as error:  # handed to whoever waits for it
            self._error = error
        finally:
            self._done.set()

    def cancel(self) -> None:
        """Mark the task as skipped, so waiting for it raises instead of hanging."""
        self._error = RuntimeError("not run: an earlier step failed")
        self._done.set()

    def exception(self) -> BaseException | None:
        """The task's error once it has run, or None if it gave a value."""
        self._done.wait()
        return self._error

    def result(self) -> T:
        """The task's value once it has run; its error is raised here."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value[0]


class Workers:
    """A first-in first-out task queue worked by ``size`` threads, the caller's included.

    The ``size - 1`` other threads start on tasks as soon as they are submitted; the caller
    joins in ``finish``. A task may wait for the result of an earlier task (FIFO: it has
    already started), so no wait can deadlock. Leaving the ``with`` block on an error skips
    the tasks not yet started.
    """

    def __init__(self, size: int):
        self._tasks: SimpleQueue[Later[Any] | None] = SimpleQueue()
        self._cancelled = self._finished = False
        self._threads = [threading.Thread(target=self._work) for _ in range(size - 1)]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self._cancelled = self._cancelled or kind is not None
        self.finish()

    def submit(self, fn: Callable[[], T]) -> Later[T]:
        """Queue ``fn``; its ``Later`` gives the value once a worker has run it."""
        task = Later(fn)
        self._tasks.put(task)
        return task

    def _work(self) -> None:
        """Run (or, once cancelled, skip) queued tasks until a stop sentinel arrives."""
        while (task := self._tasks.get()) is not None:
            if self._cancelled:
                task.cancel()
            else:
                task.run()

    def finish(self) -> None:
        """Work in the calling thread until the queue is empty, then join the others."""
        if self._finished:
            return
        self._finished = True
        for _ in range(len(self._threads) + 1):
            self._tasks.put(None)
        try:
            self._work()
        except BaseException:  # e.g. Ctrl-C: let the other threads skip what is left
            self._cancelled = True
            raise
        finally:
            for thread in self._threads:
                thread.join()


def run_all(size: int, tasks: Iterable[Callable[[], T]]) -> list[T]:
    """Run ``tasks`` on ``size`` threads (the caller's included); their values, in order.

    Every task runs even if one fails; the first failure in task order is then raised.
    """
    with Workers(size) as pool:
        queued = [pool.submit(task) for task in tasks]
    return [task.result() for task in queued]
