"""Local stand-ins for the official base images, built where no registry can be reached.

The gate builds generated Dockerfiles for real, but this machine cannot pull ``python:*`` or
``postgres:*``. So we build images under the official names from a Debian root file system
(``debootstrap`` once per suite, cached as a tarball), with the same interface as the official
images: ``python``/``pip`` on PATH, the ``POSTGRES_*`` entrypoint contract, ``redis-server`` on
port 6379 with protected mode off, and the host's CA bundle so pip inside a build reaches PyPI.
The catalog below is the single source of what can be built. This module is an adapter: it runs
subprocesses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
CACHE_DIR = Path(os.environ.get("H2C_STANDIN_CACHE", "/var/cache/h2c"))
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
STANDIN_LABEL = "dev.h2c.standin"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CA_ENV = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")


@dataclass(frozen=True)
class StandIn:
    """One image we can build: official name, Debian suite, kind and language major version."""

    name: str
    suite: str
    kind: str  # "python" | "postgres" | "redis"
    version: str


CATALOG: dict[str, StandIn] = {
    s.name: s
    for s in (
        StandIn("python:3.11-slim", "bookworm", "python", "3.11"),
        StandIn("python:3.13-slim", "trixie", "python", "3.13"),
        StandIn("postgres:15", "bookworm", "postgres", "15"),
        StandIn("postgres:17", "trixie", "postgres", "17"),
        StandIn("redis:7", "bookworm", "redis", "7"),
    )
}


def canonical(name: str) -> str:
    """Official short form of an image reference.

    >>> canonical("docker.io/library/postgres:15")
    'postgres:15'
    >>> canonical("python")
    'python:latest'
    """
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        name += ":latest"
    return name


def provided_images() -> list[str]:
    """Names of the images h2c can build locally, sorted.

    >>> provided_images()
    ['postgres:15', 'postgres:17', 'python:3.11-slim', 'python:3.13-slim', 'redis:7']
    """
    return sorted(CATALOG)


def missing_image_message(name: str) -> str:
    """What to tell a user whose artifact names an image that is neither local nor a stand-in."""
    return (
        f"image {name} is not available: no registry can be reached here and h2c's "
        f"stand-ins provide only: {', '.join(provided_images())}"
    )


def packages_for(standin: StandIn) -> list[str]:
    """Debian packages installed on top of the minbase root file system.

    >>> packages_for(CATALOG["postgres:17"])
    ['postgresql-17', 'locales']
    >>> packages_for(CATALOG["redis:7"])
    ['redis-server']
    """
    if standin.kind == "python":
        return ["python3", "python3-venv", "python3-pip", "ca-certificates"]
    if standin.kind == "redis":
        return ["redis-server"]  # pulls in redis-tools (redis-cli)
    return [f"postgresql-{standin.version}", "locales"]


def dockerfile_for(standin: StandIn, full_version: str, rootfs: str) -> str:
    """Metadata layer on top of the imported root file system (import can't set STOPSIGNAL).

    >>> print(dockerfile_for(CATALOG["python:3.11-slim"], "3.11.2", "r").splitlines()[-1])
    CMD ["python3"]
    """
    env = {key: str(HOST_CA_BUNDLE) for key in CA_ENV}
    if standin.kind == "python":
        env |= {"PATH": BASE_PATH, "LANG": "C.UTF-8", "PYTHON_VERSION": full_version}
        tail = 'CMD ["python3"]\n'
    elif standin.kind == "redis":
        env |= {"PATH": BASE_PATH, "REDIS_VERSION": full_version}
        tail = (
            'WORKDIR /data\nVOLUME /data\nENTRYPOINT ["docker-entrypoint.sh"]\n'
            'EXPOSE 6379\nCMD ["redis-server"]\n'
        )
    else:
        env |= {
            "PATH": f"{BASE_PATH}:/usr/lib/postgresql/{standin.version}/bin",
            "LANG": "en_US.utf8",
            "PG_MAJOR": standin.version,
            "PG_VERSION": full_version,
            "PGDATA": "/var/lib/postgresql/data",
        }
        tail = (
            'VOLUME /var/lib/postgresql/data\nENTRYPOINT ["docker-entrypoint.sh"]\n'
            'STOPSIGNAL SIGINT\nEXPOSE 5432\nCMD ["postgres"]\n'
        )
    pairs = " ".join(f"{key}={value}" for key, value in env.items())
    return f"FROM {rootfs}\nLABEL {STANDIN_LABEL}={standin.suite}\nENV {pairs}\n{tail}"


VERSION_PATTERNS = {
    "python": r"Python (\d+\.\d+\.\d+)",
    "postgres": r"\(PostgreSQL\) (\d+(?:\.\d+)*)",
    "redis": r"Redis server v=(\d+\.\d+\.\d+)",
}


def parse_full_version(kind: str, output: str) -> str:
    """Exact version from ``python3 --version``, ``postgres --version`` or ``redis-server -v``.

    >>> parse_full_version("postgres", "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)")
    '15.14'
    >>> parse_full_version("python", "Python 3.13.5")
    '3.13.5'
    >>> parse_full_version("redis", "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0")
    '7.0.15'
    """
    found = re.search(VERSION_PATTERNS[kind], output)
    if not found:
        raise RuntimeError(f"cannot read the {kind} version from {output!r}")
    return found.group(1)


# --- side effects below: docker CLI, debootstrap, chroot -------------------------------------


def _say(message: str) -> None:
    print(f"standins: {message}", file=sys.stderr, flush=True)


def _run(cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), check=True, text=True, **kwargs)  # type: ignore[call-overload]


def image_present(name: str) -> bool:
    """True when the local Docker has an image by this name."""
    done = subprocess.run(["docker", "image", "inspect", name], capture_output=True, check=False)
    return done.returncode == 0


def _try_pull(name: str) -> bool:
    try:
        done = subprocess.run(["docker", "pull", name], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def base_tarball(suite: str) -> Path:
    """A cached ``debootstrap --variant=minbase`` root file system for a suite (built once)."""
    tarball = CACHE_DIR / f"{suite}-minbase.tar"
    if tarball.exists():
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    _say(f"debootstrap {suite} (once; cached in {tarball})")
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix=f"h2c-{suite}-") as tmp:
        root = Path(tmp) / "root"
        _run(["debootstrap", "--variant=minbase", suite, str(root), MIRROR], capture_output=True)
        partial = tarball.with_suffix(".tar.part")
        _run(["tar", "-C", str(root), "-cf", str(partial), "."])
        partial.rename(tarball)
    return tarball


POSTGRES_ENTRYPOINT = r"""#!/usr/bin/env bash
# h2c stand-in for the official postgres entrypoint: same POSTGRES_* contract.
set -Eeo pipefail
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"; chmod 3777 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups \
		env HOME=/var/lib/postgresql "${BASH_SOURCE[0]}" "$@"
fi
if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	POSTGRES_USER="${POSTGRES_USER:-postgres}"
	POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
		echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
		echo '       Set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust.' >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
			${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
	else
		initdb --username="$POSTGRES_USER" ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
	fi
	method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	printf '\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	export PGUSER="$POSTGRES_USER" PGPASSWORD="${POSTGRES_PASSWORD:-}"
	if [ "$POSTGRES_DB" != 'postgres' ]; then
		psql -v ON_ERROR_STOP=1 --dbname postgres --set db="$POSTGRES_DB" \
			<<< 'CREATE DATABASE :"db";'
	fi
	shopt -s nullglob
	psql=(psql -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB")
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) echo "running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
			*.sql) echo "running $f"; "${psql[@]}" -f "$f" ;;
			*.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
			*) echo "ignoring $f" ;;
		esac
	done
	unset PGPASSWORD
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo 'PostgreSQL init process complete; ready for start up.'
fi
exec "$@"
"""

REDIS_ENTRYPOINT = r"""#!/bin/sh
# h2c stand-in for the official redis entrypoint. The official image compiles protected mode
# off; Debian's redis-server keeps it on, so it is switched off here unless a config file or an
# argument sets it (both still win, as they do in the official image).
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = 'redis-server' ]; then
	shift
	if [ -n "${1:-}" ] && [ "${1#-}" = "$1" ]; then
		conf="$1"; shift
		if [ -r "$conf" ] && grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$conf"; then
			set -- redis-server "$conf" "$@"
		else
			set -- redis-server "$conf" --protected-mode no "$@"
		fi
	else
		set -- redis-server --protected-mode no "$@"
	fi
