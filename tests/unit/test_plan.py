"""The planner: names, commands, scale, resources, env keys and findings.

The sample specs here (``django_app``, ``hard_app``) are reused by the other writer tests.
"""

from __future__ import annotations

import pytest

from h2c.model import (
    Addon,
    AppSpec,
    ConfigVar,
    EnvDecl,
    FormationEntry,
    Process,
    Runtime,
    Severity,
)
from h2c.plan.naming import convox_name
from h2c.plan.planner import ConvoxPlan, plan
from h2c.secret import Secret

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"


def django_app() -> AppSpec:
    """A typical Django app: web, release, worker, Heroku Postgres, tricky config values."""
    return AppSpec(
        name="shop",
        processes=(
            Process("web", "gunicorn shop.wsgi --log-file -", 1),
            Process("release", "python manage.py migrate --noinput", 2),
            Process("worker", "celery -A shop worker -l info", 3),
        ),
        runtime=Runtime(
            "python",
            "3.11.7",
            "runtime.txt",
            "pip",
            ("requirements.txt",),
            framework="django",
            django_manage="manage.py",
            collectstatic=True,
        ),
        addons=(
            Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",), "addons.json"),
            Addon("papertrail", "choklad", "PAPERTRAIL", ("PAPERTRAIL_API_TOKEN",), "addons.json"),
        ),
        formation=(
            FormationEntry("web", 2, "standard-2x"),
            FormationEntry("worker", 1, "standard-1x"),
        ),
        env_decls=(
            EnvDecl("SECRET_KEY", generator="secret"),
            EnvDecl("DJANGO_SETTINGS_MODULE", value="shop.settings"),
            EnvDecl("SENTRY_DSN", required=False),
            EnvDecl("FEATURE_FLAGS", value="search,checkout"),
            EnvDecl("ADMIN_EMAIL"),
        ),
        config=(
            ConfigVar("DATABASE_URL", Secret("postgres://u:pw-db-9f2@ec2.example:5432/d1x7"), 1),
            ConfigVar("SECRET_KEY", Secret("k'ey\"with$weird\\chars=and=equals"), 2),
            ConfigVar("DJANGO_SETTINGS_MODULE", Secret("shop.settings.production"), 3),
            ConfigVar("PAPERTRAIL_API_TOKEN", Secret("papertrail-token-77"), 4),
            ConfigVar("HEROKU_APP_NAME", Secret("shop-prod-app"), 5),
            ConfigVar("ALLOWED_HOSTS", Secret("shop.example.com, *.herokuapp.com"), 6),
            ConfigVar("EMPTY_ONE", Secret(""), 7),
            ConfigVar("AWS_SECRET_ACCESS_KEY", Secret("  spaced-secret-value  "), 8),
        ),
    )


def hard_app() -> AppSpec:
    """Names, commands and config values that break naive generators."""
    return AppSpec(
        name="hard-case",
        processes=(
            Process("web", "gunicorn app:app --workers ${WEB_CONCURRENCY:-2} -b 0.0.0.0:$PORT", 1),
            Process("Web", "python legacy.py", 2),
            Process("urgent_worker", "rq worker urgent", 3),
            Process("clock", "python clock.py", 4),
            Process("release", "./bin/release.sh && python manage.py migrate", 5),
            Process("mailer", "MAIL_MODE=${MAIL_MODE:?need mode} python mailer.py | tee /tmp/l", 6),
        ),
        runtime=Runtime(
            "python",
            "3.12",
            ".python-version",
            "poetry",
            ("pyproject.toml", "poetry.lock"),
            apt_packages=("libpq-dev", "gdal-bin"),
            post_compile=True,
        ),
        addons=(
            Addon("heroku-redis", "mini", "REDIS", ("REDIS_URL", "REDIS_TLS_URL")),
            Addon(
                "heroku-postgresql",
                "standard-0",
                "DATABASE",
                ("DATABASE_URL", "HEROKU_POSTGRESQL_RED_URL"),
            ),
            Addon("scheduler", "standard", "SCHEDULER", ()),
        ),
        formation=(
            FormationEntry("clock", 2, "standard-1x"),
            FormationEntry("urgent_worker", 3, "performance-xl"),
            FormationEntry("web", 1, "performance-m"),
        ),
        config=(
            ConfigVar("PRIVATE_KEY", Secret(PEM), 1),
            ConfigVar("REDIS_URL", Secret("redis://h:pw-redis-31@ec2.example:6379"), 2),
            ConfigVar("REDIS_TLS_URL", Secret("rediss://h:pw-redis-31@ec2.example:6380"), 3),
            ConfigVar("SENDGRID_API_KEY", Secret("SG.sendgrid-key-5521"), 4),
            ConfigVar("WEB_CONCURRENCY", Secret("4"), 5),
            ConfigVar("LITERAL_BRACES", Secret("prefix-${HOME}-suffix"), 6),
            ConfigVar("DATABASE_URL", Secret("postgres://x:pw-hard-db@h:5432/hard"), 7),
        ),
    )


