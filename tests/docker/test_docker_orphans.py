"""Hundreds of orphans: afterwards no zombie is left in the container (`ps` state Z), and the
orphans went to tinyinit (PID 1, or the subreaper under `docker run --init`)."""

from __future__ import annotations

import pytest
from docker_harness import Container, Containers, Target, compare, note, shell, wait_until

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


def zombies(box: Container) -> list[Process]:
    return [row for row in processes(box) if row[1].startswith("Z")]


def make_orphans(containers: Containers, target: Target) -> tuple[Container, int]:
    box = containers.start(
        target, shell(f"python3 /helpers/orphans.py {COUNT} /out && exec sleep 1000")
    )
    box.wait_for_file("orphans.done", timeout=60)
    ppid = int(box.wait_for_file("orphan.ppid", timeout=10).read_text())
    return box, ppid


def settled(box: Container, timeout: float = 5) -> list[Process]:
    """Zombies still there after TIMEOUT (the last orphans exit half a second after the rest)."""
    try:
        wait_until(lambda: not zombies(box), timeout, "no zombie")
    except TimeoutError:
        pass
    return zombies(box)


def test_no_zombie_left(containers: Containers, target: Target) -> None:
    box, ppid = make_orphans(containers, target)
    left = settled(box)
    note(target, SCENARIO, f"{len(left)}")
    assert not left, f"zombies: {left}"
    # The orphans were reparented to tinyinit itself, not to docker's init above it.
    tinyinit = [pid for pid, _, comm, _ in processes(box) if comm == "tinyinit"]
    assert tinyinit == [ppid], f"orphan's parent {ppid}, tinyinit {tinyinit}"
    # Only the init(s) and the main command remain.
    assert len(processes(box)) <= (3 if target.mode == "docker-init" else 2), processes(box)
    assert box.stop() < 5


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(target: Target) -> str:
        box, _ = make_orphans(containers, target)
        return f"{len(settled(box))}"

    compare(SCENARIO, others, attempt)
