"""The shutdown policy as a state machine: events and times in, actions out. No fork."""

from __future__ import annotations

import signal

from tinyinit.policy import (
    EXIT,
    FORWARD,
    KILL_ALL,
    RETRY_KILL,
    SIGNAL_ALL,
    SIGNAL_OUTSIDE,
    Policy,
)

TERM, INT, QUIT, HUP = signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP
CONT, STOP, TSTP, TTIN, TTOU = (
    signal.SIGCONT,
    signal.SIGSTOP,
    signal.SIGTSTP,
    signal.SIGTTIN,
    signal.SIGTTOU,
)


def test_idle_has_no_deadline() -> None:
    p = Policy(grace=8)
    assert p.timeout(0.0) is None
    assert p.phase == "running"


def test_plain_signal_is_forwarded_without_deadline() -> None:
    p = Policy(grace=8)
    assert p.on_signal(HUP, 1.0) == [(FORWARD, HUP)]
    assert p.timeout(1.0) is None


def test_stop_signal_forwards_and_starts_grace() -> None:
    for sig in (TERM, INT, QUIT):
        p = Policy(grace=8)
        assert p.on_signal(sig, 10.0) == [(FORWARD, sig)]
        assert p.phase == "stopping"
        assert p.timeout(10.0) == 8.0
        assert p.timeout(15.0) == 3.0


def test_second_stop_signal_forwarded_again_deadline_never_later() -> None:
    p = Policy(grace=8)
    p.on_signal(TERM, 10.0)
    assert p.on_signal(TERM, 14.0) == [(FORWARD, TERM)]
    assert p.deadline == 18.0


def test_main_exits_alone_exits_at_once_with_its_code() -> None:
    p = Policy(grace=8)
    assert p.on_main_exit(3, 1.0, others_remain=False) == [(EXIT, 3)]


def test_main_exit_with_others_drains_with_term_and_cont() -> None:
    p = Policy(grace=8)
    assert p.on_main_exit(0, 5.0, others_remain=True) == [(SIGNAL_ALL, TERM), (SIGNAL_ALL, CONT)]
    assert p.phase == "draining"
    assert p.deadline == 13.0
    assert p.on_all_gone(6.0) == [(EXIT, 0)]


def test_drain_uses_stop_signal_in_progress_and_rewrites() -> None:
    p = Policy(grace=8, rewrites={INT: QUIT}, group=False)
    assert p.on_signal(INT, 1.0) == [(FORWARD, QUIT)]
    assert p.on_main_exit(130, 2.0, others_remain=True) == [
        (SIGNAL_ALL, QUIT),
        (SIGNAL_ALL, CONT),
    ]
    assert p.deadline == 9.0  # the grace started at the signal, not at the exit


def test_drain_after_stop_spares_the_group_that_had_the_signal() -> None:
    """A second stop signal can mean "quit now": the group got it once, by the forward."""
    p = Policy(grace=8, rewrites={INT: QUIT}, group=True)
    assert p.on_signal(INT, 1.0) == [(FORWARD, QUIT)]
    assert p.on_main_exit(130, 2.0, others_remain=True) == [
        (SIGNAL_OUTSIDE, QUIT),
        (SIGNAL_ALL, CONT),
    ]


def test_drain_signal_rewritten_to_zero_sends_nothing_but_waits() -> None:
    p = Policy(grace=2, rewrites={TERM: 0})
    assert p.on_main_exit(0, 0.0, others_remain=True) == [(SIGNAL_ALL, CONT)]
    assert p.deadline == 2.0


def test_deadline_escalates_once_then_retries_quietly() -> None:
    p = Policy(grace=2)
    p.on_signal(TERM, 100.0)
    assert p.on_deadline(101.0) == []  # early wakeup: nothing yet
    assert p.on_deadline(102.0) == [(KILL_ALL, 2.0)]
    assert p.phase == "killing"
    assert p.timeout(102.0) == RETRY_KILL
    assert p.on_deadline(102.0 + RETRY_KILL) == [(KILL_ALL, None)]


