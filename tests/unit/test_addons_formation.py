"""`heroku addons --json` and `heroku ps:scale` exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from h2c.errors import InputError
from h2c.heroku.addons import choose_attachment, parse_addons_json
from h2c.heroku.dynos import DYNO_CPU_MILLICORES, DYNO_MEMORY_MB, KNOWN_SIZES, normalize_size
from h2c.heroku.formation import parse_formation
from h2c.model import Addon, FormationEntry

ADDONS = Path(__file__).resolve().parents[2] / "fixtures" / "heroku" / "addons.json"


# ---- add-ons ----------------------------------------------------------------------------------


def test_recorded_addons_sample() -> None:
    addons = parse_addons_json(ADDONS.read_text(), file="addons.json")
    assert addons == (
        Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",), "addons.json"),
        Addon("heroku-redis", "mini", "REDIS", ("REDIS_URL", "REDIS_TLS_URL"), "addons.json"),
        Addon("papertrail", "choklad", "PAPERTRAIL", ("PAPERTRAIL_API_TOKEN",), "addons.json"),
    )


def test_empty_list() -> None:
    assert parse_addons_json("[]", file="a") == ()


def test_minimal_entry_without_plan_or_vars() -> None:
    (addon,) = parse_addons_json('[{"addon_service": {"name": "scheduler"}}]', file="a")
    assert addon == Addon("scheduler", None, "SCHEDULER", (), "a")


def test_attachment_on_owning_app_preferred_over_foreign() -> None:
    doc = [
        {
            "addon_service": {"name": "heroku-postgresql"},
            "plan": {"name": "heroku-postgresql:standard-0"},
            "app": {"name": "mine"},
            "config_vars": ["HEROKU_POSTGRESQL_RED_URL"],
            "attachments": [
                {"name": "OTHER_DB", "app": {"name": "someone-else"}},
                {"name": "HEROKU_POSTGRESQL_RED", "app": {"name": "mine"}},
            ],
        }
    ]
    (addon,) = parse_addons_json(json.dumps(doc), file="a")
    assert addon.attachment == "HEROKU_POSTGRESQL_RED"
    assert addon.config_vars == ("HEROKU_POSTGRESQL_RED_URL",)


@pytest.mark.parametrize(
    ("service", "attachments", "config_vars", "expected"),
    [
        ("heroku-postgresql", ("HEROKU_POSTGRESQL_RED", "DATABASE"), (), "DATABASE"),
        ("heroku-postgresql", (), ("DATABASE_URL",), "DATABASE"),
        ("heroku-postgresql", (), ("HEROKU_POSTGRESQL_RED_URL",), "HEROKU_POSTGRESQL_RED"),
        ("heroku-postgresql", (), ("HEROKU_POSTGRESQL_RED_URL", "DATABASE_URL"), "DATABASE"),
        ("heroku-redis", (), ("REDIS_URL", "REDIS_TLS_URL"), "REDIS"),
        ("papertrail", (), ("PAPERTRAIL_API_TOKEN",), "PAPERTRAIL"),
        ("sendgrid", (), ("SENDGRID_USERNAME", "SENDGRID_PASSWORD"), "SENDGRID"),
        ("acme-mail", (), ("ACMEMAIL_KEY", "ACMEMAIL_SECRET"), "ACMEMAIL"),
        ("acme-mail", (), (), "ACME_MAIL"),
        ("cloudamqp", ("RABBIT",), ("RABBIT_URL",), "RABBIT"),
        ("heroku-postgresql", ("HEROKU_POSTGRESQL_RED",), ("DATABASE_URL",), "DATABASE"),
    ],
)
def test_choose_attachment(
    service: str, attachments: tuple[str, ...], config_vars: tuple[str, ...], expected: str
) -> None:
    assert choose_attachment(service, attachments, config_vars) == expected


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("{}", "a.json at /", "expected an array of add-ons"),
        ("[1]", "a.json at /0", "expected an object, got 1"),
        ('[{"plan": {}}]', "a.json at /0/addon_service", "expected an object, got null"),
        ('[{"addon_service": {}}]', "a.json at /0/addon_service", '"name"'),
        ('[{"addon_service": {"name": 7}}]', "a.json at /0/addon_service/name", "a string"),
        ('[{"addon_service": {"name": "x"}, "plan": "x:y"}]', "a.json at /0/plan", "an object"),
        (
            '[{"addon_service": {"name": "x"}, "config_vars": "X_URL"}]',
            "at /0/config_vars",
            "an array of config var names",
        ),
        (
            '[{"addon_service": {"name": "x"}, "config_vars": [1]}]',
            "at /0/config_vars/0",
            "a string",
        ),
        (
            '[{"addon_service": {"name": "x"}, "attachments": {}}]',
            "at /0/attachments",
            "an array of attachments",
        ),
        (
            '[{"addon_service": {"name": "x"}, "attachments": [{"name": 1}]}]',
            "at /0/attachments/0/name",
            "a string",
        ),
        ("[{]", "a.json:1:3", "invalid JSON"),
    ],
)
def test_bad_addons_json(text: str, where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_addons_json(text, file="a.json")
    assert f"{where}: " in str(info.value)
    assert expected in str(info.value)


# ---- formation --------------------------------------------------------------------------------


def test_ps_scale_output() -> None:
    text = "web=2:Standard-2X worker=1:Performance-M\nclock=0:Basic\n"
    assert parse_formation(text, file="f") == (
        FormationEntry("web", 2, "standard-2x"),
        FormationEntry("worker", 1, "performance-m"),
        FormationEntry("clock", 0, "basic"),
    )


def test_size_defaults_to_standard_1x() -> None:
    assert parse_formation("urgent_worker=3", file="f") == (
        FormationEntry("urgent_worker", 3, "standard-1x"),
    )


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("web=2:Standard-2X worker", "f:1", "unexpected 'worker': expected `type=quantity[:size]`"),
        ("web=two", "f:1", "unexpected 'web=two'"),
        ("web=-1", "f:1", "unexpected 'web=-1'"),
        ("web=1\nworker=1:Mega-9X", "f:2", "unknown dyno size 'Mega-9X' in 'worker=1:Mega-9X'"),
        ("web=1 web=2", "f:1", "scaled twice"),
        ("", "f", "no formation"),
    ],
)
def test_bad_formation(text: str, where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_formation(text, file="f")
    assert str(info.value).startswith(where + ": ")
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        ("Standard-1X", "standard-1x"),
        ("PERFORMANCE-L", "performance-l"),
        ("eco", "eco"),
        ("hobby", "basic"),
        ("2X", "standard-2x"),
        ("nope", None),
    ],
)
def test_normalize_size(raw: str, size: str | None) -> None:
    assert normalize_size(raw) == size


def test_size_tables_cover_every_known_size() -> None:
    expected = {
        "eco",
        "basic",
        "standard-1x",
        "standard-2x",
        "performance-m",
        "performance-l",
        "performance-l-ram",
        "performance-xl",
        "performance-2xl",
        "private-s",
        "private-m",
        "private-l",
        "shield-s",
        "shield-m",
        "shield-l",
    }
    assert set(KNOWN_SIZES) == expected
    assert set(DYNO_MEMORY_MB) == expected == set(DYNO_CPU_MILLICORES)


@pytest.mark.parametrize(
    ("size", "mb"),
    [
        ("eco", 512),
        ("basic", 512),
        ("standard-1x", 512),
        ("standard-2x", 1024),
        ("private-s", 1024),
        ("shield-s", 1024),
        ("performance-m", 2560),
        ("performance-l", 14336),
    ],
)
def test_memory_from_reference(size: str, mb: int) -> None:
    assert DYNO_MEMORY_MB[size] == mb


def test_dedicated_cores_from_reference() -> None:
    assert DYNO_CPU_MILLICORES["performance-m"] == 2000
    assert DYNO_CPU_MILLICORES["performance-l"] == 8000
