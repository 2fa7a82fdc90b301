"""Build the stand-in images: debootstrap once per suite, apply the recipe in a chroot, import.

The adapter behind ``python -m h2c.standins ensure|rebuild|list``: it runs ``debootstrap``,
``chroot``, ``tar`` and the ``docker`` CLI as subprocesses. What it installs and writes comes
from ``h2c.standins.recipe``; what it can build, from ``h2c.standins.catalog``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from h2c.standins.catalog import CATALOG, StandIn, canonical, missing_image_message, provided_images
from h2c.standins.recipe import (
    APT_DOCKER_CONF,
    BASE_PATH,
    CA_ENV,
    DPKG_SLIM,
    HOST_CA_BUNDLE,
    MIRROR,
    NODE_ENTRYPOINT,
    NODE_USER,
    POSTGRES_ENTRYPOINT,
    REDIS_ENTRYPOINT,
    REVISION_LABEL,
    REVISIONS,
    STANDIN_LABEL,
    VERSION_PATTERNS,
    dockerfile_for,
    packages_for,
    parse_full_version,
    sources_list,
)

__all__ = [
    "CATALOG",
    "CA_ENV",
    "POSTGRES_ENTRYPOINT",
    "REDIS_ENTRYPOINT",
    "VERSION_PATTERNS",
    "StandIn",
    "base_tarball",
    "build",
    "canonical",
    "dockerfile_for",
    "ensure",
    "image_present",
    "main",
    "missing_image_message",
    "packages_for",
    "parse_full_version",
    "provided_images",
    "sources_list",
]

CACHE_DIR = Path(os.environ.get("H2C_STANDIN_CACHE", "/var/cache/h2c"))


def _say(message: str) -> None:
    print(f"standins: {message}", file=sys.stderr, flush=True)


def _run(
    cmd: Sequence[str],
    *,
    capture_output: bool = False,
    stdin: IO[bytes] | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a build step; a failing one raises (check=True) with its output captured if asked."""
    return subprocess.run(
        list(cmd),
        check=True,
        text=True,
        capture_output=capture_output,
        stdin=stdin,
        input=input,
        env=env,
    )


def image_present(name: str) -> bool:
    """True when the local Docker has an image by this name (a stand-in: of this recipe)."""
    fmt = "|".join(f'{{{{index .Config.Labels "{k}"}}}}' for k in (STANDIN_LABEL, REVISION_LABEL))
    done = subprocess.run(
        ["docker", "image", "inspect", "-f", fmt, name], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return False
    suite, _, revision = done.stdout.strip().partition("|")
    if suite in ("", "<no value>") or name not in CATALOG:
        return True  # a pulled official image, or no stand-in of ours: kept as it is
    revision = revision if revision not in ("", "<no value>") else "1"
    return revision == REVISIONS[CATALOG[name].kind]


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
    version = _configure(standin, root)
    _slim_down(root)
    return parse_full_version(standin.kind, version)


def _configure(standin: StandIn, root: Path) -> str:
    """What the official image of this kind sets up (links, data dirs, entrypoint); returns
    the installed program's ``--version`` line."""
    version_command, setup, entrypoint = _layout(standin)
    version = _chroot(root, version_command)
    _chroot(root, setup)
    if entrypoint is not None:
        entry = root / "usr/local/bin/docker-entrypoint.sh"
        entry.write_text(entrypoint)
        entry.chmod(0o755)
    return version


def _layout(standin: StandIn) -> tuple[str, str, str | None]:
    """The official image's layout of this kind: the ``--version`` command, the script that
    sets it up and the entrypoint's text (python's image has none)."""
    if standin.kind == "python":
        links = (
            "rm -f /usr/lib/python3*/EXTERNALLY-MANAGED; cd /usr/local/bin;"
            " ln -sf /usr/bin/python3 python; ln -sf /usr/bin/python3 python3;"
            " ln -sf /usr/bin/pip3 pip; ln -sf /usr/bin/pip3 pip3"
        )
        return "python3 --version", links, None
    if standin.kind == "node":
        return "node --version", _node_user(), NODE_ENTRYPOINT
    if standin.kind == "redis":
        return (
            "redis-server --version",
            "mkdir -p /data && chown redis:redis /data",
            REDIS_ENTRYPOINT,
        )
    version = f"/usr/lib/postgresql/{standin.version}/bin/postgres --version"
    return version, _postgres_setup(standin.version), POSTGRES_ENTRYPOINT


def _node_user() -> str:
    """The official node image's ``node`` user (1000:1000, home /home/node) and node, npm and
    npx in /usr/local/bin."""
    user, uid, home = NODE_USER
    return (
        f"groupadd --gid {uid} {user} && useradd --uid {uid} --gid {user} --shell /bin/bash"
        f" --create-home --home-dir {home} {user}; cd /usr/local/bin;"
        " for tool in node npm npx; do ln -sf /usr/bin/$tool $tool; done"
    )


def _postgres_setup(version: str) -> str:
    """The official postgres image's locale, ``listen_addresses = '*'`` and empty data dirs."""
    sample = f"/usr/share/postgresql/{version}/postgresql.conf.sample"
    return (
        "localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8;"
        f" sed -ri \"s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!\" {sample};"
        " rm -rf /etc/postgresql/* /var/lib/postgresql/*;"
        " mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d;"
        " chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql"
    )


def _slim_down(root: Path) -> None:
    """Docker's apt and dpkg settings, caches and docs removed, the host's CA bundle kept."""
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
