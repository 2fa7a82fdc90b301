"""Config values that only make sense on Heroku: decisions, never silent copies.

A value naming herokuapp.com, or equal to an add-on's URL, is not copied to convox.env: the
planner says so by key (never by value), MIGRATION.md lists what to do, and h2c.toml carries
a commented-out exception for each, so the gate's env parity flags the key until decided.
"""

from __future__ import annotations

import tomllib

from h2c.model import Addon, AppSpec, ConfigVar, Process, Runtime, Severity
from h2c.plan.envrules import heroku_only_values
from h2c.plan.planner import plan
from h2c.render.envfile import render_convox_env
from h2c.render.h2c_toml import render_h2c_toml
from h2c.render.runbook import render_migration_md
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions, Status, diff

RUNTIME = Runtime("python", "3.12", "default", "pip", ("requirements.txt",))
AMQP = "amqps://user:pw-amqp-7c1@rabbit.example.cloudamqp.com/vhost"
REDIS = "redis://:pw-redis-41d@ec2-203-0-113-9.compute-1.amazonaws.com:6379"
VALUES = ("shop-prod.herokuapp.com", AMQP, REDIS)


def app() -> AppSpec:
    return AppSpec(
        name="shop",
        processes=(
            Process("web", "gunicorn shop.wsgi", 1),
            Process("worker", "celery -A shop worker", 2),
        ),
        runtime=RUNTIME,
        addons=(
            Addon("heroku-redis", "mini", "REDIS", ("REDIS_URL", "REDIS_TLS_URL")),
            Addon("cloudamqp", "lemur", "CLOUDAMQP", ("CLOUDAMQP_URL",)),
        ),
        config=(
            ConfigVar("ALLOWED_HOSTS", Secret("shop.example.com,shop-prod.herokuapp.com"), 1),
            ConfigVar("CLOUDAMQP_URL", Secret(AMQP), 2),
            ConfigVar("CELERY_BROKER_URL", Secret(AMQP), 3),
            ConfigVar("REDIS_URL", Secret(REDIS), 4),
            ConfigVar("CACHE_URL", Secret(REDIS), 5),
            ConfigVar("SECRET_KEY", Secret("s3cr3t-value"), 6),
        ),
    )


def assert_no_value(text: str) -> None:
    __tracebackhide__ = True
    leaked = [i for i, v in enumerate(VALUES) if v in text]
    assert not leaked, f"config values (by index) {leaked} appear in generated text"


def test_rule_names_keys_and_sources() -> None:
    found = [(v.key, v.reason, v.source, v.addon) for v in heroku_only_values(app().config)]
    assert found == [
        ("ALLOWED_HOSTS", "herokuapp", None, None),
        ("CELERY_BROKER_URL", "addon_url", "CLOUDAMQP_URL", "cloudamqp"),
        ("CACHE_URL", "addon_url", "REDIS_URL", "heroku-redis"),
    ]


def test_equal_values_that_are_not_add_on_urls_are_copied() -> None:
    config = (
        ConfigVar("MAILGUN_SMTP_PORT", Secret("587")),
        ConfigVar("SMTP_PORT", Secret("587")),  # equal, but not a URL
        ConfigVar("DEBUG", Secret("")),
        ConfigVar("OTHER_URL", Secret("https://api.example.com")),  # nobody's add-on URL
        ConfigVar("HEROKU_APP_NAME", Secret("x.herokuapp.com")),  # platform: dropped anyway
    )
    assert heroku_only_values(config) == ()


def test_herokuapp_value_is_a_decision_not_a_copy() -> None:
    spec = app()
    p = plan(spec)
    assert "ALLOWED_HOSTS" not in p.copy_keys and "ALLOWED_HOSTS" in p.decision_keys
    decisions = [f.message for f in p.findings if f.severity is Severity.DECISION]
    hosts = [m for m in decisions if m.startswith("ALLOWED_HOSTS ")]
    assert len(hosts) == 1 and "herokuapp.com" in hosts[0] and "Convox domain" in hosts[0]
    assert "ALLOWED_HOSTS" not in render_convox_env(spec, p).text
    # still declared in convox.yml, bare: the value the user sets is not dropped by Convox
    assert all("ALLOWED_HOSTS" in s.environment for s in p.services)
    for f in p.findings:
        assert_no_value(f.message)


def test_add_on_url_copies_are_decisions_with_their_replacement() -> None:
    p = plan(app())
    assert p.copy_keys == ("SECRET_KEY",)
    decisions = [f.message for f in p.findings if f.severity is Severity.DECISION]
    broker = next(m for m in decisions if m.startswith("CELERY_BROKER_URL "))
    assert "CLOUDAMQP_URL" in broker and "cloudamqp" in broker and "replacement" in broker
    cache = next(m for m in decisions if m.startswith("CACHE_URL "))
    assert "REDIS_URL" in cache and "'redis'" in cache  # the Convox resource replacing it
    # the add-on's own decision lists its own keys only
    assert any(m.startswith("add-on cloudamqp (keys: CLOUDAMQP_URL)") for m in decisions)
    assert not any("unknown add-on" in m for m in decisions)


def test_runbook_lists_each_key_and_what_to_do() -> None:
    spec = app()
    text = render_migration_md(spec, plan(spec))
    assert "## Values that only work on Heroku" in text
    section = text.split("## Values that only work on Heroku", 1)[1].split("\n## ", 1)[0]
    assert "- [ ] `ALLOWED_HOSTS` names herokuapp.com" in section
    assert "set it to your Convox domain" in section
    assert "- [ ] `CELERY_BROKER_URL` holds the same URL as CLOUDAMQP_URL" in section
    assert "- [ ] `CACHE_URL` holds the same URL as REDIS_URL" in section
    assert "convox env set -a shop ALLOWED_HOSTS=..." in section
    assert_no_value(text)


def test_h2c_toml_carries_a_commented_exception_per_key() -> None:
    spec = app()
    text = render_h2c_toml(spec, plan(spec))
    lines = text.splitlines()
    changed = lines[lines.index("expect_changed = [") :]
    for key in ("ALLOWED_HOSTS", "CELERY_BROKER_URL", "CACHE_URL"):
        assert any(line.startswith(f'  # {{ key = "{key}", reason = ') for line in changed)
    assert any("herokuapp.com" in line and "ALLOWED_HOSTS" in line for line in changed)
    doc = tomllib.loads(text)  # commented out: nothing is waived until the user says so
    waived = {e["key"] for e in doc["env"]["expect_changed"] + doc["env"]["ignore"]}
    assert not waived & {"ALLOWED_HOSTS", "CELERY_BROKER_URL", "CACHE_URL"}
    assert_no_value(text)


def test_env_parity_flags_the_key_until_decided() -> None:
    heroku = {c.key: c.value for c in app().config}
    convox = {"ALLOWED_HOSTS": Secret("shop.example.com")}  # the user's Convox value
    verdicts = {v.key: v for v in diff(heroku, convox)}
    assert verdicts["ALLOWED_HOSTS"].fails and verdicts["CELERY_BROKER_URL"].fails
    decided = Exceptions(expect_changed={"ALLOWED_HOSTS": "now the Convox domain"})
    after = {v.key: v for v in diff(heroku, convox, exceptions=decided)}
    assert after["ALLOWED_HOSTS"].status is Status.EXPECTED_CHANGED
