"""Decide, once, how a Heroku app maps onto Convox; every writer renders this plan.

Pure: an AppSpec in, a frozen ConvoxPlan out (names, commands, ports, scale, resources, env
keys, findings). Writers never re-decide anything, so convox.yml, docker-compose.yml, the
Dockerfile and the runbook always agree.

Services, scale and the release are planned here; resources (and Convox naming) in
``h2c.plan.resources``, Convox naming in ``h2c.plan.naming``, env keys in ``h2c.plan.env``.

Decisions (see also the module constants):

- Web port 8000: Heroku apps bind ``$PORT`` and Convox sets ``PORT`` to the service's fixed
  port, so any port works; 8000 is unprivileged (the image runs as a non-root user) and is the
  usual port of Python app servers.
- Postgres ``17`` (the newest major the offline stand-ins carry; a restore needs a server at
  least as new as Heroku's 16 or older dumps), Redis ``7`` (``VERSIONS``).
- Dyno sizes come from ``h2c.heroku.dynos``; Procfile commands are rewritten by
  ``h2c.plan.commands``.
- Procfile ``release`` is not a service and not an initContainer (that would run at every pod
  start, concurrently): the runbook runs it once with ``convox run`` before promoting.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from h2c.heroku.dynos import DEFAULT_SIZE, DYNO_SIZES, SIZES
from h2c.model import AppSpec, Finding, Severity
from h2c.plan.build import plan_build
from h2c.plan.commands import SafeCommand, release_hazards, rewrite_command
from h2c.plan.env import base_environment, classify_config, env_findings
from h2c.plan.envrules import EnvKind, classify
from h2c.plan.naming import service_names, twin_key
from h2c.plan.resources import ResourcePlan, plan_resources
from h2c.plan.timers import SCHEDULER_SERVICE, TimerPlan, plan_timers

WEB_PORT = 8000
HEALTH_PATH = "/"
DEFAULT_MEMORY, DEFAULT_CPU = SIZES[DEFAULT_SIZE]  # a process with no formation entry
_CLOCK_RE = re.compile(r"\bcelery\b.*\bbeat\b|\bclock(\.py)?\b")


@dataclass(frozen=True)
class ServicePlan:
    """One Convox service made from one Procfile process."""

    name: str
    process: str  # the Procfile type it came from
    command: SafeCommand
    port: int | None  # web only
    health_path: str | None  # web only
    count: int
    memory: int
    cpu: int
    environment: tuple[str, ...]  # convox.yml entries, sorted: "KEY" or "KEY=public default"
    resources: tuple[str, ...]
    clock: bool = False

    @property
    def is_web(self) -> bool:
        return self.port is not None


@dataclass(frozen=True)
class ReleasePlan:
    """The Procfile release command: run once per release, by hand, before promoting."""

    command: SafeCommand
    service: str  # the service whose image runs it (`convox run <service> ...`)

    def convox_run(self, app: str) -> str:
        """The one-off command that runs the release phase on Convox (`convox run` uses sh).

        >>> ReleasePlan(rewrite_command("python manage.py migrate"), "web").convox_run("shop")
        "convox run web 'python manage.py migrate' -a shop"
        """
        cmd = self.command.original
        if "${" in cmd:  # keep `${` out of every generated file
            cmd = self.command.text
        return f"convox run {self.service} {shlex.quote(cmd)} -a {app}"


@dataclass(frozen=True)
class ConvoxPlan:
    app: str
    services: tuple[ServicePlan, ...]
    resources: tuple[ResourcePlan, ...]
    release: ReleasePlan | None
    copy_keys: tuple[str, ...]  # config keys copied to convox.env, in config order
    resource_keys: tuple[str, ...]  # config keys a resource provides instead
    decision_keys: tuple[str, ...]  # add-on keys the user must decide about
    platform_keys: tuple[str, ...]  # Heroku platform keys, dropped
    findings: tuple[Finding, ...]
    inputs: tuple[str, ...]  # what the plan was made from, for generated-file headers
    build_args: tuple[str, ...] = ()  # config keys the build stage declares as ARG
    build_placeholders: tuple[str, ...] = ()  # keys the build reads, given a placeholder
    multiline_keys: tuple[str, ...] = ()  # copied keys carried as base64 twins (see naming)
    timers: tuple[TimerPlan, ...] = ()  # Heroku Scheduler jobs
    scheduler: ServicePlan | None = None  # the service the timers run in (count 0)

    @property
    def web(self) -> ServicePlan | None:
        return next((s for s in self.services if s.is_web), None)

    def service(self, name: str) -> ServicePlan | None:
        return next((s for s in self.services if s.name == name), None)


def plan(spec: AppSpec) -> ConvoxPlan:
    """Plan the Convox app for ``spec``: pure and deterministic."""
    findings: list[Finding] = []
    resources = plan_resources(spec, findings)
    copy_keys, buckets = classify_config(spec)
    multiline = _multiline_keys(spec, copy_keys)
    base_env = {
        twin_key(k) if k in multiline else k: v for k, v in base_environment(spec, findings).items()
    }
    services = _plan_services(spec, resources, base_env, findings)
    env_findings(spec, resources, buckets, findings)
    findings += _dyno_findings(spec)
    release = None
    proc = spec.process("release")
    if proc is not None:
        web = next((s for s in services if s.is_web), services[0] if services else None)
        release = ReleasePlan(rewrite_command(proc.command), web.name if web else "web")
        findings.append(
            Finding(
                Severity.WARNING,
                "Procfile `release` is not mapped to an initContainer: on Convox that would "
                "run at every pod start, on every replica at once. Run it once per release "
                f"with `convox run {release.service} ...` before promoting (see MIGRATION.md).",
                "Procfile",
                proc.line,
            )
        )
        for hazard in release_hazards(proc.command):
            text = f"release: {hazard} (Heroku fails a release only when its last command fails)"
            findings.append(Finding(Severity.WARNING, text, "Procfile", proc.line))
    for name, command in spec.scripts:
        findings.append(
            Finding(Severity.INFO, f"app.json script {name!r} is not run on Convox: {command}")
        )
    timers, scheduler_size = plan_timers(spec.scheduled_jobs, findings)
    build_args, placeholders = plan_build(spec, findings)
    return ConvoxPlan(
        app=spec.name,
        services=services,
        resources=resources,
        release=release,
        copy_keys=copy_keys,
        resource_keys=buckets[EnvKind.RESOURCE],
        decision_keys=buckets[EnvKind.ADDON_DECISION],
        platform_keys=buckets[EnvKind.PLATFORM],
        findings=tuple(findings),
        inputs=_inputs(spec),
        build_args=build_args,
        build_placeholders=placeholders,
        multiline_keys=multiline,
        timers=timers,
        scheduler=_scheduler(services, scheduler_size),
    )


def _multiline_keys(spec: AppSpec, copy_keys: tuple[str, ...]) -> tuple[str, ...]:
    """Copied keys whose value spans lines: Convox's env store cannot hold them as they are."""
    return tuple(k for k in copy_keys if (v := spec.config_value(k)) is not None and v.is_multiline)


