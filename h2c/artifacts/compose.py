"""Reading a docker-compose.yml (Gen1) the way the gate judges it: the published web port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
