"""What ``h2c compare`` and ``h2c postdeploy`` share: preflight steps, plugin options, the end."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from h2c import output
from h2c.errors import EnvironmentMissing, InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from h2c.gate.summary import Record


def require_generated(app_dir: Path) -> None:
    """Exit 2 unless ``APP_DIR`` holds a convox.yml."""
    app_dir = app_dir.resolve()
    if not (app_dir / "convox.yml").is_file():
        raise InputError(str(app_dir / "convox.yml"), f"not found: run `h2c generate {app_dir}`")


def cli_binary(value: str) -> str:
    """An argparse type for ``--heroku-bin``/``--convox-bin``: a name stays a name (looked up on
    PATH), a path is made absolute once, here, for every reader (the checks run from a scratch
    folder).

    >>> cli_binary("heroku")
    'heroku'
    >>> cli_binary("bin/convox") == str(Path.cwd() / "bin" / "convox")
    True
    """
    return str(Path(value).resolve()) if os.sep in value else value


def require_cli(name: str, binary: str | None) -> None:
    """Exit 3 unless the ``name`` CLI (``binary`` when given) is installed."""
    if shutil.which(binary or name) is None:
        where = f" (looked for {binary})" if binary else " on PATH"
        raise EnvironmentMissing(f"the `{name}` CLI is not installed{where}")


def plugin_args(
    args: argparse.Namespace, kind: str, passed: Sequence[str], paths: Sequence[str]
) -> list[str]:
    """``--h2c-<kind>-app`` and ``--h2c-<kind>-<key>`` (``--junit-xml``) for each key of
    ``passed`` that is set, its value as given (``paths`` made absolute)."""
    out = [f"--h2c-{kind}-app", str(args.app_dir.resolve())]
    for key in passed:
        value = getattr(args, key)
        flag = "--junit-xml" if key == "junit_xml" else f"--h2c-{kind}-{key.replace('_', '-')}"
        if value is None:
            continue
        out += [flag, str(Path(value).resolve()) if key in paths else str(value)]
    return out


def finish(
    args: argparse.Namespace, run: Any, *, title: str, words: tuple[str, str],
    extra: Mapping[str, Any] | None = None,
) -> int:  # fmt: skip
    """Print ``run`` (JSON with ``--json``, else the table and a verdict line); its exit code.

    ``title``: ``"h2c <command>: ..."``; the verdict line starts with ``h2c <command>``.

    ``words``: the verdict when all passed and when not, e.g. ``("SAME", "DIFFERENT")``.
    """
    import json

    from h2c.gate.summary import render

    records: list[Record] = run.records
    if args.json:
        doc = {"exit_code": run.exit_code, "checks": [r.row() for r in records], **(extra or {})}
        output.raw(json.dumps(doc, indent=2) + "\n")
        return int(run.exit_code)
    width = max(shutil.get_terminal_size((160, 24)).columns, 120)
    output.raw(render(records, title=title, width=width))
    failed = sum(r.result in ("failed", "error") for r in records)
    good, bad = words
    verdict = good if run.exit_code == 0 else f"{bad} ({failed} of {len(records)})"
    output.info(f"{title.partition(':')[0]}: {verdict} (exit {run.exit_code})")
    return int(run.exit_code)
