"""Heroku Scheduler jobs as Convox timers: cron schedules, names, and the service they run in.

Pure. A job becomes a v3 ``timers:`` entry (5-field cron, UTC) that runs in ``scheduler``, a
service at ``scale: {count: 0}`` sized like the job's dyno (Heroku runs each job in a one-off
dyno of that size, not inside web), and a Gen1 ``convox.cron.<name>`` label (AWS cron: one of
day-of-month and day-of-week is ``?``) on the web service of docker-compose.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from h2c.heroku.dynos import DEFAULT_SIZE, SIZES, normalize_size
from h2c.model import Finding, ScheduledJob, Severity
from h2c.plan.commands import SafeCommand, rewrite_command

SCHEDULER_SERVICE = "scheduler"
_GEN1_NAME_MAX = 30  # convox.cron.<name>: 4 to 30 characters, [a-zA-Z][-a-zA-Z0-9]*


@dataclass(frozen=True)
class TimerPlan:
    name: str
    schedule: str  # 5-field cron, UTC (convox.yml)
    gen1_schedule: str  # AWS cron with `?` (docker-compose.yml label)
    command: SafeCommand
    job: ScheduledJob


def cron(job: ScheduledJob) -> str:
    """The 5-field UTC cron line of a Scheduler job.

    >>> cron(ScheduledJob("x", 10, 0)), cron(ScheduledJob("x", 60, 30))
    ('*/10 * * * *', '30 * * * *')
    >>> cron(ScheduledJob("x", 1440, 90))
    '30 1 * * *'
    """
    if job.every == 10:
        return "*/10 * * * *"
    if job.every == 60:
        return f"{job.at} * * * *"
    return f"{job.at % 60} {job.at // 60} * * *"


def gen1_cron(job: ScheduledJob) -> str:
    """The same schedule as Gen1's AWS cron wants it: day-of-week ``?``.

    >>> gen1_cron(ScheduledJob("x", 1440, 90))
    '30 1 * * ?'
    """
    return cron(job).rsplit(" ", 1)[0] + " ?"


def timer_name(command: str) -> str:
    """A Convox (and Gen1 label) name from the command's words.

    >>> timer_name("bundle exec rake update_feed"), timer_name("python manage.py clearsessions")
    ('rake-update-feed', 'clearsessions')
    """
    words = [w for w in re.split(r"[\s/]+", command) if w and not w.startswith("-")]
    skip = {"bundle", "exec", "python", "python3", "manage.py", "npm", "run", "node", "sh", "-c"}
    kept = [w for w in words if w not in skip and "=" not in w][:3] or ["job"]
    name = re.sub(r"[^a-z0-9-]+", "-", "-".join(kept).lower().replace("_", "-")).strip("-")
    name = re.sub(r"-{2,}", "-", name)[: _GEN1_NAME_MAX - 3].strip("-")
    if not name or not name[0].isalpha():
        name = "job-" + name
    return name if len(name) >= 4 else f"{name}-job"


def plan_timers(
    jobs: tuple[ScheduledJob, ...], findings: list[Finding]
) -> tuple[tuple[TimerPlan, ...], tuple[int, int] | None]:
    """The timers, and the scheduler service's (memory MB, cpu) when there is any job."""
    if not jobs:
        return (), None
    timers: list[TimerPlan] = []
    memory = cpu = 0
    taken: set[str] = set()
    for job in jobs:
        name = base = timer_name(job.command)
        n = 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        command = rewrite_command(job.command)
        if command.finding_text:
            findings.append(
                Finding(command.severity, f"timer {name}: {command.finding_text}", "scheduler")
            )
        size = normalize_size(job.dyno_size or DEFAULT_SIZE) or DEFAULT_SIZE
        job_memory, job_cpu = SIZES.get(size, SIZES[DEFAULT_SIZE])
        memory, cpu = max(memory, job_memory), max(cpu, job_cpu)
        timers.append(TimerPlan(name, cron(job), gen1_cron(job), command, job))
    findings.append(
        Finding(
            Severity.INFO,
            f"{len(timers)} Heroku Scheduler job(s) became timers running in service "
            f"{SCHEDULER_SERVICE!r} (scale count 0, {memory} MB: the largest job dyno); "
            "Heroku runs each job once at its time, and so do Convox timers (UTC)",
            "scheduler",
        )
    )
    return tuple(timers), (memory, cpu)
