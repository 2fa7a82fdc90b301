"""Logic behind the gate's checks, kept out of the tests so unit tests can cover it.

Pure functions over the generated artifacts (Dockerfile text, parsed convox.yml and compose
dicts) plus one small HTTP probe. Nothing here reveals a Secret except ``needle_payload``,
which builds the value handed to a throwaway container's environment.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELEASE = "release"


@dataclass(frozen=True)
class HttpResult:
    """What one HTTP GET got back: a status (None when no answer) and how long it took."""

    status: int | None
    elapsed_s: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def http_probe(url: str, *, timeout_s: float = 5.0, host: str | None = None) -> HttpResult:
    """GET ``url`` once; HTTP errors are answers (a status), connection errors are not.

    ``host`` replaces the ``Host`` header (default: the URL's host and port).
    """
    started = time.monotonic()
    headers = {"User-Agent": "h2c-gate"}
    if host:
        headers["Host"] = host
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return HttpResult(response.status, time.monotonic() - started)
    except urllib.error.HTTPError as answer:
        return HttpResult(answer.code, time.monotonic() - started)
    except (OSError, urllib.error.URLError) as failure:
        reason = getattr(failure, "reason", failure)
        return HttpResult(None, time.monotonic() - started, f"{type(failure).__name__}: {reason}")


# --- the Host header Convox sends -------------------------------------------------------------
#
# Convox's health check is a Kubernetes httpGet probe: the kubelet connects to the pod IP and
# sends ``Host: <pod IP>:<port>``. Real traffic arrives through the router with the user's own
# domain in Host, which the app's allow-list (Django ALLOWED_HOSTS, ...) is configured for; the
# pod-IP host is the one no configuration anticipates, so the strictest realistic case. The gate
# reaches the container through a loopback port (Host would say 127.0.0.1, which development
# settings allow), so it sends the container's IP on the gate's network instead.

HOST_HINT = (
    "the app rejects hosts it does not know: check ALLOWED_HOSTS (Django) / the app's host "
    "allow-list (on Convox, allow the pod IP or every host: the router forwards your domains)"
)


def probe_host(ip: str | None, port: int | None) -> str | None:
    """The ``Host`` header Convox's health check sends: ``<container IP>:<port>``.

    >>> probe_host("172.18.0.3", 8000), probe_host(None, 8000)
    ('172.18.0.3:8000', None)
    """
    if not ip or not port:
        return None
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def host_rejection(path: str, as_convox: HttpResult, plain: HttpResult, host: str) -> str | None:
    """Why ``path`` failed when the only difference was the Host header, or None.

    A 400 to the container's own address while the same request with a loopback Host is
    answered otherwise: the app's host allow-list rejects what Convox's health check sends.

    >>> why = host_rejection("/", HttpResult(400, 0.1), HttpResult(200, 0.1), "172.18.0.3:8000")
    >>> print(why[:78])
    web answered 400 to Host: 172.18.0.3:8000 on GET / (what Convox's health check
    >>> host_rejection("/", HttpResult(400, 0.1), HttpResult(400, 0.1), "10.0.0.2:8000") is None
    True
    """
    if as_convox.status != 400 or plain.status is None or plain.status == 400:
        return None
    return (
        f"web answered 400 to Host: {host} on GET {path} (what Convox's health check sends), "
        f"but {plain.status} to the loopback Host the gate connects through: {HOST_HINT}"
    )


def probe_as_convox(base_url: str, path: str, host: str | None) -> tuple[HttpResult, str | None]:
    """GET ``path`` with Convox's Host header; on a 400, ask again with the loopback Host.

    Returns the answer and, when the Host header alone made the difference, why.
    """
    result = http_probe(base_url + path, host=host)
    if host is None or result.status != 400:
        return result, None
    return result, host_rejection(path, result, http_probe(base_url + path), host)


def service_name(process: str) -> str:
    """The Convox service name a Procfile process type becomes.

    >>> service_name("urgent_worker"), service_name("Web")
    ('urgent-worker', 'web')
    """
    return process.lower().replace("_", "-")


def gate_processes(process_names: Sequence[str]) -> list[str]:
    """Every Procfile process the gate runs as a service: all but ``release``, sorted.

    >>> gate_processes(["worker", "release", "web"])
    ['web', 'worker']
    """
    return sorted(name for name in process_names if name != RELEASE)


# --- ports -------------------------------------------------------------------------------


def _logical_lines(dockerfile: str) -> list[tuple[int, str]]:
    """Dockerfile instructions with continuations joined, each with its first line number."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(dockerfile.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append((start, pending + stripped))
        pending = ""
    if pending:
        lines.append((start, pending))
    return lines


def dockerfile_expose(dockerfile: str) -> list[int]:
    """Ports named by ``EXPOSE`` (``8000/tcp`` counts as 8000).

    >>> dockerfile_expose("FROM x\\nEXPOSE 8000/tcp 9000\\n")
    [8000, 9000]
    """
    ports = []
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() == "EXPOSE":
            for item in rest.split():
                number = item.split("/")[0]
                if number.isdigit():
                    ports.append(int(number))
    return ports


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    """Variables set by ``ENV`` (both ``K=V ...`` and the legacy ``K V`` form); last one wins.

    >>> dockerfile_env('ENV PORT=8000 A="b c"\\nENV LEGACY some value\\n')
    {'PORT': '8000', 'A': 'b c', 'LEGACY': 'some value'}
    """
    env: dict[str, str] = {}
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() != "ENV":
            continue
        rest = rest.strip()
        first = rest.split(None, 1)[0] if rest else ""
        if "=" in first:
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
        elif first:
            env[first] = rest[len(first) :].strip()
    return env


def dockerfile_workdir(dockerfile: str) -> str:
    """The last ``WORKDIR`` (``/app`` when none), where the app's files live in the image."""
    workdir = "/app"
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() == "WORKDIR" and rest.strip():
            workdir = rest.strip()
    return workdir


def convox_port(service: Mapping[str, Any]) -> int | None:
    """A convox.yml service's port: ``8000`` or ``"https:8000"``; None without one.

    >>> convox_port({"port": "https:3000"}), convox_port({"port": 8000}), convox_port({})
    (3000, 8000, None)
    """
    port = service.get("port")
    if isinstance(port, Mapping):
        port = port.get("port")
    if port is None:
        return None
    text = str(port).rpartition(":")[2]
    return int(text) if text.isdigit() else None


def compose_web_port(service: Mapping[str, Any]) -> int | None:
    """The container port that compose publishes on host port 80 (``80:<port>``).

    >>> compose_web_port({"ports": ["80:8000"]}), compose_web_port({"ports": ["8000"]})
    (8000, None)
    """
    for item in service.get("ports") or []:
        parts = str(item).split("/")[0].split(":")
        if len(parts) >= 2 and parts[-2] == "80" and parts[-1].isdigit():
            return int(parts[-1])
    return None


@dataclass(frozen=True)
class PortPlace:
    """One place that states the web port, and the port it states (None: it states none)."""

    place: str
    port: int | None


def web_port_places(
    dockerfile: str, convox: Mapping[str, Any], compose: Mapping[str, Any] | None, web: str
) -> list[PortPlace]:
    """Every place the web port is written down, in the order a reader would look."""
    expose = dockerfile_expose(dockerfile)
    env_port = dockerfile_env(dockerfile).get("PORT", "")
    services = convox.get("services") or {}
    places = [
        PortPlace("Dockerfile EXPOSE", expose[0] if len(expose) == 1 else None),
        PortPlace("Dockerfile ENV PORT", int(env_port) if env_port.isdigit() else None),
        PortPlace(f"convox.yml services.{web}.port", convox_port(services.get(web) or {})),
    ]
    if compose is not None:
        compose_service = (compose.get("services") or {}).get(web) or {}
        place = f"docker-compose.yml {web} ports 80:<port>"
        places.append(PortPlace(place, compose_web_port(compose_service)))
    return places


def port_disagreement(places: Sequence[PortPlace]) -> str | None:
    """None when every place states the same port; else a message naming each place and port.

    >>> port_disagreement([PortPlace("a", 8000), PortPlace("b", 8000)]) is None
    True
    >>> print(port_disagreement([PortPlace("a", 8000), PortPlace("b", None)]))
    the web port disagrees: a: 8000; b: (none)
    """
    ports = {place.port for place in places}
    if len(ports) == 1 and None not in ports:
        return None
    described = "; ".join(
        f"{place.place}: {place.port if place.port is not None else '(none)'}" for place in places
    )
    return f"the web port disagrees: {described}"


# --- commands and entry points ------------------------------------------------------------

SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env"})


def command_args(command: str | Sequence[str] | None) -> list[str] | None:
    """A convox.yml ``command`` as container args: v3 shell-splits it and runs no shell.

    >>> command_args("sh -c 'exec gunicorn app:app'")
    ['sh', '-c', 'exec gunicorn app:app']
    """
    if command is None:
        return None
    if isinstance(command, str):
        return shlex.split(command)
    return [str(word) for word in command]


def shell_args(command: str) -> list[str]:
    """A Procfile command run as Heroku does: through a shell, so ``$PORT`` and ``&&`` work."""
    return ["/bin/sh", "-c", command]


def entry_point(command: str | Sequence[str]) -> str:
    """The program a command starts, looking through ``sh -c``, ``exec`` and ``K=v`` prefixes.

    >>> entry_point("sh -c 'exec gunicorn app.wsgi --bind 0.0.0.0:$PORT'")
    'gunicorn'
    >>> entry_point(["/bin/sh", "-c", "FOO=1 python manage.py migrate && echo ok"])
    'python'
    >>> entry_point("celery -A proj worker")
    'celery'
    """
    words = command_args(command) or []
    while len(words) >= 3 and words[0] in SHELLS and words[1] in ("-c", "-ec", "-lc"):
        words = shlex.split(words[2])
    while words and (words[0] == "exec" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words = words[1:]
    return words[0] if words else ""


def resolve_args(program: str) -> list[str]:
    """Container args that print where ``program`` resolves in the image's PATH (rc 0 if found).

    The name travels as an argument, never spliced into the script.

    >>> resolve_args("gunicorn")
    ['/bin/sh', '-c', 'command -v "$1"', 'sh', 'gunicorn']
    """
    return ["/bin/sh", "-c", 'command -v "$1"', "sh", program]


LOOPBACK_CONNECT = (
    "import socket,sys\n"
    "s=socket.socket(); s.settimeout(3)\n"
    "sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)\n"
)


def connect_args(host: str, port: int) -> list[str]:
    """Args that exit 0 when something inside the container accepts TCP on ``host:port``."""
    return ["python", "-c", LOOPBACK_CONNECT, host, str(port)]


def reachability_verdict(outside_ok: bool, inside_loopback_ok: bool, port: int) -> str | None:
    """Why the web service cannot be reached from outside, or None when it can.

    >>> reachability_verdict(False, True, 8000)
    'web listens on 127.0.0.1 inside the container; bind 0.0.0.0:$PORT (PORT=8000)'
    >>> reachability_verdict(True, True, 8000) is None
    True
    """
    if outside_ok:
        return None
    if inside_loopback_ok:
        return f"web listens on 127.0.0.1 inside the container; bind 0.0.0.0:$PORT (PORT={port})"
    return f"web does not listen on $PORT ({port}) inside the container"


# --- compose --------------------------------------------------------------------------------


def compose_for_gate(
    compose: Mapping[str, Any], app_dir: Path, image: str | None = None
) -> dict[str, Any]:
    """The compose file the gate runs: published ports moved to random loopback host ports.

    An override file cannot do this: compose appends override ``ports`` to the base ones, so
    ``80:<port>`` would still try to bind host port 80. Services built from the app use the
    gate's image (built once per session) when one is given; other paths become absolute so
    the file can live in a temporary folder.

    >>> out = compose_for_gate({"services": {"web": {"build": ".", "ports": ["80:8000"]}}},
    ...                        Path("/src"), image="app:gate")
    >>> out["services"]["web"]
    {'ports': ['127.0.0.1::8000'], 'image': 'app:gate'}
    """
    result: dict[str, Any] = json.loads(json.dumps(compose))
    for service in (result.get("services") or {}).values():
        build = service.pop("build", None)
        if build is not None and image is not None:
            service["image"] = image
        elif isinstance(build, str):
            service["build"] = str((app_dir / build).resolve())
        elif isinstance(build, dict):
            build["context"] = str((app_dir / str(build.get("context", "."))).resolve())
            service["build"] = build
        if "ports" in service:
            service["ports"] = [
                f"127.0.0.1::{str(item).split('/')[0].split(':')[-1]}"
                for item in service.get("ports") or []
            ]
        if "env_file" in service:
            files = service["env_file"]
            files = [files] if isinstance(files, str) else files
            service["env_file"] = [str((app_dir / f).resolve()) for f in files]
    return result


def log_tail(text: str, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, for a failure message."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def shell_quote(word: str) -> str:
    """One argument quoted for ``/bin/sh`` (testinfra runs commands through a shell)."""
    return shlex.quote(word)


def was_killed(exit_code: int | None) -> bool:
    """True when a stop ended in SIGKILL (137 from Docker, -9 from a raw wait status).

    >>> was_killed(137), was_killed(0), was_killed(143)
    (True, False, False)
    """
    return exit_code in (137, -9)


def parse_listeners(proc_net_tcp: str) -> list[tuple[str, int]]:
    """Listening sockets ``(address, port)`` from ``/proc/net/tcp`` and ``tcp6`` text.

    Slim images have no ``ss``/``netstat``; the kernel's table is always there.

    >>> parse_listeners('''  sl  local_address rem_address   st
    ...    0: 0100007F:1F40 00000000:0000 0A 0
    ...    1: 00000000:1388 00000000:0000 0A 0
    ...    2: 0100007F:1F40 0100007F:9C40 01 0''')
    [('127.0.0.1', 8000), ('0.0.0.0', 5000)]
    """
    found = []
    for line in proc_net_tcp.splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[3] != "0A" or ":" not in parts[1]:
            continue
        address, _, port = parts[1].partition(":")
        raw = bytes.fromhex(address)
        # the kernel prints each 32-bit word in host (little-endian) order
        packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
        ip = ipaddress.ip_address(packed)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        found.append((str(ip), int(port, 16)))
    return found


LOOPBACK = frozenset({"127.0.0.1", "::1"})
DOCKER_DNS = "127.0.0.11"  # Docker's embedded resolver listens inside every user network


def listen_verdict(listeners: Sequence[tuple[str, int]], port: int) -> str | None:
    """Why the web service cannot be reached through its published port, or None.

    >>> listen_verdict([("127.0.0.1", 8000)], 8000)
    'web listens on 127.0.0.1 inside the container; bind 0.0.0.0:$PORT (PORT=8000)'
    >>> listen_verdict([("0.0.0.0", 5000)], 8000)
    'web listens on port 5000, not on $PORT (8000): bind 0.0.0.0:$PORT'
    >>> listen_verdict([("::", 8000)], 8000) is None
    True
    >>> listen_verdict([("0.0.0.0", 5000), ("127.0.0.11", 39513)], 8000)[:27]
    'web listens on port 5000, n'
    """
    listeners = [(ip, p) for ip, p in listeners if ip != DOCKER_DNS]
    on_port = [ip for ip, p in listeners if p == port]
    if any(ip not in LOOPBACK for ip in on_port):
        return None
    if on_port:
        return reachability_verdict(False, True, port)
    others = sorted({p for _, p in listeners})
    if others:
        listed = ", ".join(str(p) for p in others)
        return f"web listens on port {listed}, not on $PORT ({port}): bind 0.0.0.0:$PORT"
    return reachability_verdict(False, False, port)


LISTENERS_ARGS = ["cat", "/proc/net/tcp", "/proc/net/tcp6"]
