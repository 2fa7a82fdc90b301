"""Benchmark of the generated Dockerfile against a careful hand-written one (the floor).

Not run in tests. For the bundled sample (no compiled dependency) and for
``fixtures/apps/django-celery`` (psycopg2 built from source, collectstatic and a post_compile
that need the production settings), in a scratch copy generated with ``h2c generate``:

  cold build     ``docker build`` with the dependency layer and everything after it missing
                 from the cache (requirements.txt gets a unique comment per measure; the base
                 image is local)                                   target <= 1.2x the floor
  image size     the final image                                   target <= 1.1x the floor
  compiler       ``gcc``/``cc`` in the final image                 target: none
  code-only      rebuild after editing one .py file                target < 10 s

The floor is what a careful engineer writes by hand for the same app: a build stage with
exactly the packages it needs (none for the sample; gcc and libpq-dev for django-celery), a
runtime stage with exactly the libraries it links (libpq5), the same venv, code and build
steps. Both build with DOCKER_BUILDKIT=0, the builder the gate uses. Tags carry this run's id
and are removed at the end. Nothing is contacted but the package registries the builds use.

    .venv/bin/python bench/build/run.py [--reps N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]
H2C = [sys.executable, "-m", "h2c"]
RUN_ID = uuid.uuid4().hex[:8]

SAMPLE_FLOOR = """\
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
COPY requirements.txt /app/
RUN pip install -r /app/requirements.txt
WORKDIR /app
COPY . /app
RUN SECRET_KEY=x DATABASE_URL=sqlite:///:memory: python manage.py collectstatic --noinput

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH HOME=/app PORT=8000
RUN useradd --uid 1000 --home-dir /app --no-create-home app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=1000:1000 /app /app
WORKDIR /app
USER 1000:1000
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:$PORT"]
"""

CELERY_FLOOR = """\
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \\
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements.txt /app/
RUN pip install -r /app/requirements.txt
WORKDIR /app
COPY . /app
ARG DJANGO_SETTINGS_MODULE
RUN SECRET_KEY=x DATABASE_URL=sqlite:///:memory: python manage.py collectstatic --noinput \\
 && bin/post_compile

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH HOME=/app PORT=8000
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
 && rm -rf /var/lib/apt/lists/* && useradd --uid 1000 --home-dir /app --no-create-home app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=1000:1000 /app /app
WORKDIR /app
USER 1000:1000
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:$PORT"]
"""


@dataclass(frozen=True)
class App:
    name: str
    source: Path
    exports: Path
    floor: str
    code_file: str
    build_args: tuple[str, ...] = ()


APPS = (
    App("sample", ROOT / "h2c/sample/app", ROOT / "h2c/sample/heroku", SAMPLE_FLOOR,
        "notes/views.py"),
    App("django-celery", ROOT / "fixtures/apps/django-celery",
        ROOT / "fixtures/heroku/django-celery", CELERY_FLOOR, "jobs/views.py",
        ("DJANGO_SETTINGS_MODULE=config.settings.production",)),
)  # fmt: skip


def prepare(app: App, scratch: Path) -> Path:
    """A fresh copy of the app, generated, with the floor Dockerfile beside h2c's."""
    copy = scratch / f"{app.name}-{uuid.uuid4().hex[:6]}"
    shutil.copytree(app.source, copy)
    args = ["generate", str(copy)]
    for flag, name in (("--config", "config.txt"), ("--addons", "addons.json")):
        if (app.exports / name).is_file():
            args += [flag, str(app.exports / name)]
    subprocess.run([*H2C, *args], check=True, capture_output=True)
    (copy / "Dockerfile.floor").write_text(app.floor, encoding="utf-8")
    with (copy / "requirements.txt").open("a", encoding="utf-8") as reqs:
        reqs.write(f"# bench {uuid.uuid4().hex}\n")  # the dependency layer misses the cache
    return copy


def build(context: Path, dockerfile: str, tag: str, build_args: tuple[str, ...]) -> float:
    argv = ["docker", "build", "-q", "-f", str(context / dockerfile), "-t", tag]
    for arg in build_args:
        argv += ["--build-arg", arg]
    started = time.monotonic()
    done = subprocess.run(
        [*argv, str(context)], capture_output=True, text=True,
        env={**os.environ, "DOCKER_BUILDKIT": "0"},
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"build of {context.name}/{dockerfile} failed:\n{done.stderr[-2000:]}")
    return time.monotonic() - started


def image_size(tag: str) -> int:
    out = subprocess.run(
        ["docker", "image", "inspect", "-f", "{{.Size}}", tag], capture_output=True, text=True
    )
    return int(out.stdout.strip())


def has_compiler(tag: str) -> bool:
    probe = "command -v gcc || command -v cc || command -v x86_64-linux-gnu-gcc-12"
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", tag, "-c", probe], capture_output=True
    )
    return done.returncode == 0


def measure(app: App, scratch: Path, reps: int, tags: list[str]) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {k: [] for k in ("gen", "floor", "code")}
    for rep in range(reps):
        for kind, dockerfile in (("gen", "Dockerfile"), ("floor", "Dockerfile.floor")):
            copy = prepare(app, scratch)
            tag = f"h2c-bench/{app.name}-{kind}:{RUN_ID}-{rep}"
            tags.append(tag)
            results[kind].append(build(copy, dockerfile, tag, app.build_args))
            if kind == "gen":
                with (copy / app.code_file).open("a", encoding="utf-8") as code:
                    code.write(f"\n# edited {uuid.uuid4().hex}\n")
                results["code"].append(build(copy, dockerfile, tag, app.build_args))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()
    console = Console()
    table = Table(title=f"generated Dockerfile vs hand-written floor (median of {args.reps})")
    for column in ("app", "measure", "generated", "floor", "ratio", "target", "met"):
        table.add_column(column)
    tags: list[str] = []
    with tempfile.TemporaryDirectory(prefix="h2c-bench-build-") as scratch:
        try:
            for app in APPS:
                r = measure(app, Path(scratch), args.reps, tags)
                gen, floor = statistics.median(r["gen"]), statistics.median(r["floor"])
                gen_tag = next(t for t in tags if f"{app.name}-gen" in t)
                floor_tag = next(t for t in tags if f"{app.name}-floor" in t)
                g_size, f_size = image_size(gen_tag), image_size(floor_tag)
                code = statistics.median(r["code"])
                rows = [
                    ("cold build", f"{gen:.1f} s", f"{floor:.1f} s", gen / floor, 1.2),
                    ("image size", f"{g_size / 1e6:.0f} MB", f"{f_size / 1e6:.0f} MB",
                     g_size / f_size, 1.1),
                ]  # fmt: skip
                for measure_name, g, f, ratio, target in rows:
                    ok = "yes" if ratio <= target else "NO"
                    table.add_row(
                        app.name, measure_name, g, f, f"{ratio:.2f}x", f"<= {target}x", ok
                    )
                compiler = has_compiler(gen_tag)
                table.add_row(app.name, "compiler in final image", "yes" if compiler else "none",
                              "yes" if has_compiler(floor_tag) else "none", "", "none",
                              "NO" if compiler else "yes")  # fmt: skip
                table.add_row(app.name, "code-only rebuild", f"{code:.1f} s", "", "", "< 10 s",
                              "yes" if code < 10 else "NO")  # fmt: skip
        finally:
            if tags:
                subprocess.run(["docker", "rmi", "-f", *tags], capture_output=True)
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
