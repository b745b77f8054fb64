"""The supervision policy as a state machine: events and times in, actions out. No fork."""

from __future__ import annotations

import signal

import pytest

from tinyinit.policy import (
    EXIT,
    EXIT_TIMEOUT,
    FORWARD,
    FORWARD_STOP,
    KILL_ALL,
    KILL_CHECK,
    MAX_BACKOFF,
    NOTE,
    RETRY_KILL,
    SIGNAL_ALL,
    SIGNAL_REST,
    START,
    START_CHECK,
    Policy,
    Supervision,
)

TERM, INT, QUIT, HUP = signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP
CONT, STOP, TSTP, TTIN, TTOU = (
    signal.SIGCONT,
    signal.SIGSTOP,
    signal.SIGTSTP,
    signal.SIGTTIN,
    signal.SIGTTOU,
)


def notes(actions: list) -> list[str]:
    return [a[2] for a in actions if a[0] == NOTE]


def without_notes(actions: list) -> list:
    return [a for a in actions if a[0] != NOTE]


# -- forwarding and stopping ----------------------------------------------------------------


def test_idle_has_no_deadline() -> None:
    p = Policy(grace=8)
    assert p.timeout(0.0) is None
    assert p.timers == {}
    assert p.phase == "running"


def test_plain_signal_is_forwarded_without_deadline() -> None:
    p = Policy(grace=8)
    assert p.on_signal(HUP, 1.0) == [(FORWARD, HUP)]
    assert p.timeout(1.0) is None


def test_stop_signal_forwards_with_cont_and_starts_grace() -> None:
    for sig in (TERM, INT, QUIT):
        p = Policy(grace=8)
        assert p.on_signal(sig, 10.0) == [(FORWARD_STOP, sig)]
        assert p.phase == "stopping"
        assert p.timeout(10.0) == 4.0  # the half-grace warning comes first
        assert p.timers["grace"] == 18.0


def test_half_grace_warns_everyone_not_yet_stopped() -> None:
    p = Policy(grace=8)
    p.on_signal(TERM, 10.0)
    assert p.on_deadline(13.9) == []
    assert p.on_deadline(14.0) == [(SIGNAL_REST, TERM)]
    assert p.timeout(14.0) == 4.0
    assert p.on_deadline(18.0) == [(KILL_ALL, 8.0)]


def test_second_stop_signal_forwarded_again_deadline_never_later() -> None:
    p = Policy(grace=8)
    p.on_signal(TERM, 10.0)
    assert p.on_signal(TERM, 14.0) == [(FORWARD_STOP, TERM)]
    assert p.timers["grace"] == 18.0


def test_main_exits_alone_exits_at_once_with_its_code() -> None:
    p = Policy(grace=8)
    assert p.on_main_exit(3, 1.0, others_remain=False) == [(EXIT, 3)]
    assert p.how == "exit"


def test_main_exit_with_others_drains_those_not_yet_stopped() -> None:
    p = Policy(grace=8)
    assert p.on_main_exit(0, 5.0, others_remain=True) == [(SIGNAL_REST, TERM)]
    assert p.phase == "draining"
    assert p.deadline == 13.0
    assert p.on_all_gone(6.0) == [(EXIT, 0)]


def test_drain_uses_stop_signal_in_progress_and_rewrites() -> None:
    p = Policy(grace=8, rewrites={INT: QUIT}, mode="child")
    assert p.on_signal(INT, 1.0) == [(FORWARD_STOP, QUIT)]
    assert p.on_main_exit(130, 2.0, others_remain=True) == [(SIGNAL_REST, QUIT)]
    assert p.timers["grace"] == 9.0  # the grace started at the signal, not at the exit
    assert "warn" not in p.timers  # the drain has just sent it to all the rest


def test_drain_signal_rewritten_to_zero_sends_nothing_but_waits() -> None:
    p = Policy(grace=2, rewrites={TERM: 0})
    assert p.on_main_exit(0, 0.0, others_remain=True) == [(SIGNAL_ALL, CONT)]
    assert p.deadline == 2.0


def test_deadline_escalates_once_then_retries_quietly() -> None:
    p = Policy(grace=2)
    p.on_signal(TERM, 100.0)
    assert p.on_deadline(100.5) == []  # early wakeup: nothing yet
    assert p.on_deadline(101.0) == [(SIGNAL_REST, TERM)]
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
    assert p.how == "grace_kill"
    assert p.on_all_gone(0.3) == [(EXIT, 137)]


