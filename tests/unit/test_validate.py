"""The convox.yml and Gen1 compose validators: one crafted bad manifest per rule."""

from __future__ import annotations

import pytest

from h2c.artifacts.validate import validate_compose, validate_convox_yml

GOOD = """\
environment:
  - COMPANY=Convox
  - DOCS_URL
resources:
  database:
    type: postgres
    options:
      version: "17"
services:
  web:
    build: .
    command: bin/web
    port: 3000
    health: /check
    environment:
      - SECRET_KEY
    resources:
      - database
    scale:
      count: 2
      memory: 512
      cpu: 250
  worker:
    command: bin/worker
    scale: 1
"""


def test_good_manifest_passes() -> None:
    assert validate_convox_yml(GOOD) == []


BAD = {
    "unknown top-level key": ("services:\n  web:\n    port: 1\n    health: /\nbogus: 1\n", "bogus"),
    "service name": ("services:\n  urgent_worker:\n    command: x\n", "urgent_worker"),
    "uppercase service": ("services:\n  Web:\n    command: x\n", "'Web'"),
    "resource name": (
        "resources:\n  my_db:\n    type: postgres\n    options: {version: '17'}\n",
        "my_db",
    ),
    "environment map": ("services:\n  w:\n    environment:\n      A: b\n", "list of strings"),
    "top environment map": ("environment:\n  A: b\n", "list of strings"),
    "environment non-string": ("services:\n  w:\n    environment:\n      - 5\n", "entry 5"),
    "interpolation": ("services:\n  w:\n    command: run ${X:-2}\n", ":3: `${`"),
    "interpolation in env": ("services:\n  w:\n    environment:\n      - A=${B}\n", ":4:"),
    "web without port": ("services:\n  web:\n    health: /\n", "needs a port"),
    "web without health": ("services:\n  web:\n    port: 80\n", "needs a port and a health"),
    "bad port": ("services:\n  w:\n    port: http-3000\n", "port must be"),
    "unknown resource type": ("resources:\n  db:\n    type: oracle\n", "unknown type 'oracle'"),
    "postgres without version": ("resources:\n  db:\n    type: postgres\n", "options.version"),
    "rds without class": (
        "resources:\n  db:\n    type: rds-postgres\n    options: {version: '16'}\n",
        "options.class",
    ),
    "scale shape": ("services:\n  w:\n    scale: [1]\n", "scale must be"),
    "scale key": ("services:\n  w:\n    scale: {replicas: 2}\n", "unknown scale key"),
    "scale memory": ("services:\n  w:\n    scale: {memory: 512MB}\n", "scale.memory"),
    "scale count": ("services:\n  w:\n    scale: {count: -1}\n", "scale.count"),
    "unknown linked resource": ("services:\n  w:\n    resources: [db]\n", "unknown resource 'db'"),
    "health key": (
        "services:\n  web:\n    port: 80\n    health: {path: /, wait: 3}\n",
        "unknown health key",
    ),
    "command list": ("services:\n  w:\n    command: [a, b]\n", "command must be a string"),
    "not yaml": ("services: [\n", "not valid YAML"),
    "not a mapping": ("- a\n", "top level must be a mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_manifest_is_rejected(case: str) -> None:
    text, expected = BAD[case]
    problems = validate_convox_yml(text)
    assert any(expected in p for p in problems), problems


def test_scheme_port_and_count_range_are_fine() -> None:
    text = "services:\n  web:\n    port: https:3000\n    health: /\n    scale: {count: 1-3}\n"
    assert validate_convox_yml(text) == []


GOOD_COMPOSE = """\
version: "2"
services:
  web:
    build: .
    command: bin/web
    ports:
      - "80:8000"
    environment:
      - SECRET_KEY
      - MODE=prod
    links:
      - database
  database:
    image: postgres:17
"""


def test_good_compose_passes() -> None:
    assert validate_compose(GOOD_COMPOSE) == []


BAD_COMPOSE = {
    "version": ('version: "3"\nservices:\n  web:\n    build: .\n', "version must be"),
    "numeric version": ("version: 2\nservices:\n  web:\n    build: .\n", "version must be"),
    "underscore": ('version: "2"\nservices:\n  my_web:\n    build: .\n', "may not contain '_'"),
    "key": ('version: "2"\nservices:\n  web:\n    build: .\n    env_file: x\n', "'env_file'"),
    "no build": ('version: "2"\nservices:\n  web:\n    command: x\n', "needs build or image"),
    "link": ('version: "2"\nservices:\n  web:\n    build: .\n    links: [db]\n', "unknown service"),
    "no services": ('version: "2"\n', "non-empty mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD_COMPOSE))
def test_bad_compose_is_rejected(case: str) -> None:
    text, expected = BAD_COMPOSE[case]
    problems = validate_compose(text)
    assert any(expected in p for p in problems), problems
