"""app.json: every documented key, the model it becomes, and errors with JSON pointers."""

from __future__ import annotations

import json

import pytest

from h2c.errors import InputError
from h2c.heroku.addon_services import addon_config_vars, default_attachment
from h2c.heroku.appjson import AppJson, parse_app_json
from h2c.model import Addon, EnvDecl, FormationEntry, Severity

FULL = {
    "name": "notes",
    "description": "A notes app",
    "keywords": ["python", "django"],
    "website": "https://example.com",
    "repository": "https://github.com/example/notes",
    "logo": "https://example.com/logo.svg",
    "success_url": "/welcome",
    "scripts": {"postdeploy": "python manage.py migrate", "pr-predestroy": "echo bye"},
    "env": {
        "PLAIN": "value",
        "SECRET_KEY": {"description": "Django key", "generator": "secret"},
        "DEBUG": {"description": "debug", "value": "false", "required": False},
    },
    "formation": {"web": {"quantity": 2, "size": "Standard-2X"}, "worker": {"quantity": 0}},
    "addons": [
        "heroku-postgresql:essential-0",
        {"plan": "heroku-redis:mini", "as": "CACHE"},
        "heroku-redis",
        "papertrail",
        "sendgrid:starter",
        "some-thing:free",
    ],
    "buildpacks": [{"url": "heroku/python"}, {"url": "https://github.com/x/apt"}],
    "environments": {"test": {"scripts": {"test": "pytest"}}},
    "stack": "heroku-24",
    "image": "heroku/python",
}


def parse(doc: object) -> AppJson:
    return parse_app_json(json.dumps(doc))


def test_every_documented_key() -> None:
    app = parse(FULL)
    assert (app.name, app.description, app.stack, app.image) == (
        "notes",
        "A notes app",
        "heroku-24",
        "heroku/python",
    )
    assert app.keywords == ("python", "django")
    assert (app.website, app.repository, app.logo, app.success_url) == (
        "https://example.com",
        "https://github.com/example/notes",
        "https://example.com/logo.svg",
        "/welcome",
    )
    assert app.scripts == (
        ("postdeploy", "python manage.py migrate"),
        ("pr-predestroy", "echo bye"),
    )
    assert app.buildpacks == ("heroku/python", "https://github.com/x/apt")
    assert app.environments == {"test": {"scripts": {"test": "pytest"}}}


def test_env_string_and_object_forms() -> None:
    assert parse(FULL).env == (
        EnvDecl(key="PLAIN", value="value", required=True),
        EnvDecl(key="SECRET_KEY", description="Django key", generator="secret"),
        EnvDecl(key="DEBUG", description="debug", value="false", required=False),
    )


def test_formation_defaults_and_lower_case_size() -> None:
    assert parse(FULL).formation == (
        FormationEntry("web", 2, "standard-2x"),
        FormationEntry("worker", 0, "standard-1x"),
    )
    assert parse({"formation": {"web": {}}}).formation == (FormationEntry("web", 1, "standard-1x"),)
    assert parse({"formation": {"web": {"size": "free"}}}).formation[0].size == "eco"


def test_addons_attachments_and_config_vars() -> None:
    src = "app.json"
    assert parse(FULL).addons == (
        Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",), src),
        Addon("heroku-redis", "mini", "CACHE", ("CACHE_URL", "CACHE_TLS_URL"), src),
        Addon("heroku-redis", None, "REDIS", ("REDIS_URL", "REDIS_TLS_URL"), src),
        Addon("papertrail", None, "PAPERTRAIL", ("PAPERTRAIL_API_TOKEN",), src),
        Addon(
            "sendgrid",
            "starter",
            "SENDGRID",
            ("SENDGRID_USERNAME", "SENDGRID_PASSWORD", "SENDGRID_API_KEY"),
            src,
        ),
        Addon("some-thing", "free", "SOME_THING", (), src),
    )


def test_unknown_service_is_reported() -> None:
    findings = parse({"addons": ["some-thing"]}).findings
    assert any("some-thing" in f.message and f.severity is Severity.INFO for f in findings)


def test_service_table_helpers() -> None:
    assert default_attachment("heroku-redis") == "REDIS"
    assert default_attachment("my-add-on") == "MY_ADD_ON"
    assert addon_config_vars("heroku-postgresql", "HEROKU_POSTGRESQL_RED") == (
        "HEROKU_POSTGRESQL_RED_URL",
    )
    assert addon_config_vars("heroku-redis", "CACHE") == ("CACHE_URL", "CACHE_TLS_URL")
    assert addon_config_vars("unknown", "X") == ()


def test_empty_object_is_an_empty_manifest() -> None:
    assert parse({}) == AppJson()


