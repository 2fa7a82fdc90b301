"""Which Heroku config keys h2c copies, drops, rewrites to a resource, or asks about.

One small table, shared by the generator (what goes into ``convox.env``) and the env-parity
check (which differences are expected). Pure: a key and the app's add-ons in, a kind out.
``heroku_only_values`` adds the one rule that looks at values: an app key whose value names
``herokuapp.com`` or repeats an add-on's URL is the user's decision, never a silent copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from h2c.model import Addon, ConfigVar

# A key name that says its value is a secret (the image scan and the build-args rule use it).
SENSITIVE_KEY = re.compile(r"SECRET|KEY|TOKEN|PASS|PWD|URL|DSN|CREDENTIAL|AUTH|PRIVATE|SALT")


class EnvKind(StrEnum):
    """What happens to one config key on the way to Convox."""

    PLATFORM = "platform"  # set by Heroku's platform: never copied
    RESOURCE = "resource"  # provided by a Convox resource h2c creates: never copied
    ADDON_DECISION = "addon_decision"  # owned by another add-on: the user decides
    COPY = "copy"  # the app's own setting: copied as is


# Set by the Heroku platform on every dyno (runtime-dyno-metadata adds more HEROKU_* keys).
PLATFORM_KEYS = frozenset({"PORT", "DYNO"})
PLATFORM_PREFIXES: tuple[str, ...] = ("HEROKU_",)

# Add-on services that h2c replaces with a Convox resource, and the resource type.
RESOURCE_ADDONS: dict[str, str] = {"heroku-postgresql": "postgres", "heroku-redis": "redis"}
RESOURCE_KEYS = frozenset({"DATABASE_URL", "REDIS_URL", "REDIS_TLS_URL"})
RESOURCE_PATTERN = re.compile(r"^HEROKU_(POSTGRESQL|REDIS)_[A-Z0-9_]+_URL$")

# Config-var prefixes that well-known add-ons set, and the add-on each belongs to.
ADDON_PREFIX_SERVICES: dict[str, str] = {
    "BONSAI_": "bonsai",
    "BUCKETEER_": "bucketeer",
    "CLOUDAMQP_": "cloudamqp",
    "CLOUDINARY_": "cloudinary",
    "FIXIE_": "fixie",
    "HEROKU_KAFKA_": "heroku-kafka",
    "KAFKA_": "heroku-kafka",
    "LOGDNA_": "logdna",
    "MAILGUN_": "mailgun",
    "MEMCACHEDCLOUD_": "memcachedcloud",
    "MEMCACHIER_": "memcachier",
    "NEW_RELIC_": "newrelic",
    "OPENREDIS_": "openredis",
    "PAPERTRAIL_": "papertrail",
    "QUOTAGUARDSTATIC_": "quotaguardstatic",
    "QUOTAGUARD_": "quotaguard",
    "REDISCLOUD_": "rediscloud",
    "REDISTOGO_": "redistogo",
    "SCOUT_": "scout",
    "SEARCHBOX_": "searchbox",
    "SENDGRID_": "sendgrid",
}
ADDON_PREFIXES: tuple[str, ...] = tuple(ADDON_PREFIX_SERVICES)


def classify(key: str, addons: Sequence[Addon] = ()) -> EnvKind:
    """Say what h2c does with one config key.

    Add-on ownership is checked first (an add-on may own a ``HEROKU_`` key), then the
    platform keys, then the known add-on prefixes; everything else is the app's own.

    >>> classify("SECRET_KEY")
    <EnvKind.COPY: 'copy'>
    >>> classify("PORT"), classify("HEROKU_APP_NAME")
    (<EnvKind.PLATFORM: 'platform'>, <EnvKind.PLATFORM: 'platform'>)
    >>> classify("DATABASE_URL"), classify("HEROKU_POSTGRESQL_RED_URL")
    (<EnvKind.RESOURCE: 'resource'>, <EnvKind.RESOURCE: 'resource'>)
    >>> classify("PAPERTRAIL_API_TOKEN")
    <EnvKind.ADDON_DECISION: 'addon_decision'>
    >>> classify("ACME_KEY", [Addon("acme", None, "ACME", ("ACME_KEY",))])
    <EnvKind.ADDON_DECISION: 'addon_decision'>
    """
    owner = addon_owning(key, addons)
    if owner is not None:
        return EnvKind.RESOURCE if owner.service in RESOURCE_ADDONS else EnvKind.ADDON_DECISION
    if key in RESOURCE_KEYS or RESOURCE_PATTERN.match(key):
        return EnvKind.RESOURCE
    if addon_prefix_service(key) is not None:
        return EnvKind.ADDON_DECISION
    if key in PLATFORM_KEYS or key.startswith(PLATFORM_PREFIXES):
        return EnvKind.PLATFORM
    return EnvKind.COPY


def addon_owning(key: str, addons: Sequence[Addon]) -> Addon | None:
    """The add-on whose config vars include ``key``, if any."""
    return next((a for a in addons if key in a.config_vars), None)


def addon_prefix_service(key: str) -> str | None:
    """The add-on a key's prefix points to (``SENDGRID_API_KEY`` -> ``sendgrid``).

    >>> addon_prefix_service("SENDGRID_API_KEY"), addon_prefix_service("SECRET_KEY")
    ('sendgrid', None)
    """
    return next((s for p, s in ADDON_PREFIX_SERVICES.items() if key.startswith(p)), None)


HEROKU_APP_DOMAIN = "herokuapp.com"


@dataclass(frozen=True)
class HerokuOnlyValue:
    """An app key whose value only makes sense on Heroku: names the key, never the value."""

    key: str
    reason: str  # "herokuapp" (names herokuapp.com) | "addon_url" (repeats an add-on's URL)
    source: str | None = None  # addon_url: the add-on key whose value it repeats
    addon: str | None = None  # addon_url: the add-on that key belongs to


def heroku_only_values(
    config: Sequence[ConfigVar], addons: Sequence[Addon] = ()
) -> tuple[HerokuOnlyValue, ...]:
    """The app's own keys (``COPY``) whose value is Heroku's: a decision, never a copy.

    A value naming ``herokuapp.com`` (a host allow-list, a callback URL), or equal to the URL
    of an add-on key (``CELERY_BROKER_URL`` holding ``CLOUDAMQP_URL``'s value). Values are
    compared as Secrets (by digest) and never returned.

    >>> from h2c.secret import Secret
    >>> config = [ConfigVar("ALLOWED_HOSTS", Secret("*.herokuapp.com")),
    ...           ConfigVar("CLOUDAMQP_URL", Secret("amqps://u:p@host/v")),
    ...           ConfigVar("CELERY_BROKER_URL", Secret("amqps://u:p@host/v"))]
    >>> for v in heroku_only_values(config):
    ...     print(v.key, v.reason, v.source, v.addon)
    ALLOWED_HOSTS herokuapp None None
    CELERY_BROKER_URL addon_url CLOUDAMQP_URL cloudamqp
    """
    urls = [
        var
        for var in config
        if classify(var.key, addons) in (EnvKind.RESOURCE, EnvKind.ADDON_DECISION)
        and "://" in var.value.reveal()
    ]
    found: dict[str, HerokuOnlyValue] = {}
    for var in config:
        if var.key in found or classify(var.key, addons) is not EnvKind.COPY:
            continue
        if HEROKU_APP_DOMAIN in var.value.reveal().lower():
            found[var.key] = HerokuOnlyValue(var.key, "herokuapp")
            continue
        source = next((u.key for u in urls if u.value == var.value), None)
        if source is not None:
            label = addon_label(source, addons)
            found[var.key] = HerokuOnlyValue(var.key, "addon_url", source, label)
    return tuple(found.values())


def addon_label(key: str, addons: Sequence[Addon] = ()) -> str:
    """The add-on a key belongs to, as findings name it.

    >>> addon_label("CLOUDAMQP_URL"), addon_label("REDIS_URL"), addon_label("DATABASE_URL")
    ('cloudamqp', 'heroku-redis', 'heroku-postgresql')
    """
    owner = addon_owning(key, addons)
    if owner is not None:
        return owner.service
    prefixed = addon_prefix_service(key)
    if prefixed is not None:
        return prefixed
    if classify(key, addons) is EnvKind.RESOURCE:
        return "heroku-redis" if "REDIS" in key else "heroku-postgresql"
    return "unknown add-on"
