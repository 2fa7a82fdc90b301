"""The docker-compose.yml the gate runs: the generated one with host ports moved to loopback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


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
