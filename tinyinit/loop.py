"""The event loop: wait for a signal (with a timeout only while a deadline is pending),
turn it into a policy event, carry out the actions. No periodic wakeups."""

from __future__ import annotations

import _signal
import os
import time

from tinyinit import log, reaper, sigs, status
from tinyinit.policy import EXIT, FORWARD, KILL_ALL, SIGNAL_ALL, SIGNAL_OUTSIDE, Policy

SIGCHLD = _signal.SIGCHLD
SIGKILL = _signal.SIGKILL


class Supervisor:
    """Carries out the policy's actions against the real processes."""

    def __init__(self, child: int, group: bool, pid1: bool, warn_on_reap: bool) -> None:
        self.child = child
        self.group = group
        self.pid1 = pid1
        self.warn_on_reap = warn_on_reap

    def forward(self, sig: int) -> None:
        target = -self.child if self.group else self.child
        try:
            os.kill(target, sig)
        except ProcessLookupError:
            log.debug(f"{sigs.name(sig)} not forwarded: no process {target}")
            return
        except OSError as err:  # never abandon supervision over a failed kill
            log.warn(f"cannot forward {sigs.name(sig)} to {target}: {err.strerror}")
            return
        if log.debugging():
            whom = f"process group {self.child}" if self.group else f"process {self.child}"
            log.debug(f"forwarded {sigs.name(sig)} to {whom}")

    def signal_all(self, sig: int) -> None:
        """`sig` to every remaining process; SIGKILL goes through kill_all."""
        self._send_all(sig, quiet=sig == _signal.SIGCONT)

    def signal_outside(self, sig: int) -> None:
        """`sig` to every remaining process outside the main child's process group."""
        self._send_all(sig, quiet=False, outside_group=True)

    def kill_all(self, given: float | None) -> None:
        """SIGKILL to every remaining process; `given`: the grace they had, for the warning
        (None: a repeat, said only in debug lines)."""
        self._send_all(SIGKILL, quiet=given is None, given=given)

    def _send_all(
        self, sig: int, quiet: bool, given: float | None = None, outside_group: bool = False
    ) -> None:
        from tinyinit import procs  # psutil: only once a process table is needed

        listable = procs.listable(self.pid1)
        left = procs.remaining(self.pid1)  # empty when not listable
        if outside_group and listable:
            left = procs.outside_group(left, self.child)
        if given is not None and (left or not listable):
            log.warn(f"grace period over after {given:.1f}s, sending SIGKILL to {_who(left)}")
        elif not quiet and log.debugging():
            log.debug(f"sending {sigs.name(sig)} to {_who(left)}")
        if not self.pid1 or (outside_group and listable):
            procs.signal_each(left, sig)
            return
        try:  # as PID 1: every process of the namespace but this one, in one call
            os.kill(-1, sig)
        except ProcessLookupError:
            pass
        except OSError as err:
            log.warn(f"cannot send {sigs.name(sig)} to every process: {err.strerror}")
            procs.signal_each(left, sig)

    def reap(self, policy: Policy, now: float) -> list:
        main_status, left = reaper.reap(self.child, self.warn_on_reap)
        if main_status is not None:
            return policy.on_main_exit(status.exit_code(main_status), now, left)
        if not left:
            return policy.on_all_gone(now)
        return []


def _who(left: list) -> str:  # type: ignore[type-arg]
    from tinyinit import procs

    if not left:
        return "every remaining process (unnamed: /proc is not this PID namespace's)"
    count = f"{len(left)} remaining process{'es' if len(left) != 1 else ''}"
    return f"{count}: " + ", ".join(procs.describe(p) for p in left)


def run(sup: Supervisor, policy: Policy, wait_set: set[int]) -> int:
    """Supervise until the policy says exit; returns the exit code."""
    sigwait, sigtimedwait, monotonic = _signal.sigwait, _signal.sigtimedwait, time.monotonic
    while True:
        if policy.deadline is None:  # nothing pending: sleep until the kernel has news
            signo = sigwait(wait_set)
            forward = policy.direct.get(signo)
            if forward is not None:  # the policy's fast path: a plain signal, forwarded
                sup.forward(forward)
                continue
        else:
            info = sigtimedwait(wait_set, policy.timeout(monotonic()))
            signo = info.si_signo if info is not None else 0
        now = monotonic()
        if signo == 0:
            actions = policy.on_deadline(now)
        elif signo == SIGCHLD:
            actions = sup.reap(policy, now)
        else:
            actions = policy.on_signal(signo, now)
        for action in actions:
            kind = action[0]
            if kind == FORWARD:
                sup.forward(action[1])
            elif kind == SIGNAL_ALL:
                sup.signal_all(action[1])
            elif kind == SIGNAL_OUTSIDE:
                sup.signal_outside(action[1])
            elif kind == KILL_ALL:
                sup.kill_all(action[1])
            elif kind == EXIT:
                return action[1]
