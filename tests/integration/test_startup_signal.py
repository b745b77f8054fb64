"""Signals are blocked first thing at startup: a SIGTERM that arrives while tinyinit is still
loading (before its child exists) is held and acted upon, not lost and not fatal."""

from __future__ import annotations

import signal
import time

from .support import Init, children, cmdline, proc_status, sig_mask


def signal_as_soon_as_blocked(init: Init) -> bool:
    """Send SIGTERM the moment tinyinit has blocked it; True if it had no child yet.

    Once tinyinit waits in sigtimedwait, /proc shows the signals it waits for as unblocked;
    by then it has a child, and the signal is sent all the same (an ordinary, late one).
    """
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # As PID 1, the pid is first unshare's child, which blocks SIGTERM for a moment of its
        # own before it execs tinyinit: look at the mask only once the exec is done.
        if cmdline(init.pid)[:1] in ([], ["unshare"]):
            continue
        status = proc_status(init.pid)
        if status and signal.SIGTERM in sig_mask(status["SigBlk"]):
            init.signal(signal.SIGTERM)
            return not children(init.pid)
        if children(init.pid):
            init.signal(signal.SIGTERM)
            return False
    raise AssertionError("tinyinit neither blocked SIGTERM nor started its child")


def test_early_sigterm_is_acted_upon(start, mode: str) -> None:
    early = 0
    for _ in range(8):
        init = start(["--", "sleep", "30"], mode)
        began = time.monotonic()
        early += signal_as_soon_as_blocked(init)
        assert init.wait(10) == 128 + signal.SIGTERM
        assert time.monotonic() - began < 5
        assert init.stderr() == ""
        if early >= 2:
            break
    assert early, "the signal always came after the child was started: the test proved nothing"
