"""A flood of thousands of signals is survived: tinyinit keeps forwarding, the child still works."""

from __future__ import annotations

import os
import signal

from .support import alive, helper

FLOOD = 5000
QUEUED = 1000  # real-time signals queue: each one sent must arrive once


def test_flood_of_signals_is_survived(start, mode: str) -> None:
    init = start(["--", *helper("print_signals", "--exit-on", "QUIT")], mode)
    init.out.expect("ready")
    child = init.main_child()
    for _ in range(FLOOD):
        os.kill(init.pid, signal.SIGUSR1)
    init.signal(signal.SIGUSR2)
    init.out.expect(lambda line: line == "12", timeout=20)
    assert alive(init.pid) and alive(child)
    usr1 = init.out.seen.count("10")
    assert 1 <= usr1 <= FLOOD

    # Still working normally after the flood.
    init.signal(signal.SIGHUP)
    init.out.expect(lambda line: line == "1", timeout=5)
    init.signal(signal.SIGQUIT)
    init.out.expect("exiting", timeout=5)
    assert init.wait(10) == 0


def test_queued_realtime_signals_each_arrive(start, mode: str) -> None:
    rt = signal.SIGRTMIN + 1
    init = start(["--", *helper("print_signals", "--exit-on", "QUIT")], mode)
    init.out.expect("ready")
    for _ in range(QUEUED):
        os.kill(init.pid, rt)
    init.out.expect(lambda _: init.out.seen.count(str(rt)) == QUEUED, timeout=20)
    init.signal(signal.SIGQUIT)
    init.out.expect("exiting", timeout=5)
    assert init.wait(10) == 0
    assert init.out.seen.count(str(rt)) == QUEUED, "a queued signal was forwarded twice"
