"""Decide what heroku/heroku-buildpack-nodejs would: Node version, package manager, build scripts.

Pure: the loader passes the text of ``package.json`` and the lockfiles it finds
(``node_pm.NODE_FILES``), and the Procfile's processes. The buildpack's rules (REFERENCE "Heroku
Node.js buildpack"): the version from ``engines.node`` (else the current LTS), the package
manager (``node_pm``), ``heroku-prebuild`` before the install,
``heroku-postbuild`` instead of ``build`` after it, devDependencies pruned, ``NODE_ENV`` set to
production, ``web: npm start`` without a Procfile. Besides those: the migration tool (knex,
node-pg-migrate), pg settings that always demand TLS, and the start script's own command, run
directly so SIGTERM reaches node rather than npm.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping

from h2c.errors import InputError, Location
from h2c.heroku.jsonshape import load_json
from h2c.heroku.node_pm import (
    install_inputs,
    package_manager,
    tool_package,
    workspaces,
    yarn_berry,
    yarn_pnp,
)
from h2c.model import Finding, Process, Runtime, Severity

# The buildpack's default when engines.node is absent: the current LTS line.
DEFAULT_MAJOR = "24"
# Majors Heroku's inventory offers (newest first): a range resolves to the newest that matches.
KNOWN_MAJORS = tuple(str(m) for m in range(25, 13, -1))
MIGRATION_TOOLS = ("knex", "node-pg-migrate")
_SHELL_RE = re.compile(r"[;&|<>`()]|\$\(")
_RUNNERS = frozenset({"npm", "yarn", "pnpm", "npx"})
# ``ssl: {...}`` / ``ssl: true`` as a literal (a conditional ``ssl: cond ? {...} : false`` is
# fine), or a URL that asks for TLS.
_PG_SSL_RE = re.compile(
    r"\bssl\s*:\s*(?:true\b|\{)|[?&]ssl(?:mode)?=(?:require|verify-ca|verify-full|true)\b"
)


def parse_package_json(text: str, *, file: str) -> dict[str, object]:
    """package.json as a mapping; malformed JSON is an InputError naming the line.

    >>> parse_package_json('{"name": "x"}', file="package.json")
    {'name': 'x'}
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Location(file, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}"
        ) from None
    except (RecursionError, ValueError):
        pass  # load_json says where: nesting, a number too long
    data = load_json(text, file)  # also refuses lone surrogates
    if not isinstance(data, dict):
        raise InputError(Location(file, pointer=""), "expected a JSON object")
    return data


def node_major(engines: str | None) -> str:
    """The major version the buildpack installs for an ``engines.node`` range.

    >>> node_major("20.x"), node_major(">=18 <21"), node_major("^18.17.0"), node_major(None)
    ('20', '20', '18', '24')
    >>> node_major("16 || 18"), node_major("~20.11"), node_major(">=18")
    ('18', '20', '25')
    """
    if engines is None or not engines.strip() or engines.strip() in ("*", "x", "latest"):
        return DEFAULT_MAJOR
    for major in KNOWN_MAJORS:
        if any(_set_matches(part, int(major)) for part in engines.split("||")):
            return major
    raise ValueError(engines)


def _set_matches(comparators: str, major: int) -> bool:
    """True when some version of ``major`` can satisfy every comparator (``>=18 <21``)."""
    parts = re.findall(
        r"(\^|~|>=|<=|>|<|=)?\s*v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.\S+)?", comparators
    )
    if not parts:
        return False
    for op, first, _minor in parts:
        if first in ("x", "*"):
            continue
        want = int(first)
        ok = {
            "": major == want, "=": major == want, "^": major == want, "~": major == want,
            ">=": major >= want, ">": major > want or (major == want and bool(_minor)),
            "<": major < want or (major == want and bool(_minor) and _minor not in ("0",)),
            "<=": major <= want,
        }[op]  # fmt: skip
        if not ok:
            return False
    return True