def test_killed_by_a_signal_of_its_own_is_not_the_grace() -> None:
    p = Policy(grace=8)
    assert p.on_main_exit(137, 0.2, others_remain=False, how="signal") == [(EXIT, 137)]
    assert p.how == "signal"


def test_signal_after_main_exit_goes_to_everyone_left() -> None:
    p = Policy(grace=8)
    p.on_main_exit(0, 0.0, others_remain=True)
    assert p.on_signal(HUP, 1.0) == [(SIGNAL_ALL, HUP)]
    assert p.on_signal(TERM, 2.0) == [(SIGNAL_ALL, TERM)]
    assert p.deadline == 8.0


def test_rewrite_and_drop() -> None:
    p = Policy(grace=8, rewrites={TERM: QUIT, signal.SIGUSR1: 0})
    assert p.on_signal(TERM, 0.0) == [(FORWARD_STOP, QUIT)]
    assert p.on_signal(signal.SIGUSR1, 0.0) == []
    assert p.phase == "stopping"  # a rewritten stop signal still starts the grace


def test_job_control_becomes_stop_in_group_mode_only() -> None:
    for mode in ("auto", "group", "child"):
        p = Policy(grace=8, mode=mode)
        for sig in (TSTP, TTIN, TTOU):
            expected = STOP if mode == "group" else sig
            assert p.on_signal(sig, 0.0) == [(FORWARD, expected)]


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
    for mode in ("auto", "group", "child"):
        p = Policy(grace=8, rewrites=rewrites, mode=mode)
        assert p.direct, "no fast path at all"
        for sig in signal.valid_signals():
            fresh = Policy(grace=8, rewrites=rewrites, mode=mode)
            actions = fresh.on_signal(sig, 0.0)
            if sig in p.direct:
                assert actions == [(FORWARD, p.direct[sig])]
                assert fresh.phase == "running", "a direct signal must not change the phase"
        for sig in (TERM, INT, QUIT, signal.SIGCHLD, signal.SIGUSR2):
            assert sig not in p.direct
        assert p.direct[HUP] == TERM  # rewritten, but forwarding a TERM is not a stop
        assert p.direct[TSTP] == (STOP if mode == "group" else TSTP)


def test_direct_table_empties_after_main_exit_and_escalation() -> None:
    p = Policy(grace=8)
    p.on_main_exit(0, 0.0, others_remain=True)
    assert p.direct == {}
    p = Policy(grace=0)
    p.on_signal(TERM, 0.0)
    assert p.direct  # still forwarding plainly while stopping
    p.on_deadline(0.0)
    assert p.direct == {}


# -- restarts ---------------------------------------------------------------------------------


def restarting(**kw) -> Policy:  # type: ignore[no-untyped-def]
    options = {"restart": "on-failure", "max_restarts": 5, "backoff": 1.0, **kw}
    return Policy(grace=8, supervision=Supervision(**options))


def test_failure_restarts_after_backoff() -> None:
    p = restarting()
    actions = p.on_main_exit(3, 10.0, others_remain=False)
    assert notes(actions) == ["restart"]
    assert actions[0][3]["attempt"] == 1 and actions[0][3]["delay"] == 1.0
    assert p.phase == "backoff"
    assert p.timeout(10.0) == 1.0
    assert p.on_deadline(11.0) == [(START,)]
    assert p.on_started(11.0) == []
    assert p.phase == "running"
    assert p.timers == {}  # nothing pending while the new run is up


def test_delays_double_up_to_the_cap_and_jitter_only_shortens() -> None:
    p = Policy(
        grace=8,
        supervision=Supervision(restart="always", backoff=1.0),
        jitter=lambda: 0.99,
    )
    delays = []
    now = 0.0
    for _ in range(9):
        actions = p.on_main_exit(1, now, others_remain=False)
        delay = actions[0][3]["delay"]
        delays.append(delay)
        now += delay
        p.on_deadline(now)
        p.on_started(now)
    for k, delay in enumerate(delays):
        full = min(2.0**k, MAX_BACKOFF)
        assert full * 0.75 <= delay <= full
    assert all(b > a for a, b in zip(delays[:6], delays[1:7])), delays


