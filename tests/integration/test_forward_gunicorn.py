"""gunicorn (sync workers) with slow requests in flight, as a user runs it: SIGTERM stops it
gracefully, SIGHUP reloads it gracefully, SIGTTIN adds a worker. The master handles all three
and passes on what its workers need; a worker that hears HUP itself dies of it, and TTIN turned
into SIGSTOP freezes the whole server.

auto and child: every request in flight completes, in all three. group: TERM is fine, but HUP
cuts every request in flight (the workers die of it) and TTIN freezes master and workers."""

from __future__ import annotations

import http.client
import signal
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from .forwarding import (
    HELPERS,
    PYTHON,
    SLOW_MATRIX,
    Outcome,
    Run,
    free_port,
    need_module,
    tinyinit,
    wait_for,
)
from .support import children, proc_state

WORKERS = 3
WORK = 1.0  # seconds each request takes
GRACE = 6.0


def get(port: str | int, path: str, timeout: float) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return f"{response.status} {response.read().decode()}"
    except (OSError, http.client.HTTPException) as err:
        return f"error {type(err).__name__}"
    finally:
        conn.close()


def scenario(init: list[str], mode: str, tmp: Path, sig: int) -> Outcome:
    need_module("gunicorn")
    port = free_port()
    command = [
        PYTHON, "-m", "gunicorn", "--chdir", str(HELPERS), "-k", "sync",
        "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10",
        "gunicorn_app:app",
    ]  # fmt: skip
    facts: dict = {}
    with (
        Run(init, command, mode, env={"FWD_DIR": str(tmp)}, stdout=tmp / "gunicorn.log") as run,
        ThreadPoolExecutor(WORKERS) as pool,
    ):
        master = run.main_child()
        wait_for(lambda: get(port, "/ping", 1) == "200 pong", 20, "gunicorn to answer")
        wait_for(lambda: len(children(master)) == WORKERS, 10, "the workers")
        requests: list[Future[str]] = [
            pool.submit(get, port, f"/slow?id={i}&s={WORK}", WORK + 2) for i in range(WORKERS)
        ]
        wait_for(
            lambda: all((tmp / f"started-{i}").exists() for i in range(WORKERS)),
            10,
            "every request in flight",
        )
        group = [master, *children(master)]
        run.signal(sig)
        if sig == signal.SIGTTIN:
            # A worker is added, or (group) everything is frozen.
            def settled() -> str | None:
                if all(proc_state(p) == "T" for p in group):
                    return "frozen"
                if len(children(master)) == WORKERS + 1:
                    return "added"
                return None

            try:
                facts["ttin"] = wait_for(settled, 5, "a new worker or a frozen server")
            except pytest.fail.Exception:
                facts["ttin"] = "nothing"  # (tini ignores TTIN: it never forwards it)
            facts["stopped"] = sum(proc_state(p) == "T" for p in [master, *children(master)])
            if facts["ttin"] == "frozen":  # nothing will move before the stop signal
                run.signal(signal.SIGTERM)
        results = [r.result() for r in requests]
        facts["completed"] = sum(r.startswith("200 done") for r in results)
        facts["cut"] = len(results) - facts["completed"]
        if run.stopped_at is None:
            facts["serves_after"] = get(port, "/ping", 2) == "200 pong"
            run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
    text = f"{facts['completed']}/{WORKERS} requests completed"
    if facts.get("ttin") == "frozen":
        text += ", frozen (SIGSTOP)"
    elif facts.get("ttin") == "added":
        text += ", worker added"
    elif facts.get("ttin") == "nothing":
        text += ", no worker added"
    return Outcome(code, took, text, facts)


SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGTTIN)


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_gunicorn(mode: str, forward: str, sig: signal.Signals, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path, sig)
    if forward == "group" and sig == signal.SIGHUP:
        assert out.facts["completed"] == 0, out  # the workers die of the HUP
    elif forward == "group" and sig == signal.SIGTTIN:
        assert out.facts["ttin"] == "frozen", out  # TTIN -> SIGSTOP to the group
    else:
        assert out.facts["completed"] == WORKERS, out
        assert out.code == 0, out
        assert out.seconds < GRACE, out
        if sig == signal.SIGTTIN:
            assert out.facts["ttin"] == "added" and out.facts["stopped"] == 0, out
        if sig != signal.SIGTERM:
            assert out.facts["serves_after"], out
