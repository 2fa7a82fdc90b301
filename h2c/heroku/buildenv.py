"""Which config vars an app's build reads: Heroku exposes every config var to the build, so
``bin/pre_compile``, ``bin/post_compile`` and the Django settings that collectstatic imports may
depend on them (``DJANGO_SETTINGS_MODULE=config.settings.production``...).

Pure: text in, ``(key, line)`` references out. A reference is a shell ``$KEY``/``${KEY}`` or a
Python read: ``os.environ["KEY"]``, ``os.environ.get("KEY")``, ``os.getenv("KEY")``, and the
helpers of django-environ / python-decouple / environs (``env("KEY")``, ``env.bool("KEY")``,
``config("KEY")``).
"""

from __future__ import annotations

import re

_PY = re.compile(
    r"""(?:os\.environ(?:\.get)?\s*[\[(]|os\.getenv\s*\(|\benv(?:\.\w+)?\s*\(|\bconfig\s*\()"""
    r"""\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]"""
)
_SH = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_SETTINGS_DEFAULT = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]""")


def python_reads(text: str) -> list[tuple[str, int]]:
    """Env vars a Python file reads, with their lines.

    >>> python_reads('import os\\nA = os.environ["A"]\\nB = env.bool("B", default=False)\\n')
    [('A', 2), ('B', 3)]
    """
    return [(m[1], n) for n, line in _lines(text) for m in _PY.finditer(line)]


def shell_reads(text: str) -> list[tuple[str, int]]:
    """Env vars a shell hook reads, with their lines (comments skipped).

    >>> shell_reads('#!/bin/sh\\n# $NOT_THIS\\necho "$DJANGO_SETTINGS_MODULE" ${X}\\n')
    [('DJANGO_SETTINGS_MODULE', 3), ('X', 3)]
    """
    found = []
    for n, line in _lines(text):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#!") else ""
        found += [(m[1], n) for m in _SH.finditer(code)]
    return found


def default_settings_module(manage_py: str) -> str | None:
    """The settings module manage.py falls back to.

    >>> default_settings_module('os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfg.settings")')
    'cfg.settings'
    """
    match = _SETTINGS_DEFAULT.search(manage_py)
    return match[1] if match else None


def settings_files(module: str) -> list[str]:
    """App-relative paths a settings module can live at.

    >>> settings_files("config.settings.production")
    ['config/settings/production.py', 'config/settings/production/__init__.py']
    """
    base = module.replace(".", "/")
    return [f"{base}.py", f"{base}/__init__.py"]


def _lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))
