"""What ``h2c inspect`` reports, as plain data: the same for the table and for ``--json``."""

from __future__ import annotations

from typing import Any

from h2c.model import AppSpec, Runtime
from h2c.plan.planner import ConvoxPlan


def describe(spec: AppSpec, planned: ConvoxPlan) -> dict[str, Any]:
    """A JSON-ready description of what was detected and what it becomes; never a value."""
    services = {s.process: s for s in planned.services}
    return {
        "app": spec.name,
        "runtime": _runtime(spec.runtime),
        "processes": [
            {
                "process": p.name,
                "command": p.command,
                "service": services[p.name].name if p.name in services else None,
                "role": _role(p.name, planned),
            }
            for p in spec.processes
        ],
        "addons": [
            {
                "service": a.service,
                "plan": a.plan,
                "as": a.attachment,
                "config_vars": list(a.config_vars),
                "resource": _resource_for(a.attachment, planned),
            }
            for a in spec.addons
        ],
        "resources": [
            {"name": r.name, "type": r.type, "version": r.version, "env": r.url_var}
            for r in planned.resources
        ],
        "env": {
            "copied": list(planned.copy_keys),
            "from_resources": list(planned.resource_keys),
            "needs_decision": list(planned.decision_keys),
            "platform_dropped": list(planned.platform_keys),
        },
        "findings": [
            {"severity": f.severity.value, "message": f.message, "file": f.file, "line": f.line}
            for f in (*spec.findings, *planned.findings)
        ],
    }


def _runtime(runtime: Runtime) -> dict[str, Any]:
    """What the buildpack would decide, and the hooks it would run."""
    hooks = [("bin/pre_compile", runtime.pre_compile), ("bin/post_compile", runtime.post_compile)]
    return {
        "language": runtime.language,
        "version": runtime.version,
        "version_source": runtime.version_source,
        "package_manager": runtime.package_manager,
        "dependency_files": list(runtime.dependency_files),
        "framework": runtime.framework,
        "migrations": runtime.migrations,
        "asgi_server": runtime.asgi_server,
        "celery": [{"process": p, "runs": role} for p, role in runtime.celery],
        "collectstatic": runtime.collectstatic,
        "apt_packages": list(runtime.apt_packages),
        "hooks": [hook for hook, present in hooks if present],
    }


def _role(process: str, planned: ConvoxPlan) -> str:
    if planned.release is not None and process == "release":
        return "release (run once per release: see MIGRATION.md)"
    service = next((s for s in planned.services if s.process == process), None)
    if service is None:
        return "not migrated"
    if service.is_web:
        return f"web, port {service.port}"
    return "clock (single instance)" if service.clock else "worker"


def _resource_for(attachment: str, planned: ConvoxPlan) -> str | None:
    var = f"{attachment}_URL"
    return next((r.name for r in planned.resources if r.url_var == var), None)