def test_success_is_not_restarted_on_failure_but_is_with_always() -> None:
    assert restarting().on_main_exit(0, 1.0, others_remain=False) == [(EXIT, 0)]
    p = restarting(restart="always")
    assert notes(p.on_main_exit(0, 1.0, others_remain=False)) == ["restart"]


def test_code_mapped_to_zero_is_a_success() -> None:
    p = Policy(
        grace=8,
        zero_codes=frozenset({3}),
        supervision=Supervision(restart="on-failure", max_restarts=5),
    )
    assert p.on_main_exit(3, 1.0, others_remain=False) == [(EXIT, 0)]


def test_restarts_exhausted_exit_with_last_status() -> None:
    p = restarting(max_restarts=1)
    p.on_main_exit(3, 0.0, others_remain=False)
    p.on_deadline(1.0)
    p.on_started(1.0)
    actions = p.on_main_exit(4, 2.0, others_remain=False)
    assert notes(actions) == ["no_restart_left"]
    assert without_notes(actions) == [(EXIT, 4)]


def test_zero_restarts_allowed() -> None:
    p = restarting(max_restarts=0)
    actions = p.on_main_exit(3, 0.0, others_remain=False)
    assert without_notes(actions) == [(EXIT, 3)]


def test_long_run_resets_count_and_delay() -> None:
    p = restarting(max_restarts=1, reset_after=60.0)
    p.on_main_exit(3, 0.0, others_remain=False)
    p.on_deadline(1.0)
    p.on_started(1.0)
    actions = p.on_main_exit(3, 100.0, others_remain=False)  # up for 99 s
    assert notes(actions) == ["restart"]
    assert actions[0][3]["attempt"] == 1 and actions[0][3]["delay"] == 1.0


def test_leftovers_are_drained_before_the_next_run() -> None:
    p = restarting()
    actions = p.on_main_exit(3, 0.0, others_remain=True)
    assert without_notes(actions) == [(SIGNAL_REST, TERM)]
    assert p.phase == "draining"
    assert p.on_deadline(8.0) == [(KILL_ALL, 8.0)]
    assert p.on_all_gone(8.1) == []
    assert p.phase == "backoff"
    assert p.on_deadline(9.1) == [(START,)]


def test_stop_signal_during_backoff_ends_at_once_with_last_status() -> None:
    p = restarting()
    p.on_main_exit(3, 0.0, others_remain=False)
    assert p.on_signal(TERM, 0.5) == [(EXIT, 3)]
    assert p.timers == {}


def test_other_signal_during_backoff_goes_nowhere() -> None:
    p = restarting()
    p.on_main_exit(3, 0.0, others_remain=False)
    assert notes(p.on_signal(HUP, 0.5)) == ["no_one"]
    assert p.phase == "backoff"


def test_no_restart_after_a_stop_signal() -> None:
    p = restarting(restart="always")
    p.on_signal(TERM, 0.0)
    assert p.on_main_exit(143, 1.0, others_remain=False) == [(EXIT, 143)]


def test_later_exec_failure_is_a_failed_run() -> None:
    p = restarting(max_restarts=1)
    p.on_main_exit(3, 0.0, others_remain=False)
    p.on_deadline(1.0)
    actions = p.on_start_failed(127, 1.0)
    assert without_notes(actions) == [(EXIT, 127)]
    assert p.how == "exec_failure"


# -- health checks ----------------------------------------------------------------------------


def checked(**kw) -> Policy:  # type: ignore[no-untyped-def]
    options = {"checks": True, "interval": 30.0, "check_timeout": 10.0, "retries": 3, **kw}
    return Policy(grace=8, supervision=Supervision(**options))


def test_checks_run_every_interval_after_the_last() -> None:
    p = checked()
    assert p.timeout(0.0) == 30.0
    assert p.on_deadline(30.0) == [(START_CHECK,)]
    assert p.on_check_started(30.0) == []
    assert p.timeout(30.0) == 10.0  # the check's own timeout
    assert p.on_check_exit(True, "exited 0", 31.0) == []
    assert p.timers == {"check": 61.0}


def test_retries_consecutive_failures_make_it_unhealthy() -> None:
    p = checked(retries=2)
    for t in (30.0, 60.0):
        p.on_deadline(t)
        p.on_check_started(t)
        actions = p.on_check_exit(False, "exited 1", t + 1)
    assert notes(actions) == ["check_failed", "unhealthy"]
    assert without_notes(actions) == [(FORWARD_STOP, TERM)]
    assert p.phase == "stopping"
    assert "check" not in p.timers


