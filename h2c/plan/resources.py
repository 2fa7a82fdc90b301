"""Plan the Convox resources that replace Heroku's data add-ons, and name things as Convox must.

Pure, like ``h2c.plan.planner``: add-ons (and config keys that look like an add-on's URL) in,
``ResourcePlan`` values and findings out. Names follow ``h2c.plan.naming``.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.model import Addon, AppSpec, Finding, Severity
from h2c.plan.envrules import RESOURCE_ADDONS, EnvKind, addon_owning, classify
from h2c.plan.naming import convox_name, resource_url_var, unique_names

VERSIONS = {"postgres": "17", "redis": "7"}


@dataclass(frozen=True)
class ResourcePlan:
    """One Convox resource that replaces a Heroku data add-on."""

    name: str
    type: str  # postgres | redis
    version: str
    url_var: str  # the env var Convox sets on linked services: <NAME>_URL
    replaces: str | None  # "heroku-postgresql:essential-0 as DATABASE"; None when inferred


def plan_resources(spec: AppSpec, findings: list[Finding]) -> tuple[ResourcePlan, ...]:
    planned: list[ResourcePlan] = []
    taken: set[str] = set()

    def add(kind: str, wanted: str, replaces: str | None) -> None:
        name = unique_names([wanted], taken)[wanted]
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
