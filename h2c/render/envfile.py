"""Write convox.env: the copied config values, one ``KEY=VALUE`` line each.

The only writer that reveals secrets. ``convox env set`` reads stdin lines split at the first
``=`` with no quote stripping, so values are written bare, exactly as Heroku holds them.
Multi-line values cannot live in Convox env at all (its store is line-based): each one is
written as its one-line base64 twin ``H2C_B64_<KEY>`` (``h2c.render.multiline``), which the
image's entrypoint shim decodes; the keys are listed so the Dockerfile and convox.yml carry the
shim and the twins' declarations. The caller writes the file with mode 0600.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.model import AppSpec
from h2c.plan.planner import ConvoxPlan
from h2c.render.multiline import twin_env_lines


@dataclass(frozen=True)
class EnvFileResult:
    text: str  # no header: every line is read by `convox env set`
    multiline_keys: tuple[str, ...]  # carried by base64 twins (h2c.render.multiline)


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
    ("A=x='1'\\nH2C_B64_PEM=YQpi\\n", ('PEM',))
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
            lines += twin_env_lines({var.key: var.value})
        else:
            lines.append(f"{var.key}={var.value.reveal()}")
    return EnvFileResult("".join(line + "\n" for line in lines), tuple(multiline))
