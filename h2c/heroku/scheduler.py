"""Read Heroku Scheduler jobs: no CLI exports them, so the user saves what the Scheduler API
(the one the dashboard uses) returns, or writes the same shape by hand.

Accepted: the API's JSON:API envelope ``{"data": [{"type": "jobs", "id": "...", "attributes":
{"command": ..., "dyno-size": ..., "every": ..., "at": ...}}]}``, or a bare list of the
attribute objects. ``every`` is 10, 60 or 1440 minutes; ``at`` is the minute past the hour
(hourly) or the minutes after 00:00 UTC in steps of 30 (daily); every-10-minute jobs have none.
"""

from __future__ import annotations

from typing import Any

from h2c.heroku.jsonshape import expect_object, load_json, plain_str, pointer, shape_error
from h2c.heroku.procfile import CONTROL_RE
from h2c.model import ScheduledJob

EVERY = (10, 60, 1440)


def parse_scheduler(text: str, *, file: str) -> tuple[ScheduledJob, ...]:
    """The jobs in a Scheduler export, each with the JSON pointer it was read at.

    >>> jobs = parse_scheduler('[{"command": "rake feed", "every": 60, "at": 30}]', file="s.json")
    >>> jobs[0].command, jobs[0].every, jobs[0].at, jobs[0].dyno_size
    ('rake feed', 60, 30, None)
    """
    doc = load_json(text, file)
    items, base = _items(doc, file)
    return tuple(_job(item, file, f"{base}/{i}") for i, item in enumerate(items))


def _items(doc: Any, file: str) -> tuple[list[Any], str]:
    if isinstance(doc, list):
        return doc, ""
    envelope = expect_object(doc, file, "")
    data = envelope.get("data")
    if not isinstance(data, list):
        raise shape_error(file, pointer("data"), "an array of jobs", data)
    return [_attributes(item, file, pointer("data", i)) for i, item in enumerate(data)], "/data"


def _attributes(item: Any, file: str, ptr: str) -> Any:
    job = expect_object(item, file, ptr)
    return job.get("attributes", job)


def _job(item: Any, file: str, ptr: str) -> ScheduledJob:
    if "/data/" in ptr:
        ptr += "/attributes"
    job = expect_object(item, file, ptr)
    command = job.get("command")
    if not isinstance(command, str) or not command.strip():
        raise shape_error(file, ptr + "/command", "the job's command (a string)", command)
    if CONTROL_RE.search(command):
        raise shape_error(
            file, ptr + "/command", "a command on one line", "a string with control characters"
        )
    every = job.get("every")
    if isinstance(every, bool) or every not in EVERY:
        raise shape_error(file, ptr + "/every", "10, 60 or 1440 (minutes)", every)
    at = _at(job.get("at"), every, file, ptr + "/at")
    size = job.get("dyno-size", job.get("dyno_size"))
    if size is not None:
        plain_str(size, file, ptr + "/dyno-size", "a dyno size (a string)")
    return ScheduledJob(command.strip(), every, at, size.lower() if size else None, ptr)


def _at(value: Any, every: int, file: str, ptr: str) -> int:
    if every == 10:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise shape_error(file, ptr, "the minute the job runs at (an integer)", value)
    if every == 60 and not 0 <= value <= 59:
        raise shape_error(file, ptr, "a minute past the hour, 0 to 59", value)
    if every == 1440 and not (0 <= value < 1440 and value % 30 == 0):
        raise shape_error(file, ptr, "minutes after 00:00 UTC in steps of 30, 0 to 1410", value)
    return value
