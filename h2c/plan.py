"""Decide, once, how a Heroku app maps onto Convox; every writer renders this plan.

Pure: an AppSpec in, a frozen ConvoxPlan out (names, commands, ports, scale, resources, env
keys, findings). Writers never re-decide anything, so convox.yml, docker-compose.yml, the
Dockerfile and the runbook always agree.

Decisions (see also the module constants):

- Web port 8000: Heroku apps bind ``$PORT`` and Convox sets ``PORT`` to the service's fixed
  port, so any port works; 8000 is unprivileged (the image runs as a non-root user) and is the
  usual port of Python app servers.
- Postgres ``17`` (the newest major the offline stand-ins carry; a restore needs a server at
  least as new as Heroku's 16 or older dumps), Redis ``7``.
- Dyno sizes come from ``h2c.dynos`` and Procfile commands are rewritten by ``h2c.shellcmd``
  (both re-exported here: ``DYNO_SIZES``, ``SafeCommand``, ``rewrite_command``,
  ``safe_command``).
- Procfile ``release`` is not a service and not an initContainer (that would run at every pod
  start, concurrently): the runbook runs it once with ``convox run`` before promoting.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from h2c.dynos import DEFAULT_SIZE, SIZES
from h2c.dynos import DYNO_SIZES as DYNO_SIZES  # re-exported
from h2c.envrules import (
    RESOURCE_ADDONS,
    EnvKind,
    addon_owning,
    addon_prefix_service,
    classify,
)
from h2c.model import Addon, AppSpec, Finding, Severity
from h2c.shellcmd import SafeCommand, rewrite_command
from h2c.shellcmd import safe_command as safe_command  # re-exported

WEB_PORT = 8000
HEALTH_PATH = "/"
VERSIONS = {"postgres": "17", "redis": "7"}
DEFAULT_MEMORY, DEFAULT_CPU = SIZES[DEFAULT_SIZE]  # a process with no formation entry
NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
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
class ResourcePlan:
    """One Convox resource that replaces a Heroku data add-on."""

    name: str
    type: str  # postgres | redis
    version: str
    url_var: str  # the env var Convox sets on linked services: <NAME>_URL
    replaces: str | None  # "heroku-postgresql:essential-0 as DATABASE"; None when inferred


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

    @property
    def web(self) -> ServicePlan | None:
        return next((s for s in self.services if s.is_web), None)

    def service(self, name: str) -> ServicePlan | None:
        return next((s for s in self.services if s.name == name), None)


def convox_name(name: str) -> str:
    """A valid Convox name: lowercase, ``_`` to ``-``, other characters dropped.

    >>> convox_name("urgent_worker"), convox_name("Web"), convox_name("9lives"), convox_name("__")
    ('urgent-worker', 'web', 'p-9lives', 'p')
    """
    text = re.sub(r"[^a-z0-9-]", "", name.lower().replace("_", "-"))
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if not text or not text[0].isalpha():
        text = "p-" + text if text else "p"
    return text


def _unique_names(names: list[str], taken: set[str]) -> dict[str, str]:
    """Map each original name to a unique valid one; names already valid keep theirs first."""
    result: dict[str, str] = {}
    for name in names:
        if NAME_RE.match(name) and name not in taken:
            result[name] = name
            taken.add(name)
    for name in names:
        if name in result:
            continue
        base = candidate = convox_name(name)
        n = 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        result[name] = candidate
        taken.add(candidate)
    return result


def plan(spec: AppSpec) -> ConvoxPlan:
    """Plan the Convox app for ``spec``: pure and deterministic."""
    findings: list[Finding] = []
    resources = _plan_resources(spec, findings)
    copy_keys, buckets = _classify_config(spec)
    base_env = _base_environment(spec, findings)
    services = _plan_services(spec, resources, base_env, findings)
    _env_findings(spec, resources, buckets, findings)
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
    for name, command in spec.scripts:
        findings.append(
            Finding(Severity.INFO, f"app.json script {name!r} is not run on Convox: {command}")
        )
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
    )


def _classify_config(spec: AppSpec) -> tuple[tuple[str, ...], dict[EnvKind, tuple[str, ...]]]:
    seen: dict[str, EnvKind] = {}
    for var in spec.config:
        seen.setdefault(var.key, classify(var.key, spec.addons))
    for decl in spec.env_decls:
        if decl.key not in seen and classify(decl.key, spec.addons) is EnvKind.ADDON_DECISION:
            seen[decl.key] = EnvKind.ADDON_DECISION
    buckets = {kind: tuple(k for k, v in seen.items() if v is kind) for kind in EnvKind}
    return buckets[EnvKind.COPY], buckets


def _base_environment(spec: AppSpec, findings: list[Finding]) -> dict[str, str | None]:
    """Keys every service lists: config keys to copy, plus app.json keys (public defaults)."""
    decls = {d.key: d for d in spec.env_decls}
    env: dict[str, str | None] = {}
    for var in spec.config:
        if classify(var.key, spec.addons) is EnvKind.COPY:
            decl = decls.get(var.key)
            env[var.key] = _public_default(decl.key, decl.value, findings) if decl else None
    config_keys = {v.key for v in spec.config}
    for decl in spec.env_decls:
        if decl.key in config_keys or classify(decl.key, spec.addons) is not EnvKind.COPY:
            continue
        default = _public_default(decl.key, decl.value, findings)
        if default is not None:
            env[decl.key] = default
        elif decl.required:
            env[decl.key] = None
            how = " (app.json generator: secret: generate one)" if decl.generator else ""
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{decl.key} is required by app.json but has no Heroku config value: "
                    f"set it with `convox env set` before deploying{how}",
                    "app.json",
                )
            )
        else:
            findings.append(
                Finding(
                    Severity.INFO,
                    f"optional app.json key {decl.key} has no value and is not listed; "
                    "add it to convox.yml if you set it later",
                    "app.json",
                )
            )
    return env


def _public_default(key: str, value: str | None, findings: list[Finding]) -> str | None:
    if value is not None and ("${" in value or "\n" in value):
        findings.append(
            Finding(
                Severity.DECISION,
                f"app.json default of {key} holds `${{` or a newline, which convox.yml cannot "
                "carry: listed as required instead",
                "app.json",
            )
        )
        return None
    return value


def _plan_services(
    spec: AppSpec,
    resources: tuple[ResourcePlan, ...],
    base_env: dict[str, str | None],
    findings: list[Finding],
) -> tuple[ServicePlan, ...]:
    procs = [p for p in spec.processes if p.name != "release"]
    names = _unique_names([p.name for p in procs], set())
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
            sev = Severity.DECISION if command.unsupported else Severity.WARNING
            if not command.rewrites and not command.unsupported:
                sev = Severity.INFO
            findings.append(Finding(sev, f"{name}: {command.finding_text}", "Procfile", proc.line))
        env = dict(base_env)
        for key, default in command.defaults:
            if classify(key, spec.addons) in (EnvKind.COPY, EnvKind.ADDON_DECISION):
                env[key] = env.get(key) if env.get(key) is not None else default
        for key in command.required:
            env.setdefault(key, None)
        if _reads_dyno(spec):
            env["DYNO"] = f"{proc.name}.1"  # as Heroku names the first dyno of this type
        is_web = name == "web"
        clock = proc.name in ("clock", "scheduler") or bool(_CLOCK_RE.search(proc.command))
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
                environment=tuple(k if v is None else f"{k}={v}" for k, v in sorted(env.items())),
                resources=tuple(r.name for r in resources),
                clock=clock,
            )
        )
    known = {p.name for p in spec.processes}
    for entry in spec.formation:
        if entry.process not in known:
            findings.append(
                Finding(Severity.INFO, f"formation names {entry.process!r}, not in the Procfile")
            )
    return tuple(services)


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


def resource_url_var(name: str) -> str:
    """The env var Convox sets for a linked resource.

    >>> resource_url_var("heroku-postgresql-red")
    'HEROKU_POSTGRESQL_RED_URL'
    """
    return name.upper().replace("-", "_") + "_URL"


def _plan_resources(spec: AppSpec, findings: list[Finding]) -> tuple[ResourcePlan, ...]:
    planned: list[ResourcePlan] = []
    taken: set[str] = set()

    def add(kind: str, wanted: str, replaces: str | None) -> None:
        name = _unique_names([wanted], taken)[wanted]
        if name != wanted:
            findings.append(Finding(Severity.WARNING, f"resource {wanted!r} renamed to {name!r}"))
        planned.append(ResourcePlan(name, kind, VERSIONS[kind], resource_url_var(name), replaces))

    for addon in spec.addons:
        kind = RESOURCE_ADDONS.get(addon.service)
        if kind is not None:
            add(kind, _resource_name(addon, kind), _describe(addon))
    config_keys = [v.key for v in spec.config]
    provided = {r.url_var for r in planned}
    types = {r.type for r in planned}
    for key in config_keys:
        if key in provided or classify(key, spec.addons) is not EnvKind.RESOURCE:
            continue
        kind = "redis" if "REDIS" in key else "postgres"
        owned = addon_owning(key, spec.addons) is not None
        if kind not in types and not owned and key != "REDIS_TLS_URL":
            add(kind, key.removesuffix("_URL").lower().replace("_", "-"), None)
            types.add(kind)
            provided.add(planned[-1].url_var)
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{key} is in the config but no matching add-on is known: assumed a "
                    f"Heroku {kind} add-on, replaced by resource {planned[-1].name!r}",
                )
            )
    return tuple(planned)


def _resource_name(addon: Addon, kind: str) -> str:
    if "DATABASE_URL" in addon.config_vars or addon.attachment == "DATABASE":
        return "database"
    if "REDIS_URL" in addon.config_vars or addon.attachment == "REDIS":
        return "redis"
    if addon.attachment:
        return convox_name(addon.attachment)
    return "database" if kind == "postgres" else "redis"


def _describe(addon: Addon) -> str:
    plan_part = f":{addon.plan}" if addon.plan else ""
    return f"{addon.service}{plan_part} as {addon.attachment}"


def _env_findings(
    spec: AppSpec,
    resources: tuple[ResourcePlan, ...],
    buckets: dict[EnvKind, tuple[str, ...]],
    findings: list[Finding],
) -> None:
    provided = {r.url_var: r.name for r in resources}
    addon_keys = [k for a in spec.addons if a.service in RESOURCE_ADDONS for k in a.config_vars]
    for key in dict.fromkeys([*buckets[EnvKind.RESOURCE], *addon_keys]):
        if key in provided:
            findings.append(
                Finding(
                    Severity.INFO,
                    f"{key} is not copied: set in the Convox app env it would override the "
                    f"{provided[key]!r} resource and keep the app on Heroku's service",
                )
            )
        else:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{key} is not provided on Convox (resources give "
                    f"{', '.join(sorted(provided)) or 'nothing'}): point the app at those",
                )
            )
    by_addon: dict[str, list[str]] = {}
    for key in buckets[EnvKind.ADDON_DECISION]:
        owner = addon_owning(key, spec.addons)
        label = owner.service if owner else (addon_prefix_service(key) or "unknown add-on")
        by_addon.setdefault(label, []).append(key)
    for addon in spec.addons:
        if addon.service not in RESOURCE_ADDONS and addon.service not in by_addon:
            by_addon[addon.service] = []
    for label, keys in by_addon.items():
        if label == "scheduler":
            what = "recreate its jobs as `timers` in convox.yml (they cannot be exported)"
        else:
            what = "keep it (add its keys to convox.env and convox.yml) or replace it"
        key_text = f" (keys: {', '.join(keys)})" if keys else ""
        findings.append(Finding(Severity.DECISION, f"add-on {label}{key_text}: {what}"))


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
