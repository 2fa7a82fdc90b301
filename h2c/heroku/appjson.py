"""Read app.json (Heroku's app manifest) into the model.

The JSON shape helpers live in ``h2c.heroku.jsonshape``, the add-on service table in
``h2c.heroku.addon_services``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from h2c.errors import InputError, Location
from h2c.heroku.addon_services import (
    ADDON_SERVICES,
    ATTACHMENT_RE,
    SERVICE_RE,
    addon_config_vars,
    default_attachment,
)
from h2c.heroku.dynos import DEFAULT_SIZE, KNOWN_SIZES, MAX_QUANTITY, normalize_size
from h2c.heroku.jsonshape import (
    KEY_RE,
    expect_object,
    expect_str,
    load_json,
    optional_str,
    plain_str,
    pointer,
    shape_error,
)
from h2c.heroku.procfile import NAME_RE
from h2c.model import Addon, EnvDecl, Finding, FormationEntry, Severity

# The top-level keys whose value is a plain string; the names among them (they reach
# convox.yml, MIGRATION.md, a terminal) must be one line of visible text.
_NAME_KEYS = ("name", "stack", "image")
_STRING_KEYS = (
    "name",
    "description",
    "website",
    "repository",
    "logo",
    "success_url",
    "stack",
    "image",
)
TOP_LEVEL_KEYS = frozenset(_STRING_KEYS) | {
    "keywords",
    "scripts",
    "env",
    "formation",
    "addons",
    "buildpacks",
    "environments",
}
KNOWN_SCRIPTS = frozenset({"postdeploy", "pr-predestroy"})


@dataclass(frozen=True)
class AppJson:
    """What app.json declares, in model types where the model has them."""

    name: str | None = None
    description: str | None = None
    env: tuple[EnvDecl, ...] = ()
    addons: tuple[Addon, ...] = ()
    formation: tuple[FormationEntry, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()
    buildpacks: tuple[str, ...] = ()
    stack: str | None = None
    environments: dict[str, Any] = field(default_factory=dict)
    image: str | None = None
    keywords: tuple[str, ...] = ()
    website: str | None = None
    repository: str | None = None
    logo: str | None = None
    success_url: str | None = None
    findings: tuple[Finding, ...] = field(default=(), compare=False)


def parse_app_json(text: str, *, file: str = "app.json") -> AppJson:
    """Parse app.json; wrong shapes raise InputError with a JSON pointer.

    >>> a = parse_app_json('{"name": "x", "addons": ["heroku-postgresql:essential-0"]}')
    >>> a.name, a.addons[0].attachment, a.addons[0].config_vars
    ('x', 'DATABASE', ('DATABASE_URL',))
    """
    doc = expect_object(load_json(text, file), file, "")
    findings: list[Finding] = [
        Finding(Severity.WARNING, f"unknown top-level key {key!r} ignored", file)
        for key in doc
        if key not in TOP_LEVEL_KEYS
    ]
    strings = {k: optional_str(doc, k, file, "") for k in _STRING_KEYS}
    for key in _NAME_KEYS:
        if strings[key] is not None:
            plain_str(strings[key], file, pointer(key), f"the {key}")
    keywords = doc.get("keywords", [])
    if not isinstance(keywords, list):
        raise shape_error(file, "/keywords", "an array of strings", keywords)
    for i, word in enumerate(keywords):
        expect_str(word, file, pointer("keywords", i))
    environments = expect_object(doc.get("environments", {}), file, "/environments")
    return AppJson(
        env=_env(doc.get("env", {}), file, findings),
        addons=_addons(doc.get("addons", []), file, findings),
        formation=_formation(doc.get("formation", {}), file, findings),
        scripts=_scripts(doc.get("scripts", {}), file, findings),
        buildpacks=_buildpacks(doc.get("buildpacks", []), file),
        environments=environments,
        keywords=tuple(keywords),
        findings=tuple(findings),
        **strings,
    )


def _warn_unknown(
    obj: dict[str, Any], known: set[str], file: str, ptr: str, findings: list[Finding]
) -> None:
    for key in obj:
        if key not in known:
            findings.append(
                Finding(Severity.WARNING, f"unknown key {key!r} at {ptr} ignored", file)
            )


_BAD_KEY = "invalid config var name: expected letters, digits and '_', not starting with a digit"
_BAD_PROCESS = "invalid process type: expected 1-63 letters, digits, '-' or '_'"


def _named(
    value: object, file: str, section: str, name_re: re.Pattern[str], bad_name: str
) -> Iterator[tuple[str, str, object]]:
    """(name, JSON pointer, value) for each entry of an object keyed by names (env, formation);
    a name Heroku would refuse is an InputError at its pointer."""
    for name, entry in expect_object(value, file, "/" + section).items():
        ptr = pointer(section, name)
        if not name_re.match(name):
            raise InputError(Location(file, pointer=ptr), bad_name)
        yield name, ptr, entry


def _env(value: object, file: str, findings: list[Finding]) -> tuple[EnvDecl, ...]:
    decls = []
    for key, ptr, spec in _named(value, file, "env", KEY_RE, _BAD_KEY):
        if isinstance(spec, str):
            decls.append(EnvDecl(key=key, value=spec, required=True))
            continue
        if not isinstance(spec, dict):
            raise shape_error(
                file, ptr, "a string or an object {description, value, required, generator}", spec
            )
        _warn_unknown(spec, {"description", "value", "required", "generator"}, file, ptr, findings)
        required = spec.get("required", True)
        if not isinstance(required, bool):
            raise shape_error(file, ptr + "/required", "true or false", required)
        generator = optional_str(spec, "generator", file, ptr)
        if generator not in (None, "secret"):
            raise shape_error(file, ptr + "/generator", '"secret"', generator)
        decls.append(
            EnvDecl(
                key=key,
                description=optional_str(spec, "description", file, ptr),
                value=optional_str(spec, "value", file, ptr),
                required=required,
                generator=generator,
            )
        )
    return tuple(decls)


def _addons(value: object, file: str, findings: list[Finding]) -> tuple[Addon, ...]:
    if not isinstance(value, list):
        raise shape_error(file, "/addons", "an array", value)
    addons: list[Addon] = []
    names: set[str] = set()
    for i, entry in enumerate(value):
        ptr = pointer("addons", i)
        plan_spec, attachment = _addon_entry(entry, file, ptr, findings)
        service, _, plan = plan_spec.strip().partition(":")
        if not SERVICE_RE.match(service):
            raise shape_error(
                file, ptr, 'an add-on "service[:plan]" (service: a-z, 0-9, -)', plan_spec
            )
        name = (attachment or default_attachment(service)).upper()
        if name in names:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"two add-ons attach as {name} (at {ptr}); Heroku would give the second a "
                    "generated name",
                    file,
                )
            )
        if service not in ADDON_SERVICES:
            findings.append(
                Finding(
                    Severity.INFO,
                    f"add-on {service!r}: the config vars it sets are not known",
                    file,
                )
            )
        names.add(name)
        config_vars = addon_config_vars(service, name)
        addons.append(Addon(service, plan or None, name, config_vars, source=file))
    return tuple(addons)


def _addon_entry(
    entry: object, file: str, ptr: str, findings: list[Finding]
) -> tuple[str, str | None]:
    """``(service[:plan], attachment)`` from either spelling app.json allows for an add-on."""
    if isinstance(entry, str):
        return plain_str(entry, file, ptr, 'an add-on "service[:plan]"'), None
    if not isinstance(entry, dict):
        raise shape_error(
            file, ptr, 'a string "service[:plan]" or an object {plan, as, options}', entry
        )
    _warn_unknown(entry, {"plan", "as", "options"}, file, ptr, findings)
    if "plan" not in entry:
        raise InputError(Location(file, pointer=ptr), 'expected a "plan" key')
    plan_spec = plain_str(entry["plan"], file, ptr + "/plan", 'an add-on "service[:plan]"')
    attachment = optional_str(entry, "as", file, ptr)
    if attachment is not None and not ATTACHMENT_RE.match(attachment):
        raise shape_error(file, ptr + "/as", "a name of letters, digits and '_'", attachment)
    if entry.get("options"):
        expect_object(entry["options"], file, ptr + "/options")
        findings.append(
            Finding(Severity.INFO, f"add-on options at {ptr}/options are not carried over", file)
        )
    return plan_spec, attachment


def _formation(value: object, file: str, findings: list[Finding]) -> tuple[FormationEntry, ...]:
    entries = []
    for process, ptr, value_at in _named(value, file, "formation", NAME_RE, _BAD_PROCESS):
        spec = expect_object(value_at, file, ptr)
        _warn_unknown(spec, {"quantity", "size"}, file, ptr, findings)
        quantity = spec.get("quantity", 1)
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 0 <= quantity <= MAX_QUANTITY
        ):
            raise shape_error(
                file, ptr + "/quantity", f"an integer from 0 to {MAX_QUANTITY}", quantity
            )
        raw_size = expect_str(spec.get("size", DEFAULT_SIZE), file, ptr + "/size")
        size = normalize_size(raw_size)
        if size is None:
            raise shape_error(
                file, ptr + "/size", "a dyno size (" + ", ".join(KNOWN_SIZES) + ")", raw_size
            )
        entries.append(FormationEntry(process=process, quantity=quantity, size=size))
    return tuple(entries)


def _scripts(value: object, file: str, findings: list[Finding]) -> tuple[tuple[str, str], ...]:
    scripts = expect_object(value, file, "/scripts")
    result = []
    for name, command in scripts.items():
        expect_str(command, file, pointer("scripts", name))
        if name not in KNOWN_SCRIPTS:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"unknown script {name!r} ignored by Heroku (known: postdeploy, pr-predestroy)",
                    file,
                )
            )
        result.append((name, command))
    return tuple(result)


def _buildpacks(value: object, file: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise shape_error(file, "/buildpacks", "an array of {url} objects", value)
    urls = []
    for i, entry in enumerate(value):
        ptr = pointer("buildpacks", i)
        entry = expect_object(entry, file, ptr)
        if "url" not in entry:
            raise InputError(Location(file, pointer=ptr), 'expected a "url" key')
        urls.append(plain_str(entry["url"], file, ptr + "/url", "a buildpack URL"))
    return tuple(urls)
