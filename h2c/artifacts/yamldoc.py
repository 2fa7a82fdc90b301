"""YAML documents the gate reads (convox.yml, docker-compose.yml): one way to load one, and to
say where it is broken."""

from __future__ import annotations

from typing import Any

import yaml

from h2c.errors import InputError, Location


def yaml_error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line PyYAML names for a parse error, when it names one."""
    mark = getattr(error, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else None


def load_yaml_mapping(text: str, *, file: str) -> dict[str, Any]:
    """A YAML document that must be a mapping; InputError with the line on anything else.

    >>> load_yaml_mapping("services: {}\\n", file="convox.yml")
    {'services': {}}
    >>> load_yaml_mapping("a: [\\n", file="convox.yml")
    Traceback (most recent call last):
    h2c.errors.InputError: convox.yml:2: not valid YAML
    >>> load_yaml_mapping("- a\\n", file="convox.yml")
    Traceback (most recent call last):
    h2c.errors.InputError: convox.yml: expected a mapping at the top level
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(Location(file, yaml_error_line(error)), "not valid YAML") from None
    if not isinstance(data, dict):
        raise InputError(file, "expected a mapping at the top level")
    return data
