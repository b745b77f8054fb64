"""The shutdown policy: a pure state machine from events and times to actions.

Events: a signal tinyinit received, the main child's exit, "no process left", a deadline
reached. Actions are tuples the loop carries out; nothing here forks, signals or reads a
clock, so every decision can be tested by feeding events and times.

Phases:
  running   the main child runs; signals are forwarded to it (its group by default).
  stopping  a stop signal (TERM, INT, QUIT) arrived: it was forwarded and the grace
            period runs. Later signals are still forwarded; the deadline never moves later.
  draining  the main child has exited and other processes remain: each gets the stop
            signal in progress (SIGTERM if none; only those outside the main child's group
            when the group had it already) and SIGCONT, and has until the deadline.
  killing   the deadline passed: every remaining process gets SIGKILL (again every
            RETRY_KILL seconds, for any that a dying process forked meanwhile).
The exit comes when the main child has exited and no other process is left.
"""

from __future__ import annotations

import _signal

SIGTERM, SIGINT, SIGQUIT = _signal.SIGTERM, _signal.SIGINT, _signal.SIGQUIT
SIGSTOP, SIGCONT = _signal.SIGSTOP, _signal.SIGCONT
STOP_SIGNALS = frozenset({SIGTERM, SIGINT, SIGQUIT})
# Sent to an orphaned process group, these would be dropped by the kernel.
JOB_CONTROL = frozenset({_signal.SIGTSTP, _signal.SIGTTIN, _signal.SIGTTOU})
RETRY_KILL = 0.5

# Actions.
FORWARD = "forward"  # (FORWARD, sig): to the main child, or its process group
SIGNAL_ALL = "signal_all"  # (SIGNAL_ALL, sig): to every remaining process
SIGNAL_OUTSIDE = "signal_outside"  # (SIGNAL_OUTSIDE, sig): to every remaining process outside
#                                    the main child's process group
KILL_ALL = "kill_all"  # (KILL_ALL, given): SIGKILL every remaining process; given is the
#                        grace they had (seconds), or None for a quiet retry
EXIT = "exit"  # (EXIT, code)

Action = tuple


class Policy:
    def __init__(
        self,
        grace: float,
        rewrites: dict[int, int] | None = None,
        zero_codes: frozenset[int] = frozenset(),
        group: bool = True,
    ) -> None:
        self.grace = grace
        self.rewrites = rewrites or {}
        self.zero_codes = zero_codes
        self.group = group
        self.deadline: float | None = None
        self.grace_started: float | None = None
        self.stop_signal: int | None = None
        self.exit_code: int | None = None  # the main child's, once it has exited
        self.killing = False
        # The loop's fast path: signal → what to forward to the main child at once, for the
        # signals whose only effect is that forward (no stop, no phase change). Emptied when
        # the main child exits or the grace runs out; on_signal decides everything else.
        self.direct: dict[int, int] = {}
        for sig in _signal.valid_signals():
            if sig not in STOP_SIGNALS and sig != _signal.SIGCHLD:
                actions = self.on_signal(sig, 0.0)
                if actions:
                    self.direct[sig] = actions[0][1]

    # -- queries ------------------------------------------------------------------------
    def timeout(self, now: float) -> float | None:
        """How long the loop may wait for a signal: None is forever (nothing pending)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - now)

    @property
    def phase(self) -> str:
        if self.killing:
            return "killing"
        if self.exit_code is not None:
            return "draining"
        if self.deadline is not None:
            return "stopping"
        return "running"

    # -- events -------------------------------------------------------------------------
    def on_signal(self, sig: int, now: float) -> list[Action]:
        if sig in STOP_SIGNALS:
            if self.stop_signal is None:
                self.stop_signal = sig
            self._start_grace(now)
        target = self.rewrites.get(sig, sig)
        if target == 0 or self.killing:
            return []
        if self.exit_code is not None:
            return [(SIGNAL_ALL, target)]
        if self.group and target in JOB_CONTROL:
            target = SIGSTOP
        return [(FORWARD, target)]

    def on_main_exit(self, code: int, now: float, others_remain: bool) -> list[Action]:
        self.exit_code = 0 if code in self.zero_codes else code
        self.direct = {}
        if not others_remain:
            return [(EXIT, self.exit_code)]
        if self.killing:
            return []
        self._start_grace(now)
        sig = self.rewrites.get(self.stop_signal or SIGTERM, self.stop_signal or SIGTERM)
        if not sig:
            return [(SIGNAL_ALL, SIGCONT)]
        if self.stop_signal is not None and self.group:
            # The group had the stop signal already: a second one can mean "quit now" to
            # some programs (a cold shutdown), so only those outside it get it now.
            return [(SIGNAL_OUTSIDE, sig), (SIGNAL_ALL, SIGCONT)]
        return [(SIGNAL_ALL, sig), (SIGNAL_ALL, SIGCONT)]

    def on_all_gone(self, now: float) -> list[Action]:
        if self.exit_code is None:
            return []
        return [(EXIT, self.exit_code)]

    def on_deadline(self, now: float) -> list[Action]:
        if self.deadline is None or now < self.deadline:
            return []
        self.deadline = now + RETRY_KILL
        if self.killing:
            return [(KILL_ALL, None)]
        self.killing = True
        self.direct = {}
        given = now - self.grace_started if self.grace_started is not None else 0.0
        return [(KILL_ALL, given)]

    def _start_grace(self, now: float) -> None:
        if self.killing:
            return
        deadline = now + self.grace
        if self.deadline is None or deadline < self.deadline:
            if self.grace_started is None:
                self.grace_started = now
            self.deadline = deadline
