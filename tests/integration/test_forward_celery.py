"""celery, prefork pool, redis (Debian's redis-server) as broker, two tasks in flight, stopped
with SIGTERM: a warm shutdown, in which the master lets the tasks in flight finish. The pool
children reset SIGTERM to its default: one that hears it directly dies mid-task.

auto and child: both tasks done, exit 0. group: the pool children die of the TERM, the tasks
are lost (WorkerLostError) while celery still exits 0."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .forwarding import (
    HELPERS,
    PYTHON,
    SLOW_MATRIX,
    Outcome,
    Run,
    free_port,
    need,
    need_module,
    tinyinit,
    wait_for,
)

TASKS = 2
WORK = 1.5
GRACE = 6.0


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of its own on a free loopback port, in FOLDER; yields its URL."""
    server = need("redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)

        def pong() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(pong, 10, "redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait()


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    need_module("celery")
    need_module("redis")
    from celery import Celery

    log = tmp / "celery.log"
    command = [
        PYTHON, "-m", "celery", "--workdir", str(HELPERS), "-A", "celery_app", "worker",
        "-P", "prefork", "-c", str(TASKS), "--without-gossip", "--without-mingle",
        "--without-heartbeat", "-l", "INFO", "--logfile", str(log),
    ]  # fmt: skip
    with redis_server(tmp) as broker:
        env = {"FWD_BROKER": broker}
        with Run(init, command, mode, env=env, stdout=tmp / "celery.out") as run:
            wait_for(lambda: log.exists() and "ready." in log.read_text(), 30, "celery ready")
            client = Celery("fwd", broker=broker)
            for i in range(TASKS):
                client.send_task("fwd.work", args=[str(tmp), i, WORK])
            wait_for(
                lambda: all((tmp / f"started-{i}").exists() for i in range(TASKS)),
                15,
                "every task in flight",
            )
            run.signal(signal.SIGTERM)
            code, took = run.finish(GRACE + 2)
    text_log = log.read_text()
    done = sum((tmp / f"done-{i}").exists() for i in range(TASKS))
    facts = {"done": done, "worker_lost": "WorkerLostError" in text_log}
    return Outcome(code, took, f"{done}/{TASKS} tasks done", facts)


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_celery_warm_shutdown(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    if forward == "group":
        assert out.facts["done"] < TASKS and out.facts["worker_lost"], out
    else:
        assert out.facts["done"] == TASKS and not out.facts["worker_lost"], out
        assert out.code == 0 and out.seconds < GRACE, out
