"""Write MIGRATION.md: the ordered cut-over from Heroku to Convox, with a way back.

Pure text from the plan. Commands are spelled out with the app's own names so they can be
pasted; anything h2c could not decide is a checklist at the top.
"""

from __future__ import annotations

import shlex

from h2c.model import AppSpec, Severity
from h2c.plan.commands import release_hazards
from h2c.plan.env import heroku_value_advice
from h2c.plan.naming import twin_key
from h2c.plan.planner import ConvoxPlan, ServicePlan
from h2c.render.header import header

RELEASE_WARNING = """\
**Release phase.** Heroku runs the Procfile `release` command once per release, before the new
dynos start, and cancels the release if it fails. Convox has no such phase. Convox's own Heroku
guide maps it to an `initContainer`, but an initContainer runs at *every* pod start (each
replica, each restart, each reschedule): migrations would run many times and concurrently.
h2c does not generate one. Instead, run the command once per release against the new build,
and promote only if it succeeds (see *Every later deploy*)."""


def render_migration_md(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The MIGRATION.md text: decisions, then the steps in the order they are run."""
    app = shlex.quote(plan.app)
    out: list[str] = [
        header(plan.inputs, "<!--"),
        "",
        f"# Moving {plan.app} from Heroku to Convox",
        "",
    ]
    out += _checklist(plan)
    out += _heroku_only_values(spec, plan, app)
    if plan.release is not None:
        out += ["## Release phase", "", RELEASE_WARNING, ""]
        out += _release_hazards(plan)
    out += _before_cutover(spec, plan, app)
    out += _cutover(plan, app)
    out += _later_deploys(plan, app)
    out += _rollback(plan, spec, app)
    return "\n".join(out).rstrip("\n") + "\n"


def _heroku_only_values(spec: AppSpec, plan: ConvoxPlan, app: str) -> list[str]:
    """Config keys whose Heroku value is wrong on Convox: not copied; each says what to do."""
    advice = heroku_value_advice(spec, plan.resources)
    if not advice:
        return []
    lines = [
        "## Values that only work on Heroku",
        "",
        "These keys are not in `convox.env`: their Heroku value would be wrong on Convox. "
        "convox.yml still lists them (bare, so a deploy waits for a value). Add each, with its "
        "Convox value, to `convox.env` (the gate reads the Convox side from it, and "
        "`convox env set` sends it), then record the decision in h2c.toml (`[env] "
        "expect_changed`, with its reason); until both are done the gate's env check flags the "
        "key:",
        "",
    ]
    lines += [f"- [ ] `{key}` {what}." for key, what in advice.items()]
    lines += ["", "```sh"]
    lines += [f"convox env set -a {app} {key}=..." for key in advice]
    return [*lines, "```", ""]


def _release_hazards(plan: ConvoxPlan) -> list[str]:
    """What the release command's `&`, `;`, `||` or `|` would hide, said beside the step."""
    if plan.release is None:
        return []
    hazards = release_hazards(plan.release.command.original)
    if not hazards:
        return []
    return [
        "**Warning: the release command can fail without failing the release.** Heroku (and "
        "`convox run`) judges it by its last command's exit status only:",
        "",
        *[f"- {h}" for h in hazards],
        "",
        "Join the commands with `&&`, or move them into a script that stops at the first "
        "failure (`set -e`; for a pipe, bash's `set -o pipefail`), so any failure fails the "
        "release.",
        "",
    ]


def _before_cutover(spec: AppSpec, plan: ConvoxPlan, app: str) -> list[str]:
    """Everything that can happen while Heroku still serves: the app, its env, a deploy."""
    out = ["## Before the cut-over (no downtime)", ""]
    out += _step("Create the app.", f"convox apps create {app}")
    out += _step(
        "Copy the config (`convox.env` holds the values: keep it private, mode 0600). "
        "`convox env set` reads `KEY=VALUE` lines and stores values exactly as written.",
        f"convox env set -a {app} < convox.env",
    )
    out += _multiline_env(spec, plan, app)
    out += _step(
        "Build and deploy. This creates the resources "
        f"({', '.join(r.name for r in plan.resources) or 'none'}); the app starts against an "
        "empty database and gets no traffic yet.",
        f"convox deploy -a {app}",
    )
    others = _non_web(plan)
    if others:
        out += _step(
            "Stop the non-web services until the data is in, so no job runs on an empty database.",
            *[f"convox scale {s.name} --count 0 -a {app}" for s in others],
        )
    out += _step("Rehearse: run the gate against the image and a restored copy.", "h2c check .")
    return out


def _multiline_env(spec: AppSpec, plan: ConvoxPlan, app: str) -> list[str]:
    """Multi-line values skip convox.env: each goes from Heroku to Convox as one argument."""
    if not plan.multiline_keys:
        return []
    twins = ", ".join(f"`{twin_key(k)}`" for k in plan.multiline_keys)
    return [
        "   Multi-line values cannot live in Convox's env at all (it is stored and read line by "
        f"line): each travels in `convox.env` as a one-line base64 twin ({twins}), set with the "
        "rest by `convox env set`, and the image's entrypoint (`h2c-env`) decodes it before the "
        "app starts, for services, timers and `convox run` alike. Never set the raw value.",
        "",
    ]


def _cutover(plan: ConvoxPlan, app: str) -> list[str]:
    """From maintenance mode on Heroku to traffic on Convox: the downtime, kept short."""
    out = ["## The cut-over (downtime starts here)", ""]
    out += _step("Put Heroku in maintenance mode.", f"heroku maintenance:on -a {app}")
    others = _non_web(plan)
    if others:
        scale = " ".join(f"{s.process}=0" for s in others)
        out += _step("Stop Heroku's non-web dynos.", f"heroku ps:scale {scale} -a {app}")
    out += _database_move(plan, app)
    if plan.release is not None:
        note = " Read the warning under *Release phase* first." if _hazardous(plan) else ""
        out += _step(f"Run the release command once.{note}", plan.release.convox_run(plan.app))
    if others:
        out += _step(
            "Start the non-web services at Heroku's scale.",
            *[f"convox scale {s.name} --count {s.count} -a {app}" for s in others],
        )
    out += _step(
        "Check the deployed app before any traffic reaches it: the deploy settled, every "
        "service runs, the web endpoint answers, the config is whole"
        + (" and the data matches the baseline" if _has_db(plan) else "")
        + " (`--rack RACK` when the rack is not the convox CLI's current one).",
        _postdeploy(plan, app, target=True),
    )
    out += _step(
        "Find the web endpoint and point DNS at it (a CNAME per domain; "
        "`heroku domains` lists them). Lower the TTL a day ahead.",
        f"convox services -a {app}",
        f"heroku domains -a {app}",
    )
    out += _step(
        "Once traffic arrives on Convox and looks healthy, stop Heroku's web dynos. Keep the "
        "Heroku app and database until you no longer need a way back.",
        f"heroku ps:scale web=0 -a {app}",
    )
    return out


def _database_move(plan: ConvoxPlan, app: str) -> list[str]:
    """Backup, tunnel, restore and verify, for the first postgres resource (Heroku's one)."""
    res = next((r for r in plan.resources if r.type == "postgres"), None)
    if res is None:
        return []
    out = _step(
        "Capture and download a fresh backup (writes `latest.dump`; `latest.dump.1` if "
        "one exists).",
        f"heroku pg:backups:capture -a {app}",
        f"heroku pg:backups:download -a {app}",
    )
    out += _step(
        f"Open a tunnel to the `{res.name}` resource (leave it running in another "
        "terminal), and build TARGET_URL from the user and password that "
        "`convox resources info` prints, with the proxy's local host and port.",
        f"convox resources info {res.name} -a {app}",
        f"convox resources proxy {res.name} -a {app}",
    )
    out += _step(
        "Restore, then verify row counts, checksums and sequences against the dump.",
        'h2c db restore latest.dump --to "$TARGET_URL"',
        'h2c db verify --source latest.dump --target "$TARGET_URL" --checksums',
    )
    out += _step(
        "Record the baseline `h2c postdeploy --baseline` compares every later deploy with "
        "(row counts, sequences, schema digests, digests of the active release's env; no data, "
        "no values). Commit it, or keep it where the CI's deploy job reads it.",
        f'h2c db snapshot --from "$TARGET_URL" -o baseline.json --convox-app {app}',
    )
    return out


def _has_db(plan: ConvoxPlan) -> bool:
    """A postgres resource: the one the cut-over restores into and the baseline records."""
    return any(r.type == "postgres" for r in plan.resources)


def _hazardous(plan: ConvoxPlan) -> bool:
    return plan.release is not None and bool(release_hazards(plan.release.command.original))


def _non_web(plan: ConvoxPlan) -> list[ServicePlan]:
    return [s for s in plan.services if not s.is_web]


def _step(text: str, *commands: str) -> list[str]:
    lines = [f"1. {text}", ""]
    if commands:
        lines += ["   ```sh", *[f"   {c}" for c in commands], "   ```", ""]
    return lines


def _checklist(plan: ConvoxPlan) -> list[str]:
    todo = [f for f in plan.findings if f.severity in (Severity.DECISION, Severity.WARNING)]
    if not todo:
        return []
    lines = ["## Decide first", ""]
    lines += [f"- [ ] {f.severity.value}: {f.message}" for f in todo]
    return [*lines, ""]


def _postdeploy(plan: ConvoxPlan, app: str, *, target: bool = False) -> str:
    """``h2c postdeploy`` of the deployed app, against the cut-over baseline when there is one
    (with ``target``, the database too, through the tunnel the cut-over opened)."""
    if not _has_db(plan):
        return f"h2c postdeploy . --convox-app {app}"
    data = ' --target "$TARGET_URL"' if target else ""
    return f"h2c postdeploy . --convox-app {app} --baseline baseline.json{data}"


def _postdeploy_step(plan: ConvoxPlan, app: str) -> list[str]:
    """After each deploy: the deploy settled, the services run, the web answers, config whole."""
    has_db = _has_db(plan)
    data = (
        ' With the database tunnel open (as at the cut-over), add `--target "$TARGET_URL"` to '
        "check the data too: no table gone or shorter, sequences ahead."
        if has_db
        else ""
    )
    return [
        "Then check the live app: the deploy settled, every service runs, the web answers, the "
        "config is whole" + (", against the cut-over baseline" if has_db else "") + ". Add "
        "`--rack RACK` when the rack is not the convox CLI's current one." + data,
        "",
        "```sh",
        _postdeploy(plan, app),
        "```",
        "",
    ]


def _later_deploys(plan: ConvoxPlan, app: str) -> list[str]:
    lines = ["## Every later deploy", ""]
    if plan.release is None:
        return [*lines, "```sh", f"convox deploy -a {app}", "```", "", *_postdeploy_step(plan, app)]
    run = plan.release.convox_run(plan.app).replace(" run ", " run --release RELEASE_ID ", 1)
    return [
        *lines,
        "Build without promoting, run the release command on the new release, and promote only "
        "if it succeeded"
        + (" (its exit status can hide a failure: see *Release phase*)" if _hazardous(plan) else "")
        + ":",
        "",
        "```sh",
        f"convox build -a {app}            # prints the new RELEASE_ID",
        run,
        f"convox releases promote RELEASE_ID -a {app}",
        "```",
        "",
        *_postdeploy_step(plan, app),
    ]


def _heroku_quantity(spec: AppSpec, svc: ServicePlan) -> int:
    entry = spec.formation_for(svc.process)
    return entry.quantity if entry else svc.count


def _rollback(plan: ConvoxPlan, spec: AppSpec, app: str) -> list[str]:
    scale = " ".join(f"{s.process}={_heroku_quantity(spec, s)}" for s in plan.services)
    return [
        "## Rollback",
        "",
        "Data written on Convox after the cut-over is not on Heroku: decide before rolling back "
        "whether it must be copied back.",
        "",
        "1. Point DNS back at Heroku (`heroku domains` shows the targets).",
        "2. Start Heroku again and leave maintenance mode:",
        "",
        "   ```sh",
        f"   heroku ps:scale {scale} -a {app}",
        f"   heroku maintenance:off -a {app}",
        "   ```",
        "",
        "3. Stop the Convox services so two copies never run jobs at once:",
        "",
        "   ```sh",
        *[f"   convox scale {s.name} --count 0 -a {app}" for s in plan.services],
        "   ```",
    ]
