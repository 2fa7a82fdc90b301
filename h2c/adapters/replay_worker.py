"""The replay in a process of its own, its answers streamed back as they come in.

In ``h2c compare``'s process the replay shares one interpreter lock with pytest's start-up,
the checks and the judging of answers: there it took 2.5 s for what takes 2.0 s alone, each
request waiting for the lock on every socket read. Its own process has the lock to itself.

The worker is started early (``ReplayWorker.spawn``, before pytest is imported) and waits for
its one job: a pickle of ``(requests, bases, limits)``. On Linux, in a process of one thread,
it is a fork of h2c with the replay already imported, ready at once; elsewhere (macOS, whose
system libraries are not safe to use in a forked child) and when threads run, a new
interpreter (``python -m h2c.adapters.replay_worker``). Each request's three answers come
back as soon as they are all in, a length-prefixed pickle of ``(index, answers)``, written by
a thread of their own so the pool never waits on a busy parent. Both ends are this package in
one interpreter. A failure comes back as ``(-1, kind)``: its type, never its text (a URL may
hold a token); the worker writes nothing to stderr.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

HEADER = struct.Struct("!I")
FAILED = -1
_PRESTARTED: ReplayWorker | None = None  # ReplayWorker.prestart's, until taken
TYPE_CHECKING = False
if TYPE_CHECKING:
    from h2c.adapters.replay import Limits, Three
    from h2c.compare.requestlist import Request


class ReplayFailed(RuntimeError):
    """The worker failed: the kind of failure, never a URL."""


class ReplayWorker:
    """A started worker, waiting for its one job on ``job``; its frames come on ``frames``."""

    def __init__(
        self, job: IO[bytes], frames: IO[bytes], stop: Callable[[], None], pid: int
    ) -> None:
        self._job, self._frames, self._stop, self.pid = job, frames, stop, pid

    @classmethod
    def spawn(cls, *, fork: bool | None = None) -> ReplayWorker:
        """A worker; ``fork`` forces (True) or refuses (False) the fork, default: when safe."""
        if fork is None:
            fork = sys.platform == "linux" and threading.active_count() == 1
        return cls._forked() if fork else cls._started()

    @classmethod
    def _started(cls) -> ReplayWorker:
        argv = [sys.executable, "-m", "h2c.adapters.replay_worker"]
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        if process.stdin is None or process.stdout is None:  # both are pipes: never
            raise ReplayFailed("the replay worker has no pipes")

        def stop() -> None:
            if process.poll() is None:
                process.kill()
            process.wait()

        return cls(process.stdin, process.stdout, stop, process.pid)

    @classmethod
    def prestart(cls) -> None:
        """Spawn the worker of this process's ``take`` now: the console script does it first
        thing for ``h2c compare``, so the worker's start-up (importing requests, 0.15 s)
        overlaps h2c's own rather than following it."""
        global _PRESTARTED
        if _PRESTARTED is None:
            _PRESTARTED = cls.spawn()

    @classmethod
    def take(cls, *, needed: bool = True) -> ReplayWorker | None:
        """The prestarted worker, else a new one; None (and a prestarted one stopped) when the
        run sends no request."""
        global _PRESTARTED
        worker, _PRESTARTED = _PRESTARTED, None
        if not needed:
            if worker is not None:
                worker.close()
            return None
        return worker or cls.spawn()

    @classmethod
    def _forked(cls) -> ReplayWorker:
        import h2c.adapters.replay  # noqa: F401 (h2c needs it too: imported once, for both)

        job_in, job_out = os.pipe()
        frames_in, frames_out = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns, never runs the parent's exit handlers
            code = 1
            try:
                os.close(job_out)
                os.close(frames_in)
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # never the user's terminal, nor a pipe h2c's reader waits on
                    os.dup2(quiet, fd)
                code = serve(os.fdopen(job_in, "rb"), os.fdopen(frames_out, "wb"))
            finally:
                os._exit(code)
        os.close(job_in)
        os.close(frames_out)

        def stop() -> None:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except ChildProcessError:  # reaped already
                pass

        return cls(os.fdopen(job_out, "wb"), os.fdopen(frames_in, "rb"), stop, pid)

    def replay(
        self, requests_: Sequence[Request], bases: dict[str, str], limits: Limits,
        each: Callable[[Request, Three], None] | None = None,
    ) -> dict[Request, Three]:  # fmt: skip
        """``h2c.adapters.replay.replay``'s result and calls, the requests sent by the worker."""
        todo = list(dict.fromkeys(requests_))[: limits.max_requests]
        got: dict[int, Three] = {}
        try:
            self._job.write(pickle.dumps((todo, bases, limits)))
            self._job.close()
            for index, answers in _frames(self._frames):
                if index == FAILED:
                    raise ReplayFailed(f"the replay failed ({answers})")
                got[index] = answers
                if each is not None:
                    each(todo[index], answers)
        finally:
            self.close()
        if len(got) < len(todo):
            raise ReplayFailed(f"the replay ended without {len(todo) - len(got)} of the answers")
        return {r: got[i] for i, r in enumerate(todo)}

    def close(self) -> None:
        """Stop the worker if it still runs (a job never given, a read that failed)."""
        for pipe in (self._job, self._frames):
            if not pipe.closed:
                pipe.close()
        self._stop()


def _frames(stream: IO[bytes]) -> Iterator[Any]:
    while len(head := stream.read(HEADER.size)) == HEADER.size:
        (size,) = HEADER.unpack(head)
        yield pickle.loads(stream.read(size))  # written by this package's worker


def serve(job: IO[bytes], frames: IO[bytes]) -> int:
    """Read the job, replay it, stream each request's answers; 0, or 1 on a failure."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a Ctrl-C ends the worker without a word
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import requests  # noqa: F401 (while the parent prepares the job)

    from h2c.adapters.replay import replay

    data = job.read()
    if not data:
        return 0  # the parent needed no replay after all
    todo, bases, limits = pickle.loads(data)  # written by the parent (this package)
    out: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write, args=(out, frames))
    writer.start()
    index = {request: i for i, request in enumerate(todo)}
    code = 0
    try:
        replay(todo, bases, limits, each=lambda r, three: out.put(_frame((index[r], three))))
    except Exception as error:
        out.put(_frame((FAILED, type(error).__name__)))
        code = 1
    out.put(None)
    writer.join()
    return code


def _frame(value: object) -> bytes:
    data = pickle.dumps(value)
    return HEADER.pack(len(data)) + data


def _write(out: queue.SimpleQueue[bytes | None], stream: IO[bytes]) -> None:
    try:
        while (frame := out.get()) is not None:
            stream.write(frame)
            stream.flush()
    except BrokenPipeError:  # the parent is gone (stopped): send nothing more to the apps
        os._exit(1)


if __name__ == "__main__":
    sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer))
