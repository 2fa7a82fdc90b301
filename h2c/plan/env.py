"""Plan the app's environment: which config keys are copied, which a resource replaces.

Pure, part of ``h2c.plan.planner``: the keys every service lists (with app.json's public defaults),
the config keys sorted into ``EnvKind`` buckets, and the findings that say what happens to the
keys Heroku's add-ons set. App keys whose value only makes sense on Heroku
(``envrules.heroku_only_values``) join the add-on decisions: not copied, each with its advice.
"""

from __future__ import annotations

from collections.abc import Sequence

from h2c.model import Addon, AppSpec, Finding, Severity
from h2c.plan.envrules import (
    RESOURCE_ADDONS,
    EnvKind,
    HerokuOnlyValue,
    addon_label,
    classify,
    heroku_only_values,
)
from h2c.plan.resources import ResourcePlan


def classify_config(spec: AppSpec) -> tuple[tuple[str, ...], dict[EnvKind, tuple[str, ...]]]:
    """The keys to copy, and every key by kind; Heroku-only values are decisions."""
    heroku_only = {v.key for v in heroku_only_values(spec.config, spec.addons)}
    seen: dict[str, EnvKind] = {}
    for var in spec.config:
        kind = EnvKind.ADDON_DECISION if var.key in heroku_only else classify(var.key, spec.addons)
        seen.setdefault(var.key, kind)
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
    advice = heroku_value_advice(spec, resources)
    by_addon: dict[str, list[str]] = {}
    for key in buckets[EnvKind.ADDON_DECISION]:
        if key not in advice:
            by_addon.setdefault(addon_label(key, spec.addons), []).append(key)
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
    for key, what in advice.items():
        findings.append(
            Finding(
                Severity.DECISION,
                f"{key} {what}. Not copied to convox.env: add its Convox value there, then "
                "record the decision in h2c.toml [env] expect_changed (see MIGRATION.md)",
            )
        )


def heroku_value_advice(spec: AppSpec, resources: Sequence[ResourcePlan]) -> dict[str, str]:
    """Key -> what its Heroku-only value is and what to do instead (never the value).

    >>> from h2c.model import ConfigVar, Runtime
    >>> from h2c.secret import Secret
    >>> rt = Runtime("python", "3.12", "default", "pip", ("requirements.txt",))
    >>> spec = AppSpec("shop", (), rt, config=(ConfigVar("HOSTS", Secret("a.herokuapp.com")),))
    >>> print(heroku_value_advice(spec, [])["HOSTS"])  # doctest: +ELLIPSIS
    names herokuapp.com, where the app will not answer on Convox ...
    """
    values = heroku_only_values(spec.config, spec.addons)
    return {v.key: _advice(v, spec.addons, resources) for v in values}


def _advice(
    value: HerokuOnlyValue, addons: Sequence[Addon], resources: Sequence[ResourcePlan]
) -> str:
    if value.reason == "herokuapp":
        return (
            "names herokuapp.com, where the app will not answer on Convox (a host allow-list "
            "such as Django's ALLOWED_HOSTS answers 400 on the new domain): set it to your "
            "Convox domain (`convox services` shows it) and your own domains"
        )
    label = value.addon or "unknown add-on"
    copied = (
        f"holds the same URL as {value.source} (add-on {label}): copied, it would keep the "
        f"app on Heroku's {label}"
    )
    resource = _resource_for(value.source or "", addons, resources)
    if resource is not None:
        return (
            f"{copied}; point it at the Convox resource {resource.name!r}: read "
            f"{resource.url_var} in the app, or set it to what "
            f"`convox resources url {resource.name}` prints"
        )
    return (
        f"{copied}; point it at the Convox replacement of {label} (or keep {label}: set both keys)"
    )


def _resource_for(
    key: str, addons: Sequence[Addon], resources: Sequence[ResourcePlan]
) -> ResourcePlan | None:
    """The Convox resource that replaces the add-on behind ``key``, if h2c plans one."""
    exact = next((r for r in resources if r.url_var == key), None)
    if exact is not None or classify(key, addons) is not EnvKind.RESOURCE:
        return exact
    kind = "redis" if "REDIS" in key else "postgres"
    return next((r for r in resources if r.type == kind), None)
