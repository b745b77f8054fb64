"""A daemon started with setsid (so outside the command's process group) gets SIGTERM and the time
to write its last file, on `docker stop` and when the main command exits by itself."""

from __future__ import annotations

import pytest
from docker_harness import Containers, Target, compare, note, shell, signal_name

DAEMON = "setsid python3 /helpers/daemon.py /out 1"
SCENARIO_STOP = "setsid daemon, docker stop: its last file"
SCENARIO_EXIT = "setsid daemon, main command exits 3: its last file"


def daemon_on_stop(containers: Containers, target: Target) -> tuple[bool, int, float, list[str]]:
    box = containers.start(target, shell(f"{DAEMON} & exec sleep 1000"))
    ids = box.wait_for_file("daemon.ready").read_text().split()
    took = box.stop(timeout=10)
    return (box.out / "daemon.last").exists(), box.wait(), took, ids


def daemon_on_exit(containers: Containers, target: Target) -> tuple[bool, int]:
    script = f"{DAEMON} & while [ ! -s /out/daemon.ready ]; do sleep 0.05; done; exit 3"
    box = containers.start(target, shell(script))
    code = box.wait(timeout=30)
    return (box.out / "daemon.last").exists(), code


def describe(finished: bool, code: int) -> str:
    return f"{'written' if finished else 'MISSING'}, exit {signal_name(code)}"


def test_daemon_finishes_on_stop(containers: Containers, target: Target) -> None:
    finished, code, took, (pid, pgid, sid) = daemon_on_stop(containers, target)
    note(target, SCENARIO_STOP, describe(finished, code) + f", {took:.1f} s")
    assert pid == pgid == sid, "the daemon is not in a session of its own"
    assert finished, "the daemon was not given SIGTERM and the time to write its file"
    assert code == 143
    assert 1.0 <= took < 6  # the daemon works 1 s after SIGTERM; the grace is 8 s


def test_daemon_finishes_when_main_exits(containers: Containers, target: Target) -> None:
    finished, code = daemon_on_exit(containers, target)
    note(target, SCENARIO_EXIT, describe(finished, code))
    assert finished, "the daemon was not given SIGTERM and the time to write its file"
    assert code == 3


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def on_stop(target: Target) -> str:
        finished, code, took, _ = daemon_on_stop(containers, target)
        return describe(finished, code) + f", {took:.1f} s"

    compare(SCENARIO_STOP, others, on_stop)
    compare(SCENARIO_EXIT, others, lambda target: describe(*daemon_on_exit(containers, target)))
