"""Start now, wait later: the gate's slow steps run on a few threads while other checks run.

The fixtures start a job as soon as its inputs exist (resources while the image builds; the
app's processes and the compose project once it is built) and collect it by name when a check
needs it. A job's exception is raised again, unchanged, by ``result``. ``stop`` tells the
jobs' waits (``h2c.adapters.polling``) that the session is ending, so ``close`` never waits
for a long deadline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

WORKERS = 4  # resources, processes, compose, and one spare: they mostly wait


class Background:
    """Named jobs on a small thread pool, collected later; ``close`` stops and joins them."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="h2c-gate")
        self._jobs: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()

    def start(self, name: str, job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``job(*args, **kwargs)`` on a thread, once per name (a second start is a no-op)."""
        with self._lock:
            if name not in self._jobs and not self.stop.is_set():
                self._jobs[name] = self._pool.submit(job, *args, **kwargs)

    def started(self, name: str) -> bool:
        return name in self._jobs

    def result(self, name: str) -> Any:
        """Wait for the job and return its value, or raise its exception."""
        return self._jobs[name].result()

    def wait(self, name: str) -> None:
        """Wait for the job, if it was started, without raising its exception."""
        if name in self._jobs:
            wait([self._jobs[name]])

    def close(self, timeout_s: float = 120.0) -> None:
        """Tell every job to stop, wait for them (bounded), and release the threads."""
        self.stop.set()
        wait(list(self._jobs.values()), timeout=timeout_s)
        self._pool.shutdown(wait=False, cancel_futures=True)
