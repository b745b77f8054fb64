"""The supervision policy: a pure state machine from events and times to actions.

Events: a signal tinyinit received, a run started or could not start, the main child's
exit, "no process left", a health check's start and end, a deadline reached. Actions are
tuples the loop carries out; nothing here forks, signals or reads a clock, so every
decision can be tested by feeding events and times.

States of the run (one at a time):
  running   the main child runs; signals are forwarded to it as the forwarding mode says;
            health checks run every interval.
  stopping  a stop signal (TERM, INT, QUIT) arrived, or the run is unhealthy, or the time
            limit passed: the stop signal went to the main child (and SIGCONT after it),
            and the grace period runs. At half the grace every process that has not had
            the stop signal gets it. Later signals are still forwarded; the deadline
            never moves later.
  draining  the main child has exited and other processes remain: each that has not had
            the stop signal (SIGTERM if none) gets it, and SIGCONT; they have until the
            deadline. Then tinyinit exits, or restarts.
  killing   the grace is over: every remaining process gets SIGKILL (again every
            RETRY_KILL seconds, for any that a dying process forked meanwhile).
  backoff   the run ended, nothing is left, and a restart is due after a delay.
  starting  the loop is starting the next run (on_started or on_start_failed follows).
  done      the exit action was given.

Timers (`deadline` is the nearest): grace, warn (half the grace), kill (retry), backoff,
check (the next health check), check_timeout (the running check's), limit (--timeout).
With none pending the loop waits with no timeout at all.
"""

from __future__ import annotations

import _signal

TYPE_CHECKING = False  # typing itself would cost PID 1 an import
if TYPE_CHECKING:
    from collections.abc import Callable

SIGTERM, SIGINT, SIGQUIT = _signal.SIGTERM, _signal.SIGINT, _signal.SIGQUIT
SIGSTOP, SIGCONT, SIGKILL = _signal.SIGSTOP, _signal.SIGCONT, _signal.SIGKILL
STOP_SIGNALS = frozenset({SIGTERM, SIGINT, SIGQUIT})
# In group mode these reach the group as SIGSTOP: sent to an orphaned process group, the
# kernel would drop them. The other modes send them as they are (to a process, not to an
# orphaned group), so that programs using them (gunicorn: TTIN/TTOU) get them.
JOB_CONTROL = frozenset({_signal.SIGTSTP, _signal.SIGTTIN, _signal.SIGTTOU})
RETRY_KILL = 0.5
MAX_BACKOFF = 60.0
EXIT_TIMEOUT = 124

RUNNING, STOPPING, DRAINING, KILLING = "running", "stopping", "draining", "killing"
BACKOFF, STARTING, DONE = "backoff", "starting", "done"

# Actions.
FORWARD = "forward"  # (FORWARD, sig): to the main child as the forwarding mode says
FORWARD_STOP = "forward_stop"  # (FORWARD_STOP, sig): the same, then SIGCONT to the same
#                                processes, which are remembered as having had the stop
SIGNAL_ALL = "signal_all"  # (SIGNAL_ALL, sig): to every remaining process
SIGNAL_REST = "signal_rest"  # (SIGNAL_REST, sig): sig, then SIGCONT, to every remaining
#                              process that has not had the stop signal yet
KILL_ALL = "kill_all"  # (KILL_ALL, given): SIGKILL every remaining process; given is the
#                        grace they had (seconds), or None for a quiet retry
START = "start"  # (START,): start the next run
START_CHECK = "start_check"  # (START_CHECK,): start a health check
KILL_CHECK = "kill_check"  # (KILL_CHECK,): SIGKILL the running check's process group
NOTE = "note"  # (NOTE, level, what, details): a line to log; what names the event
EXIT = "exit"  # (EXIT, code)

Action = tuple


class Supervision:
    """What the user asked of restarts, checks and the time limit (seconds, counts)."""

    def __init__(
        self,
        restart: str = "no",
        max_restarts: int | None = None,
        backoff: float = 1.0,
        reset_after: float = 60.0,
        checks: bool = False,
        interval: float = 30.0,
        check_timeout: float = 10.0,
        retries: int = 3,
        start_period: float = 0.0,
        limit: float | None = None,
    ) -> None:
        self.restart = restart
        self.max_restarts = max_restarts
        self.backoff = backoff
        self.reset_after = reset_after
        self.checks = checks
        self.interval = interval
        self.check_timeout = check_timeout
        self.retries = retries
        self.start_period = start_period
        self.limit = limit


