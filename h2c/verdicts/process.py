"""Verdicts on a process's end: how it stopped, and the log lines a failure message shows."""

from __future__ import annotations


def log_tail(text: str, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, for a failure message."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def was_killed(exit_code: int | None) -> bool:
    """True when a stop ended in SIGKILL (137 from Docker, -9 from a raw wait status).

    >>> was_killed(137), was_killed(0), was_killed(143)
    (True, False, False)
    """
    return exit_code in (137, -9)


def memory_killed(exit_code: int | None, oom_killed: bool) -> bool:
    """Whether a process that ended on its own was killed for memory: the engine says so
    (``OOMKilled``), or it died of SIGKILL (137) that nobody sent.

    >>> memory_killed(137, False), memory_killed(1, True), memory_killed(1, False)
    (True, True, False)
    """
    return oom_killed or was_killed(exit_code)


def stay_up_verdict(
    name: str,
    *,
    exit_code: int | None,
    oom_killed: bool,
    ran_for_s: float | None,
    restarts: int,
    memory_mb: int,
    memory_key: str = "scale.memory",
) -> str | None:
    """Why a process did not stay up from its start until the gate stopped it, or None.

    ``exit_code`` is None while it runs; ``ran_for_s`` is how long it ran before it ended.

    >>> print(stay_up_verdict("worker", exit_code=1, oom_killed=False, ran_for_s=8.04,
    ...                       restarts=0, memory_mb=512))
    worker exited (exit code 1) 8.0 s after it started, before the gate stopped it
    >>> why = stay_up_verdict("worker", exit_code=137, oom_killed=True, ran_for_s=1.2,
    ...                       restarts=0, memory_mb=512)
    >>> why.startswith("worker was killed for memory 1.2 s after it started: it went over")
    True
    >>> why.endswith("its 512 MB limit (scale.memory; OOMKilled)")
    True
    >>> stay_up_verdict("web", exit_code=None, oom_killed=False, ran_for_s=None, restarts=0,
    ...                 memory_mb=512) is None
    True
    """
    when = f" {ran_for_s:.1f} s after it started" if ran_for_s is not None else ""
    if exit_code is not None and memory_killed(exit_code, oom_killed):
        how = "OOMKilled" if oom_killed else f"exit code {exit_code}: SIGKILL"
        return (
            f"{name} was killed for memory{when}: it went over its {memory_mb} MB limit "
            f"({memory_key}; {how})"
        )
    if exit_code is not None:
        return f"{name} exited (exit code {exit_code}){when}, before the gate stopped it"
    if restarts:
        return f"{name} restarted {restarts} time(s) before the gate stopped it"
    return None
