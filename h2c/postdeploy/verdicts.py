"""Judgements of ``h2c postdeploy`` (pure): messages name services, paths, keys and tables,
never a value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from h2c.adapters.convox_cli import Process
from h2c.compare.verdicts import BROKEN, Verdict
from h2c.db.snapshot import DbSnapshot
from h2c.postdeploy.baseline import EnvBaseline
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions

SETTLED, ROLLBACK = "running", "rollback"
RETRIED_STATUSES = frozenset({502, 503, 504})  # a router or a pod still starting


@dataclass(frozen=True)
class Settle:
    """Where a wait for a deploy stands after one ``convox apps info``."""

    streak: int  # successes in a row
    done: Verdict | None  # set when the wait is over


def settle_step(streak: int, info: Mapping[str, str], *, needed: int = 2) -> Settle:
    """One poll of Convox's wait loop: ``running`` on a release ``needed`` times in a row.

    >>> settle_step(0, {"Status": "updating", "Release": "R2"})
    Settle(streak=0, done=None)
    >>> settle_step(1, {"Name": "shop", "Status": "running", "Release": "R2"}).done.message
    'shop settled: running on R2 (2 polls in a row)'
    >>> settle_step(1, {"Name": "shop", "Status": "rollback", "Release": "R1"}).done.message
    'shop is in rollback (release R1): the deploy failed and Convox is rolling back'
    """
    status, release, app = info.get("Status", ""), info.get("Release", ""), info.get("Name", "app")
    if status == ROLLBACK:
        why = f"{app} is in rollback (release {release or '?'}): the deploy failed and Convox "
        return Settle(0, Verdict(app, False, why + "is rolling back"))
    if status != SETTLED or not release:
        return Settle(0, None)
    if streak + 1 >= needed:
        return Settle(streak + 1, Verdict(app, True, f"{app} settled: running on {release} "
                                                     f"({streak + 1} polls in a row)"))  # fmt: skip
    return Settle(streak + 1, None)


def process_verdicts(
    scale: Mapping[str, int], processes: Sequence[Process], release: str
) -> list[Verdict]:
    """One verdict per convox.yml service: at least its scale count running on ``release``,
    none crashed, failed or unhealthy.

    >>> p = [Process("web-1", "web", "running", "R2"), Process("web-2", "web", "running", "R1"),
    ...      Process("w-1", "worker", "crashed", "R2")]
    >>> [(v.target, v.ok) for v in process_verdicts({"web": 2, "worker": 1}, p, "R2")]
    [('web', False), ('worker', False)]
    >>> [v.message for v in process_verdicts({"web": 2, "worker": 1}, p, "R2")]
    ['web: 1 of 2 running on R2', 'worker: 0 of 1 running on R2; 1 crashed']
    """
    verdicts = []
    for service, count in scale.items():
        mine = [p for p in processes if p.service == service]
        running = sum(p.status == "running" and p.release == release for p in mine)
        broken = sorted({p.status for p in mine if p.status in BROKEN})
        text = f"{service}: {running} of {count} running on {release}"
        if broken:
            text += "; " + ", ".join(f"{sum(p.status == s for p in mine)} {s}" for s in broken)
        verdicts.append(Verdict(service, running >= count and not broken, text))
    return verdicts


def health_ok(status: int | None) -> bool:
    """Kubernetes' rule for a readiness probe: 200-399."""
    return status is not None and 200 <= status < 400


def smoke_ok(status: int | None) -> bool:
    """A smoke path answers without a server error."""
    return status is not None and status < 500


def http_message(path: str, status: int | None, error: str | None, *, health: bool) -> str:
    """What one path answered, and what was wanted.

    >>> http_message("/health", 503, None, health=True)
    '/health answered 503 (want 200-399)'
    >>> http_message("/", None, "ConnectionRefusedError: refused", health=False)
    '/ did not answer: ConnectionRefusedError: refused'
    """
    if status is None:
        return f"{path} did not answer: {error or 'no answer'}"
    return f"{path} answered {status} (want {'200-399' if health else 'below 500'})"


def config_verdicts(
    env: Mapping[str, Secret],
    *,
    required: Collection[str],
    baseline: EnvBaseline | None,
    exceptions: Exceptions,
    release: str,
) -> list[Verdict]:
    """One verdict per key convox.yml requires or the baseline holds, sorted.

    >>> from h2c.postdeploy.baseline import env_baseline
    >>> base = env_baseline("R1", {"A": Secret("1"), "B": Secret("2"), "C": Secret("3")}, "00")
    >>> ex = Exceptions(expect_changed={"C": "rotated"})
    >>> env = {"A": Secret("1"), "B": Secret("two"), "C": Secret("three")}
    >>> [(v.target, v.ok) for v in config_verdicts(env, required={"A", "D"}, baseline=base,
    ...                                             exceptions=ex, release="R2")]
    [('A', True), ('B', False), ('C', True), ('D', False)]
    >>> config_verdicts(env, required={"D"}, baseline=None, exceptions=ex, release="R2")[0].message
    'D: convox.yml requires it; release R2 has no value'
    """
    base_keys = set(baseline.keys) if baseline else set()
    verdicts = []
    for key in sorted(set(required) | base_keys):
        if key in exceptions.ignore:
            verdicts.append(Verdict(key, True, f"{key}: ignored ({exceptions.ignore[key]})"))
            continue
        value = env.get(key)
        if value is None:
            why = "convox.yml requires it" if key in required else "the baseline had it"
            verdicts.append(Verdict(key, False, f"{key}: {why}; release {release} has no value"))
        elif baseline is None or key not in base_keys or baseline.same(key, value):
            verdicts.append(Verdict(key, True, f"{key}: set" + (
                ", unchanged since the baseline" if key in base_keys else "")))  # fmt: skip
        elif key in exceptions.expect_changed:
            verdicts.append(Verdict(key, True, f"{key}: changed, as h2c.toml expects "
                                               f"({exceptions.expect_changed[key]})"))  # fmt: skip
        else:
            verdicts.append(Verdict(key, False, f"{key}: changed since the baseline (release "
                                                f"{baseline.release or '?'} -> {release}) and "
                                                "h2c.toml [env] expect_changed does not list "
                                                "it"))  # fmt: skip
    return verdicts