class Policy:
    def __init__(
        self,
        grace: float,
        rewrites: dict[int, int] | None = None,
        zero_codes: frozenset[int] = frozenset(),
        mode: str = "auto",
        supervision: Supervision | None = None,
        now: float = 0.0,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        self.grace = grace
        self.rewrites = rewrites or {}
        self.zero_codes = zero_codes
        self.mode = mode
        self.sup = supervision or Supervision()
        self.jitter = jitter or (lambda: 0.0)  # a fraction in [0, 1): shortens a delay
        self.state = RUNNING
        self.timers: dict[str, float] = {}
        self.grace_started: float | None = None
        self.stop_signal: int | None = None  # the first stop signal received from outside
        self.stop_reason: str | None = None  # "signal", "unhealthy" or "timeout"
        self.exit_code: int | None = None  # the code tinyinit exits with, once decided
        self.how: str | None = None  # how the last run ended: exit, signal, grace_kill...
        self.last_code: int | None = None  # the last run's code (after -e)
        self.run_started = now
        self.restarts = 0  # restarts since the count was last reset
        self.restart_after_drain = False
        self._delay = 0.0  # the backoff of the restart planned
        self.checking = False  # a health check process runs (until it is reaped)
        self.check_cancelled = False  # ... and was killed because the run is stopping
        self.check_failures = 0
        self.warmed_up = False
        if self.sup.limit is not None:
            self.timers["limit"] = now + self.sup.limit
        # The loop's fast path: signal → what to forward at once, for the signals whose only
        # effect is that forward (no stop, no state change). Filled while a run is up and
        # not being killed; on_signal decides everything else.
        self.direct: dict[int, int] = {}
        self._plain: dict[int, int] = {}
        for sig in _signal.valid_signals():
            if sig not in STOP_SIGNALS and sig != _signal.SIGCHLD:
                target = self._forwarded(sig)
                if target:
                    self._plain[sig] = target
        self._on_run_started(now)

    # -- queries ------------------------------------------------------------------------
    @property
    def deadline(self) -> float | None:
        return min(self.timers.values()) if self.timers else None

    def timeout(self, now: float) -> float | None:
        """How long the loop may wait for a signal: None is forever (nothing pending)."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - now)

    @property
    def phase(self) -> str:
        return self.state

    def stop_target(self) -> int:
        """The stop signal in progress after rewrites (0: dropped)."""
        sig = self.stop_signal or SIGTERM
        return self.rewrites.get(sig, sig)

    # -- events -------------------------------------------------------------------------
    def on_signal(self, sig: int, now: float) -> list[Action]:
        target = self.rewrites.get(sig, sig)
        if sig in STOP_SIGNALS:
            if self.stop_signal is None:
                self.stop_signal = sig
            return self._stop_requested("signal", target, now)
        if self.state in (BACKOFF, STARTING):
            return [(NOTE, "debug", "no_one", {"signal": sig})]
        if self.state in (KILLING, DONE):
            return []
        if self.state == DRAINING:
            return [(SIGNAL_ALL, target)] if target else []
        target = self._forwarded(sig)
        return [(FORWARD, target)] if target else []

    def on_started(self, now: float) -> list[Action]:
        """The next run is up."""
        self.state = RUNNING
        self.run_started = now
        self._on_run_started(now)
        return []

    def on_start_failed(self, code: int, now: float) -> list[Action]:
        """The next run could not start (exec failure): a failed run."""
        self.state = RUNNING
        self.run_started = now
        return self.on_main_exit(code, now, False, how="exec_failure")

    def on_main_exit(
        self, code: int, now: float, others_remain: bool, how: str | None = None
    ) -> list[Action]:
        """The main child ended with `code` (128+N when killed by signal N). `how`: exit,
        signal, or exec_failure; a SIGKILL while killing is the grace's."""
        actions: list[Action] = self._stop_check()
        self.direct = {}
        self.last_code = 0 if code in self.zero_codes else code
        if how is None:
            how = "signal" if code > 128 else "exit"
        if how == "signal" and code == 128 + SIGKILL and self.state == KILLING:
            how = "grace_kill"
        self.how = how
        self.timers.pop("warn", None)
        actions += self._decide_restart(now)
        if not others_remain:
            return actions + self._all_gone(now)
        if self.state == KILLING:
            return actions
        self.state = DRAINING
        self._start_grace(now)
        target = self.stop_target()
        if not target:
            return [*actions, (SIGNAL_ALL, SIGCONT)]
        return [*actions, (SIGNAL_REST, target)]

    def on_all_gone(self, now: float) -> list[Action]:
        """No process is left but the main child, which has not exited in this pass."""
        if self.state in (DRAINING, KILLING) and self.last_code is not None:
            return self._all_gone(now)
        return []

    def on_check_started(self, now: float) -> list[Action]:
        self.checking = True
        self.timers.pop("check", None)
        self.timers["check_timeout"] = now + self.sup.check_timeout
        return []

    def on_check_exit(self, healthy: bool, reason: str, now: float) -> list[Action]:
        """The health check process ended (healthy: it said so in time)."""
        self.checking = False
        timed_out = self.timers.pop("check_timeout", None) is None
        if self.check_cancelled or self.state != RUNNING:
            self.check_cancelled = False
            return []
        self.timers["check"] = now + self.sup.interval
        if timed_out:
            reason = f"no answer within {self.sup.check_timeout:g}s"
        if healthy:
            self.check_failures = 0
            self.warmed_up = True  # a success ends the start period (as Docker's does)
            return []
        if not self.warmed_up and now - self.run_started < self.sup.start_period:
            return [(NOTE, "debug", "check_failed_warming", {"reason": reason})]
        self.check_failures += 1
        note = (
            NOTE,
            "debug",
            "check_failed",
            {"reason": reason, "count": self.check_failures, "of": self.sup.retries},
        )
        if self.check_failures < self.sup.retries:
            return [note]
        return [
            note,
            (NOTE, "warn", "unhealthy", {"count": self.check_failures}),
            *self._stop_requested("unhealthy", self.stop_target(), now),
        ]

    def on_deadline(self, now: float) -> list[Action]:
        actions: list[Action] = []
        for name, when in sorted(self.timers.items(), key=lambda item: item[1]):
            if when <= now and self.timers.get(name) == when:
                del self.timers[name]
                actions += getattr(self, "_due_" + name)(now)
        return actions

    # -- timers -------------------------------------------------------------------------
    def _due_grace(self, now: float) -> list[Action]:
        self.state = KILLING
        self.direct = {}
        self.timers.pop("warn", None)
        self.timers["kill"] = now + RETRY_KILL
        given = now - self.grace_started if self.grace_started is not None else 0.0
        return [*self._stop_check(), (KILL_ALL, given)]

    def _due_kill(self, now: float) -> list[Action]:
        self.timers["kill"] = now + RETRY_KILL
        return [(KILL_ALL, None)]

    def _due_warn(self, now: float) -> list[Action]:
        target = self.stop_target()
        return [(SIGNAL_REST, target)] if target and self.state == STOPPING else []

    def _due_backoff(self, now: float) -> list[Action]:
        self.state = STARTING
        return [(START,)]

    def _due_check(self, now: float) -> list[Action]:
        if self.state != RUNNING or self.checking:
            return []
        return [(START_CHECK,)]

    def _due_check_timeout(self, now: float) -> list[Action]:
        return [(KILL_CHECK,)] if self.checking else []

    def _due_limit(self, now: float) -> list[Action]:
        note = (NOTE, "warn", "time_limit", {"limit": self.sup.limit})
        if self.state in (BACKOFF, STARTING):
            self.stop_reason = "timeout"
            self.how = "timeout"
            return [note, *self._finish(EXIT_TIMEOUT)]
        if self.state == DONE:
            return []
        return [note, *self._stop_requested("timeout", self.stop_target(), now)]

    # -- helpers ------------------------------------------------------------------------
    def _forwarded(self, sig: int) -> int:
        target = self.rewrites.get(sig, sig)
        if self.mode == "group" and target in JOB_CONTROL:
            return SIGSTOP
        return target

    def _on_run_started(self, now: float) -> None:
        self.direct = self._plain
        self.check_failures = 0
        self.warmed_up = False
        if self.sup.checks:
            self.timers["check"] = now + self.sup.interval

    def _stop_check(self) -> list[Action]:
        self.timers.pop("check", None)
        self.timers.pop("check_timeout", None)
        if not self.checking or self.check_cancelled:
            return []
        self.check_cancelled = True
        return [(KILL_CHECK,)]

    def _stop_requested(self, reason: str, target: int, now: float) -> list[Action]:
        """A stop signal from outside, an unhealthy run, or the time limit."""
        if self.stop_reason is None or (reason != "unhealthy" and self.stop_reason == "unhealthy"):
            self.stop_reason = reason
        if reason != "unhealthy":
            self.restart_after_drain = False
        if self.state in (BACKOFF, STARTING):  # nothing runs: end now, nothing to stop
            self.timers.pop("backoff", None)
            code = EXIT_TIMEOUT if reason == "timeout" else self.last_code or 0
            if reason == "timeout":
                self.how = "timeout"
            return self._finish(code)
        if self.state in (KILLING, DONE):
            return []
        if self.state == DRAINING:
            if self.exit_code is None and not self.restart_after_drain:
                self._decide_exit_code()
            self._start_grace(now)
            return [(SIGNAL_ALL, target)] if target and reason == "signal" else []
        if self.state == STOPPING and reason != "signal":
            return []  # the stop in progress goes on; the signal went out already
        actions = self._stop_check()
        self.state = STOPPING
        self._start_grace(now)
        if not target:
            return actions
        return [*actions, (FORWARD_STOP, target)]

    def _start_grace(self, now: float) -> None:
        deadline = now + self.grace
        current = self.timers.get("grace")
        if current is None or deadline < current:
            if self.grace_started is None:
                self.grace_started = now
                if self.state == STOPPING and self.grace > 0:
                    self.timers["warn"] = now + self.grace / 2
            self.timers["grace"] = deadline

    def _decide_restart(self, now: float) -> list[Action]:
        """After a run ended: restart (after the drain and a delay) or exit."""
        self.restart_after_drain = False
        policy = self.sup.restart
        failed = self.last_code != 0 or self.stop_reason == "unhealthy"
        wanted = policy == "always" or (policy == "on-failure" and failed)
        if self.stop_reason not in (None, "unhealthy") or not wanted:
            self._decide_exit_code()
            return []
        if now - self.run_started >= self.sup.reset_after:
            self.restarts = 0
        reason = {"code": self.last_code, "how": self.how}
        if self.sup.max_restarts is not None and self.restarts >= self.sup.max_restarts:
            self._decide_exit_code()
            return [(NOTE, "warn", "no_restart_left", {**reason, "max": self.sup.max_restarts})]
        self.restarts += 1
        delay = min(self.sup.backoff * 2 ** (self.restarts - 1), MAX_BACKOFF)
        delay *= 1 - min(max(self.jitter(), 0.0), 1.0) / 4
        self.restart_after_drain = True
        self.exit_code = None
        self._delay = delay
        note = {**reason, "attempt": self.restarts, "max": self.sup.max_restarts, "delay": delay}
        return [(NOTE, "warn", "restart", note)]

    def _decide_exit_code(self) -> None:
        if self.stop_reason == "timeout":
            self.how = "timeout"
            self.exit_code = EXIT_TIMEOUT
        else:
            if self.stop_reason == "unhealthy":
                self.how = "unhealthy"
            self.exit_code = self.last_code

    def _all_gone(self, now: float) -> list[Action]:
        if self.restart_after_drain:
            self.restart_after_drain = False
            self.state = BACKOFF
            for name in ("grace", "warn", "kill"):
                self.timers.pop(name, None)
            self.grace_started = None
            self.stop_reason = None
            self.timers["backoff"] = now + self._delay
            return []
        if self.exit_code is None:
            self._decide_exit_code()
        return self._finish(self.exit_code or 0)

    def _finish(self, code: int) -> list[Action]:
        self.state = DONE
        self.exit_code = code
        self.timers.clear()
        self.direct = {}
        return [(EXIT, code)]
