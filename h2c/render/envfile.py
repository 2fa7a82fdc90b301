"""Write convox.env: the copied config values, one ``KEY=VALUE`` line each.

The only writer that reveals secrets. ``convox env set`` reads stdin lines split at the first
``=`` with no quote stripping, so values are written bare, exactly as Heroku holds them.
Multi-line values cannot go through stdin: they are left out and listed for the runbook.
The caller writes the file with mode 0600.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.model import AppSpec
from h2c.plan.planner import ConvoxPlan


@dataclass(frozen=True)
class EnvFileResult:
    text: str  # no header: every line is read by `convox env set`
    multiline_keys: tuple[str, ...]  # set these one by one (see MIGRATION.md)


def render_convox_env(spec: AppSpec, plan: ConvoxPlan) -> EnvFileResult:
    """``KEY=VALUE`` lines for the plan's copy keys, in config order.

    >>> from h2c.model import AppSpec, ConfigVar, Runtime
    >>> from h2c.secret import Secret
    >>> from h2c.plan.planner import plan
    >>> rt = Runtime("python", "3.12", "default", "pip", ("requirements.txt",))
    >>> spec = AppSpec("demo", (), rt, config=(ConfigVar("A", Secret("x='1'")),
    ...     ConfigVar("PEM", Secret("a\\nb")), ConfigVar("HEROKU_APP_NAME", Secret("demo"))))
    >>> result = render_convox_env(spec, plan(spec))
    >>> result.text, result.multiline_keys
    ("A=x='1'\\n", ('PEM',))
    """
    wanted = set(plan.copy_keys)
    lines: list[str] = []
    multiline: list[str] = []
    seen: set[str] = set()
    for var in spec.config:
        if var.key not in wanted or var.key in seen:
            continue
        seen.add(var.key)
        if var.value.is_multiline:
            multiline.append(var.key)
        else:
            lines.append(f"{var.key}={var.value.reveal()}")
    return EnvFileResult("".join(line + "\n" for line in lines), tuple(multiline))
