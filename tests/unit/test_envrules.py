"""Env key classification: the table the generator and the env-parity check share."""

from __future__ import annotations

import pytest

from h2c.model import Addon
from h2c.plan.envrules import ADDON_PREFIXES, PLATFORM_PREFIXES, EnvKind, classify

ADDONS = (
    Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",)),
    Addon("heroku-redis", "mini", "REDIS", ("REDIS_URL", "REDIS_TLS_URL")),
    Addon("heroku-postgresql", "x", "ANALYTICS_DB", ("ANALYTICS_DB_URL",)),
    Addon("acme-search", "basic", "ACME", ("ACME_URL", "HEROKU_ACME_TOKEN")),
)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("PORT", EnvKind.PLATFORM),
        ("DYNO", EnvKind.PLATFORM),
        ("HEROKU_APP_NAME", EnvKind.PLATFORM),
        ("HEROKU_SLUG_COMMIT", EnvKind.PLATFORM),
        ("HEROKU_RELEASE_VERSION", EnvKind.PLATFORM),
        ("DATABASE_URL", EnvKind.RESOURCE),
        ("HEROKU_POSTGRESQL_RED_URL", EnvKind.RESOURCE),
        ("HEROKU_REDIS_MAROON_URL", EnvKind.RESOURCE),
        ("REDIS_URL", EnvKind.RESOURCE),
        ("REDIS_TLS_URL", EnvKind.RESOURCE),
        ("ANALYTICS_DB_URL", EnvKind.RESOURCE),  # a data add-on's own config var
        ("ACME_URL", EnvKind.ADDON_DECISION),  # another add-on's config var
        ("HEROKU_ACME_TOKEN", EnvKind.ADDON_DECISION),  # owned by an add-on, not the platform
        ("PAPERTRAIL_API_TOKEN", EnvKind.ADDON_DECISION),
        ("SENDGRID_PASSWORD", EnvKind.ADDON_DECISION),
        ("CLOUDAMQP_URL", EnvKind.ADDON_DECISION),
        ("NEW_RELIC_LICENSE_KEY", EnvKind.ADDON_DECISION),
        ("SENTRY_DSN", EnvKind.COPY),  # usually set by the user
        ("SECRET_KEY", EnvKind.COPY),
        ("WEB_CONCURRENCY", EnvKind.COPY),
        ("PORTAL_URL", EnvKind.COPY),  # starts with PORT but is not PORT
        ("APP", EnvKind.COPY),
    ],
)
def test_classify(key: str, kind: EnvKind) -> None:
    assert classify(key, ADDONS) is kind


def test_prefix_tables_are_exported() -> None:
    assert PLATFORM_PREFIXES == ("HEROKU_",)
    assert "PAPERTRAIL_" in ADDON_PREFIXES and "SENDGRID_" in ADDON_PREFIXES
    assert all(p.endswith("_") and p.isupper() for p in ADDON_PREFIXES)


def test_classify_without_addons() -> None:
    assert classify("DATABASE_URL") is EnvKind.RESOURCE
    assert classify("ANALYTICS_DB_URL") is EnvKind.COPY
