"""Which processes must reach the database, and how their connection probe reads."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from h2c.gate import db_probe


def _app(**services: dict[str, Any]) -> Any:
    return SimpleNamespace(
        processes={**{name: "cmd" for name in services}, "release": "python migrate.py"},
        services=services,
        service_names={name: name.replace("_", "-") for name in [*services, "release"]},
        resources={"database": {"type": "postgres"}, "cache": {"type": "redis"}},
    )


def test_linked_processes_are_those_whose_service_links_a_postgres() -> None:
    app = _app(
        web={"resources": ["database", "cache"]},
        worker={"resources": ["cache"]},
        clock={"resources": ["database"]},
    )
    assert db_probe.linked(app) == {"clock": ["database"], "web": ["database"]}


def test_probe_prefers_django_settings_then_the_driver() -> None:
    django = db_probe.probe_args(["database"], "src/manage.py")
    assert django[:4] == ["python", "src/manage.py", "shell", "-c"]
    assert "ensure_connection" in django[4]
    plain = db_probe.probe_args(["database", "main-db"], None)
    assert plain[:2] == ["python", "-c"] and plain[3:] == ["DATABASE_URL", "MAIN_DB_URL"]
    compile(plain[2], "probe", "exec")
    compile(django[4], "probe", "exec")


def test_failure_names_the_process_and_the_drivers_reason() -> None:
    ssl = "h2c-db-probe: OperationalError: server does not support SSL, but SSL was required"
    out = db_probe.ProbeOutcome("worker", "its container", 1, f"noise\n{ssl}\n")
    message = db_probe.failure(out, {"worker": ["database"]})
    assert message is not None
    assert message.startswith("worker cannot connect to the database")
    assert "server does not support SSL, but SSL was required: " in message
    assert message.endswith(db_probe.TLS_HINT)  # the cause: Convox's postgres offers no TLS
    crashed = db_probe.ProbeOutcome("web", "its container", 1, "Traceback\nImportError: no x\n")
    assert "ImportError: no x" in (db_probe.failure(crashed, {}) or "")
    assert db_probe.failure(db_probe.ProbeOutcome("web", "x", 0, ""), {}) is None
    late = db_probe.ProbeOutcome("web", "x", None, "")
    assert "did not finish" in (db_probe.failure(late, {}) or "")
