"""Env parity: does Convox hold every Heroku config value it should, and nothing it must not?

Pure rules over two key -> Secret maps; values are compared by digest and never shown. Each
key gets one ``KeyVerdict``; a verdict whose status ``fails`` stops the gate. The rules, by the
key's kind (``h2c.plan.envrules.classify``):

- app's own keys (COPY): equal -> ok (multi-line ones ``multiline``: `convox env set` from stdin
  would break them); absent -> ``missing``; different -> ``changed``, or more precisely
  ``multiline_mangled`` (newlines lost) or ``quotes_kept`` (Heroku's shell quoting stored
  literally, as `heroku config -s | convox env set` does).
- platform keys (PORT, DYNO, HEROKU_*): absent -> ``platform``; in the app env ->
  ``platform_copied``. Set only by a convox.yml ``KEY=default`` -> ``platform``: a public value
  written in the manifest on purpose (h2c sets ``DYNO=web.1`` for code that reads DYNO), not a
  copy of Heroku's config.
- resource URLs (DATABASE_URL, REDIS_URL, HEROKU_POSTGRESQL_<COLOR>_URL, an attachment's
  ``as`` name): Heroku's value on Convox -> ``copied_addon_url`` (it would keep the app on
  Heroku's database; no exception waives it); provided by a linked resource -> ``resource``;
  another value set by hand -> ``resource_overridden``; neither -> ``resource_missing``.
- other add-on keys (PAPERTRAIL_*, ...): kept with the same value -> ok; else
  ``needs_decision`` until h2c.toml records the decision (``ignore`` or ``expect_changed``).
- a key app.json requires, or convox.yml lists bare (``KEY``), with no value ->
  ``required_unset`` (a bare convox.yml key fails the deploy: no exception waives it).
- a copied key that no convox.yml ``environment`` list declares -> ``undeclared`` (Convox drops
  app env keys no service lists).
- keys only on Convox -> ``convox_only`` (passes).

h2c.toml exceptions: ``ignore`` turns any other failure into ``ignored``; ``expect_changed``
turns a difference (or absence) into ``expected_changed``. Every exception carries a reason.

What reached the running process: ``h2c.verdicts.envruntime``; app env overlays of a resource's
URL: ``h2c.verdicts.overlays``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from h2c.heroku.config import quote_heroku
from h2c.model import Addon
from h2c.plan.envrules import EnvKind, classify
from h2c.secret import Secret

# Convox sets these on every service itself (REFERENCE: system env).
CONVOX_SYSTEM_KEYS = frozenset(
    {"APP", "BUILD", "BUILD_DESCRIPTION", "PORT", "RACK", "RELEASE", "SERVICE"}
)


class Status(StrEnum):
    OK = "ok"
    MULTILINE = "multiline"
    CONVOX_ONLY = "convox_only"
    PLATFORM = "platform"
    RESOURCE = "resource"
    IGNORED = "ignored"
    EXPECTED_CHANGED = "expected_changed"
    MISSING = "missing"
    CHANGED = "changed"
    MULTILINE_MANGLED = "multiline_mangled"
    QUOTES_KEPT = "quotes_kept"
    PLATFORM_COPIED = "platform_copied"
    COPIED_ADDON_URL = "copied_addon_url"
    RESOURCE_OVERRIDDEN = "resource_overridden"
    RESOURCE_MISSING = "resource_missing"
    NEEDS_DECISION = "needs_decision"
    REQUIRED_UNSET = "required_unset"
    UNDECLARED = "undeclared"
    RUNTIME_MISSING = "runtime_missing"
    RUNTIME_DIFFERS = "runtime_differs"
    OVERLAY = "overlay"
    OVERLAY_HEROKU = "overlay_heroku"

    @property
    def fails(self) -> bool:
        return self not in PASSING


PASSING = frozenset(
    {
        Status.OK,
        Status.MULTILINE,
        Status.CONVOX_ONLY,
        Status.PLATFORM,
        Status.RESOURCE,
        Status.IGNORED,
        Status.EXPECTED_CHANGED,
        Status.OVERLAY,
    }
)
# Never waived by h2c.toml: a copied Heroku database URL, and a deploy Convox would refuse.
UNWAIVABLE = frozenset({Status.COPIED_ADDON_URL})


def short_digest(value: Secret | None) -> str:
    """What a report may show of a value: 4 hex chars of its SHA-256, or ``-`` when absent.

    >>> short_digest(Secret("x")), short_digest(None)
    ('sha256:2d71', '-')
    """
    return "-" if value is None else "sha256:" + value.digest[:4]


@dataclass(frozen=True)
class KeyVerdict:
    """One key's outcome. ``detail`` never holds a value: names, kinds and rules only."""

    key: str
    status: Status
    detail: str = ""
    heroku: str = "-"  # short digest
    convox: str = "-"

    @property
    def fails(self) -> bool:
        return self.status.fails

    def message(self) -> str:
        """The failure text a check shows: the key, the kind of mismatch, no value."""
        return f"{self.key}: {self.status.value}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Exceptions:
    """h2c.toml ``[env]``: key -> reason for ``ignore`` and ``expect_changed``."""

    ignore: Mapping[str, str] = field(default_factory=dict)
    expect_changed: Mapping[str, str] = field(default_factory=dict)


