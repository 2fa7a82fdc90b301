"""Write h2c.toml, the gate's per-app settings: once, from the plan; then the user owns it."""

from __future__ import annotations

import json

from h2c.artifacts.h2c_toml import RELEASE_TIMEOUT_S, SETTLE_SECONDS
from h2c.model import AppSpec
from h2c.plan.envrules import heroku_only_values
from h2c.plan.migrations import migration_command
from h2c.plan.planner import WEB_PORT, ConvoxPlan
from h2c.render.header import header


def toml_string(text: str) -> str:
    """A TOML basic string.

    >>> toml_string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def migration_status_command(spec: AppSpec) -> str | None:
    """The command h2c.toml records: exits non-zero while migrations are pending."""
    command = migration_command(
        (),
        framework=spec.runtime.framework,
        django_manage=spec.runtime.django_manage,
        migrations=spec.runtime.migrations,
    )
    return command.shown if command else None


# A migration-status command in the app's own language, for the commented-out example.
STATUS_EXAMPLES = {
    "node": "npm run --silent migrate:status",
    "python": "alembic current --check-heads",
}


def render_h2c_toml(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The h2c.toml text for this app."""
    web = plan.web
    status = migration_status_command(spec)
    expected = [(r.url_var, f"now the Convox {r.type} resource {r.name!r}") for r in plan.resources]
    expected += [
        (k, "provided by Heroku, not copied")
        for k in plan.resource_keys
        if k not in {r.url_var for r in plan.resources}
    ]
    lines = [
        header(plan.inputs),
        "# Settings for `h2c check` (the gate). Yours to edit.",
        "",
        "[app]",
        f"name = {toml_string(plan.app)}",
        "",
        "[web]",
        "# The service the gate starts and probes, and the port it listens on ($PORT).",
        f"service = {toml_string(web.name if web else 'web')}",
        f"port = {web.port if web and web.port else WEB_PORT}",
        "# Fetched once the app is up, as a smoke path (the health check is convox.yml's",
        "# `health`, probed as Convox's readiness probe).",
        f"health_path = {toml_string(web.health_path if web and web.health_path else '/')}",
        "# Paths fetched after start-up; each must not answer 5xx.",
        'smoke_paths = ["/"]',
        "# Seconds each process must keep running after it starts to count as up.",
        f"settle_seconds = {SETTLE_SECONDS}",
        "# The Host the router delivers smoke paths with (default: the Convox domain shape,",
        "# web.<app>.<rack id>.convox.cloud); set your own domain once it points at Convox.",
        '# domain = "www.example.org"',
        "",
        "[database]",
        "# Exits non-zero while migrations are pending (run inside the image).",
    ]
    if status:
        lines.append(f"migration_status = {toml_string(status)}")
    else:
        example = STATUS_EXAMPLES.get(spec.runtime.language, STATUS_EXAMPLES["python"])
        lines.append(f"# migration_status = {toml_string(example)}")
    lines += [
        "# Seconds the gate lets the release run before it fails it.",
        f"release_timeout = {RELEASE_TIMEOUT_S:g}",
        "# The Procfile release command, run once before promoting.",
    ]
    if plan.release is not None:
        lines.append(f"release = {toml_string(plan.release.command.original)}")
    else:
        lines.append('# release = ""')
    lines += [
        "",
        "[env]",
        "# Keys the env-parity check skips entirely, each with its reason, e.g.",
        '#   { key = "PAPERTRAIL_API_TOKEN", reason = "logs go to CloudWatch on Convox" },',
        "ignore = [",
        *[f'  # {{ key = {toml_string(k)}, reason = "" }},' for k in plan.decision_keys],
        "]",
        "# Keys whose value is expected to differ from Heroku's, and why.",
        "expect_changed = [",
        *[f"  {{ key = {toml_string(k)}, reason = {toml_string(r)} }}," for k, r in expected],
        *_heroku_only_lines(spec),
        "]",
        *_heroku_exports(spec),
        *POSTDEPLOY_LINES,
    ]
    return "\n".join(lines) + "\n"


# ``[postdeploy]``, documented and empty: read by h2c.artifacts.h2c_toml (PostdeploySettings).
POSTDEPLOY_LINES = (
    "",
    "[postdeploy]",
    "# Rows a table may lose between the cut-over baseline (`h2c db snapshot`) and a later",
    "# deploy (`h2c postdeploy --baseline`), each with its reason; any other table may lose none.",
    "row_tolerance = [",
    '  # { table = "public.audit_log", rows = 500, reason = "pruned nightly" },',
    "]",
)


def _heroku_exports(spec: AppSpec) -> list[str]:
    """``[heroku]``: where generate read the exports, so ``h2c check`` compares with them."""
    if not spec.exports:
        return []
    return [
        "",
        "[heroku]",
        "# Where `h2c generate` read the Heroku exports (paths relative to this folder, never",
        "# values): `h2c check` uses them when --config/--addons/--formation are not given.",
        *(f"{kind} = {toml_string(path)}" for kind, path in spec.exports),
    ]


def _heroku_only_lines(spec: AppSpec) -> list[str]:
    """Commented-out exceptions for keys whose Heroku value is wrong on Convox: until one is
    uncommented (with your reason), the gate's env check flags the key."""
    values = heroku_only_values(spec.config, spec.addons)
    if not values:
        return []
    lines = ["  # Heroku-only values (MIGRATION.md): uncomment each once its Convox value is set."]
    for v in values:
        if v.reason == "herokuapp":
            todo = "was a herokuapp.com host: now the Convox domain <your domain>"
        else:
            todo = f"was {v.source}'s URL ({v.addon}): now <the Convox resource or replacement>"
        lines.append(f"  # {{ key = {toml_string(v.key)}, reason = {toml_string(todo)} }},")
    return lines
