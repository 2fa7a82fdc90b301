"""The Node.js database probe (h2c.gate.node_probe) run by the host's node against fake pg and
knex modules: it judges the settings the app's own files make, in the env it runs with."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from h2c.gate import db_probe

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="no node on this machine")

# A driver that "connects" unless TLS is asked for (as Convox's postgres: no TLS), the way
# node-postgres decides: the ssl option, else the URL's sslmode, else PGSSLMODE.
FAKE_PG = """
function wantsTls(o) {
  if (o && o.ssl !== undefined) return Boolean(o.ssl);
  if (o && /sslmode=require/.test(o.connectionString || '')) return true;
  return process.env.PGSSLMODE === 'require';
}
class Client {
  constructor(options) { this.options = options; }
  async connect() {
    if (wantsTls(this.options)) throw new Error('The server does not support SSL connections');
  }
  async end() {}
}
class Pool { constructor(options) { this.options = options; } }
module.exports = { Client, Pool };
"""
FAKE_KNEX = """
module.exports = function knex(config) {
  const { Client } = require('pg');
  return {
    raw: async () => { const c = new Client(config.connection); await c.connect(); },
    destroy: async () => {},
  };
};
"""
HEROKU_SNIPPET = """const { Pool } = require("pg");
module.exports = new Pool({
  connectionString: process.env.DATABASE_URL,
  ssl: { rejectUnauthorized: false },
});
"""
CONDITIONAL = """const knex = require("knex");
require("http").createServer(() => {}).listen(1);
module.exports = knex({ client: "pg", connection: {
  connectionString: process.env.DATABASE_URL,
  ssl: process.env.NODE_ENV === "production" ? { rejectUnauthorized: false } : false,
} });
"""


# A real app's pattern: the client is made by a factory the routes call, never at load.
FACTORY = """const { Client } = require("pg");
const getClient = () => new Client({
  connectionString: process.env.DATABASE_URL,
  ssl: { rejectUnauthorized: false },
});
module.exports = getClient;
"""


# pg before 7: connect(callback) only (it returns nothing), and no connectionString key.
FAKE_PG6 = """
class Client {
  constructor(options) { this.options = typeof options === 'string' ? {} : options; }
  connect(callback) {
    const o = this.options;
    setTimeout(() => callback(o.ssl ? new Error('The server does not support SSL connections')
      : (o.host ? null : new Error('connect ECONNREFUSED 127.0.0.1:5432'))), 10);
  }
  end() {}
}
module.exports = { Client, Pool: Client };
"""


def run_probe(
    app: Path, db_js: str | None, pg: str | None = None, **env: str
) -> db_probe.ProbeOutcome:
    for name, text in (("pg", pg or FAKE_PG), ("knex", FAKE_KNEX)):
        (app / "node_modules" / name).mkdir(parents=True, exist_ok=True)
        (app / "node_modules" / name / "index.js").write_text(text)
    (app / "package.json").write_text('{"name": "probe-test"}')
    if db_js is not None:
        (app / "db.js").write_text(db_js)
    from h2c.heroku.node_app import load_node

    sites = load_node(app, (), procfile="Procfile", root=str(app))[0].node_tls_sites
    args = db_probe.probe_args(["database"], None, language="node", tls_sites=sites)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@db/app", **env}
    done = subprocess.run(args, cwd=app, env=env, capture_output=True, text=True, timeout=60)
    return db_probe.ProbeOutcome("web", "its container", done.returncode, done.stdout)


def test_herokus_snippet_fails_naming_the_file_and_setting(tmp_path: Path) -> None:
    outcome = run_probe(tmp_path, HEROKU_SNIPPET)
    message = db_probe.failure(outcome, {"web": ["database"]})
    assert message is not None
    assert "db.js:2 (new Pool): Error: The server does not support SSL connections" in message
    assert "TLS demanded by ssl: {rejectUnauthorized: false}" in message
    assert "Convox's postgres resource speaks plain TCP" in message


@pytest.mark.parametrize(("node_env", "connects"), [("development", True), ("production", False)])
def test_conditional_tls_is_judged_by_the_env(
    tmp_path: Path, node_env: str, connects: bool
) -> None:
    outcome = run_probe(tmp_path, CONDITIONAL, NODE_ENV=node_env)
    assert (outcome.exit_code == 0) is connects, outcome.output
    if not connects:
        assert outcome.reason.startswith("db.js:3 (knex()): Error: The server does not support SSL")


def test_pgsslmode_is_named_when_it_demands_tls(tmp_path: Path) -> None:
    outcome = run_probe(tmp_path, None, PGSSLMODE="require")
    assert outcome.exit_code == 1
    assert outcome.reason.endswith("TLS demanded by PGSSLMODE=require"), outcome.output
    assert run_probe(tmp_path, None).exit_code == 0


def test_a_factory_made_client_is_judged_by_its_settings(tmp_path: Path) -> None:
    outcome = run_probe(tmp_path, FACTORY)
    assert outcome.exit_code == 1, outcome.output
    assert outcome.reason.startswith("db.js:4 (its ssl settings, DATABASE_URL): Error: The server")
    assert outcome.reason.endswith("TLS demanded by ssl: {rejectUnauthorized: false}")


def test_an_old_pg_is_asked_by_callback_and_given_the_url_as_parts(tmp_path: Path) -> None:
    """pg 6 (heroku-postgres-sequelize-example's) answers by callback only: awaiting its
    connect() passed without connecting; and it ignores a connectionString key."""
    assert run_probe(tmp_path, None, pg=FAKE_PG6).exit_code == 0
    outcome = run_probe(tmp_path, FACTORY, pg=FAKE_PG6)
    assert outcome.exit_code == 1, outcome.output
    assert "The server does not support SSL connections" in outcome.reason


def test_a_pg_that_never_answers_on_this_node_is_named(tmp_path: Path) -> None:
    """pg before 8.0.3 waits on nothing under Node 14+: the event loop empties, no error."""
    silent = "class Client { connect(callback) {} end() {} }\nmodule.exports = { Client };\n"
    (tmp_path / "node_modules" / "pg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pg" / "package.json").write_text('{"version": "6.4.2"}')
    outcome = run_probe(tmp_path, None, pg=silent)
    assert outcome.exit_code == 1
    assert outcome.reason == (
        "the driver never answered (no connection made); pg 6.4.2 is older than 8.0.3, "
        "which never connects on Node 14 and later"
    )