def test_after_escalation_signals_are_not_forwarded() -> None:
    p = Policy(grace=0)
    p.on_signal(TERM, 0.0)
    p.on_deadline(0.0)
    assert p.on_signal(HUP, 0.1) == []
    assert p.on_main_exit(137, 0.2, others_remain=True) == []
    assert p.on_all_gone(0.3) == [(EXIT, 137)]


def test_signal_after_main_exit_goes_to_everyone_left() -> None:
    p = Policy(grace=8)
    p.on_main_exit(0, 0.0, others_remain=True)
    assert p.on_signal(HUP, 1.0) == [(SIGNAL_ALL, HUP)]
    assert p.on_signal(TERM, 2.0) == [(SIGNAL_ALL, TERM)]
    assert p.deadline == 8.0


def test_rewrite_and_drop() -> None:
    p = Policy(grace=8, rewrites={TERM: QUIT, signal.SIGUSR1: 0})
    assert p.on_signal(TERM, 0.0) == [(FORWARD, QUIT)]
    assert p.on_signal(signal.SIGUSR1, 0.0) == []
    assert p.phase == "stopping"  # a rewritten stop signal still starts the grace


def test_job_control_becomes_stop_for_the_group_only() -> None:
    group = Policy(grace=8, group=True)
    single = Policy(grace=8, group=False)
    for sig in (TSTP, TTIN, TTOU):
        assert group.on_signal(sig, 0.0) == [(FORWARD, STOP)]
        assert single.on_signal(sig, 0.0) == [(FORWARD, sig)]


def test_exit_code_remapped_to_zero() -> None:
    p = Policy(grace=8, zero_codes=frozenset({143}))
    assert p.on_main_exit(143, 0.0, others_remain=False) == [(EXIT, 0)]
    p = Policy(grace=8, zero_codes=frozenset({143}))
    assert p.on_main_exit(1, 0.0, others_remain=False) == [(EXIT, 1)]


def test_all_gone_before_main_exit_is_not_an_exit() -> None:
    assert Policy(grace=8).on_all_gone(0.0) == []


def test_zero_grace_kills_at_once() -> None:
    p = Policy(grace=0)
    p.on_signal(TERM, 5.0)
    assert p.timeout(5.0) == 0.0
    assert p.on_deadline(5.0) == [(KILL_ALL, 0.0)]


def test_direct_table_agrees_with_on_signal() -> None:
    """The loop's fast path forwards exactly what on_signal would, and nothing else."""
    rewrites = {signal.SIGUSR1: signal.SIGUSR2, signal.SIGUSR2: 0, HUP: TERM}
    for group in (True, False):
        p = Policy(grace=8, rewrites=rewrites, group=group)
        assert p.direct, "no fast path at all"
        for sig in signal.valid_signals():
            fresh = Policy(grace=8, rewrites=rewrites, group=group)
            actions = fresh.on_signal(sig, 0.0)
            if sig in p.direct:
                assert actions == [(FORWARD, p.direct[sig])]
                assert fresh.phase == "running", "a direct signal must not change the phase"
        for sig in (TERM, INT, QUIT, signal.SIGCHLD, signal.SIGUSR2):
            assert sig not in p.direct
        assert p.direct[HUP] == TERM  # rewritten, but forwarding a TERM is not a stop
        assert p.direct[TSTP] == (STOP if group else TSTP)


def test_direct_table_empties_after_main_exit_and_escalation() -> None:
    p = Policy(grace=8)
    p.on_main_exit(0, 0.0, others_remain=True)
    assert p.direct == {}
    p = Policy(grace=0)
    p.on_signal(TERM, 0.0)
    assert p.direct  # still forwarding plainly while stopping
    p.on_deadline(0.0)
    assert p.direct == {}
