"""Benchmark of ``h2c compare``'s HTTP comparison against its floor. Not run in tests.

Starts the two local deployments of the fixture server (containers on loopback playing the
Heroku and the Convox app, each answer taking ``--delay-ms``), writes 100 paths, and measures:

  (a) floor: the same 300 requests (each path to Heroku twice, Convox once) sent by a plain
      ``requests`` loop with the same concurrency (a thread pool, one session per thread)
  (b) ``h2c compare`` end to end (CLI start, pytest, the CLI doubles, replay, DeepDiff,
      summary), ``--rate 0``                                              target <= 1.2x (a)
  (a') the floor as a program of its own (its start and ``import requests`` counted, as
      they are in (b)); reported beside, the target is against (a)
  (c) the replay and comparison alone (``CompareSession.http``: its worker process and the
      judging of each request's answers)

An answer the floor sees takes about 40 ms more than ``--delay-ms``: the fixture server writes
its headers and its body apart, and the second write waits for the client's delayed ACK. Both
sides meet that alike; the header line gives the answer time the floor measured.

    .venv/bin/python bench/compare/run.py --paths 100 --concurrency 8 --delay-ms 20 --reps 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from h2c.adapters.replay import Limits  # noqa: E402
from h2c.compare.session import CompareOptions, CompareSession  # noqa: E402
from tests.integration.compare_env import APP, BIN, deployments, scenario, write_scenario  # noqa: E402


def floor(bases: dict[str, str], paths: list[str], concurrency: int) -> tuple[float, float]:
    """(seconds for all, median seconds of one answer as the loop saw it)."""
    import threading

    local = threading.local()

    def get(url: str) -> float:
        session = getattr(local, "s", None) or requests.Session()
        local.s = session
        sent = time.perf_counter()
        session.get(url, allow_redirects=False, timeout=15)
        return time.perf_counter() - sent

    urls = [bases[slot] + p for p in paths for slot in ("heroku", "heroku", "convox")]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(get, urls))
    return time.perf_counter() - started, statistics.median(answers)


FLOOR_PROGRAM = """
import sys, threading, requests
from concurrent.futures import ThreadPoolExecutor
local = threading.local()
def get(url):
    local.s = getattr(local, "s", None) or requests.Session()
    return local.s.get(url, allow_redirects=False, timeout=15).status_code
with ThreadPoolExecutor(int(sys.argv[1])) as pool:
    list(pool.map(get, sys.argv[2:]))
"""


def floor_program(bases: dict[str, str], paths: list[str], concurrency: int) -> float:
    """(a) as a program of its own, started and timed like ``h2c compare`` (its interpreter's
    start and ``import requests`` included)."""
    urls = [bases[slot] + p for p in paths for slot in ("heroku", "heroku", "convox")]
    argv = [sys.executable, "-c", FLOOR_PROGRAM, str(concurrency), *urls]
    started = time.perf_counter()
    subprocess.run(argv, check=True)
    return time.perf_counter() - started


def h2c_compare(bases: dict[str, str], requests_file: Path, concurrency: int, work: Path) -> float:
    # The CLI doubles start with `#!/usr/bin/env python3`: this interpreter's folder first, so
    # they start as fast as a real CLI binary would rather than through a version shim (pyenv's
    # takes about 0.6 s a call here, which would be the doubles' cost, not h2c's).
    path = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))
    env = {**os.environ, "PATH": path, "H2C_FAKE_STATE": str(write_scenario(work, scenario()))}
    argv = [sys.executable, "-m", "h2c", "compare", str(APP), "--heroku-app", "shop",
            "--convox-app", "shop", "--heroku-bin", str(BIN / "heroku"), "--convox-bin",
            str(BIN / "convox"), "--heroku-url", bases["heroku"], "--convox-url", bases["convox"],
            "--requests", str(requests_file), "--rate", "0", "--concurrency", str(concurrency),
            "--json"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"h2c compare exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def in_process(bases: dict[str, str], requests_file: Path, concurrency: int) -> float:
    options = CompareOptions(APP, "shop", "shop", heroku_url=bases["heroku"],
                             convox_url=bases["convox"], requests_file=requests_file,
                             limits=Limits(concurrency=concurrency, rate=0))  # fmt: skip
    started = time.perf_counter()
    verdicts = CompareSession(options).http()
    elapsed = time.perf_counter() - started
    assert all(v.ok for v in verdicts.values()), [v.message() for v in verdicts.values()]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--delay-ms", type=int, default=20, help="each answer's own time")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    paths = [f"/item/{i}" for i in range(args.paths)]
    with (
        tempfile.TemporaryDirectory() as name,
        deployments(docker.from_env(), delay_ms=args.delay_ms) as bases,
    ):
        work = Path(name)
        requests_file = work / "paths.txt"
        requests_file.write_text("\n".join(paths) + "\n")
        floor(bases, paths[:10], args.concurrency)  # warm both servers
        runs: dict[str, list[float]] = {"floor": [], "floor as a program": [],
                                         "h2c compare": [], "replay + diff": []}  # fmt: skip
        answer_s: list[float] = []
        for _ in range(args.reps):
            elapsed, answer = floor(bases, paths, args.concurrency)
            runs["floor"].append(elapsed)
            answer_s.append(answer)
            runs["floor as a program"].append(floor_program(bases, paths, args.concurrency))
            runs["h2c compare"].append(h2c_compare(bases, requests_file, args.concurrency, work))
            runs["replay + diff"].append(in_process(bases, requests_file, args.concurrency))
    base = statistics.median(runs["floor"])
    print(f"{args.paths} paths, {3 * args.paths} requests, concurrency {args.concurrency}, "
          f"answers {args.delay_ms} ms (as the floor saw them: "
          f"{1000 * statistics.median(answer_s):.0f} ms), median of {args.reps}")  # fmt: skip
    print(f"{'what':<20} {'seconds':>8} {'x floor':>8}  target")
    for what, times in runs.items():
        median = statistics.median(times)
        target = "<= 1.2x" if what == "h2c compare" else ""
        print(f"{what:<20} {median:>8.2f} {median / base:>8.2f}  {target}")


if __name__ == "__main__":
    main()