def diff(
    heroku: Mapping[str, Secret],
    convox: Mapping[str, Secret],
    *,
    app_json_required: Collection[str] = (),
    convox_required: Collection[str] = (),
    addons: Sequence[Addon] = (),
    exceptions: Exceptions | None = None,
    provided: Collection[str] = (),
    declared: Collection[str] | None = None,
    defaulted: Collection[str] = (),
) -> list[KeyVerdict]:
    """One verdict per key, sorted by key.

    ``convox`` is the app env as Convox holds it (convox.env or `convox env`, with convox.yml
    defaults applied); ``provided`` the keys Convox sets itself (linked resources' URLs, system
    env); ``declared`` the keys some convox.yml ``environment`` list names (None: unknown, or
    ``*``); ``defaulted`` the keys whose Convox value is a convox.yml ``KEY=default`` (the app
    env does not set them).

    >>> h = {"A": Secret("1"), "DATABASE_URL": Secret("postgres://heroku")}
    >>> [(v.key, v.status.value) for v in diff(h, dict(h))]
    [('A', 'ok'), ('DATABASE_URL', 'copied_addon_url')]
    """
    exceptions = exceptions or Exceptions()
    keys = set(heroku) | set(convox) | set(app_json_required) | set(convox_required)
    verdicts = []
    for key in sorted(keys):
        status, detail = _judge(
            key,
            heroku.get(key),
            convox.get(key),
            kind=classify(key, addons),
            provided=key in provided or key in CONVOX_SYSTEM_KEYS,
            declared=declared is None or key in declared,
            app_json=key in app_json_required,
            convox_yml=key in convox_required,
            defaulted=key in defaulted,
        )
        status, detail = _apply_exceptions(
            key, status, detail, exceptions, convox_yml=key in convox_required
        )
        verdicts.append(
            KeyVerdict(
                key, status, detail, short_digest(heroku.get(key)), short_digest(convox.get(key))
            )
        )
    return verdicts


_PLATFORM_ONLY = "set by Heroku's platform; not expected on Convox"