def messages(p: ConvoxPlan, severity: Severity | None = None) -> list[str]:
    return [f.message for f in p.findings if severity is None or f.severity is severity]


def test_django_services_resources_and_scale() -> None:
    p = plan(django_app())
    assert [s.name for s in p.services] == ["web", "worker"]
    web, worker = p.services
    assert (web.port, web.health_path, web.count, web.memory, web.cpu) == (8000, "/", 2, 1024, 500)
    assert (worker.port, worker.count, worker.memory, worker.cpu) == (None, 1, 512, 250)
    assert [(r.name, r.type, r.version, r.url_var) for r in p.resources] == [
        ("database", "postgres", "17", "DATABASE_URL")
    ]
    assert p.resources[0].replaces == "heroku-postgresql:essential-0 as DATABASE"
    assert web.resources == worker.resources == ("database",)


def test_django_env_keys_are_classified() -> None:
    p = plan(django_app())
    assert p.copy_keys == (
        "SECRET_KEY",
        "DJANGO_SETTINGS_MODULE",
        "EMPTY_ONE",
        "AWS_SECRET_ACCESS_KEY",
    )
    assert p.resource_keys == ("DATABASE_URL",)
    # ALLOWED_HOSTS names *.herokuapp.com: the user decides, h2c does not copy it
    assert p.decision_keys == ("PAPERTRAIL_API_TOKEN", "ALLOWED_HOSTS")
    assert p.platform_keys == ("HEROKU_APP_NAME",)


def test_environment_lists_keys_and_only_public_defaults() -> None:
    web = plan(django_app()).services[0]
    assert web.environment == (
        "ADMIN_EMAIL",  # required by app.json, no config value
        "ALLOWED_HOSTS",
        "AWS_SECRET_ACCESS_KEY",
        "DJANGO_SETTINGS_MODULE=shop.settings",  # the app.json default, not the config value
        "EMPTY_ONE",
        "FEATURE_FLAGS=search,checkout",
        "SECRET_KEY",
    )


def test_release_is_not_a_service_and_is_reported() -> None:
    p = plan(django_app())
    assert p.release is not None
    assert p.release.command.original == "python manage.py migrate --noinput"
    assert p.release.service == "web"
    assert all(s.process != "release" for s in p.services)
    assert any("initContainer" in m for m in messages(p, Severity.WARNING))


def test_django_findings() -> None:
    p = plan(django_app())
    decisions = messages(p, Severity.DECISION)
    assert any("papertrail" in m and "PAPERTRAIL_API_TOKEN" in m for m in decisions)
    assert any("DATABASE_URL is not copied" in m for m in messages(p, Severity.INFO))
    assert any("ADMIN_EMAIL is required" in m for m in messages(p, Severity.WARNING))
    assert any("SENTRY_DSN" in m for m in messages(p, Severity.INFO))


def test_hard_names_renamed_with_collision_suffix() -> None:
    p = plan(hard_app())
    names = {s.process: s.name for s in p.services}
    assert names == {
        "web": "web",
        "Web": "web-2",
        "urgent_worker": "urgent-worker",
        "clock": "clock",
        "mailer": "mailer",
    }
    assert p.services[0].name == "web" and p.web is p.services[0]
    renames = messages(p, Severity.INFO)
    assert any("'Web' renamed to service 'web-2'" in m for m in renames)
    assert any("'urgent_worker' renamed to service 'urgent-worker'" in m for m in renames)


