"""Write docker-compose.yml for Convox Gen1 racks and for local runs.

Gen1 (convox/rack manifest1) reads compose ``version: "2"`` with a small set of keys. The
file also brings up the app's resources as containers so ``docker-compose up`` works locally;
their credentials are fixed local-development values, never config values.
"""

from __future__ import annotations

from h2c.model import AppSpec
from h2c.plan.planner import ConvoxPlan, ServicePlan
from h2c.plan.resources import ResourcePlan
from h2c.render.convox_yml import HEALTH_TIMEOUT, yaml_list, yaml_scalar
from h2c.render.header import header

LOCAL_DB = "app"  # user, password and database name of the local postgres container

_NOTE = """\
# Gen1 manifest, also usable locally: `docker-compose up` starts the app and its resources.
# Bare KEY entries take their value from the shell that runs docker-compose (convox.env holds
# the copied values; compose's env_file cannot carry multi-line values and Gen1 ignores it).
# The *_URL values below point at the local resource containers: on a Gen1 rack create real
# resources (`convox resources create`) and link them instead. `$$` is compose's escape for $."""


def compose_escape(text: str) -> str:
    """Escape ``$`` so docker-compose does not interpolate it.

    >>> compose_escape("sh -c 'exec gunicorn -b :$PORT'")
    "sh -c 'exec gunicorn -b :$$PORT'"
    """
    return text.replace("$", "$$")


def resource_hosts(plan: ConvoxPlan) -> dict[str, str]:
    """Compose service name for each resource (suffixed if a process has the same name)."""
    taken = {s.name for s in plan.services}
    return {r.name: (f"{r.name}-resource" if r.name in taken else r.name) for r in plan.resources}


def local_url(res: ResourcePlan, host: str) -> str:
    """The URL of the local container standing in for a resource.

    >>> local_url(ResourcePlan("database", "postgres", "17", "DATABASE_URL", None), "database")
    'postgres://app:app@database:5432/app'
    """
    if res.type == "postgres":
        return f"postgres://{LOCAL_DB}:{LOCAL_DB}@{host}:5432/{LOCAL_DB}"
    return f"redis://{host}:6379"


def render_compose(spec: AppSpec, plan: ConvoxPlan, *, dockerfile: str = "Dockerfile") -> str:
    """The docker-compose.yml text: app services (built with ``dockerfile``), then resources."""
    hosts = resource_hosts(plan)
    lines = [header(plan.inputs), _NOTE, 'version: "2"', "services:"]
    for svc in plan.services:
        lines += _service(svc, plan, hosts, dockerfile)
    for res in plan.resources:
        lines += [f"  {hosts[res.name]}:", f"    image: {res.type}:{res.version}"]
        if res.type == "postgres":
            lines += ["    environment:"] + [
                f"      - POSTGRES_{k}={LOCAL_DB}" for k in ("USER", "PASSWORD", "DB")
            ]
    return "\n".join(lines) + "\n"


def _cron_labels(plan: ConvoxPlan) -> list[str]:
    """Gen1's timers: ``convox.cron.<name>: <AWS cron> <command>`` on the web service."""
    return [
        f"      convox.cron.{t.name}: "
        + yaml_scalar(compose_escape(f"{t.gen1_schedule} {t.command.original}"))
        for t in plan.timers
    ]


def _build(dockerfile: str) -> list[str]:
    """A service's ``build:`` (Gen1 reads ``context`` and ``dockerfile``).

    >>> _build("Dockerfile"), _build("Dockerfile.convox")[2]
    (['    build: .'], '      dockerfile: Dockerfile.convox')
    """
    if dockerfile == "Dockerfile":
        return ["    build: ."]
    return ["    build:", "      context: .", f"      dockerfile: {yaml_scalar(dockerfile)}"]


def _service(
    svc: ServicePlan, plan: ConvoxPlan, hosts: dict[str, str], dockerfile: str
) -> list[str]:
    lines = [
        f"  {svc.name}:",
        *_build(dockerfile),
        f"    command: {yaml_scalar(compose_escape(svc.command.text))}",
    ]
    if svc.port is not None:
        lines += ["    ports:", f'      - "80:{svc.port}"']
    by_name = {r.name: r for r in plan.resources}
    env = list(svc.environment) + [
        f"{by_name[n].url_var}={local_url(by_name[n], hosts[n])}" for n in svc.resources
    ]
    lines += yaml_list("environment", [yaml_scalar(compose_escape(e)) for e in sorted(env)])
    if svc.port is not None:
        lines += [
            "    labels:",
            f"      convox.health.path: {yaml_scalar(svc.health_path or '/')}",
            f"      convox.health.timeout: {yaml_scalar(str(HEALTH_TIMEOUT))}",
            *_cron_labels(plan),
        ]
    lines += yaml_list("links", [hosts[n] for n in svc.resources])
    if svc.clock:
        lines.append("    # a clock must run exactly once: keep this service at one process")
    lines += [f"    mem_limit: {svc.memory}m", f"    cpu_shares: {svc.cpu * 1024 // 1000}"]
    return lines
