"""Processes and scheduled work on both platforms, judged (pure): messages name, never quote.

- A Heroku process type (``heroku ps:scale``) needs a Convox service (the planner's name for
  it) with that many processes ``running`` on the active release, and none crashed or failed.
- A Heroku Scheduler job needs a timer with the same schedule (UTC cron) and command.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from h2c.adapters.convox_cli import Process
from h2c.model import FormationEntry, ScheduledJob
from h2c.plan.commands import rewrite_command
from h2c.plan.naming import service_names
from h2c.plan.timers import cron, timer_name

BROKEN = frozenset({"crashed", "failed", "unhealthy"})


@dataclass(frozen=True)
class Verdict:
    target: str  # the process type, or the job's timer name
    ok: bool
    message: str


def process_verdicts(formation: Sequence[FormationEntry], processes: Sequence[Process],
                     release: str) -> list[Verdict]:  # fmt: skip
    """One verdict per Heroku process type.

    >>> p = [Process("web-1", "web", "running", "R2"),
    ...      Process("w-1", "urgent-worker", "crashed", "R2")]
    >>> f = [FormationEntry("web", 1, "standard-1x"),
    ...      FormationEntry("urgent_worker", 1, "standard-1x")]
    >>> [(v.target, v.ok) for v in process_verdicts(f, p, "R2")]
    [('web', True), ('urgent_worker', False)]
    >>> process_verdicts(f, p, "R2")[1].message
    'urgent_worker (Convox urgent-worker): Heroku runs 1, Convox 0 running on R2; 1 crashed'
    """
    names = service_names([e.process for e in formation])
    verdicts = []
    for entry in formation:
        if entry.process not in names:
            continue  # `release` is no service
        service = names[entry.process]
        mine = [p for p in processes if p.service == service]
        running = sum(p.status == "running" and p.release == release for p in mine)
        broken = sorted({p.status for p in mine if p.status in BROKEN})
        head = service if service == entry.process else f"{entry.process} (Convox {service})"
        if not mine and entry.quantity:
            verdicts.append(Verdict(entry.process, False,
                                    f"{head}: Heroku runs {entry.quantity}, Convox has no process "
                                    "of this service"))  # fmt: skip
            continue
        ok = running == entry.quantity and not broken
        text = f"{head}: Heroku runs {entry.quantity}, Convox {running} running on {release}"
        if broken:
            text += "; " + ", ".join(f"{sum(p.status == s for p in mine)} {s}" for s in broken)
        verdicts.append(Verdict(entry.process, ok, text))
    return verdicts


def _same_command(job: str, timer: str) -> bool:
    """Whether a timer runs the job's command (as written, or as h2c rewrites it for v3)."""
    try:
        want = {tuple(shlex.split(job)), tuple(shlex.split(rewrite_command(job).text))}
        return tuple(shlex.split(timer)) in want
    except ValueError:
        return job.strip() == timer.strip()


def schedule_verdicts(jobs: Sequence[ScheduledJob], timers: Mapping[str, Any]) -> list[Verdict]:
    """One verdict per Scheduler job: some timer has its schedule and its command.

    >>> jobs = [ScheduledJob("rake update_feed", 60, 30), ScheduledJob("rake clean", 10, 0)]
    >>> timers = {"rake-update-feed": {"schedule": "30 * * * *", "command": "rake update_feed"},
    ...           "rake-clean": {"schedule": "0 * * * *", "command": "rake clean"}}
    >>> [(v.target, v.ok) for v in schedule_verdicts(jobs, timers)]
    [('rake-update-feed', True), ('rake-clean', False)]
    >>> schedule_verdicts(jobs, timers)[1].message  # doctest: +NORMALIZE_WHITESPACE
    'rake-clean: Heroku runs it */10 * * * *; the timer with its command runs 0 * * * *'
    """
    verdicts = []
    for job in jobs:
        name, schedule = timer_name(job.command), cron(job)
        same = [n for n, t in timers.items() if isinstance(t, Mapping)
                and _same_command(job.command, str(t.get("command", "")))]  # fmt: skip
        exact = [n for n in same if str(timers[n].get("schedule", "")).split() == schedule.split()]
        if exact:
            verdicts.append(Verdict(name, True, f"{name}: timer {exact[0]} ({schedule})"))
        elif same:
            got = timers[same[0]].get("schedule", "?")
            verdicts.append(Verdict(name, False, f"{name}: Heroku runs it {schedule}; the timer "
                                                 f"with its command runs {got}"))  # fmt: skip
        else:
            verdicts.append(Verdict(name, False, f"{name}: no Convox timer runs this job's "
                                                 f"command ({schedule} on Heroku)"))  # fmt: skip
    return verdicts