def test_only_web_gets_a_port() -> None:
    p = plan(hard_app())
    assert [s.name for s in p.services if s.port] == ["web"]


def test_clock_is_scaled_to_one() -> None:
    p = plan(hard_app())
    clock = p.service("clock")
    assert clock is not None and clock.clock and clock.count == 1
    assert any("clock process must run exactly once" in m for m in messages(p, Severity.WARNING))


def test_dyno_sizes() -> None:
    p = plan(hard_app())
    web, urgent = p.service("web"), p.service("urgent-worker")
    assert web is not None and (web.memory, web.cpu) == (2560, 2000)
    assert urgent is not None and (urgent.count, urgent.memory, urgent.cpu) == (3, 512, 250)
    assert any("unknown dyno size 'performance-xl'" in m for m in messages(p))


def test_web_command_rewritten_with_public_default() -> None:
    p = plan(hard_app())
    web = p.services[0]
    assert web.command.argv == (
        "sh",
        "-c",
        "exec gunicorn app:app --workers $WEB_CONCURRENCY -b 0.0.0.0:$PORT",
    )
    assert "WEB_CONCURRENCY=2" in web.environment  # Procfile default; config value wins at run
    assert "${" not in web.command.text
    assert any("${WEB_CONCURRENCY:-2}" in m for m in messages(p, Severity.WARNING))


def test_required_expansion_and_pipe() -> None:
    mailer = plan(hard_app()).service("mailer")
    assert mailer is not None
    assert mailer.command.argv[2] == "MAIL_MODE=$MAIL_MODE python mailer.py | tee /tmp/l"
    assert "MAIL_MODE" in mailer.environment


def test_redis_and_aliases() -> None:
    p = plan(hard_app())
    assert [(r.name, r.type, r.version) for r in p.resources] == [
        ("redis", "redis", "7"),
        ("database", "postgres", "17"),
    ]
    warnings = messages(p, Severity.WARNING)
    assert any(m.startswith("REDIS_TLS_URL is not provided") for m in warnings)
    assert any(m.startswith("HEROKU_POSTGRESQL_RED_URL is not provided") for m in warnings)
    decisions = messages(p, Severity.DECISION)
    assert any("sendgrid" in m and "SENDGRID_API_KEY" in m for m in decisions)
    assert any("scheduler" in m and "timers" in m for m in decisions)


def test_resource_inferred_from_config_without_addons() -> None:
    spec = AppSpec(
        "bare",
        (Process("web", "gunicorn a:b", 1),),
        Runtime("python", "3.12", "default", "pip", ("requirements.txt",)),
        config=(ConfigVar("DATABASE_URL", Secret("postgres://x")),),
    )
    p = plan(spec)
    assert [(r.name, r.url_var, r.replaces) for r in p.resources] == [
        ("database", "DATABASE_URL", None)
    ]
    assert any("assumed a Heroku postgres add-on" in m for m in messages(p, Severity.WARNING))


def test_colour_attachment_keeps_its_env_name() -> None:
    spec = AppSpec(
        "colour",
        (Process("web", "gunicorn a:b", 1),),
        Runtime("python", "3.12", "default", "pip", ("requirements.txt",)),
        addons=(
            Addon(
                "heroku-postgresql", "x", "HEROKU_POSTGRESQL_RED", ("HEROKU_POSTGRESQL_RED_URL",)
            ),
        ),
    )
    (res,) = plan(spec).resources
    assert (res.name, res.url_var) == ("heroku-postgresql-red", "HEROKU_POSTGRESQL_RED_URL")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("web", "web"), ("Web", "web"), ("urgent_worker", "urgent-worker"), ("a__b", "a-b")],
)
def test_convox_name(name: str, expected: str) -> None:
    assert convox_name(name) == expected


def test_plan_is_deterministic() -> None:
    assert plan(hard_app()) == plan(hard_app())
    assert plan(django_app()) == plan(django_app())
