"""Rules the generator and the gate must apply the same way (each once, in one place).

Both of these disagreed before the layers were made folders: the gate named services with a
rule of its own, and read convox.env with a parser of its own.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from h2c.artifacts.app import load_target
from h2c.artifacts.envsides import load_sides
from h2c.cli import main


def _generated(tmp_path: Path, procfile: str) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "Procfile").write_text(procfile, encoding="utf-8")
    (app / "requirements.txt").write_text("gunicorn==23.0.0\n", encoding="utf-8")
    (app / ".python-version").write_text("3.11\n", encoding="utf-8")
    assert main(["generate", str(app)]) == 0
    return app


def test_gate_looks_for_the_services_convox_yml_has(tmp_path: Path) -> None:
    procfile = "web: gunicorn app:app\n2worker: python w.py\na-b: python a.py\na_b: python b.py\n"
    app = _generated(tmp_path, procfile)
    convox = yaml.safe_load((app / "convox.yml").read_text(encoding="utf-8"))
    gate_app = load_target(app)
    assert sorted(gate_app.service_names.values()) == sorted(convox["services"])
    assert gate_app.service_names["2worker"] == "p-2worker"
    assert gate_app.service_names["a_b"] == "a-b-2"


def test_gate_and_env_diff_read_convox_env_alike(tmp_path: Path) -> None:
    app = _generated(tmp_path, "web: gunicorn app:app\n")
    (app / "convox.env").write_text(" A=1\nexport B=2\n9C=3\n# note=4\n", encoding="utf-8")
    config = tmp_path / "config.txt"
    config.write_text("A=1\nB=2\n", encoding="utf-8")
    gate_keys = set(load_target(app).app_env)
    diff_keys = set(load_sides(app, config=config).convox)
    assert gate_keys == {"A", "export B", "9C", "# note"}  # what Convox would store
    assert gate_keys <= diff_keys
