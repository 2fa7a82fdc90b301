"""h2c postdeploy's pure judgements: the settle loop, processes, HTTP, config, data."""

from __future__ import annotations

from h2c.adapters.convox_cli import Process
from h2c.db.snapshot import DbSnapshot, TableShape
from h2c.postdeploy import verdicts
from h2c.postdeploy.baseline import env_baseline
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions


def _wait(statuses: list[tuple[str, str]]) -> tuple[int, verdicts.Verdict | None]:
    """Run the settle loop over these (status, release) answers: (polls used, verdict)."""
    streak = 0
    for polls, (status, release) in enumerate(statuses, start=1):
        step = verdicts.settle_step(streak, {"Name": "shop", "Status": status, "Release": release})
        streak = step.streak
        if step.done is not None:
            return polls, step.done
    return len(statuses), None


def test_settles_after_two_running_polls_in_a_row() -> None:
    polls, done = _wait(
        [
            ("updating", "R1"),
            ("running", "R2"),
            ("updating", "R2"),
            ("running", "R2"),
            ("running", "R2"),
            ("running", "R2"),
        ]
    )
    assert polls == 5 and done is not None and done.ok


def test_rollback_ends_the_wait_at_once() -> None:
    polls, done = _wait([("running", "R2"), ("rollback", "R1"), ("running", "R1")])
    assert polls == 2 and done is not None and not done.ok
    assert done.message.startswith("shop is in rollback (release R1)")


def test_running_without_a_release_is_not_settled() -> None:
    assert _wait([("running", ""), ("running", "")]) == (2, None)


def test_processes_count_only_the_active_release_and_any_broken_one_fails() -> None:
    procs = [
        Process("a", "web", "running", "R2"),
        Process("b", "web", "running", "R2"),
        Process("c", "web", "running", "R2"),
        Process("d", "worker", "unhealthy", "R2"),
        Process("e", "worker", "running", "R2"),
        Process("f", "clock", "running", "R1"),
    ]
    got = {
        v.target: (v.ok, v.message)
        for v in verdicts.process_verdicts(
            {"web": 2, "worker": 1, "clock": 1, "idle": 0}, procs, "R2"
        )
    }
    assert got == {
        "web": (True, "web: 3 of 2 running on R2"),  # more than the scale is fine (autoscale)
        "worker": (False, "worker: 1 of 1 running on R2; 1 unhealthy"),
        "clock": (False, "clock: 0 of 1 running on R2"),
        "idle": (True, "idle: 0 of 0 running on R2"),
    }


def test_http_rules() -> None:
    assert [verdicts.health_ok(s) for s in (200, 302, 399, 400, 503, None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert [verdicts.smoke_ok(s) for s in (200, 404, 499, 500, None)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_config_digests_never_show_values() -> None:
    base = env_baseline("R1", {"TOKEN": Secret("old-secret-value")})
    [verdict] = verdicts.config_verdicts(
        {"TOKEN": Secret("new-secret-value")},
        required=(),
        baseline=base,
        exceptions=Exceptions(),
        release="R2",
    )
    assert not verdict.ok
    assert "secret-value" not in verdict.message and "secret-value" not in repr(base)


def test_ignored_keys_pass_even_when_missing() -> None:
    [verdict] = verdicts.config_verdicts(
        {},
        required={"X"},
        baseline=None,
        release="R2",
        exceptions=Exceptions(ignore={"X": "set by hand"}),
    )
    assert verdict.ok and "ignored (set by hand)" in verdict.message


def _t(rows: int, **columns: str) -> TableShape:
    return TableShape(rows, columns or {"id": "integer"}, "d")


def test_rows_within_tolerance_pass() -> None:
    base = DbSnapshot({"public.log": _t(100)})
    now = DbSnapshot({"public.log": _t(70)})
    assert [v.ok for v in verdicts.row_verdicts(base, now, {"public.log": 30})] == [True]
    assert [v.ok for v in verdicts.row_verdicts(base, now, {"public.log": 29})] == [False]


def test_constraint_change_only_is_listed_not_failed() -> None:
    base = DbSnapshot({"public.t": TableShape(1, {"id": "integer"}, "sha256:a")})
    now = DbSnapshot({"public.t": TableShape(1, {"id": "integer"}, "sha256:b")})
    [change] = verdicts.schema_changes(base, now)
    assert change.ok and change.message == "public.t: constraints changed"


def test_a_sequence_reset_below_the_baseline_fails_even_ahead_of_its_column() -> None:
    base = DbSnapshot({}, {"public.t_id_seq": ("public.t.id", 50)})
    [v] = verdicts.sequence_verdicts([("public.t_id_seq", "public.t.id", 20, 10)], base)
    assert not v.ok and v.message == "public.t_id_seq: behind the baseline 50"
    [v] = verdicts.sequence_verdicts([("public.t_id_seq", "public.t.id", 60, None)], base)
    assert v.ok