def detect_node_runtime(
    files: Mapping[str, str], *, root: str = ""
) -> tuple[Runtime, dict[str, str], tuple[Finding, ...]]:
    """The buildpack's decisions for a Node app: the Runtime, package.json's scripts, findings.

    >>> rt, scripts, _ = detect_node_runtime({"package.json": '{"engines": {"node": "20.x"}, '
    ...     '"scripts": {"start": "node server.js", "build": "tsc"}}', "package-lock.json": "{}"})
    >>> rt.language, rt.version, rt.package_manager, rt.node_build_script, scripts["start"]
    ('node', '20', 'npm', 'build', 'node server.js')
    """

    def shown(name: str) -> str:
        return f"{root}/{name}" if root else name

    package = parse_package_json(files["package.json"], file=shown("package.json"))
    findings: list[Finding] = []
    engines = _engines(package, shown("package.json"))
    try:
        major = node_major(engines)
    except ValueError:
        raise InputError(
            Location(shown("package.json"), pointer="/engines/node"),
            f"{engines!r} matches no Node.js version Heroku offers "
            f"({KNOWN_MAJORS[-1]}.x to {KNOWN_MAJORS[0]}.x)",
        ) from None
    manager, lockfile = package_manager(files, root or ".")
    manager_spec = package.get("packageManager")
    spec_text = manager_spec if isinstance(manager_spec, str) else None
    if spec_text and lockfile and not spec_text.startswith(manager + "@"):
        findings.append(
            Finding(
                Severity.WARNING,
                f"packageManager is {spec_text!r} but the lockfile is {lockfile}: "
                f"the build uses {manager}, as Heroku's does",
                shown("package.json"),
            )
        )
    if manager == "yarn" and yarn_berry(files, spec_text):
        manager = "yarn-berry"
    scripts = _scripts(package)
    build = "heroku-postbuild" if "heroku-postbuild" in scripts else None
    build = build or ("build" if "build" in scripts else None)
    deps = _dependencies(package)
    runtime = Runtime(
        language="node",
        version=major,
        version_source="package.json" if engines else "default",
        package_manager=manager,
        dependency_files=(
            "package.json",
            *([lockfile] if lockfile else []),
            *install_inputs(files, manager),
        ),
        migrations=next((t for t in MIGRATION_TOOLS if t in deps), None),
        node_engines=engines,
        node_package_manager=spec_text,
        node_tool=tool_package(manager, spec_text),
        node_pnp=manager == "yarn-berry" and yarn_pnp(files),
        node_workspaces=workspaces(package, files),
        node_prebuild="heroku-prebuild" in scripts,
        node_build_script=build,
        node_cleanup="heroku-cleanup" in scripts,
    )
    if not lockfile:
        findings.append(
            Finding(
                Severity.WARNING,
                "no lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml): dependencies are "
                "resolved afresh at every build (`npm install`), as on Heroku; commit one",
                shown("package.json"),
            )
        )
    return runtime, scripts, tuple(findings)


def _engines(package: Mapping[str, object], file: str) -> str | None:
    engines = package.get("engines")
    if engines is None:
        return None
    if not isinstance(engines, dict):
        raise InputError(Location(file, pointer="/engines"), "expected an object")
    node = engines.get("node")
    if node is not None and not isinstance(node, str):
        raise InputError(Location(file, pointer="/engines/node"), "expected a string")
    return node


def _scripts(package: Mapping[str, object]) -> dict[str, str]:
    scripts = package.get("scripts")
    if not isinstance(scripts, dict):
        return {}
    return {str(k): v for k, v in scripts.items() if isinstance(v, str)}


def _dependencies(package: Mapping[str, object]) -> set[str]:
    """The runtime dependencies' names (devDependencies are pruned after the build)."""
    deps = package.get("dependencies")
    return set(deps) if isinstance(deps, dict) else set()


def default_processes(scripts: Mapping[str, str], has_server_js: bool) -> tuple[Process, ...]:
    """What Heroku runs for a Node app without a Procfile: ``web: npm start`` (when npm start
    has something to run: a start script, or server.js, npm's own default).

    >>> default_processes({"start": "node index.js"}, False)
    (Process(name='web', command='npm start', line=0),)
    >>> default_processes({}, False)
    ()
    """
    if "start" in scripts or has_server_js:
        return (Process("web", "npm start", 0),)
    return ()


