"""Reaping: a storm of 10,000 orphans leaves no zombie, and tinyinit keeps nothing per orphan."""

from __future__ import annotations

import subprocess
import time

import pytest

from .support import HELPERS, Init, descendants, proc_state, proc_status

WARM_UP = 1000
STORM = 10_000
# A table entry per reaped orphan (a dict or set of 10,000 ints) would take well over 500 KiB.
MAX_GROWTH_KIB = 256


def rss_kib(pid: int) -> int:
    status = proc_status(pid)
    assert status is not None, "tinyinit is gone"
    return int(status["VmRSS"].split()[0])


def settle(init: Init, storm_sh: int, timeout: float) -> None:
    """Wait until the orphans are all gone: only the storm's shell is left under tinyinit."""
    deadline = time.monotonic() + timeout
    while True:
        left = descendants(init.pid)
        zombies = [pid for pid in left if proc_state(pid) == "Z"]
        if left == [storm_sh]:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{len(zombies)} zombies and {len(left) - len(zombies)} live processes "
                f"left under tinyinit after {timeout}s (zombies: {zombies[:20]})"
            )
        time.sleep(0.05)


def test_orphan_storm_leaves_no_zombie(start, mode: str) -> None:
    init = start(
        ["--", "sh", str(HELPERS / "orphan_storm.sh"), str(WARM_UP), str(STORM)],
        mode,
        stdin=subprocess.PIPE,
    )
    storm_sh = init.main_child()

    init.out.expect(f"phase {WARM_UP} done", timeout=30)
    settle(init, storm_sh, timeout=10)
    before = rss_kib(init.pid)

    init.proc.stdin.write(b"go\n")
    init.proc.stdin.flush()
    init.out.expect(f"phase {STORM} done", timeout=60)
    settle(init, storm_sh, timeout=10)
    after = rss_kib(init.pid)

    init.proc.stdin.close()
    assert init.wait(10) == 0
    assert after - before <= MAX_GROWTH_KIB, (
        f"tinyinit's RSS grew from {before} KiB to {after} KiB over {STORM} orphans"
    )