def row_verdicts(
    baseline: DbSnapshot, now: DbSnapshot, tolerance: Mapping[str, int]
) -> list[Verdict]:
    """One verdict per baseline table: still there, and no fewer rows than the baseline minus
    its tolerance (h2c.toml ``[postdeploy] row_tolerance``, default 0).

    >>> from h2c.db.snapshot import TableShape
    >>> t = lambda rows: TableShape(rows, {"id": "integer"}, "d")
    >>> base = DbSnapshot({"public.a": t(10), "public.b": t(5), "public.c": t(3)})
    >>> now = DbSnapshot({"public.a": t(12), "public.b": t(4)})
    >>> [(v.target, v.ok, v.message)
    ...  for v in row_verdicts(base, now, {})]  # doctest: +NORMALIZE_WHITESPACE
    [('public.a', True, 'public.a: 12 rows (baseline 10)'),
     ('public.b', False, 'public.b: 4 rows, 1 fewer than the baseline 5 (tolerance 0)'),
     ('public.c', False, 'public.c: gone (the baseline had it, 3 rows)')]
    """
    verdicts = []
    for name, then in sorted(baseline.tables.items()):
        table = now.tables.get(name)
        if table is None:
            verdicts.append(Verdict(name, False, f"{name}: gone (the baseline had it, "
                                                 f"{then.rows} rows)"))  # fmt: skip
            continue
        allowed = tolerance.get(name, 0)
        lost = then.rows - table.rows
        if lost > allowed:
            verdicts.append(Verdict(name, False, f"{name}: {table.rows} rows, {lost} fewer than "
                                                 f"the baseline {then.rows} (tolerance "
                                                 f"{allowed})"))  # fmt: skip
        else:
            verdicts.append(Verdict(name, True, f"{name}: {table.rows} rows (baseline "
                                                f"{then.rows})"))  # fmt: skip
    return verdicts


@dataclass(frozen=True)
class SchemaChange:
    table: str
    ok: bool
    message: str
    added: tuple[str, ...] = ()


def schema_changes(baseline: DbSnapshot, now: DbSnapshot) -> list[SchemaChange]:
    """One entry per baseline table still there: columns added (fine), dropped or retyped
    (a failure); new tables are listed too, as fine.

    >>> from h2c.db.snapshot import TableShape
    >>> base = DbSnapshot({"public.a": TableShape(1, {"id": "integer", "email": "text"}, "x")})
    >>> now = DbSnapshot({"public.a": TableShape(1, {"id": "bigint", "name": "text"}, "y"),
    ...                   "public.b": TableShape(0, {"id": "integer"}, "z")})
    >>> [(c.table, c.ok, c.message)
    ...  for c in schema_changes(base, now)]  # doctest: +NORMALIZE_WHITESPACE
    [('public.a', False, 'public.a: column email dropped; column id integer -> bigint;
      column name added'), ('public.b', True, 'public.b: a new table')]
    """
    changes = []
    for name, then in sorted(baseline.tables.items()):
        table = now.tables.get(name)
        if table is None:
            continue  # the row check says it is gone
        dropped = [c for c in then.columns if c not in table.columns]
        retyped = [c for c in then.columns
                   if c in table.columns and table.columns[c] != then.columns[c]]  # fmt: skip
        added = tuple(c for c in table.columns if c not in then.columns)
        parts = [f"column {c} dropped" for c in dropped]
        parts += [f"column {c} {then.columns[c]} -> {table.columns[c]}" for c in retyped]
        parts += [f"column {c} added" for c in added]
        if not parts and table.digest != then.digest:
            parts.append("constraints changed")
        text = f"{name}: " + ("; ".join(parts) if parts else "unchanged")
        changes.append(SchemaChange(name, not dropped and not retyped, text, added))
    for name in sorted(set(now.tables) - set(baseline.tables)):
        changes.append(SchemaChange(name, True, f"{name}: a new table"))
    return changes


def sequence_verdicts(
    live: Sequence[tuple[str, str, int | None, int | None]], baseline: DbSnapshot | None
) -> list[Verdict]:
    """Each sequence ahead of its column's max, and not behind where the baseline saw it.

    ``live``: (sequence, column, last value, column max).

    >>> base = DbSnapshot({}, {"public.t_id_seq": ("public.t.id", 10)})
    >>> [(v.ok, v.message) for v in sequence_verdicts(
    ...     [("public.t_id_seq", "public.t.id", 8, 12)], base)]  # doctest: +NORMALIZE_WHITESPACE
    [(False, 'public.t_id_seq: gives 8, behind public.t.id max 12; behind the baseline 10')]
    """
    verdicts = []
    for name, column, last, top in live:
        problems = []
        if top is not None and (last is None or last < top):
            problems.append(f"gives {last}, behind {column} max {top}")
        then = baseline.sequences.get(name) if baseline else None
        if then is not None and last is not None and last < then[1]:
            problems.append(f"behind the baseline {then[1]}")
        if problems:
            verdicts.append(Verdict(name, False, f"{name}: " + "; ".join(problems)))
        else:
            verdicts.append(Verdict(name, True, f"{name}: {last} (max {top})"))
    return verdicts