def test_unknown_keys_are_warnings_not_errors() -> None:
    app = parse({"name": "x", "mystery": 1, "env": {"A": {"value": "1", "secret": True}}})
    messages = [f.message for f in app.findings if f.severity is Severity.WARNING]
    assert any("'mystery'" in m for m in messages)
    assert any("'secret'" in m and "/env/A" in m for m in messages)


def test_duplicate_attachment_warns() -> None:
    findings = parse({"addons": ["heroku-postgresql", "heroku-postgresql:standard-0"]}).findings
    assert any("DATABASE" in f.message for f in findings if f.severity is Severity.WARNING)


def test_unknown_script_warns() -> None:
    app = parse({"scripts": {"predeploy": "x"}})
    assert app.scripts == (("predeploy", "x"),)
    assert any("predeploy" in f.message for f in app.findings)


def test_addon_options_are_reported_not_dropped() -> None:
    app = parse({"addons": [{"plan": "heroku-postgresql", "options": {"version": "16"}}]})
    assert any("/addons/0/options" in f.message for f in app.findings)


def test_bom_is_accepted() -> None:
    assert parse_app_json('\ufeff{"name": "x"}').name == "x"


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ('{"name": "x",\n  "env": {\n}', "app.json:3:2", "invalid JSON"),
        ("", "app.json:1:1", "invalid JSON"),
        ("[]", "app.json at /", "expected an object, got an array"),
        ('{"name": 3}', "app.json at /name", "expected a string, got 3"),
        ('{"env": []}', "app.json at /env", "expected an object, got an array"),
        ('{"env": {"A": 1}}', "app.json at /env/A", "expected a string or an object"),
        ('{"env": {"A-B": "x"}}', "app.json at /env/A-B", "invalid config var name"),
        ('{"env": {"A": {"required": "yes"}}}', "app.json at /env/A/required", "true or false"),
        ('{"env": {"A": {"generator": "uuid"}}}', "app.json at /env/A/generator", '"secret"'),
        ('{"env": {"A": {"value": 5}}}', "app.json at /env/A/value", "expected a string, got 5"),
        (
            '{"formation": {"web": {"quantity": "two"}}}',
            "app.json at /formation/web/quantity",
            'expected an integer from 0 to 10000, got "two"',
        ),
        ('{"formation": {"web": {"quantity": true}}}', "at /formation/web/quantity", "integer"),
        ('{"formation": {"web": {"quantity": -1}}}', "at /formation/web/quantity", "integer"),
        ('{"formation": {"web": {"size": "huge"}}}', "at /formation/web/size", "a dyno size"),
        ('{"formation": {"web": 2}}', "app.json at /formation/web", "expected an object"),
        ('{"formation": [{"process": "web"}]}', "app.json at /formation", "expected an object"),
        ('{"formation": {"my web": {}}}', 'app.json at "/formation/my web"', "process type"),
        ('{"addons": [42]}', "app.json at /addons/0", 'a string "service[:plan]" or an object'),
        ('{"addons": "heroku-redis"}', "app.json at /addons", "expected an array"),
        ('{"addons": [{"as": "X"}]}', "app.json at /addons/0", '"plan"'),
        ('{"addons": [{"plan": 1}]}', "app.json at /addons/0/plan", "expected a string"),
        ('{"addons": [{"plan": "x", "as": "bad name"}]}', "at /addons/0/as", "letters"),
        ('{"addons": [":plan"]}', "app.json at /addons/0", "service[:plan]"),
        ('{"scripts": "migrate"}', "app.json at /scripts", "expected an object"),
        ('{"scripts": {"postdeploy": ["a"]}}', "at /scripts/postdeploy", "expected a string"),
        ('{"buildpacks": "heroku/python"}', "app.json at /buildpacks", "array of {url}"),
        ('{"buildpacks": ["heroku/python"]}', "app.json at /buildpacks/0", "expected an object"),
        ('{"buildpacks": [{"uri": "x"}]}', "app.json at /buildpacks/0", '"url"'),
        ('{"keywords": "a"}', "app.json at /keywords", "array of strings"),
        ('{"keywords": [1]}', "app.json at /keywords/0", "expected a string"),
        ('{"environments": []}', "app.json at /environments", "expected an object"),
    ],
)
def test_wrong_shapes_name_the_pointer(text: str, where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_app_json(text)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert message.startswith("app.json"), message
    assert f"{where}: " in message, message
    assert expected in message, message


def test_pointer_escapes_slash_and_tilde() -> None:
    with pytest.raises(InputError, match=r"at /env/A~1B~0C: "):
        parse_app_json('{"env": {"A/B~C": "x"}}')
