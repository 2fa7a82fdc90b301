"""Where the artifacts state the web port, and where the app in the container really listens.

Pure: Dockerfile text (``EXPOSE``, ``ENV``, ``WORKDIR``), parsed convox.yml and compose
services, and the kernel's ``/proc/net/tcp`` table read inside the container. The verdicts are
the messages the gate's port checks fail with.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from h2c.artifacts.compose import compose_web_port
from h2c.artifacts.convox_yml import convox_port
from h2c.artifacts.dockerfile import dockerfile_env, dockerfile_expose


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


# --- where the app listens ---------------------------------------------------------------


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
