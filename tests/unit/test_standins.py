"""The stand-in catalog and its messages, without Docker."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from h2c.standins import build as standins  # catalog, recipe and builder
from h2c.standins.catalog import CATALOG, StandIn, canonical, missing_image_message, provided_images
from h2c.standins.recipe import (
    CA_ENV,
    POSTGRES_ENTRYPOINT,
    REDIS_ENTRYPOINT,
    VERSION_PATTERNS,
    dockerfile_for,
    packages_for,
    parse_full_version,
    sources_list,
)


def test_catalog_names_the_official_images_with_their_debian_suite() -> None:
    assert {(s.name, s.suite, s.kind, s.version) for s in CATALOG.values()} == {
        ("python:3.11-slim", "bookworm", "python", "3.11"),
        ("python:3.13-slim", "trixie", "python", "3.13"),
        ("node:20-slim", "trixie", "node", "20"),
        ("postgres:15", "bookworm", "postgres", "15"),
        ("postgres:17", "trixie", "postgres", "17"),
        ("redis:7", "bookworm", "redis", "7"),
    }
    assert all(key == s.name for key, s in CATALOG.items())


def test_standin_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CATALOG["postgres:15"].version = "16"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("python:3.11-slim", "python:3.11-slim"),
        ("docker.io/library/postgres:17", "postgres:17"),
        ("library/postgres:15", "postgres:15"),
        ("redis", "redis:latest"),
        ("ghcr.io/acme/app:1", "ghcr.io/acme/app:1"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
    ],
)
def test_canonical(given: str, expected: str) -> None:
    assert canonical(given) == expected


def test_missing_image_message_names_image_and_every_standin() -> None:
    message = missing_image_message("node:22-slim")
    assert message.startswith("image node:22-slim is not available: no registry can be reached")
    assert message.endswith(
        "stand-ins provide only: node:20-slim, postgres:15, postgres:17, python:3.11-slim,"
        " python:3.13-slim, redis:7"
    )


def test_ensure_rejects_names_outside_the_catalog_before_touching_docker() -> None:
    with pytest.raises(KeyError, match=re.escape("image python:3.12-slim is not available")):
        standins.ensure(["python:3.12-slim"])


def test_main_usage_and_unknown_name_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert standins.main(["frobnicate"]) == 2
    assert standins.main(["ensure", "node:20"]) == 2
    err = capsys.readouterr().err
    assert "standins: usage:" in err
    assert "standins: image node:20 is not available" in err


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_packages_match_kind_and_version(name: str) -> None:
    standin = CATALOG[name]
    packages = packages_for(standin)
    if standin.kind == "python":
        assert {"python3", "python3-venv", "python3-pip"} <= set(packages)
    elif standin.kind == "redis":
        assert packages == ["redis-server"]
    elif standin.kind == "node":
        assert {"nodejs", "npm", "ca-certificates"} <= set(packages)
    else:
        assert f"postgresql-{standin.version}" in packages


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_catalog_kind_has_a_version_pattern_and_a_dockerfile(name: str) -> None:
    standin = CATALOG[name]
    assert standin.kind in VERSION_PATTERNS
    assert dockerfile_for(standin, "1.2.3", "r").startswith("FROM r\n")


def test_python_dockerfile_has_the_official_interface() -> None:
    text = dockerfile_for(CATALOG["python:3.13-slim"], "3.13.5", "rootfs:x")
    assert text.startswith("FROM rootfs:x\n")
    assert "PYTHON_VERSION=3.13.5" in text and "LANG=C.UTF-8" in text
    assert "PATH=/usr/local/sbin:/usr/local/bin:" in text
    for key in CA_ENV:
        assert f"{key}=/etc/ssl/certs/ca-certificates.crt" in text
    assert text.rstrip().endswith('CMD ["python3"]')
    assert "ENTRYPOINT" not in text


def test_postgres_dockerfile_has_the_official_interface() -> None:
    text = dockerfile_for(CATALOG["postgres:17"], "17.6", "rootfs:y")
    for line in (
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["postgres"]',
        "STOPSIGNAL SIGINT",
        "EXPOSE 5432",
        "VOLUME /var/lib/postgresql/data",
    ):
        assert line in text.splitlines()
    assert ":/usr/lib/postgresql/17/bin" in text
    assert "PGDATA=/var/lib/postgresql/data" in text and "PG_MAJOR=17" in text


def test_redis_dockerfile_has_the_official_interface() -> None:
    text = dockerfile_for(CATALOG["redis:7"], "7.0.15", "rootfs:z")
    lines = text.splitlines()
    for line in (
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["redis-server"]',
        "EXPOSE 6379",
        "WORKDIR /data",
        "VOLUME /data",
    ):
        assert line in lines
    assert "REDIS_VERSION=7.0.15" in text
    assert lines[-1] == 'CMD ["redis-server"]'


def _sh_trace(script: str, *args: str) -> str:
    """Run the entrypoint with ``exec`` replaced by echo, as a non-root caller: its final argv."""
    body = script.replace('exec "$@"', 'echo "$@"').replace("$(id -u)", "1000")
    done = subprocess.run(["sh", "-c", body, "entry", *args], text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_redis_entrypoint_is_valid_sh() -> None:
    done = subprocess.run(["sh", "-n"], input=REDIS_ENTRYPOINT, text=True)
    assert done.returncode == 0


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["redis-server"], "redis-server --protected-mode no"),
        (["--port", "7000"], "redis-server --protected-mode no --port 7000"),
        (
            ["redis-server", "--protected-mode", "yes"],
            "redis-server --protected-mode no --protected-mode yes",
        ),
        (["redis-cli", "ping"], "redis-cli ping"),
    ],
)
def test_redis_entrypoint_turns_protected_mode_off_by_default(
    args: list[str], expected: str
) -> None:
    assert _sh_trace(REDIS_ENTRYPOINT, *args) == expected


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_redis_entrypoint_leaves_a_config_file_that_sets_protected_mode_in_charge(
    tmp_path: Path,
) -> None:
    plain = tmp_path / "plain.conf"
    plain.write_text("port 7000\n")
    strict = tmp_path / "strict.conf"
    strict.write_text("protected-mode yes\n")
    script = REDIS_ENTRYPOINT
    assert _sh_trace(script, str(plain)) == f"redis-server {plain} --protected-mode no"
    assert _sh_trace(script, str(strict), "--port", "1") == f"redis-server {strict} --port 1"


def test_redis_entrypoint_drops_root_for_the_redis_user() -> None:
    assert "setpriv --reuid=redis --regid=redis --init-groups" in REDIS_ENTRYPOINT


@pytest.mark.parametrize(
    ("kind", "output", "expected"),
    [
        ("redis", "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64\n", "7.0.15"),
        ("python", "Python 3.11.2\n", "3.11.2"),
        ("postgres", "postgres (PostgreSQL) 17.6 (Debian 17.6-0+deb13u1)\n", "17.6"),
    ],
)
def test_parse_full_version(kind: str, output: str, expected: str) -> None:
    assert parse_full_version(kind, output) == expected


def test_parse_full_version_refuses_garbage() -> None:
    with pytest.raises(RuntimeError, match="cannot read the python version"):
        parse_full_version("python", "command not found")


def test_sources_list_covers_updates_and_security() -> None:
    lines = sources_list("trixie").splitlines()
    assert lines == [
        "deb http://deb.debian.org/debian trixie main",
        "deb http://deb.debian.org/debian trixie-updates main",
        "deb http://deb.debian.org/debian-security trixie-security main",
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_postgres_entrypoint_is_valid_bash() -> None:
    done = subprocess.run(["bash", "-n"], input=POSTGRES_ENTRYPOINT, text=True, capture_output=True)
    assert done.returncode == 0, done.stderr


def test_entrypoint_refuses_an_uninitialised_db_without_password() -> None:
    text = POSTGRES_ENTRYPOINT
    assert "POSTGRES_HOST_AUTH_METHOD:-}\" != 'trust'" in text
    assert "exit 1" in text


def test_provided_images_is_sorted_catalog() -> None:
    assert provided_images() == sorted(CATALOG)
    assert all(isinstance(s, StandIn) for s in CATALOG.values())