def _scheduler(
    services: tuple[ServicePlan, ...], size: tuple[int, int] | None
) -> ServicePlan | None:
    """The service timers run in: web's image, env and resources, never started (count 0)."""
    model = next((s for s in services if s.is_web), services[0] if services else None)
    if size is None or model is None:
        return None
    taken = {s.name for s in services}
    name, n = SCHEDULER_SERVICE, 2
    while name in taken:
        name, n = f"{SCHEDULER_SERVICE}-{n}", n + 1
    memory, cpu = size
    return replace(
        model, name=name, process="", port=None, health_path=None, count=0,
        memory=memory, cpu=cpu, clock=False,
    )  # fmt: skip


def _plan_services(
    spec: AppSpec,
    resources: tuple[ResourcePlan, ...],
    base_env: dict[str, str | None],
    findings: list[Finding],
) -> tuple[ServicePlan, ...]:
    procs = [p for p in spec.processes if p.name != "release"]
    names = service_names([p.name for p in procs])
    procs.sort(key=lambda p: names[p.name] != "web")  # web first, then Procfile order
    services = []
    for proc in procs:
        name = names[proc.name]
        if name != proc.name:
            findings.append(
                Finding(
                    Severity.INFO,
                    f"Procfile type {proc.name!r} renamed to service {name!r} "
                    "(Convox names must match ^[a-z][a-z0-9-]*$)",
                    "Procfile",
                    proc.line,
                )
            )
        command = rewrite_command(proc.command)
        if command.finding_text:
            findings.append(
                Finding(command.severity, f"{name}: {command.finding_text}", "Procfile", proc.line)
            )
        is_web = name == "web"
        clock = (
            proc.name in ("clock", "scheduler")
            or bool(_CLOCK_RE.search(proc.command))
            or (proc.name, "worker+beat") in spec.runtime.celery  # celery worker -B
        )
        count, memory, cpu = _scale(spec, proc.name, name, clock, findings)
        services.append(
            ServicePlan(
                name=name,
                process=proc.name,
                command=command,
                port=WEB_PORT if is_web else None,
                health_path=HEALTH_PATH if is_web else None,
                count=count,
                memory=memory,
                cpu=cpu,
                environment=_service_env(spec, base_env, command, proc.name),
                resources=tuple(r.name for r in resources),
                clock=clock,
            )
        )
    return tuple(services)