fi
um="$(umask)"
if [ "$um" = '0022' ]; then umask 0077; fi
exec "$@"
"""

APT_DOCKER_CONF = {
    "docker-clean": 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "docker-no-recommends": 'APT::Install-Recommends "false";\n',
}

# Like the official slim images: packages installed in a build skip docs and translations.
DPKG_SLIM = (
    "".join(
        f"path-exclude {p}\n"
        for p in (
            "/usr/share/doc/*",
            "/usr/share/man/*",
            "/usr/share/info/*",
            "/usr/share/locale/*",
        )
    )
    + "path-include /usr/share/doc/*/copyright\npath-include /usr/share/locale/locale.alias\n"
)


def sources_list(suite: str) -> str:
    """APT sources like the official Debian images: main, updates and security."""
    return (
        f"deb {MIRROR} {suite} main\ndeb {MIRROR} {suite}-updates main\n"
        f"deb http://deb.debian.org/debian-security {suite}-security main\n"
    )


def _chroot(root: Path, script: str) -> str:
    env = {"PATH": BASE_PATH, "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(
        ["chroot", str(root), "/bin/sh", "-ec", script],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"chroot step failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _prepare_rootfs(standin: StandIn, root: Path) -> str:
    """Install and adjust the suite's root file system in place; return the exact version."""
    (root / "etc/apt/sources.list").write_text(sources_list(standin.suite))
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    if standin.kind == "redis":  # the official image's fixed ids, made before the package
        _chroot(root, "groupadd -r -g 999 redis && useradd -r -g redis -u 999 redis")
    if standin.kind == "postgres":
        conf = root / "etc/postgresql-common"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "createcluster.conf").write_text("create_main_cluster = false\n")
    pkgs = " ".join(packages_for(standin))
    _chroot(
        root,
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends "
        f"-o Dpkg::Options::=--force-confold {pkgs} >/dev/null",
    )
    if standin.kind == "python":
        version = _chroot(root, "python3 --version")
        _chroot(
            root,
            "rm -f /usr/lib/python3*/EXTERNALLY-MANAGED; cd /usr/local/bin;"
            " ln -sf /usr/bin/python3 python; ln -sf /usr/bin/python3 python3;"
            " ln -sf /usr/bin/pip3 pip; ln -sf /usr/bin/pip3 pip3",
        )
    elif standin.kind == "redis":
        version = _chroot(root, "redis-server --version")
        _chroot(root, "mkdir -p /data && chown redis:redis /data")
        entry = root / "usr/local/bin/docker-entrypoint.sh"
        entry.write_text(REDIS_ENTRYPOINT)
        entry.chmod(0o755)
    else:
        bindir = f"/usr/lib/postgresql/{standin.version}/bin"
        version = _chroot(root, f"{bindir}/postgres --version")
        sample = f"/usr/share/postgresql/{standin.version}/postgresql.conf.sample"
        _chroot(
            root,
            "localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8;"
            f" sed -ri \"s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!\" {sample};"
            " rm -rf /etc/postgresql/* /var/lib/postgresql/*;"
            " mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d;"
            " chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql",
        )
        entry = root / "usr/local/bin/docker-entrypoint.sh"
        entry.write_text(POSTGRES_ENTRYPOINT)
        entry.chmod(0o755)
    for name, text in APT_DOCKER_CONF.items():
        (root / "etc/apt/apt.conf.d" / name).write_text(text)
    (root / "etc/dpkg/dpkg.cfg.d/docker").write_text(DPKG_SLIM)
    _chroot(
        root,
        "apt-get clean; rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin"
        " /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt/* /var/log/dpkg.log /tmp/*;"
        " cd /usr/share && rm -rf doc/* man/* info/* lintian groff"
        " && find locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +;"
        " : > /etc/resolv.conf",
    )
    local_ca = root / "usr/local/share/ca-certificates"
    local_ca.mkdir(parents=True, exist_ok=True)
    # Kept in the bundle path and as a local CA, so update-ca-certificates in a build keeps it.
    bundle = root / str(HOST_CA_BUNDLE).lstrip("/")
    bundle.parent.mkdir(parents=True, exist_ok=True)  # redis has no ca-certificates package
    shutil.copyfile(HOST_CA_BUNDLE, bundle)
    shutil.copyfile(HOST_CA_BUNDLE, local_ca / "h2c-host-bundle.crt")
    return parse_full_version(standin.kind, version)


