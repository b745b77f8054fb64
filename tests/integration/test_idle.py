"""Idle costs nothing: with a sleeping child, tinyinit is not woken up at all."""

from __future__ import annotations

import os
import time

from .support import proc_status


def context_switches(pid: int) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        status = proc_status(int(task))
        if status:
            total += int(status["voluntary_ctxt_switches"])
            total += int(status["nonvoluntary_ctxt_switches"])
    return total


def test_no_wakeups_while_idle(start, mode: str) -> None:
    init = start(["--", "sleep", "30"], mode)
    init.main_child()
    time.sleep(0.5)  # let startup finish
    before = context_switches(init.pid)
    time.sleep(3)
    after = context_switches(init.pid)
    assert after == before, f"tinyinit was switched in {after - before} times in 3s of idling"
