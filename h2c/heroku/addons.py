"""Read ``heroku addons --json``: the add-ons an app really has, and the config vars they set.

The CLI prints the Platform API add-on objects (``JSON.stringify(addons, null, 2)``) with
``addon_service`` and ``plan`` expanded and the app's ``attachments`` added to each:
``[{"name": "postgresql-x", "addon_service": {"name": "heroku-postgresql"},
"plan": {"name": "heroku-postgresql:essential-0"}, "config_vars": ["DATABASE_URL"],
"app": {"name": "my-app"}, "attachments": [{"name": "DATABASE", "app": {"name": "my-app"}}]}]``.
"""

from __future__ import annotations

import re
from typing import Any

from h2c.errors import InputError, Location
from h2c.heroku.addon_services import ATTACHMENT_RE, SERVICE_RE, default_attachment
from h2c.heroku.jsonshape import (
    KEY_RE,
    expect_object,
    expect_str,
    load_json,
    plain_str,
    pointer,
    shape_error,
)
from h2c.model import Addon


def parse_addons_json(text: str, *, file: str) -> tuple[Addon, ...]:
    """Parse the JSON array printed by ``heroku addons --json``.

    >>> doc = '''[{"addon_service": {"name": "heroku-redis"}, "plan": {"name": "heroku-redis:mini"},
    ...            "config_vars": ["REDIS_URL", "REDIS_TLS_URL"]}]'''
    >>> parse_addons_json(doc, file="addons.json")  # doctest: +NORMALIZE_WHITESPACE
    (Addon(service='heroku-redis', plan='mini', attachment='REDIS',
           config_vars=('REDIS_URL', 'REDIS_TLS_URL'), source='addons.json'),)
    """
    doc = load_json(text, file)
    if not isinstance(doc, list):
        raise shape_error(
            file, "", "an array of add-ons (the output of `heroku addons --json`)", doc
        )
    return tuple(_addon(entry, file, pointer(i)) for i, entry in enumerate(doc))


def _addon(entry: object, file: str, ptr: str) -> Addon:
    obj = expect_object(entry, file, ptr)
    service_obj = expect_object(obj.get("addon_service"), file, ptr + "/addon_service")
    if "name" not in service_obj:
        raise InputError(
            Location(file, pointer=ptr + "/addon_service"),
            'expected a "name" key (the add-on service); the CLI could not read this add-on',
        )
    service = _matching(service_obj["name"], file, ptr + "/addon_service/name", SERVICE_RE,
                        "an add-on service name (a-z, 0-9, -)")  # fmt: skip
    plan = _plan(obj.get("plan"), file, ptr + "/plan")
    raw_vars = obj.get("config_vars") or []
    if not isinstance(raw_vars, list):
        raise shape_error(file, ptr + "/config_vars", "an array of config var names", raw_vars)
    config_vars = tuple(
        _matching(v, file, f"{ptr}/config_vars/{i}", KEY_RE, "a config var name")
        for i, v in enumerate(raw_vars)
    )
    owner = _app_name(obj.get("app"), file, ptr + "/app")
    attachments = _attachments(obj.get("attachments"), file, ptr + "/attachments", owner)
    return Addon(
        service=service,
        plan=plan,
        attachment=choose_attachment(service, attachments, config_vars),
        config_vars=config_vars,
        source=file,
    )


def _plan(value: object, file: str, ptr: str) -> str | None:
    if value is None:
        return None
    plan = expect_object(value, file, ptr)
    if plan.get("name") is None:
        return None
    _, _, name = plain_str(plan["name"], file, ptr + "/name", "a plan name").partition(":")
    return name or None


def _app_name(value: object, file: str, ptr: str) -> str | None:
    if value is None:
        return None
    app = expect_object(value, file, ptr)
    return None if app.get("name") is None else expect_str(app["name"], file, ptr + "/name")


def _attachments(value: object, file: str, ptr: str, owner: str | None) -> tuple[str, ...]:
    """Attachment names, those on the owning app first."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise shape_error(file, ptr, "an array of attachments", value)
    own: list[str] = []
    foreign: list[str] = []
    for i, entry in enumerate(value):
        item: dict[str, Any] = expect_object(entry, file, pointer_at(ptr, i))
        if item.get("name") is None:
            continue
        name = _matching(item["name"], file, pointer_at(ptr, i) + "/name", ATTACHMENT_RE,
                         "an attachment name (letters, digits and '_')")  # fmt: skip
        app = _app_name(item.get("app"), file, pointer_at(ptr, i) + "/app")
        (own if owner is None or app in (None, owner) else foreign).append(name)
    return tuple(own + foreign)


def _matching(value: object, file: str, ptr: str, name_re: re.Pattern[str], what: str) -> str:
    """A string naming something (it reaches env keys, YAML and Markdown): ``name_re`` only."""
    text = expect_str(value, file, ptr)
    if not name_re.match(text):
        raise shape_error(file, ptr, what, text)
    return text


def pointer_at(ptr: str, index: int) -> str:
    return f"{ptr}/{index}"


def choose_attachment(
    service: str, attachments: tuple[str, ...], config_vars: tuple[str, ...]
) -> str:
    """The attachment name an add-on is best known by.

    Prefer the service's default name (DATABASE over HEROKU_POSTGRESQL_RED), then any attachment
    on the app, then the prefix of its config vars (DATABASE_URL -> DATABASE).

    >>> choose_attachment("heroku-postgresql", ("HEROKU_POSTGRESQL_RED", "DATABASE"), ())
    'DATABASE'
    >>> choose_attachment("heroku-postgresql", (), ("HEROKU_POSTGRESQL_RED_URL",))
    'HEROKU_POSTGRESQL_RED'
    >>> choose_attachment("sendgrid", (), ("SENDGRID_USERNAME", "SENDGRID_PASSWORD"))
    'SENDGRID'
    """
    default = default_attachment(service)
    urls = sorted((v.removesuffix("_URL") for v in config_vars if v.endswith("_URL")), key=len)
    if default in attachments or default in urls:
        return default
    if attachments:
        return attachments[0]
    if urls:
        return urls[0]
    if any(v.startswith(default + "_") for v in config_vars):
        return default
    prefix = _common_prefix([v.split("_")[:-1] for v in config_vars])
    return "_".join(prefix) if prefix else default


def _common_prefix(parts: list[list[str]]) -> list[str]:
    if not parts:
        return []
    prefix = parts[0]
    for other in parts[1:]:
        n = 0
        while n < min(len(prefix), len(other)) and prefix[n] == other[n]:
            n += 1
        prefix = prefix[:n]
    return prefix