def direct_commands(
    processes: tuple[Process, ...],
    scripts: Mapping[str, str],
    *,
    has_server_js: bool,
    procfile: str,
) -> tuple[tuple[Process, ...], tuple[Finding, ...]]:
    """Each ``npm start`` / ``npm run X`` replaced by the script's own command where that is
    safe, so SIGTERM reaches node (on Convox the signal goes to the container's command: npm,
    which does not pass it on to the app's shutdown; on Heroku every process of the dyno gets
    it); where it is not safe, a finding says why.

    >>> procs, found = direct_commands((Process("web", "npm start", 1),),
    ...     {"start": "node server.js"}, has_server_js=False, procfile="Procfile")
    >>> procs[0].command
    'node server.js'
    """
    out, findings = [], []
    for proc in processes:
        script = _npm_script(proc.command)
        if script is None:
            out.append(proc)
            continue
        where = procfile if proc.line else "package.json"
        body = scripts.get(script)
        if body is None and script == "start" and has_server_js:
            body = "node server.js"  # npm start's default
        why = _not_direct(script, body, scripts)
        if why:
            findings.append(
                Finding(
                    Severity.WARNING,
                    f"{proc.name}: `{proc.command}` kept: {why}; on Convox SIGTERM reaches npm, "
                    "not node, so the app's shutdown code never runs (make the command the "
                    "script's own, e.g. `node server.js`)",
                    where,
                    proc.line or None,
                )
            )
            out.append(proc)
            continue
        assert body is not None
        findings.append(
            Finding(
                Severity.INFO,
                f"{proc.name}: `{proc.command}` runs the {script} script's own command "
                f"`{body}`, so SIGTERM reaches node and not npm (which does not pass it on)",
                where,
                proc.line or None,
            )
        )
        out.append(Process(proc.name, body, proc.line))
    return tuple(out), tuple(findings)


def _npm_script(command: str) -> str | None:
    """The script ``npm start`` / ``npm run X`` / ``yarn start`` runs, or None.

    >>> _npm_script("npm start"), _npm_script("npm run worker"), _npm_script("node a.js")
    ('start', 'worker', None)
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) == 2 and words[0] in ("npm", "yarn", "pnpm") and words[1] == "start":
        return "start"
    if len(words) == 3 and words[0] in ("npm", "pnpm") and words[1] in ("run", "run-script"):
        return words[2]
    if len(words) == 3 and words[:2] == ["yarn", "run"]:
        return words[2]
    return None


def _not_direct(script: str, body: str | None, scripts: Mapping[str, str]) -> str | None:
    """Why a script cannot run as its own command, or None when it can."""
    if body is None:
        return f"package.json has no {script!r} script"
    hooks = [name for name in (f"pre{script}", f"post{script}") if name in scripts]
    if hooks:
        return f"npm also runs {' and '.join(hooks)} around it"
    if _SHELL_RE.search(body):
        return f"the {script} script is a shell command line (`{body}`)"
    try:
        words = shlex.split(body)
    except ValueError:
        return f"the {script} script does not parse (`{body}`)"
    if words and words[0] in _RUNNERS:
        return f"the {script} script runs {words[0]} itself (`{body}`)"
    return None


def tls_sites(findings: tuple[Finding, ...]) -> tuple[str, ...]:
    """``file:line`` of each ``pg_ssl_findings`` finding: the gate's database probe connects as
    those settings say when the app makes its client later than at load (a factory).

    >>> tls_sites(pg_ssl_findings({"db.js": "x\\nssl: true"}))
    ('db.js:2',)
    """
    return tuple(f"{f.file}:{f.line}" for f in findings)


def pg_ssl_findings(sources: Mapping[str, str]) -> tuple[Finding, ...]:
    """Database settings that always demand TLS (Heroku's documented ``ssl:
    {rejectUnauthorized: false}``): Convox's containerised postgres offers no TLS, so such an
    app cannot connect to it.

    >>> pg_ssl_findings({"db.js": "ssl: { rejectUnauthorized: false }"})[0].line
    1
    """
    found = []
    for name, text in sorted(sources.items()):
        for number, line in enumerate(text.splitlines(), 1):
            if _PG_SSL_RE.search(line):
                found.append(
                    Finding(
                        Severity.DECISION,
                        "the database settings always demand TLS; Convox's postgres resource "
                        "offers none, so the app cannot connect to it: make TLS depend on an "
                        "env var (e.g. `ssl: process.env.PGSSLMODE === 'require' && ...`)",
                        name,
                        number,
                    )
                )
                break
    return tuple(found)
