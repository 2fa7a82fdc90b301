"""Plan the app's environment: which config keys are copied, which a resource replaces.

Pure, part of ``h2c.plan.planner``: the keys every service lists (with app.json's public defaults),
the config keys sorted into ``EnvKind`` buckets, and the findings that say what happens to the
keys Heroku's add-ons set.
"""

from __future__ import annotations

from h2c.model import AppSpec, Finding, Severity
from h2c.plan.envrules import RESOURCE_ADDONS, EnvKind, addon_owning, addon_prefix_service, classify
from h2c.plan.resources import ResourcePlan


def classify_config(spec: AppSpec) -> tuple[tuple[str, ...], dict[EnvKind, tuple[str, ...]]]:
    seen: dict[str, EnvKind] = {}
    for var in spec.config:
        seen.setdefault(var.key, classify(var.key, spec.addons))
    for decl in spec.env_decls:
        if decl.key not in seen and classify(decl.key, spec.addons) is EnvKind.ADDON_DECISION:
            seen[decl.key] = EnvKind.ADDON_DECISION
    buckets = {kind: tuple(k for k, v in seen.items() if v is kind) for kind in EnvKind}
    return buckets[EnvKind.COPY], buckets


def base_environment(spec: AppSpec, findings: list[Finding]) -> dict[str, str | None]:
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


def env_findings(
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
