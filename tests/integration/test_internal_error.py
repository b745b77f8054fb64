"""An internal error in the loop never abandons the children: one line on stderr, then the
stop signal, the grace period, SIGKILL for what is left, and exit 125.

The fault is injected by a launcher that makes the supervisor's forward step raise (see
support.FAULTY_MAIN); everything else is the real program."""

from __future__ import annotations

import signal
import time

from .support import alive, descendants, helper


def test_child_gets_the_stop_signal_and_tinyinit_exits_125(start, mode: str) -> None:
    args = ["--grace", "5", "--", *helper("print_signals", "--exit-on", "TERM")]
    init = start(args, mode, launcher="faulty")
    child_line = init.out.expect("ready")
    sent = time.monotonic()
    init.signal(signal.SIGHUP)  # forwarding it raises inside the loop
    assert init.out.expect(lambda line: line.strip() == str(int(signal.SIGTERM)), 10)
    assert init.wait(10) == 125
    took = time.monotonic() - sent
    assert took < 4, f"took {took:.2f}s: the rescue waited out the grace for a child that left"
    lines = init.stderr_lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("[tinyinit] error: internal error")
    assert "injected fault" in lines[0]
    assert "Traceback" not in init.stderr()
    assert child_line.startswith("ready")


def test_what_ignores_the_stop_signal_is_killed_after_the_grace(start, mode: str) -> None:
    init = start(["--grace", "1", "--", *helper("straggler")], mode, launcher="faulty")
    pid = int(init.out.expect("ready").split()[1])
    child = init.host_pid(pid)
    sent = time.monotonic()
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125
    took = time.monotonic() - sent
    assert 0.8 < took < 5, f"exited {took:.2f}s after the fault with a 1s grace period"
    assert not alive(child), "the straggler was abandoned"


def test_daemon_outside_the_group_is_not_abandoned(start, mode: str) -> None:
    init = start(["--grace", "1", "--", *helper("straggler", "--daemon")], mode, launcher="faulty")
    init.out.expect("ready")
    everyone = descendants(init.pid)
    assert len(everyone) == 2
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125
    for pid in everyone:
        assert not alive(pid), f"{pid} outlived tinyinit's rescue"
