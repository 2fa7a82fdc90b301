"""Benchmark of the gate (``h2c check``) against its floor, on the Django sample app.

Not run in tests. Copies ``fixtures/apps/django-sample`` to a scratch folder, generates its
artifacts with ``h2c generate`` and measures, in one run:

  floor: plain ``docker build`` + ``docker run -p 127.0.0.1::8000`` + GET / until the first 2xx,
         cold (dependency layer and everything after it rebuilt) and warm (layer cache hit)
  gate:  ``h2c check APP`` cold (same cache state as the cold floor), then warm, right after
  a code-only rebuild (``docker build`` after editing notes/views.py)    target < 10 s, and
         its dependency layer must come from the cache
  gate overhead over the floor, (gate - floor) / floor, cold and warm   target <= 15 %
  floor + waits: what the gate must wait for anyway, by hand (postgres, release, worker,
         settle), warm and cold, to show the gate's own overhead apart from its inherent waits;
         warm once more with the database started as the gate starts it (from its initialised
         copy, h2c.gate.pgtemplate), so that gain is not counted as less overhead

Fairness: each cold measure gets its own copy of the app whose requirements.txt ends with a
unique comment, so the ``COPY requirements.txt`` step and every step after it (pip downloads
and install, code copy, collectstatic) miss the cache for the floor and the gate alike; the base
image and the two steps before it (user, venv) are cached for both. The CLI builds with
DOCKER_BUILDKIT=0, the builder the gate uses (Docker SDK), so both share one layer cache. A
fully cold floor (``--no-cache``) is printed for reference. Every tag carries this run's id;
nothing else is pruned or removed. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/gate/run.py [--logs DIR] [--reps N]

With ``--reps N`` every measure but the --no-cache floor is taken N times (cold ones on new
copies each time) and the medians are shown: a cold build's pip downloads swing by several
seconds from one build to the next.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from h2c.gate.pgtemplate import NAME_LABEL, THROWAWAY_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "apps" / "django-sample"
HEROKU = ROOT / "fixtures" / "heroku" / "django-sample"
H2C = [sys.executable, "-m", "h2c.cli"]
INPUTS = [f"--{n}={HEROKU / f}" for n, f in (("config", "config.txt"), ("addons", "addons.json"),
                                               ("formation", "formation.txt"))]  # fmt: skip
PORT = 8000
READY_S = 90.0
SETTLE_S = 5.0  # the sample's h2c.toml settle_seconds
DURATION = re.compile(r"^(\d+\.\d+)s (setup|call|teardown)\s+(\S+)", re.MULTILINE)
OUTCOME = re.compile(r"^=+ (.*(?:passed|failed|error).*) in [\d.]+s", re.MULTILINE)
T = TypeVar("T")
FAILURE = re.compile(r"^(?:FAILED|ERROR) (\S+)(?: - (.*))?$", re.MULTILINE)


def dependency_step_cached(log: str) -> bool:
    """True when the legacy builder's ``pip install`` step says ``Using cache``.

    >>> dependency_step_cached("Step 7/12 : RUN pip install -r requirements.txt\\n"
    ...                        " ---> Using cache\\n ---> 1a2b\\nStep 8/12 : COPY . /app\\n")
    True
    >>> dependency_step_cached("Step 7/12 : RUN pip install -r requirements.txt\\n"
    ...                        " ---> Running in 3c4d\\nCollecting Django\\n")
    False
    """
    steps = re.split(r"^Step \d+/\d+ : ", log, flags=re.MULTILINE)
    for step in steps:
        head, _, rest = step.partition("\n")
        if "pip install" in head:
            return rest.lstrip().startswith("---> Using cache")
    return False


def parse_durations(text: str) -> list[tuple[float, str, str]]:
    """pytest ``--durations=0 -vv`` lines as (seconds, phase, test).

    >>> parse_durations("9.15s setup    checks/test_compose.py::test_compose_up\\n")
    [(9.15, 'setup', 'test_compose::test_compose_up')]
    """
    rows = []
    for seconds, phase, nodeid in DURATION.findall(text):
        path, _, name = nodeid.partition("::")
        rows.append((float(seconds), phase, f"{Path(path).stem}::{name}"))
    return rows


@dataclass
class Floor:
    build_s: float
    ready_s: float
    log: str

    @property
    def total(self) -> float:
        return self.build_s + self.ready_s


@dataclass
class Gate:
    seconds: float
    rc: int
    outcome: str
    durations: list[tuple[float, str, str]]
    failures: list[str]


@dataclass
class Bench:
    """This run's scratch folder, and what it created (removed again in ``cleanup``)."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="h2c-bench-gate-")))
    tags: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)

    def app(self, label: str) -> Path:
        """A fresh copy of the sample whose dependency file is unique to it, generated."""
        app = self.scratch / f"h2cbench-{self.run_id}-{label}"
        shutil.copytree(SAMPLE, app)
        with (app / "requirements.txt").open("a", encoding="utf-8") as reqs:
            reqs.write(f"# h2c bench {self.run_id} {label}\n")
        subprocess.run([*H2C, "generate", str(app), *INPUTS], check=True, capture_output=True)
        self.tags.append(f"h2c-gate/{app.name}:latest")  # the gate's tag for this folder
        return app

    def build(self, app: Path, label: str, *, no_cache: bool = False) -> tuple[float, str]:
        tag = f"h2c-bench/{self.run_id}:{label}"
        self.tags.append(tag)
        argv = ["docker", "build", "-t", tag, *(["--no-cache"] if no_cache else []), str(app)]
        started = time.perf_counter()
        done = subprocess.run(
            argv, env={**os.environ, "DOCKER_BUILDKIT": "0"}, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"docker build {tag} failed:\n{done.stdout[-2000:]}{done.stderr}")
        return seconds, done.stdout

    def floor(self, app: Path, label: str, *, no_cache: bool = False) -> Floor:
        """docker build, docker run, GET / until the first 2xx; the container goes afterwards."""
        build_s, log = self.build(app, label, no_cache=no_cache)
        started = time.perf_counter()
        cid = subprocess.run(
            ["docker", "run", "-d", "-p", f"127.0.0.1::{PORT}", "--env-file",
             str(app / "convox.env"), "-e", f"PORT={PORT}", f"h2c-bench/{self.run_id}:{label}"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        self.containers.append(cid)
        mapped = subprocess.run(
            ["docker", "port", cid, f"{PORT}/tcp"], check=True, capture_output=True, text=True
        ).stdout.split()[0]
        wait_2xx(f"http://{mapped}/")
        ready_s = time.perf_counter() - started
        self.remove_containers()
        return Floor(build_s, ready_s, log)

    def docker(self, *args: str) -> str:
        return subprocess.run(
            ["docker", *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    def floor_with_waits(
        self, app: Path, label: str, settle_s: float, initialised: str | None = None
    ) -> Floor:
        """The floor plus what the gate must wait for anyway, done by hand with the docker CLI.

        A postgres on a private network (polled every 0.1 s), the release command, web and
        worker started together, GET / until 2xx, then the settle time; no checks at all.
        With ``initialised`` (the gate's initialised copy of postgres:17, h2c.gate.pgtemplate)
        the database starts from it as the gate's does: no initdb, the password set by psql.
        """
        build_s, log = self.build(app, label)
        image = f"h2c-bench/{self.run_id}:{label}"
        started = time.perf_counter()
        net = f"h2cbench-{self.run_id}-{label}"
        self.docker("network", "create", net)
        self.networks.append(net)
        if initialised is None:
            user, ready = "bench", ["pg_isready", "-h", "127.0.0.1", "-U", "bench", "-d", "bench"]
            db = self.docker("run", "-d", "--network", net, "--network-alias", "database",
                             "-e", "POSTGRES_USER=bench", "-e", "POSTGRES_PASSWORD=bench",
                             "-e", "POSTGRES_DB=bench", "postgres:17")  # fmt: skip
        else:
            user, ready = "app", ["sh", "-c", "echo \"ALTER ROLE CURRENT_USER PASSWORD 'bench'\""
                                  " | psql -X -q -h /var/run/postgresql -U app -d app"]  # fmt: skip
            db = self.docker("run", "-d", "--network", net, "--network-alias", "database",
                             "--user", "postgres", initialised, *THROWAWAY_POSTGRES)  # fmt: skip
        self.containers.append(db)
        end = time.monotonic() + READY_S
        while subprocess.run(["docker", "exec", db, *ready], capture_output=True).returncode != 0:
            if time.monotonic() > end:
                raise RuntimeError(f"the database was not ready within {READY_S:g} s")
            time.sleep(0.1)
        env = ["--network", net, "--env-file", str(app / "convox.env"), "-e", f"PORT={PORT}",
               "-e", f"DATABASE_URL=postgres://{user}:bench@database:5432/{user}"]  # fmt: skip
        self.docker("run", "--rm", *env, image, "python", "manage.py", "migrate", "--noinput")
        web = self.docker("run", "-d", "-p", f"127.0.0.1::{PORT}", *env, image)
        self.containers.append(web)
        worker = self.docker("run", "-d", *env, image, "python", "manage.py", "run_worker")
        self.containers.append(worker)
        wait_2xx(f"http://{self.docker('port', web, f'{PORT}/tcp').split()[0]}/")
        time.sleep(settle_s)
        ready_s = time.perf_counter() - started
        self.remove_containers()
        return Floor(build_s, ready_s, log)

    def gate(self, app: Path, label: str) -> Gate:
        out = self.scratch / f"gate-{label}.log"
        temp = f"--basetemp={self.scratch / f'pytest-{label}'}"  # the gate's scratch goes too
        argv = [*H2C, "check", str(app), *INPUTS, "--durations=0", "-vv", temp]
        started = time.perf_counter()
        with out.open("w", encoding="utf-8") as log:
            rc = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - started
        text = out.read_text(encoding="utf-8", errors="replace")
        found = OUTCOME.search(text)
        failures = [f"{n.split('::', 1)[-1]}: {(r or '')[:80]}" for n, r in FAILURE.findall(text)]
        outcome = found.group(1) if found else "?"
        return Gate(seconds, rc, outcome, parse_durations(text), failures)

    def remove_containers(self) -> None:
        for cid in self.containers:
            subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
        self.containers.clear()

    def cleanup(self, logs: Path | None = None) -> None:
        self.remove_containers()
        for net in self.networks:
            subprocess.run(["docker", "network", "rm", net], capture_output=True)
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
            for log in self.scratch.glob("gate-*.log"):
                shutil.copy(log, logs / log.name)
        present = [t for t in self.tags if subprocess.run(
            ["docker", "image", "inspect", t], capture_output=True).returncode == 0]  # fmt: skip
        if present:
            subprocess.run(["docker", "rmi", *present], capture_output=True)
        shutil.rmtree(self.scratch, ignore_errors=True)


def initialised() -> str:
    """The gate's initialised copy of postgres:17 (a gate run before this call made it)."""
    found = subprocess.run(
        ["docker", "images", "-q", "--filter", f"label={NAME_LABEL}=postgres:17"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    if not found:
        raise RuntimeError("no initialised copy of postgres:17: the gate has not run")
    return found[0]


def wait_2xx(url: str) -> None:
    """Poll every 50 ms until ``url`` answers 2xx."""
    end = time.monotonic() + READY_S
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer 2xx within {READY_S:g} s")


def median(runs: list[T], seconds: Callable[[T], float]) -> T:
    """The run whose time is the median (the upper one of an even count).

    >>> median([3.0, 1.0, 2.0], float)
    2.0
    """
    return sorted(runs, key=seconds)[len(runs) // 2]


def machine() -> str:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    server = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, nproc {os.cpu_count()}, "
        f"{mem_kb / 1024 / 1024:.0f} GB RAM, Docker Engine {server}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def overhead(gate: float, floor: float) -> str:
    return f"{(gate - floor) / floor * 100:+.0f} %"


def breakdown(cold: Gate, warm: Gate) -> Table:
    """The gate's time by pytest phase: setup of the first test that needs a fixture pays it."""
    table = Table(title="gate time by pytest phase (>= 0.3 s in either run)", box=box.MARKDOWN)
    for column in ("phase", "test", "cold", "warm"):
        table.add_column(column, justify="right" if column in ("cold", "warm") else "left")
    keyed: dict[tuple[str, str], list[float]] = {}
    for index, gate in enumerate((cold, warm)):
        for seconds, phase, test in gate.durations:
            keyed.setdefault((phase, test), [0.0, 0.0])[index] += seconds
    small = [0.0, 0.0]
    for (phase, test), times in sorted(keyed.items(), key=lambda kv: -kv[1][0]):
        if max(times) >= 0.3:
            table.add_row(phase, escape(test), f"{times[0]:.2f} s", f"{times[1]:.2f} s")
        else:
            small = [small[0] + times[0], small[1] + times[1]]
    table.add_row("all", "every other test (sum)", f"{small[0]:.2f} s", f"{small[1]:.2f} s")
    outside = [g.seconds - sum(d[0] for d in g.durations) for g in (cold, warm)]
    table.add_row(
        "-", "outside tests: start-up, collection, summary", *(f"{s:.2f} s" for s in outside)
    )
    table.add_row("total", "h2c check wall time", f"{cold.seconds:.2f} s", f"{warm.seconds:.2f} s")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, help="keep the gate's pytest output in this folder")
    parser.add_argument(
        "--reps", type=int, default=1,
        help="repeat every cold and warm measure but the --no-cache floor; medians are shown",
    )  # fmt: skip
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still clean up
    load_before = load()
    bench = Bench()
    try:
        full = bench.floor(bench.app("nocache"), "nocache", no_cache=True)
        cold_floors, cold_gates, cold_waits = [], [], []
        for rep in range(args.reps):  # each on its own copy, so each misses the cache
            cold_floors.append(bench.floor(bench.app(f"floor{rep}"), f"floor-cold{rep}"))
            cold_gates.append(bench.gate(bench.app(f"gate{rep}"), f"cold{rep}"))
            waits_app = bench.app(f"waits{rep}")
            cold_waits.append(bench.floor_with_waits(waits_app, f"waits-cold{rep}", SETTLE_S))
        gate_app = bench.scratch / f"h2cbench-{bench.run_id}-gate0"
        warm_gates, warm_waits, warm_waits_init = [], [], []
        for rep in range(args.reps):
            warm_gates.append(bench.gate(gate_app, f"warm{rep}"))
            warm_waits.append(bench.floor_with_waits(gate_app, f"floor-waits{rep}", SETTLE_S))
            warm_waits_init.append(
                bench.floor_with_waits(gate_app, f"floor-init{rep}", SETTLE_S, initialised())
            )
        floor_cold = median(cold_floors, lambda f: f.total)
        gate_cold = median(cold_gates, lambda g: g.seconds)
        waits_cold = median(cold_waits, lambda w: w.total)
        gate_warm = median(warm_gates, lambda g: g.seconds)
        waits = median(warm_waits, lambda w: w.total)
        waits_init = median(warm_waits_init, lambda w: w.total)
        floor_warm = bench.floor(gate_app, "floor-warm")
        views = bench.scratch / f"h2cbench-{bench.run_id}-floor0" / "notes" / "views.py"
        with views.open("a", encoding="utf-8") as code:
            code.write(f"# code-only change {bench.run_id}\n")
        rebuild_s, rebuild_log = bench.build(views.parents[1], "rebuild")
        reused = dependency_step_cached(rebuild_log)
    finally:
        bench.cleanup(args.logs)

    console = Console(width=140)
    console.print(machine())
    console.print(f"load average (1, 5, 15 min): before {load_before}, after {load()}")
    table = Table(title="h2c gate vs floor, django-sample", box=box.MARKDOWN)
    for column in ("measure", "time", "vs floor", "target", "detail"):
        table.add_column(column, justify="right" if column == "time" else "left")
    gates_ok = all(g.rc == 0 for g in (*cold_gates, *warm_gates))
    rows = [
        ("floor, fully cold (--no-cache)", full.total, "", "",
         f"build {full.build_s:.2f} s + run to 2xx {full.ready_s:.2f} s"),
        ("floor, cold", floor_cold.total, "", "",
         f"build {floor_cold.build_s:.2f} s + run to 2xx {floor_cold.ready_s:.2f} s"),
        ("gate, cold", gate_cold.seconds, overhead(gate_cold.seconds, floor_cold.total),
         "<= +15 %", f"exit {gate_cold.rc}: {gate_cold.outcome}"),
        ("floor, warm", floor_warm.total, "", "",
         f"build {floor_warm.build_s:.2f} s + run to 2xx {floor_warm.ready_s:.2f} s"),
        ("gate, warm", gate_warm.seconds, overhead(gate_warm.seconds, floor_warm.total),
         "<= +15 %", f"exit {gate_warm.rc}: {gate_warm.outcome}"),
        ("floor + waits, warm (postgres, release, worker, settle)", waits.total, "", "",
         f"build {waits.build_s:.2f} s + the rest {waits.ready_s:.2f} s"),
        ("gate, warm, vs floor + waits", gate_warm.seconds,
         overhead(gate_warm.seconds, waits.total), "", "the gate's own overhead"),
        ("floor + waits, warm, database from the gate's initialised copy", waits_init.total,
         "", "", f"build {waits_init.build_s:.2f} s + the rest {waits_init.ready_s:.2f} s"),
        ("gate, warm, vs that", gate_warm.seconds,
         overhead(gate_warm.seconds, waits_init.total), "", "the gate's own overhead"),
        ("floor + waits, cold", waits_cold.total, "", "",
         f"build {waits_cold.build_s:.2f} s + the rest {waits_cold.ready_s:.2f} s"),
        ("gate, cold, vs floor + waits", gate_cold.seconds,
         overhead(gate_cold.seconds, waits_cold.total), "", "the gate's own overhead"),
        ("rebuild after a code-only change", rebuild_s, "", "< 10 s",
         f"dependency layer from cache: {'yes' if reused else 'NO'}"),
    ]  # fmt: skip
    for name, seconds, ratio, target, detail in rows:
        table.add_row(name, f"{seconds:.2f} s", ratio, target, detail)
    console.print(table)
    console.print(breakdown(gate_cold, gate_warm))
    if args.reps > 1:
        shown = ", ".join(
            f"{g.seconds:.2f}/{w.total:.2f}" for g, w in zip(warm_gates, warm_waits, strict=True)
        )
        console.print(f"warm repetitions, gate/floor + waits: {shown}")
        shown = ", ".join(
            f"{f.total:.2f}/{g.seconds:.2f}/{w.total:.2f}"
            for f, g, w in zip(cold_floors, cold_gates, cold_waits, strict=True)
        )
        console.print(f"cold repetitions, floor/gate/floor + waits: {shown}")
    failed = [("cold", g) for g in cold_gates] + [("warm", g) for g in warm_gates]
    for label, gate in failed:
        for failure in gate.failures:
            console.print(f"gate {label} failed: {escape(failure)}")
    return 0 if gates_ok and reused else 1


if __name__ == "__main__":
    sys.exit(main())
