"""The add-on services h2c knows: the attachment name Heroku picks and the config vars each sets.

Shared by the app.json reader (which only names a service) and the ``heroku addons --json``
reader (which uses it to choose among an add-on's attachments).
"""

from __future__ import annotations

import re

# An add-on service slug ("heroku-postgresql") and an attachment name ("DATABASE"): names that
# become env keys, convox.yml resources and MIGRATION.md text, so nothing else is accepted.
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
ATTACHMENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")

# service -> (default attachment name, config var templates; "{as}" is the attachment name).
# From each add-on's Dev Center page; services not listed here set unknown vars.
ADDON_SERVICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "heroku-postgresql": ("DATABASE", ("{as}_URL",)),
    "heroku-redis": ("REDIS", ("{as}_URL",)),
    "papertrail": ("PAPERTRAIL", ("{as}_API_TOKEN",)),
    "sendgrid": ("SENDGRID", ("{as}_USERNAME", "{as}_PASSWORD", "{as}_API_KEY")),
    "cloudamqp": ("CLOUDAMQP", ("{as}_URL",)),
    "rediscloud": ("REDISCLOUD", ("{as}_URL",)),
    "memcachier": ("MEMCACHIER", ("{as}_SERVERS", "{as}_USERNAME", "{as}_PASSWORD")),
    "mailgun": (
        "MAILGUN",
        (
            "{as}_API_KEY",
            "{as}_DOMAIN",
            "{as}_PUBLIC_KEY",
            "{as}_SMTP_LOGIN",
            "{as}_SMTP_PASSWORD",
            "{as}_SMTP_PORT",
            "{as}_SMTP_SERVER",
        ),
    ),
    "scheduler": ("SCHEDULER", ()),
}


def default_attachment(service: str) -> str:
    """The attachment name Heroku picks when none is given.

    >>> default_attachment("heroku-postgresql"), default_attachment("new-relic")
    ('DATABASE', 'NEW_RELIC')
    """
    known = ADDON_SERVICES.get(service)
    return known[0] if known else service.upper().replace("-", "_")


def addon_config_vars(service: str, attachment: str) -> tuple[str, ...]:
    """The config vars a known service sets under an attachment name; () when unknown.

    >>> addon_config_vars("heroku-redis", "REDIS")
    ('REDIS_URL', 'REDIS_TLS_URL')
    """
    known = ADDON_SERVICES.get(service)
    if not known:
        return ()
    names = tuple(t.replace("{as}", attachment) for t in known[1])
    if service == "heroku-redis":  # Heroku Redis sets <AS>_TLS_URL beside <AS>_URL
        names += (f"{attachment}_TLS_URL",)
    return names
