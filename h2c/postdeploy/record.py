"""Take a baseline at cut-over (``h2c db snapshot``): the database's shape and, when a Convox
app is named, the digests of its active release's env. Read-only on both."""

from __future__ import annotations

from pathlib import Path

from h2c.adapters.convox_cli import ConvoxCli
from h2c.postdeploy.baseline import Baseline, env_baseline, to_json


def take_baseline(dsn: str, *, convox: ConvoxCli | None = None, file: str) -> Baseline:
    """The database snapshot, plus the env digests of ``convox``'s active release if given."""
    from h2c.db import snapshot

    env = None
    if convox is not None:
        release = convox.active_release()
        env = env_baseline(release, convox.env(release))
    return Baseline(snapshot.take(dsn), env, file)


def write_baseline(baseline: Baseline, path: Path) -> None:
    """Write it (no values in it: counts, types, digests)."""
    path.write_text(to_json(baseline), encoding="utf-8")
