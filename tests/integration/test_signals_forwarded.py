"""Forwarding: every catchable signal but SIGCHLD reaches the child, unchanged; a stop
signal (TERM, INT, QUIT) is followed by SIGCONT."""

from __future__ import annotations

import signal

import pytest

from .support import helper

# SIGCHLD is tinyinit's own; job-control stops become SIGSTOP in group mode only
# (test_job_control_stop).
NOT_FORWARDED_AS_IS = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
JOB_CONTROL = {signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}
STOPS = [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT]  # they start the grace period: last
# Signals the kernel raises on a fault; sent with kill() they are signals like any other.
FAULTS = [
    signal.SIGILL,
    signal.SIGTRAP,
    signal.SIGBUS,
    signal.SIGFPE,
    signal.SIGSEGV,
    signal.SIGSYS,
]
OTHERS = sorted(set(signal.valid_signals()) - NOT_FORWARDED_AS_IS - set(STOPS) - set(FAULTS))


@pytest.mark.parametrize("extra", [[], ["-g"], ["-c"]], ids=["auto", "group", "single-child"])
def test_every_catchable_signal_is_forwarded(start, mode: str, extra: list[str]) -> None:
    init = start(
        [*extra, "--grace", "30", "--", *helper("print_signals", "--exit-on", "QUIT")], mode
    )
    init.out.expect("ready")
    others = [s for s in OTHERS if extra != ["-g"] or s not in JOB_CONTROL]
    for sig in [*others, *STOPS]:
        init.signal(sig)
        assert init.out.readline(5) == str(int(sig)), f"signal {sig} not forwarded as is"
        if sig in (signal.SIGTERM, signal.SIGINT):  # QUIT ends the helper before it
            assert init.out.readline(5) == "18", f"no SIGCONT after {sig.name}"
    assert init.out.readline(5) == "exiting"
    assert init.wait(10) == 0
    assert init.out.rest(5) == "", "something else was delivered to the child"


@pytest.mark.parametrize("sig", FAULTS, ids=lambda s: s.name)
def test_fault_signal_sent_with_kill_is_forwarded(start, mode: str, sig: signal.Signals) -> None:
    init = start(["--", *helper("print_signals", "--exit-on", str(int(sig)))], mode)
    init.out.expect("ready")
    init.signal(sig)
    assert init.out.readline(2) == str(int(sig)), f"{sig.name} not forwarded"
    assert init.wait(10) == 0
