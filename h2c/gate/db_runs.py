"""The database checks that run something in the app's image: the migration status, and each
process's connection (``h2c.gate.db_probe``). Registered by ``h2c.gate.plugin`` beside
``h2c.gate.db_fixtures``, whose collection-time plan (``DbPlan``) says what to run.

With a target (``--h2c-target`` or h2c.toml), the migration status is asked of it; without,
of the gate's own postgres, after the release. The connection probes always run against the
gate's own postgres, after the release, one per process whose service links it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from h2c.adapters.contracts import Attachable, Container, Engine
from h2c.adapters.polling import wait_stopped
from h2c.artifacts.app import GateApp
from h2c.db.conn import mask
from h2c.gate import db_probe
from h2c.gate.db_fixtures import DbPlan
from h2c.gate.db_targets import needs_host_network
from h2c.gate.services import Running, Services
from h2c.gate.settings import GateSettings
from h2c.plan.migrations import MigrationCommand
from h2c.secret import Secret
from h2c.verdicts.leaks import Redactor
from h2c.verdicts.process import log_tail

MIGRATION_TIMEOUT_S = 300.0
PROBE_TIMEOUT_S = 120.0
EXIT_POLL_S = 0.2


@dataclass(frozen=True)
class MigrationOutcome:
    command: str
    exit_code: int | None  # None: still running at the deadline
    log_tail: str
    where: str = "the target"


def _finish(container: Container, deadline_s: float) -> tuple[int | None, str]:
    """A one-off container's exit code (None: still running at the deadline) and its logs."""
    finished = wait_stopped(container, deadline_s=deadline_s, interval_s=EXIT_POLL_S)
    return (container.exit_code() if finished else None), container.logs()


@pytest.fixture(scope="session")
def gate_db_migrations(
    request: pytest.FixtureRequest,
    gate_app: GateApp,
    gate_engine: Engine,
    gate_image: str,
    gate_db_plan: DbPlan,
    gate_redact: Redactor,
) -> MigrationOutcome:
    """The framework's migration-status command, in the app's image, against the target; with
    no target, against the gate's own postgres after the release."""
    command, targets = gate_db_plan.migration, gate_db_plan.targets
    assert command is not None
    if targets is None or targets.target_url is None:
        return _migrations_on_gate_db(request, gate_engine, gate_image, gate_db_plan, command)
    env = {key: value.reveal() for key, value in gate_app.app_env.items()}
    env["DATABASE_URL"] = targets.target_url
    if needs_host_network(targets.target_url):
        container = gate_engine.run_on_host_network(gate_image, command=list(command.args), env=env)
    else:
        container = gate_engine.run(gate_image, command=list(command.args), env=env)
    code, logs = _finish(container, MIGRATION_TIMEOUT_S)
    return MigrationOutcome(command.shown, code, gate_redact(mask(log_tail(logs))))


def _migrations_on_gate_db(
    request: pytest.FixtureRequest,
    engine: Engine,
    image: str,
    plan: DbPlan,
    command: MigrationCommand,
) -> MigrationOutcome:
    request.getfixturevalue("gate_services")  # the release ran (or failed) first
    env: dict[str, dict[str, Secret]] = request.getfixturevalue("gate_env")
    network: Attachable = request.getfixturevalue("gate_network")
    redact: Redactor = request.getfixturevalue("gate_redact")
    app: GateApp = request.getfixturevalue("gate_app")
    process = sorted(plan.linked)[0]
    service_env = env.get(app.service_names.get(process, ""), {})
    container = engine.run(image, command=list(command.args), env=service_env, network=network)
    code, logs = _finish(container, MIGRATION_TIMEOUT_S)
    where = f"the gate's own postgres, with {process}'s env, after the release"
    return MigrationOutcome(command.shown, code, redact(mask(log_tail(logs))), where)


@pytest.fixture(scope="session")
def gate_db_connections(
    gate_app: GateApp,
    gate_engine: Engine,
    gate_image: str,
    gate_network: Attachable,
    gate_env: dict[str, dict[str, Secret]],
    gate_services: Services,
    gate_config: GateSettings,
    gate_db_plan: DbPlan,
    gate_redact: Redactor,
) -> dict[str, db_probe.ProbeOutcome]:
    """Process -> how its connection probe went, run after the release, all at once."""
    web = next((p for p, n in gate_app.service_names.items() if n == gate_config.web), "web")
    running = {**gate_services.others, web: gate_services.web}

    runtime = gate_app.spec.runtime

    def probe(process: str) -> db_probe.ProbeOutcome:
        args = db_probe.probe_args(
            gate_db_plan.linked[process],
            gate_db_plan.django_manage,
            language=runtime.language,
            tls_sites=runtime.node_tls_sites,
        )
        service = gate_app.service_names.get(process, "")
        outcome = _probe_in(running.get(process), args)
        if outcome is None:
            container = gate_engine.run(
                gate_image, command=args, env=gate_env.get(service, {}), network=gate_network
            )
            code, logs = _finish(container, PROBE_TIMEOUT_S)
            outcome = (code, logs, "a one-off container of the image, with its env")
        code, output, via = outcome
        return db_probe.ProbeOutcome(process, via, code, gate_redact(mask(output)))

    with ThreadPoolExecutor(max_workers=max(1, len(gate_db_plan.linked))) as pool:
        found = dict(zip(gate_db_plan.linked, pool.map(probe, gate_db_plan.linked), strict=True))
    return found


def _probe_in(process: Running | None, args: list[str]) -> tuple[int | None, str, str] | None:
    """The probe run in the process's own container; None when it is not running."""
    if process is None or str(process.container.status()) != "running":
        return None
    try:
        code, output = process.container.exec(args)
    except Exception:  # it stopped meanwhile: a one-off container instead
        return None
    return code, output, "its container"
