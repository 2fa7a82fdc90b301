"""Resource overlays: an app env ``<NAME>_URL`` replaces the Convox resource, so Convox does
not start it; one that points at Heroku's service fails."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from h2c.secret import Secret
from h2c.verdicts.envparity import KeyVerdict, Status, short_digest

HEROKU_HOST_SUFFIXES = (".amazonaws.com", ".herokuapp.com", ".heroku.com", ".herokudns.com")


def points_at_heroku(value: Secret, heroku_value: Secret | None = None) -> bool:
    """Whether an overlay URL is Heroku's: an AWS/Heroku host, or Heroku's own value.

    >>> points_at_heroku(Secret("postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d"))
    True
    >>> points_at_heroku(Secret("postgres://u:p@db.internal:5432/d"))
    False
    >>> points_at_heroku(Secret("postgres://x"), Secret("postgres://x"))
    True
    """
    if heroku_value is not None and value == heroku_value:
        return True
    try:
        host = (urlsplit(value.reveal()).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == s[1:] or host.endswith(s) for s in HEROKU_HOST_SUFFIXES)


def overlay_verdicts(
    overlays: Mapping[str, Secret], heroku: Mapping[str, Secret]
) -> list[KeyVerdict]:
    """One verdict per overlaid ``<NAME>_URL``: Heroku's service fails, another one passes.

    >>> h = {"DATABASE_URL": Secret("postgres://u:p@h.example/d")}
    >>> [(v.key, v.status.value) for v in overlay_verdicts(dict(h), h)]
    [('DATABASE_URL', 'overlay_heroku')]
    """
    verdicts = []
    for key in sorted(overlays):
        value, theirs = overlays[key], heroku.get(key)
        if points_at_heroku(value, theirs):
            status = Status.OVERLAY_HEROKU
            detail = (
                "the app env sets it, so Convox does not start the resource and the app runs "
                "against Heroku's service (its host or Heroku's own value): remove it from the "
                "app env (`convox env unset`) or point it at the new service"
            )
        else:
            status, detail = Status.OVERLAY, "set in the app env: replaces the Convox resource"
        verdicts.append(KeyVerdict(key, status, detail, short_digest(theirs), short_digest(value)))
    return verdicts