def _judge(
    key: str,
    h: Secret | None,
    c: Secret | None,
    *,
    kind: EnvKind,
    provided: bool,
    declared: bool,
    app_json: bool,
    convox_yml: bool,
    defaulted: bool = False,
) -> tuple[Status, str]:
    if c is None and not provided and (app_json or convox_yml):
        why = "convox.yml lists it as required (the deploy fails)" if convox_yml else ""
        why = why or "app.json requires it"
        return Status.REQUIRED_UNSET, f"{why}, but Convox has no value (add it to convox.env)"
    if h is None:
        return (Status.CONVOX_ONLY, "set on Convox only") if c is not None else (Status.OK, "")
    if kind is EnvKind.PLATFORM:
        if c is not None and not defaulted:
            return Status.PLATFORM_COPIED, "a Heroku platform key was copied to Convox"
        public = "a public convox.yml default set on purpose, not a copy"
        return Status.PLATFORM, public if c is not None else _PLATFORM_ONLY
    if kind is EnvKind.RESOURCE:
        return _judge_resource(h, c, provided=provided)
    if kind is EnvKind.ADDON_DECISION:
        if c is not None and c == h:
            return Status.OK, "add-on key kept with Heroku's value"
        return (
            Status.NEEDS_DECISION,
            "add-on key: record the decision in h2c.toml (env.ignore or env.expect_changed)",
        )
    return _judge_copied(h, c, declared=declared)


def _judge_resource(h: Secret, c: Secret | None, *, provided: bool) -> tuple[Status, str]:
    """A resource URL: Convox's linked resource must provide it, never Heroku's value."""
    if c is not None and c == h:
        return (
            Status.COPIED_ADDON_URL,
            "holds Heroku's add-on value: the app would keep using Heroku's service "
            "instead of the Convox resource (an overlay: Convox does not start the resource "
            "and gives the app this value)",
        )
    if c is not None:
        return Status.RESOURCE_OVERRIDDEN, "set by hand, overriding the Convox resource"
    if provided:
        return Status.RESOURCE, "provided by a linked Convox resource"
    return Status.RESOURCE_MISSING, "no linked Convox resource provides it"


def _judge_copied(h: Secret, c: Secret | None, *, declared: bool) -> tuple[Status, str]:
    """An app's own key: Convox must hold Heroku's value, in a key convox.yml declares."""
    if c is None:
        if h.is_multiline:
            return (
                Status.MISSING,
                "multi-line value: Convox env cannot hold it; carry it as H2C_B64_<KEY> "
                "(base64) with the image's h2c-env entrypoint (`h2c generate` writes both)",
            )
        return Status.MISSING, "on Heroku but not on Convox"
    if c == h:
        if not declared:
            return Status.UNDECLARED, "no convox.yml environment list declares it: Convox drops it"
        if h.is_multiline:
            return Status.MULTILINE, "multi-line: carried by its base64 twin H2C_B64_<KEY>"
        return Status.OK, ""
    return _how_changed(h, c)


def _how_changed(h: Secret, c: Secret) -> tuple[Status, str]:
    raw, got = h.reveal(), c.reveal()
    if h.is_multiline and not c.is_multiline:
        return Status.MULTILINE_MANGLED, "multi-line value lost its newlines on Convox"
    if got != raw and got == quote_heroku(raw):
        return Status.QUOTES_KEPT, "stored with `heroku config -s` quotes around the value"
    return Status.CHANGED, "the values differ"


def _apply_exceptions(
    key: str, status: Status, detail: str, exceptions: Exceptions, *, convox_yml: bool
) -> tuple[Status, str]:
    if not status.fails or status in UNWAIVABLE:
        return status, detail
    if status is Status.REQUIRED_UNSET and convox_yml:
        return status, detail
    if key in exceptions.ignore:
        return Status.IGNORED, f"h2c.toml ignore ({status.value}): {exceptions.ignore[key]}"
    if key in exceptions.expect_changed and status not in (
        Status.PLATFORM_COPIED,
        Status.UNDECLARED,
        Status.REQUIRED_UNSET,
    ):
        reason = exceptions.expect_changed[key]
        return Status.EXPECTED_CHANGED, f"h2c.toml expect_changed ({status.value}): {reason}"
    return status, detail


def failures(verdicts: Iterable[KeyVerdict]) -> list[KeyVerdict]:
    return [v for v in verdicts if v.fails]