def test_a_success_resets_the_failure_count() -> None:
    p = checked(retries=2)
    results = [False, True, False]
    for k, healthy in enumerate(results):
        t = 30.0 * (k + 1)
        p.on_deadline(t)
        p.on_check_started(t)
        actions = p.on_check_exit(healthy, "", t + 1)
        assert "unhealthy" not in notes(actions)


def test_hanging_check_is_killed_and_counts_as_failed() -> None:
    p = checked(retries=1)
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    assert p.on_deadline(40.0) == [(KILL_CHECK,)]
    actions = p.on_check_exit(False, "killed by SIGKILL", 40.1)
    assert "no answer within 10s" in actions[0][3]["reason"]
    assert without_notes(actions) == [(FORWARD_STOP, TERM)]


def test_start_period_failures_do_not_count() -> None:
    p = checked(retries=1, start_period=100.0, interval=30.0)
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    assert notes(p.on_check_exit(False, "", 31.0)) == ["check_failed_warming"]
    p.on_deadline(61.0)
    p.on_check_started(61.0)
    assert notes(p.on_check_exit(False, "", 62.0)) == ["check_failed_warming"]
    p.on_deadline(92.0)
    p.on_check_started(100.5)
    assert "unhealthy" in notes(p.on_check_exit(False, "", 101.0))


def test_a_success_ends_the_start_period() -> None:
    p = checked(retries=1, start_period=100.0, interval=30.0)
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    assert p.on_check_exit(True, "", 31.0) == []
    p.on_deadline(61.0)
    p.on_check_started(61.0)
    assert "unhealthy" in notes(p.on_check_exit(False, "", 62.0))


def test_unhealthy_then_restart_policy_decides() -> None:
    p = checked(retries=1, restart="on-failure", max_restarts=3)
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    p.on_check_exit(False, "", 31.0)
    actions = p.on_main_exit(0, 32.0, others_remain=False)  # clean exit, but unhealthy
    assert notes(actions) == ["restart"]
    p = checked(retries=1)
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    p.on_check_exit(False, "", 31.0)
    assert p.on_main_exit(143, 32.0, others_remain=False) == [(EXIT, 143)]
    assert p.how == "unhealthy"


def test_check_running_at_main_exit_is_killed_and_not_counted() -> None:
    p = checked(retries=1, restart="always")
    p.on_deadline(30.0)
    p.on_check_started(30.0)
    actions = p.on_main_exit(1, 31.0, others_remain=True)
    assert actions[0] == (KILL_CHECK,)
    p.on_all_gone(31.5)
    p.on_deadline(40.0)
    p.on_started(40.0)
    assert p.on_check_exit(False, "killed", 40.1) == []  # the old run's check


# -- time limit -------------------------------------------------------------------------------


def limited(**kw) -> Policy:  # type: ignore[no-untyped-def]
    return Policy(grace=8, supervision=Supervision(limit=100.0, **kw), now=0.0)


def test_time_limit_stops_and_exits_124() -> None:
    p = limited()
    assert p.timeout(0.0) == 100.0
    actions = p.on_deadline(100.0)
    assert notes(actions) == ["time_limit"]
    assert without_notes(actions) == [(FORWARD_STOP, TERM)]
    assert p.on_main_exit(0, 101.0, others_remain=False) == [(EXIT, EXIT_TIMEOUT)]
    assert p.how == "timeout"


def test_time_limit_during_backoff_exits_at_once() -> None:
    p = limited(restart="always")
    p.on_main_exit(1, 99.5, others_remain=False)
    assert without_notes(p.on_deadline(100.0)) == [(EXIT, EXIT_TIMEOUT)]


def test_time_limit_while_already_stopping_sends_nothing_twice() -> None:
    p = limited()
    p.on_signal(TERM, 99.0)
    assert without_notes(p.on_deadline(100.0)) == []


@pytest.mark.parametrize("mode", ["auto", "group", "child"])
def test_time_limit_is_not_restarted(mode: str) -> None:
    p = Policy(grace=8, mode=mode, supervision=Supervision(limit=1.0, restart="always"))
    p.on_deadline(1.0)
    assert p.on_main_exit(143, 1.5, others_remain=False) == [(EXIT, EXIT_TIMEOUT)]
