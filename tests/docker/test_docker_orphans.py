"""Hundreds of orphans: afterwards no zombie is left in the container (`ps` state Z), and the
orphans went to tinyinit (PID 1, or the subreaper under `docker run --init`, whose PID 1 is tini,
and `podman run --init`, whose PID 1 is catatonit)."""

from __future__ import annotations

import time

import pytest
from docker_harness import Container, Containers, Target, compare, note, shell

SCENARIO = "300 orphans: zombies left"
COUNT = 300


Process = tuple[int, str, str, str]  # pid, state, command name, command line


def processes(box: Container) -> list[Process]:
    """The container's processes, without the `ps` that lists them."""
    listing = box.exec("ps", "-eo", "pid=,stat=,comm=,args=").stdout
    rows = []
    for line in listing.splitlines():
        pid, stat, comm, args = line.split(None, 3)
        if not args.startswith("ps -eo"):
            rows.append((int(pid), stat, comm, args))
    return rows


def zombies(rows: list[Process]) -> list[Process]:
    return [row for row in rows if row[1].startswith("Z")]


def make_orphans(containers: Containers, target: Target) -> tuple[Container, int]:
    box = containers.start(
        target, shell(f"python3 /helpers/orphans.py {COUNT} /out && exec sleep 1000")
    )
    box.wait_for_file("orphans.done", timeout=60)
    ppid = int(box.wait_for_file("orphan.ppid", timeout=10).read_text())
    return box, ppid


def settle(box: Container, expected: int, timeout: float = 10) -> list[Process]:
    """The container's processes once only EXPECTED are left and none is a zombie, or after
    TIMEOUT whatever is there (the last orphans exit half a second after the others)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = processes(box)
        if (len(rows) <= expected and not zombies(rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_no_zombie_left(containers: Containers, target: Target) -> None:
    box, ppid = make_orphans(containers, target)
    # Left at the end: the init(s) and the main command.
    expected = 3 if target.mode == "init" else 2
    rows = settle(box, expected)
    note(target, SCENARIO, f"{len(zombies(rows))}")
    assert not zombies(rows), f"zombies: {zombies(rows)}"
    assert len(rows) <= expected, rows
    # The orphans were reparented to tinyinit itself, not to the engine's init above it.
    tinyinit = [pid for pid, _, comm, _ in rows if comm == "tinyinit"]
    assert tinyinit == [ppid], f"orphan's parent {ppid}, tinyinit {tinyinit}"
    assert box.stop() < 5


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(target: Target) -> str:
        box, _ = make_orphans(containers, target)
        return f"{len(zombies(settle(box, 2)))}"

    compare(SCENARIO, others, attempt)