def build(standin: StandIn) -> None:
    """Build one stand-in image from the cached suite tarball and tag it under its name."""
    tarball = base_tarball(standin.suite)
    rootfs_tag = "h2c-standin-rootfs:" + re.sub(r"[^a-z0-9.]+", "-", standin.name)
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="h2c-standin-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        _run(["tar", "-C", str(root), "-xf", str(tarball)])
        full_version = _prepare_rootfs(standin, root)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        try:
            _run(["docker", "import", "-", rootfs_tag], stdin=tar.stdout, capture_output=True)
        finally:
            assert tar.stdout is not None
            tar.stdout.close()
            tar.wait()
    dockerfile = dockerfile_for(standin, full_version, rootfs_tag)
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    _run(
        ["docker", "build", "-q", "-t", standin.name, "-"],
        input=dockerfile,
        env=env,
        capture_output=True,
    )
    subprocess.run(["docker", "rmi", rootfs_tag], capture_output=True, check=False)
    _say(f"built {standin.name} ({standin.kind} {full_version}, Debian {standin.suite})")


def ensure(names: Iterable[str] | None = None, *, force: bool = False) -> list[str]:
    """Build the stand-ins that are missing locally (all named, with ``force``); return them."""
    wanted = [canonical(n) for n in names] if names is not None else provided_images()
    unknown = [n for n in wanted if n not in CATALOG]
    if unknown:
        raise KeyError(missing_image_message(unknown[0]))
    built = []
    for name in wanted:
        if not force and image_present(name):
            continue
        if os.environ.get("H2C_TRY_PULL") == "1" and _try_pull(name):
            _say(f"pulled {name}")
            continue
        _say(f"building {name}")
        build(CATALOG[name])
        built.append(name)
    return built


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m h2c.standins ensure|rebuild [NAME...]`` or ``python -m h2c.standins list``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["list"]:
        for name in provided_images():
            state = "present" if image_present(name) else "missing"
            print(f"{name}\t{CATALOG[name].suite}\t{state}")
        return 0
    if args[:1] in (["ensure"], ["rebuild"]):
        try:
            built = ensure(args[1:] or None, force=args[0] == "rebuild")
        except KeyError as exc:
            _say(str(exc.args[0]))
            return 2
        except (subprocess.CalledProcessError, RuntimeError) as exc:
            detail = getattr(exc, "stderr", None) or ""
            _say(f"build failed: {exc}\n{detail}")
            return 1
        _say(f"built {', '.join(built)}" if built else "all stand-ins present")
        return 0
    _say("usage: python -m h2c.standins ensure|rebuild [NAME...] | list")
    return 2


if __name__ == "__main__":
    sys.exit(main())
