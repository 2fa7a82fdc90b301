"""Which Heroku config keys h2c copies, drops, rewrites to a resource, or asks about.

One small table, shared by the generator (what goes into ``convox.env``) and the env-parity
check (which differences are expected). Pure: a key and the app's add-ons in, a kind out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from h2c.model import Addon


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
