"""The Node.js reader: heroku-buildpack-nodejs's decisions, from synthetic app folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from h2c.errors import InputError
from h2c.heroku.app import load_app
from h2c.heroku.node import detect_node_runtime, direct_commands, node_major, pg_ssl_findings
from h2c.model import Process, Severity
from h2c.plan.migrations import KNEX_SCRIPT, NODE_PG_MIGRATE_SCRIPT, migration_command


def package(**fields: object) -> str:
    return json.dumps({"name": "app", **fields})


@pytest.mark.parametrize(
    ("engines", "major"),
    [
        ("20.x", "20"),
        ("20", "20"),
        ("^18.17.0", "18"),
        ("~20.11.1", "20"),
        (">=18 <21", "20"),
        ("18.x || 20.x", "20"),
        ("22.4.1", "22"),
        (None, "24"),
        ("*", "24"),
    ],
)
def test_engines_node_picks_the_newest_matching_major(engines: str | None, major: str) -> None:
    assert node_major(engines) == major


def test_engines_node_that_matches_nothing_is_bad_input() -> None:
    with pytest.raises(InputError, match=r"matches no Node\.js version"):
        detect_node_runtime({"package.json": package(engines={"node": "3.x"})})


@pytest.mark.parametrize(
    ("lockfile", "manager"),
    [
        ("package-lock.json", "npm"),
        ("npm-shrinkwrap.json", "npm"),
        ("yarn.lock", "yarn"),
        ("pnpm-lock.yaml", "pnpm"),
    ],
)
def test_package_manager_comes_from_the_lockfile(lockfile: str, manager: str) -> None:
    rt, _, findings = detect_node_runtime({"package.json": package(), lockfile: ""})
    assert (rt.language, rt.package_manager) == ("node", manager)
    assert rt.dependency_files == ("package.json", lockfile)
    assert not findings


def test_yarn_berry_from_the_lockfile_metadata_or_package_manager() -> None:
    files = {"package.json": package(), "yarn.lock": "__metadata:\n  version: 6\n"}
    assert detect_node_runtime(files)[0].package_manager == "yarn-berry"
    files = {"package.json": package(packageManager="yarn@1.22.22"), "yarn.lock": ""}
    assert detect_node_runtime(files)[0].package_manager == "yarn"


def test_more_than_one_lockfile_is_an_error_as_on_heroku() -> None:
    files = {"package.json": package(), "yarn.lock": "", "package-lock.json": "{}"}
    with pytest.raises(InputError, match=r"multiple lockfiles.*package-lock\.json, yarn\.lock"):
        detect_node_runtime(files)


def test_no_lockfile_installs_with_npm_and_says_so() -> None:
    rt, _, findings = detect_node_runtime({"package.json": package()})
    assert rt.package_manager == "npm" and rt.dependency_files == ("package.json",)
    assert "no lockfile" in findings[0].message


def test_heroku_postbuild_replaces_build_and_prebuild_cleanup_are_seen() -> None:
    scripts = {
        "build": "tsc",
        "heroku-postbuild": "webpack",
        "heroku-prebuild": "x",
        "heroku-cleanup": "y",
    }
    rt, _, _ = detect_node_runtime({"package.json": package(scripts=scripts)})
    assert (rt.node_build_script, rt.node_prebuild, rt.node_cleanup) == (
        "heroku-postbuild",
        True,
        True,
    )
    rt, _, _ = detect_node_runtime({"package.json": package(scripts={"build": "tsc"})})
    assert (rt.node_build_script, rt.node_prebuild) == ("build", False)


def test_migration_tool_is_a_runtime_dependency() -> None:
    rt, _, _ = detect_node_runtime({"package.json": package(dependencies={"knex": "3", "pg": "8"})})
    assert rt.migrations == "knex"
    rt, _, _ = detect_node_runtime({"package.json": package(dependencies={"node-pg-migrate": "7"})})
    assert rt.migrations == "node-pg-migrate"
    command = migration_command([], migrations="knex")
    assert command is not None and command.shown == KNEX_SCRIPT
    command = migration_command([], migrations="node-pg-migrate")
    assert command is not None and command.shown == NODE_PG_MIGRATE_SCRIPT


def test_npm_start_runs_a_plain_start_script_directly() -> None:
    procs, findings = direct_commands(
        (Process("web", "npm start", 1), Process("worker", "npm run work", 2)),
        {"start": "node server.js", "work": "node worker.js --queue=mail"},
        has_server_js=False,
        procfile="Procfile",
    )
    assert [p.command for p in procs] == ["node server.js", "node worker.js --queue=mail"]
    assert all(f.severity is Severity.INFO for f in findings)


@pytest.mark.parametrize(
    ("scripts", "why"),
    [
        ({"start": "node a.js", "prestart": "node b.js"}, "npm also runs prestart"),
        ({"start": "npm run build && node a.js"}, "shell command line"),
        ({"start": "yarn serve"}, "runs yarn itself"),
        ({}, "no 'start' script"),
    ],
)
def test_npm_start_is_kept_and_the_reason_named(scripts: dict[str, str], why: str) -> None:
    procs, findings = direct_commands(
        (Process("web", "npm start", 1),), scripts, has_server_js=False, procfile="Procfile"
    )
    assert procs[0].command == "npm start"
    assert findings[0].severity is Severity.WARNING
    assert why in findings[0].message and "SIGTERM reaches npm" in findings[0].message


def test_npm_start_without_a_start_script_runs_server_js() -> None:
    procs, _ = direct_commands(
        (Process("web", "npm start", 1),), {}, has_server_js=True, procfile="Procfile"
    )
    assert procs[0].command == "node server.js"


def test_pg_settings_that_always_demand_tls_are_a_decision() -> None:
    found = pg_ssl_findings(
        {
            "db.js": "const pool = new Pool({\n  ssl: { rejectUnauthorized: false },\n});\n",
            "ok.js": "const ssl = process.env.PGSSLMODE ? { rejectUnauthorized: false } : false;",
            "url.js": "connect('postgres://h/db?sslmode=require')",
        }
    )
    assert [(f.file, f.line, f.severity) for f in found] == [
        ("db.js", 2, Severity.DECISION),
        ("url.js", 1, Severity.DECISION),
    ]
    assert "Convox's postgres resource offers none" in found[0].message


def _app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_node_app_without_a_procfile_runs_web_npm_start(tmp_path: Path) -> None:
    app = _app(
        tmp_path,
        {"package.json": package(scripts={"start": "node index.js"}), "package-lock.json": "{}"},
    )
    spec = load_app(app)
    assert spec.runtime.language == "node"
    assert [(p.name, p.command) for p in spec.processes] == [("web", "node index.js")]
    assert any("no Procfile" in f.message for f in spec.findings)


def test_package_json_beside_a_python_dependency_file_is_a_python_app(tmp_path: Path) -> None:
    app = _app(
        tmp_path,
        {"package.json": package(), "requirements.txt": "flask\n", "Procfile": "web: flask run\n"},
    )
    assert load_app(app).runtime.language == "python"


def test_malformed_package_json_names_the_line(tmp_path: Path) -> None:
    app = _app(tmp_path, {"package.json": '{\n  "name": "x",\n}\n'})
    with pytest.raises(InputError, match=r"package.json:3:\d+: not valid JSON"):
        load_app(app)


def test_install_settings_are_dependency_files_and_the_tool_is_pinned() -> None:
    files = {"package.json": package(packageManager="pnpm@10.2.0"), "pnpm-lock.yaml": ""}
    files |= {".npmrc": "", "pnpm-workspace.yaml": "packages:\n  - apps/*\n"}
    rt = detect_node_runtime(files)[0]
    assert rt.dependency_files == (
        "package.json",
        "pnpm-lock.yaml",
        ".npmrc",
        "pnpm-workspace.yaml",
    )
    assert (rt.node_tool, rt.node_workspaces, rt.node_pnp) == ("pnpm@10.2.0", True, False)


def test_a_package_manager_of_another_tool_keeps_the_default_version() -> None:
    files = {"package.json": package(packageManager="pnpm@9.0.0"), "yarn.lock": ""}
    rt, _, findings = detect_node_runtime(files)
    assert rt.node_tool == "yarn@1.22.22" and "the build uses yarn" in findings[0].message
