"""The side-by-side table of issue 11: each scenario of tests/integration/test_forward_*.py under
tinyinit in each delivery mode and under tini, `tini -g` and dumb-init, each as PID 1.

    sudo .venv/bin/python bench/forward_table.py [--only NAME,...] [--markdown FILE]

Runs with the dev venv (gunicorn, celery, redis); the peers from Debian (tini, dumb-init).
Informative only: a peer's result never fails anything. Each scenario runs once per init; the
runtime's stop timeout (after which the harness SIGKILLs the init, as docker does) is the
scenario's grace plus 2 s, so a stuck init shows as "stuck, killed".
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from tests.integration.forwarding import PEERS, Outcome, tinyinit  # noqa: E402
from tests.integration.support import PID1  # noqa: E402


def scenarios_of(name: str) -> ModuleType:
    return importlib.import_module(f"tests.integration.test_forward_{name}")


gunicorn, celery, pool, bash_trap, pipeline, ffmpeg, background, half_grace, daemon, stop_cont = (
    scenarios_of(name)
    for name in (
        "gunicorn", "celery", "multiprocessing", "bash_trap", "pipeline_signal", "ffmpeg",
        "background_member", "half_grace", "setsid_daemon", "stop_cont",
    )
)  # fmt: skip

Scenario = Callable[[list[str], str, Path], Outcome]

# name -> (how to run it, the grace tinyinit gets in its tests)
SCENARIOS: dict[str, tuple[Scenario, float]] = {
    "gunicorn, TERM, 3 requests in flight": (
        lambda i, m, t: gunicorn.scenario(i, m, t, signal.SIGTERM),
        gunicorn.GRACE,
    ),
    "gunicorn, HUP (reload), 3 requests in flight": (
        lambda i, m, t: gunicorn.scenario(i, m, t, signal.SIGHUP),
        gunicorn.GRACE,
    ),
    "gunicorn, TTIN (add a worker), 3 requests in flight": (
        lambda i, m, t: gunicorn.scenario(i, m, t, signal.SIGTTIN),
        gunicorn.GRACE,
    ),
    "celery prefork, TERM, 2 tasks in flight": (celery.scenario, celery.GRACE),
    "multiprocessing.Pool, parent finishes the queue on TERM": (pool.scenario, pool.GRACE),
    "bash entrypoint, trap TERM, program in the foreground": (
        bash_trap.scenario,
        bash_trap.GRACE,
    ),
    "sh -c 'a | b', USR1 and HUP, then TERM": (pipeline.scenario, 3.0),
    "ffmpeg | ffmpeg > out.mp4, TERM": (ffmpeg.scenario, ffmpeg.GRACE),
    "db & exec app, TERM": (background.scenario, 4.0),
    "TERM-ignoring command, its worker": (half_grace.scenario, half_grace.GRACE),
    "TERM-ignoring command, setsid daemon": (daemon.scenario, daemon.GRACE),
    "stopped command and member, TERM": (stop_cont.scenario, stop_cont.GRACE),
}


def inits(grace: float) -> dict[str, list[str]]:
    found = {f"tinyinit {mode}": tinyinit(mode, grace) for mode in ("auto", "group", "child")}
    for name, argv in PEERS.items():
        path = shutil.which(argv[0])
        if path:
            found[name] = [path, *argv[1:]]
    return found


def cell(outcome: Outcome | str) -> str:
    if isinstance(outcome, str):
        return outcome
    code = "stuck, killed" if outcome.code is None else f"exit {outcome.code}"
    return f"{outcome.text} ({code}, {outcome.seconds:.1f}s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated words a scenario must contain")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()
    words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    rows: list[list[str]] = []
    names: list[str] = []
    for title, (run, grace) in SCENARIOS.items():
        if words and not any(w in title.lower() for w in words):
            continue
        candidates = inits(grace)
        names = list(candidates)
        row = [title]
        for name, init in candidates.items():
            tmp = Path(tempfile.mkdtemp(prefix="fwd-table-"))
            began = time.monotonic()
            try:
                result: Outcome | str = run(init, PID1, tmp)
            except (Exception, pytest.fail.Exception, pytest.skip.Exception) as err:
                result = f"error: {str(err).splitlines()[0][:80]}"
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            print(f"{title} | {name}: {cell(result)} [{time.monotonic() - began:.1f}s]", flush=True)
            row.append(cell(result))
        rows.append(row)
    table = ["| scenario | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    print("\n".join(table))
    if args.markdown:
        args.markdown.write_text("\n".join(table) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
