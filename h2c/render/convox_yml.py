"""Write convox.yml (Convox v3) from the plan.

Hand-written lines, so comments can sit where they explain something and the output is
byte-stable; every scalar goes through ``yaml_scalar`` so quoting is always valid YAML. No
config value ever appears here: environment entries are key names or public defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from h2c.model import AppSpec
from h2c.plan.planner import ConvoxPlan, ServicePlan
from h2c.render.header import header

# Heroku gives a web dyno 60 s to bind $PORT; Django imports often take more than Convox's
# default 5 s grace, so health checks start after 30 s.
HEALTH_GRACE, HEALTH_INTERVAL, HEALTH_TIMEOUT = 30, 5, 4

RELEASE_NOTE = """\
# Release phase: the Procfile `release` command is deliberately NOT an initContainer.
# An initContainer runs at every pod start (each replica, each reschedule), so migrations
# would run many times, concurrently. Heroku runs `release` once per release and stops the
# release if it fails. Run it once yourself, before promoting (MIGRATION.md has the order):
#   {run}"""


def yaml_scalar(value: str | int | bool) -> str:
    """One YAML scalar, quoted only when YAML needs it.

    >>> yaml_scalar("17"), yaml_scalar(8000), yaml_scalar("a: b"), yaml_scalar("KEY=x")
    ("'17'", '8000', "'a: b'", 'KEY=x')
    """
    style = '"' if isinstance(value, str) and ("\n" in value or "\r" in value) else None
    text = yaml.safe_dump(
        value, default_flow_style=True, default_style=style, width=1 << 30, allow_unicode=True
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def yaml_list(key: str, items: Sequence[str]) -> list[str]:
    """A service's block sequence under ``key``, items as given; nothing when there are none.

    Both manifests (convox.yml and docker-compose.yml) write their service lists with it.

    >>> yaml_list("resources", ["database"]), yaml_list("links", [])
    (['    resources:', '      - database'], [])
    """
    if not items:
        return []
    return [f"    {key}:", *(f"      - {item}" for item in items)]


def render_convox_yml(spec: AppSpec, plan: ConvoxPlan, *, dockerfile: str = "Dockerfile") -> str:
    """The convox.yml text: resources, then services (web first), built with ``dockerfile``."""
    lines = [header(plan.inputs)]
    if plan.release is not None:
        lines.append(RELEASE_NOTE.format(run=plan.release.convox_run(plan.app)))
    lines += [
        "# Convox fills every dollar-brace reference in this file from the app env at load",
        "# time, and runs `command` without a shell: h2c wraps commands that need one in sh -c.",
    ]
    if plan.resources:
        lines.append("resources:")
        for res in plan.resources:
            lines.append(f"  {res.name}:")
            if res.replaces:
                lines.append(f"    # replaces Heroku add-on {res.replaces}")
            if res.type == "redis":
                lines.append("    # containerised redis keeps no data across restarts")
            lines += [
                f"    type: {res.type}",
                "    options:",
                f"      version: {yaml_scalar(res.version)}",
            ]
    lines.append("services:")
    for svc in plan.services:
        lines += _service(svc, dockerfile)
    lines += _timers(plan, dockerfile, language=spec.runtime.language)
    return "\n".join(lines) + "\n"


# A Scheduler job as the app's own language would run it, for the commented-out example.
TIMER_EXAMPLES = {"node": "npm run nightly-job", "python": "python manage.py nightly_job"}


def _timers(plan: ConvoxPlan, dockerfile: str, *, language: str) -> list[str]:
    """The Scheduler jobs as timers, in the count-0 service sized like their dynos."""
    if not plan.timers or plan.scheduler is None:
        example = TIMER_EXAMPLES.get(language, TIMER_EXAMPLES["python"])
        return [
            "# timers: Heroku Scheduler jobs cannot be exported by any CLI: save what the",
            "# Scheduler API returns and pass it with `h2c generate --scheduler FILE`, or add",
            "# them here by hand, e.g.",
            "# timers:",
            "#   nightly:",
            '#     schedule: "0 3 * * *"',
            f"#     command: {example}",
            "#     service: worker",
        ]
    svc = plan.scheduler
    lines = [
        f"  {svc.name}:",
        "    # runs the timers below (Heroku ran each Scheduler job in a one-off dyno): never",
        "    # started on its own",
        *build_lines(dockerfile),
        *yaml_list("environment", [yaml_scalar(entry) for entry in svc.environment]),
        *yaml_list("resources", svc.resources),
        "    scale:",
        "      count: 0",
        f"      memory: {svc.memory}",
        f"      cpu: {svc.cpu}",
        "# Heroku Scheduler jobs; schedules are cron in UTC, as Heroku's",
        "timers:",
    ]
    for timer in plan.timers:
        lines += [
            f"  {timer.name}:",
            f"    schedule: {yaml_scalar(timer.schedule)}",
            f"    command: {yaml_scalar(timer.command.text)}",
            f"    service: {svc.name}",
            "    concurrency: Forbid",
        ]
    return lines


def build_lines(dockerfile: str) -> list[str]:
    """A service's ``build:``: the app folder, with ``manifest`` unless it is the Dockerfile.

    >>> build_lines("Dockerfile"), build_lines("Dockerfile.convox")[1:]
    (['    build: .'], ['      path: .', '      manifest: Dockerfile.convox'])
    """
    if dockerfile == "Dockerfile":
        return ["    build: ."]
    return ["    build:", "      path: .", f"      manifest: {yaml_scalar(dockerfile)}"]


def _service(svc: ServicePlan, dockerfile: str) -> list[str]:
    lines = [f"  {svc.name}:"]
    if svc.name != svc.process:
        lines.append(f"    # Procfile type {yaml_scalar(svc.process)}")
    lines += [*build_lines(dockerfile), f"    command: {yaml_scalar(svc.command.text)}"]
    if svc.port is not None:
        lines += [
            f"    port: {svc.port}",
            "    health:",
            f"      path: {yaml_scalar(svc.health_path or '/')}",
            f"      grace: {HEALTH_GRACE}",
            f"      interval: {HEALTH_INTERVAL}",
            f"      timeout: {HEALTH_TIMEOUT}",
        ]
    lines += yaml_list("environment", [yaml_scalar(entry) for entry in svc.environment])
    lines += yaml_list("resources", svc.resources)
    if svc.clock:
        lines.append("    # a clock must run exactly once: two would fire every job twice")
    lines += [
        "    scale:",
        f"      count: {svc.count}",
        f"      memory: {svc.memory}",
        f"      cpu: {svc.cpu}",
    ]
    return lines