def _service_env(
    spec: AppSpec, base_env: dict[str, str | None], command: SafeCommand, process: str
) -> tuple[str, ...]:
    """convox.yml entries, sorted: the app's keys, the command's ``${VAR:-x}`` defaults (for
    keys not already given one), its ``${VAR:?}`` keys, and DYNO for code that reads it."""
    env = dict(base_env)
    for key, default in command.defaults:
        if classify(key, spec.addons) in (EnvKind.COPY, EnvKind.ADDON_DECISION):
            env[key] = env.get(key) if env.get(key) is not None else default
    for key in command.required:
        env.setdefault(key, None)
    if _reads_dyno(spec):
        env["DYNO"] = f"{process}.1"  # as Heroku names the first dyno of this type
    return tuple(k if v is None else f"{k}={v}" for k, v in sorted(env.items()))


def _reads_dyno(spec: AppSpec) -> bool:
    return any(key == "DYNO" for key, _, _ in spec.reads_platform_env)


def _dyno_findings(spec: AppSpec) -> list[Finding]:
    """Say that, and why, convox.yml sets DYNO, and what the better fix is."""
    reads = [(file, line) for key, file, line in spec.reads_platform_env if key == "DYNO"]
    if not reads:
        return []
    where = ", ".join(f"{file}:{line}" for file, line in reads)
    values = ", ".join(f"DYNO={p.name}.1" for p in spec.processes if p.name != "release")
    file, line = reads[0]
    return [
        Finding(
            Severity.WARNING,
            f"the app's code reads DYNO ({where}), which only Heroku sets: without it the "
            "code takes its not-on-Heroku branch on Convox (in Heroku's sample layout: DEBUG "
            "on, SQLite, localhost-only ALLOWED_HOSTS: your domain and Convox's health check "
            "get 400). So convox.yml and docker-compose.yml set it on each service as a public "
            f"default ({values}, named as on Heroku). Every replica sees the same `.1`, so "
            "code that picks one dyno by its number runs on all of them. Better: switch on an "
            "env var of your own (e.g. IS_PRODUCTION=1, set with `convox env set`), then drop "
            "DYNO from convox.yml and docker-compose.yml.",
            file,
            line or None,
        )
    ]


def _scale(
    spec: AppSpec, process: str, name: str, clock: bool, findings: list[Finding]
) -> tuple[int, int, int]:
    entry = spec.formation_for(process)
    count = entry.quantity if entry else 1
    memory, cpu = DEFAULT_MEMORY, DEFAULT_CPU
    if entry and entry.size:
        if entry.size in DYNO_SIZES:
            memory, cpu = DYNO_SIZES[entry.size]
        else:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{name}: unknown dyno size {entry.size!r}: using {memory} MB, {cpu} mCPU",
                )
            )
    if clock and count > 1:
        findings.append(
            Finding(
                Severity.WARNING,
                f"{name}: a clock process must run exactly once (formation asked for "
                f"{count}); scale set to 1",
            )
        )
        count = 1
    if count == 0:
        findings.append(Finding(Severity.INFO, f"{name}: scaled to 0 on Heroku; kept at count 0"))
    return count, memory, cpu


def _inputs(spec: AppSpec) -> tuple[str, ...]:
    names: list[str] = []
    if spec.processes:
        names.append("Procfile")
    if spec.env_decls or spec.formation or spec.scripts:
        names.append("app.json")
    if spec.runtime.version_source and spec.runtime.version_source != "default":
        names.append(spec.runtime.version_source)
    names.extend(spec.runtime.dependency_files)
    if spec.runtime.apt_packages:
        names.append("Aptfile")
    # Paths as typed differ between machines; a header names the kind of input only.
    names.extend(
        "app.json" if a.source.endswith("app.json") else "heroku addons" for a in spec.addons
    )
    if spec.config:
        names.append("Heroku config")
    return tuple(dict.fromkeys(names))
