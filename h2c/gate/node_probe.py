"""The database probe of a Node.js app: the app's own connection path, in its container.

Before any app code loads, the probe wraps ``pg``'s ``Client`` and ``Pool`` and the ``knex``
factory so that each one the app's own files make is recorded with its options and where it
was made (``db.js:3``); a server those files start does not bind (``listen`` is a no-op). It
then loads the app's files that import ``pg`` or ``knex`` (not ``node_modules``), and connects
with each recorded setting as the app would, in the container's env: so ``ssl: {...}`` always,
``ssl: process.env.NODE_ENV === 'production' ? ...`` and ``PGSSLMODE`` are judged by what
really happens. Nothing recorded: ``knexfile.js``; else, where the app's files hold a setting
that always demands TLS (``tls=db.js:8``, read by ``h2c.heroku.node_app.tls_sites``: a client
made by a factory the app calls later), ``pg`` with that demand; else ``pg`` plainly. One
``h2c-db-probe:`` line says why a connection failed (where, the error, what demanded TLS);
exit 3 when the image has no driver the probe knows.
"""

from __future__ import annotations

NODE_PROBE = r"""
const MARK = 'h2c-db-probe:';
const fs = require('fs');
const path = require('path');
const net = require('net');
const { createRequire } = require('module');
const { pathToFileURL } = require('url');
const root = process.cwd();
const appRequire = createRequire(path.join(root, 'package.json'));
const made = [];
const WANTS = /(?:require\(\s*|from\s+|import\(\s*)['"](?:pg|knex)['"]/;

function say(text) { console.log(MARK, text); }
function text(e) {
  const t = String((e && e.message) || e).split('\n').map((l) => l.trim()).filter(Boolean);
  return ((e && e.constructor && e.constructor.name) || 'Error') + ': ' + t.join('; ');
}
function site() {
  for (const line of String(new Error().stack).split('\n').slice(1)) {
    const m = /(?:\(|at )((?:file:\/\/)?\/[^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (!file.startsWith(root + '/') || file.includes('/node_modules/')) return null;
    return path.relative(root, file) + ':' + m[2];
  }
  return null;
}
function optional(name) {
  try { return appRequire(name); } catch (e) { return null; }
}
function demand(options) {
  if (options && typeof options === 'object' && options.ssl) {
    const ssl = options.ssl;
    if (ssl === true) return 'ssl: true';
    const shown = (k) => k + ': ' + (typeof ssl[k] === 'boolean' ? ssl[k] : '...');
    const keys = Object.keys(ssl).map(shown);
    return 'ssl: {' + keys.join(', ') + '}';
  }
  const url = typeof options === 'string' ? options : (options && options.connectionString) || '';
  const asked = /[?&](ssl(?:mode)?=[^&#]+)/.exec(String(url));
  if (asked) return 'the URL\'s ' + asked[1];
  return process.env.PGSSLMODE ? 'PGSSLMODE=' + process.env.PGSSLMODE : '';
}

const pg = optional('pg');
const Client = pg && pg.Client;
if (pg) {
  const wrap = (Base, kind) => class extends Base {
    constructor(options, ...rest) {
      super(options, ...rest);
      const at = site();
      if (at) made.push({ kind, at, options });
    }
  };
  if (typeof pg.Pool === 'function') pg.Pool = wrap(pg.Pool, 'new Pool');  // pg 5 had none
  if (typeof Client === 'function') pg.Client = wrap(Client, 'new Client');
}
const knex = optional('knex');
if (knex) {
  const made_knex = function (config, ...rest) {
    const db = knex(config, ...rest);
    const at = site();
    if (at) made.push({ kind: 'knex()', at, db, options: config && config.connection });
    return db;
  };
  Object.assign(made_knex, knex, { knex: made_knex, default: made_knex });
  require.cache[appRequire.resolve('knex')].exports = made_knex;
}
net.Server.prototype.listen = function () { return this; };
process.on('unhandledRejection', () => {});
process.on('uncaughtException', () => {});

function sources() {
  const found = [];
  const walk = (dir, depth) => {
    let entries = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return; }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const skip = entry.name.startsWith('.') || entry.name === 'node_modules';
        if (depth < 6 && !skip) walk(full, depth + 1);
      } else if (/\.[cm]?js$/.test(entry.name) && found.length < 50) {
        try {
          const small = fs.statSync(full).size < 1e6;
          if (small && WANTS.test(fs.readFileSync(full, 'utf8'))) found.push(full);
        } catch (e) {}
      }
    }
  };
  walk(root, 0);
  return found;
}
async function load(file) {
  try { appRequire(file); } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') await import(pathToFileURL(file).href).catch(() => {});
  }
}
function fallback() {
  if (fs.existsSync(path.join(root, 'knexfile.js')) && knex) {
    const config = appRequire(path.join(root, 'knexfile.js'));
    const chosen = config[process.env.NODE_ENV || 'development'] || config;
    return [{ kind: 'knexfile.js', db: knex(chosen), options: chosen.connection }];
  }
  if (!Client) {
    say('no PostgreSQL driver in the image (pg, knex)');
    process.exit(3);
  }
  const args = process.argv.slice(1);
  const tls = args.filter((a) => a.startsWith('tls=')).map((a) => a.slice(4));
  return args.filter((a) => !a.startsWith('tls=')).map((name) => (tls.length
    ? { kind: 'its ssl settings, ' + name, at: tls[0],
        options: { ...settings(process.env[name]), ssl: { rejectUnauthorized: false } } }
    : { kind: name, options: settings(process.env[name]) }));
}
// A URL as host, port, user...: pg before 7 ignores a connectionString key.
function settings(url) {
  try {
    const u = new URL(url);
    return { connectionString: url, host: u.hostname, port: Number(u.port) || 5432,
      user: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.slice(1)) };
  } catch (e) { return { connectionString: url }; }
}
async function connect(entry) {
  if (entry.db) {
    try { await entry.db.raw('select 1'); } finally { await entry.db.destroy().catch(() => {}); }
    return;
  }
  const client = new Client(entry.options);
  await new Promise((resolve, reject) => {  // pg before 7 answers by callback only
    const done = (e) => (e ? reject(e) : resolve());
    const pending = client.connect(done);
    if (pending && typeof pending.then === 'function') pending.then(() => resolve(), reject);
  });
  try { Promise.resolve(client.end()).catch(() => {}); } catch (e) {}
}
async function main() {
  for (const file of sources()) await load(file);
  for (const entry of made.length ? made : fallback()) {
    try { await connect(entry); } catch (e) {
      const where = entry.at ? entry.at + ' (' + entry.kind + ')' : entry.kind;
      const tls = /SSL|TLS/i.test(text(e)) ? demand(entry.options) : '';
      say(where + ': ' + text(e) + (tls ? '; TLS demanded by ' + tls : ''));
      process.exit(1);
    }
  }
}
let settled = false;
process.on('beforeExit', () => { if (!settled) {
  say('the driver never answered (no connection made)' + oldPg()); process.exit(1);
} });
// node-postgres before 8.0.3 never connects on Node 14 and later: it waits on nothing.
function oldPg() {
  let version = '';
  try { version = appRequire('pg/package.json').version; } catch (e) { return ''; }
  const [major, minor, patch] = version.split('.').map(Number);
  const old = major < 8 || (major === 8 && minor === 0 && patch < 3);
  const node = Number(process.versions.node.split('.')[0]);
  return old && node >= 14
    ? '; pg ' + version + ' is older than 8.0.3, which never connects on Node 14 and later'
    : '';
}
setTimeout(() => { say('no connection within 60 s'); process.exit(1); }, 60000).unref();
main().then(() => { settled = true; process.exit(0); }, (e) => { say(text(e)); process.exit(1); });
"""
