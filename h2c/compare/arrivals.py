"""One future per request label, filled as the replay judges each request.

The HTTP checks run while the replay is still sending: the check of a path waits for that
path's verdict only, not for the whole list, so pytest's run of the checks overlaps the replay.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Generic, TypeVar

from h2c.gate.reads import Failure

T = TypeVar("T")


class Arrivals(Generic[T]):
    """Verdicts by label, each a future the replay fills (a verdict, or the error of judging
    that request); ``close`` ends the stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, Future[T | Failure]] = {}
        self._closed = False
        self._error: Failure | None = None  # the replay's own failure, for every label left

    def put(self, label: str, value: T | Failure) -> None:
        future = self._future(label)
        if not future.done():
            future.set_result(value)

    def close(self, error: BaseException | None = None) -> None:
        """No more verdicts: a label still waiting gets ``error`` (the replay's failure), or a
        KeyError when the replay ended without it (a label not in the request list)."""
        with self._lock:
            self._closed, self._error = True, Failure(error) if error is not None else None
            waiting = [(k, f) for k, f in self._futures.items() if not f.done()]
        for label, future in waiting:
            future.set_result(self._left(label))

    def wait(self, label: str) -> T:
        """The verdict of ``label`` once it is in; the error of judging it raised."""
        got = self._future(label).result()
        if isinstance(got, Failure):
            got.reraise()
        return got

    def _future(self, label: str) -> Future[T | Failure]:
        with self._lock:
            future = self._futures.get(label)
            if future is None:
                future = self._futures[label] = Future()
                if self._closed:
                    future.set_result(self._left(label))
            return future

    def _left(self, label: str) -> Failure:
        return self._error or Failure(KeyError(label))
