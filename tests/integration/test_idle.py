"""Idle costs nothing: with a sleeping child, tinyinit is not woken up at all."""

from __future__ import annotations

import time

from .support import context_switches


def test_no_wakeups_while_idle(start, mode: str) -> None:
    init = start(["--", "sleep", "30"], mode)
    init.main_child()
    time.sleep(0.5)  # let startup finish
    before = context_switches(init.pid)
    time.sleep(3)
    after = context_switches(init.pid)
    assert after == before, f"tinyinit was switched in {after - before} times in 3s of idling"
