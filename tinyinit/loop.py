"""The event loop: wait for a signal (with a timeout only while a deadline is pending),
turn it into a policy event, carry out the actions. No periodic wakeups, no threads."""

from __future__ import annotations

import _signal
import os
import time

from tinyinit import log, reaper, relay, sigs, status
from tinyinit.policy import (
    EXIT,
    FORWARD,
    FORWARD_STOP,
    KILL_ALL,
    KILL_CHECK,
    NOTE,
    SIGNAL_ALL,
    SIGNAL_REST,
    START,
    START_CHECK,
    Policy,
)

SIGCHLD = _signal.SIGCHLD
SIGKILL, SIGCONT = _signal.SIGKILL, _signal.SIGCONT
EXIT_INTERNAL = 125
JOB_STOPS = frozenset({_signal.SIGTSTP, _signal.SIGTTIN, _signal.SIGTTOU})


class Supervisor:
    """Carries out the policy's actions against the real processes.

    mode: auto, group or child (see relay). `start_run()` starts the next run and returns
    its pid (or raises spawn.ExecFailed); `start_check()` starts a health check and returns
    (pid, descriptor of its output); both None when there is nothing to start."""

    def __init__(
        self,
        child: int,
        mode: str,
        pid1: bool,
        warn_on_reap: bool,
        start_run=None,  # type: ignore[no-untyped-def]
        start_check=None,  # type: ignore[no-untyped-def]
        report=None,  # type: ignore[no-untyped-def]
        command: str = "COMMAND",
        job_control: bool = False,
    ) -> None:
        self.child = child
        self.mode = mode
        self.pid1 = pid1
        self.warn_on_reap = warn_on_reap
        self.start_run = start_run
        self.start_check = start_check
        self.report = report
        self.command = command
        self.check_pid = 0
        self.check_output = -1
        self.stopped: set[int] = set()  # pids that had the stop signal in this run
        self.stopped_group = False  # the main child's group had it (group mode)
        # In the foreground of an interactive shell's terminal (not PID 1): a Ctrl-Z that
        # stops the main child stops tinyinit too, so that the shell gets its prompt back.
        self.job_control = job_control

    # -- forwarding ---------------------------------------------------------------------
    def forward(self, sig: int) -> list[int]:
        """sig to the processes the mode names; the pids it went to (the group: [-pgid])."""
        if self.mode == "auto":
            targets = relay.targets(self.child, self.child)
        elif self.mode == "group":
            targets = [-self.child]
        else:
            targets = [self.child]
        for target in targets:
            try:
                os.kill(target, sig)
            except ProcessLookupError:
                log.debug(f"{sigs.name(sig)} not forwarded: no process {target}")
                continue
            except OSError as err:  # never abandon supervision over a failed kill
                log.warn(f"cannot forward {sigs.name(sig)} to {target}: {err.strerror}")
                continue
            if log.debugging():
                whom = f"process group {-target}" if target < 0 else f"process {target}"
                log.debug(f"forwarded {sigs.name(sig)} to {whom}")
        return targets

    def forward_stop(self, sig: int) -> None:
        """The stop signal as the mode says, then SIGCONT to the same processes (a stopped
        one acts on it instead of waiting for the SIGKILL); they are not sent it again."""
        targets = self.forward(sig)
        for target in targets:
            try:
                os.kill(target, SIGCONT)
            except OSError:
                pass
            if target < 0:
                self.stopped_group = True
            else:
                self.stopped.add(target)
            if self.report is not None:
                self.report.signalled(abs(target), _cmdline(abs(target)), sigs.name(sig))

    # -- everyone -----------------------------------------------------------------------
    def signal_all(self, sig: int) -> None:
        """`sig` to every remaining process; SIGKILL goes through kill_all."""
        self._send_all(sig, quiet=sig == SIGCONT)

    def signal_rest(self, sig: int) -> None:
        """`sig` and SIGCONT to every remaining process that has not had the stop signal."""
        sent = self._send_all(sig, quiet=False, rest=True)
        if sent is None:  # no process table: kill(-1) reached everyone
            self._send_all(SIGCONT, quiet=True)
            return
        from tinyinit import procs

        procs.signal_each(sent, SIGCONT)

    def kill_all(self, given: float | None) -> None:
        """SIGKILL to every remaining process; `given`: the grace they had, for the warning
        (None: a repeat, said only in debug lines)."""
        self._send_all(SIGKILL, quiet=given is None, given=given)

    def _send_all(
        self, sig: int, quiet: bool, given: float | None = None, rest: bool = False
    ) -> list | None:  # type: ignore[type-arg]
        """The processes `sig` went to, or None when it went to all through kill(-1)
        without a process table to name them."""
        from tinyinit import procs  # psutil: only once a process table is needed

        listable = procs.listable(self.pid1)
        left = procs.remaining(self.pid1)  # empty when not listable
        if listable:
            left = [p for p in left if not self._spared(p.pid, rest)]
        if given is not None and (left or not listable):
            log.warn(
                f"grace period over after {given:.1f}s, sending SIGKILL to {_who(left, listable)}"
            )
        elif not quiet and log.debugging():
            log.debug(f"sending {sigs.name(sig)} to {_who(left, listable)}")
        if self.report is not None and listable and sig != SIGCONT:
            self._record(left, sig)
        if listable and (not self.pid1 or rest or self.check_pid):
            procs.signal_each(left, sig)
            if rest:
                self.stopped.update(p.pid for p in left)
            return left
        try:  # as PID 1: every process of the namespace but this one, in one call
            os.kill(-1, sig)
        except ProcessLookupError:
            pass
        except OSError as err:
            log.warn(f"cannot send {sigs.name(sig)} to every process: {err.strerror}")
            procs.signal_each(left, sig)
        return left if listable else None

    def _spared(self, pid: int, rest: bool) -> bool:
        """Health check processes are never anyone's straggler; with `rest`, neither is a
        process that had the stop signal already."""
        try:
            pgid = os.getpgid(pid)
        except OSError:
            return True  # gone
        if self.check_pid and pgid == self.check_pid:
            return True
        if not rest:
            return False
        return pid in self.stopped or (self.stopped_group and pgid == self.child)

    def _record(self, procs_left: list, sig: int) -> None:  # type: ignore[type-arg]
        if self.report is None:
            return
        for proc in procs_left:
            try:
                line = " ".join(proc.cmdline()) or f"[{proc.name()}]"
            except Exception:  # gone, or unreadable: the pid alone
                line = ""
            self.report.signalled(proc.pid, line, sigs.name(sig))

    # -- runs and checks ----------------------------------------------------------------
    def reap(self, policy: Policy, now: float) -> list:  # type: ignore[type-arg]
        if self.job_control:
            self._follow_stop()
        main_status, check_status, left = reaper.reap(self.child, self.warn_on_reap, self.check_pid)
        actions: list = []  # type: ignore[type-arg]
        if check_status is not None:
            healthy, reason = self._check_result(check_status)
            actions += policy.on_check_exit(healthy, reason, now)
        if main_status is not None:
            code = status.exit_code(main_status)
            how = "signal" if os.WIFSIGNALED(main_status) else "exit"
            if self.report is not None:
                self.report.run_ended(self.child, time.time(), code, status.describe(main_status))
            return actions + policy.on_main_exit(code, now, left, how=how)
        if not left:
            return actions + policy.on_all_gone(now)
        return actions

    def _follow_stop(self) -> None:
        """When the main child was stopped from the terminal (Ctrl-Z: SIGTSTP; or SIGTTIN,
        SIGTTOU), give the terminal back to tinyinit's own group and stop tinyinit as well:
        the shell then sees its job stopped. On `fg` (the shell gave tinyinit's group the
        terminal) the main child's group gets the terminal back, then SIGCONT; on `bg`,
        SIGCONT alone."""
        try:
            info = os.waitid(os.P_PID, self.child, os.WSTOPPED | os.WNOHANG)
        except ChildProcessError:
            return
        if info is None or info.si_status not in JOB_STOPS:
            return
        mine = os.getpgrp()
        try:
            front = os.tcgetpgrp(0)
        except OSError:
            front = -1
        if front == mine and info.si_status != _signal.SIGTSTP:
            # The shell put tinyinit in front (`fg` of a job already running after `bg`
            # sends no SIGCONT), and COMMAND stopped on terminal I/O from behind: give it the
            # terminal and let it go on.
            log.debug("main child stopped on terminal I/O while in front: handing it over")
            self._resume(mine)
            return
        log.debug(f"main child stopped by {sigs.name(info.si_status)}: stopping too")
        try:
            os.tcsetpgrp(0, mine)
        except OSError as err:
            log.debug(f"cannot take the terminal back: {err.strerror}")
        os.kill(os.getpid(), _signal.SIGSTOP)
        # Continued (fg or bg): the SIGCONT that did it is pending; it goes on from here.
        _signal.sigtimedwait({SIGCONT}, 0)
        self._resume(mine)

    def _resume(self, mine: int) -> None:
        """The main child's group gets the terminal when tinyinit's has it, then SIGCONT."""
        try:
            if os.tcgetpgrp(0) == mine:
                os.tcsetpgrp(0, self.child)
        except OSError as err:
            log.debug(f"cannot hand the terminal over: {err.strerror}")
        try:
            os.kill(-self.child, SIGCONT)
        except OSError:
            pass

    def _check_result(self, wait_status: int) -> tuple[bool, str]:
        said = b""
        try:
            said = os.read(self.check_output, 4096)
        except OSError:
            pass
        os.close(self.check_output)
        self.check_pid, self.check_output = 0, -1
        healthy = os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == 0
        lines = said.decode("utf-8", "replace").strip().splitlines()
        reason = status.describe(wait_status)
        if lines:
            reason += ": " + lines[-1][:200]
        return healthy, reason

    def new_run(self, policy: Policy, now: float) -> list:  # type: ignore[type-arg]
        from tinyinit import spawn

        try:
            pid = self.start_run()
        except spawn.ExecFailed as err:
            log.error(str(err))
            return policy.on_start_failed(err.exit_code, now)
        except OSError as err:  # fork failed (EAGAIN, ENOMEM): a failed run too
            log.error(f"cannot start {self.command!r}: {err.strerror}")
            return policy.on_start_failed(EXIT_INTERNAL, now)
        self.child = pid
        self.stopped, self.stopped_group = set(), False
        if self.report is not None:
            self.report.run_started(pid, time.time())
        log.debug(f"started {self.command!r} again as pid {pid}")
        return policy.on_started(now)

    def new_check(self, policy: Policy, now: float) -> list:  # type: ignore[type-arg]
        from tinyinit import spawn

        try:
            self.check_pid, self.check_output = self.start_check()
        except (spawn.ExecFailed, OSError) as err:
            log.warn(f"cannot start the health check: {err}")
            return policy.on_check_started(now) + policy.on_check_exit(False, str(err), now)
        return policy.on_check_started(now)

    def kill_check(self) -> None:
        if self.check_pid:
            try:
                os.kill(-self.check_pid, SIGKILL)
            except OSError:
                pass

    def note(self, level: str, what: str, details: dict) -> None:  # type: ignore[type-arg]
        """Say what the policy decided: a warning or a debug line."""
        if level == "debug" and not log.debugging():
            return
        text = _NOTES[what](self.command, details)
        if what == "restart" and self.report is not None:
            self.report.restart(details["attempt"], _ended(details), details["delay"])
        (log.warn if level == "warn" else log.debug)(text)


def _ended(d: dict) -> str:  # type: ignore[type-arg]
    """`exited 3`, `killed by SIGKILL` or `could not start (127)`."""
    code = d["code"]
    if d["how"] == "exec_failure":
        return f"could not start ({code})"
    if d["how"] in ("signal", "grace_kill") and code > 128:
        return f"killed by {sigs.name(code - 128)}"
    return f"exited {code}"


def _restart_line(cmd: str, d: dict) -> str:  # type: ignore[type-arg]
    of = f" of {d['max']}" if d["max"] is not None else ""
    delay = d["delay"]
    shown = f"{delay:.1f}" if delay >= 1 else f"{delay:.2f}"
    return f"{cmd} {_ended(d)}; restart {d['attempt']}{of} in {shown}s"


_NOTES = {
    "restart": _restart_line,
    "no_restart_left": lambda cmd, d: f"{cmd} {_ended(d)}; no restart left ({d['max']} used)",
    "unhealthy": lambda cmd, d: (
        f"health check failed {d['count']} times in a row: {cmd} is unhealthy, stopping it"
    ),
    "check_failed": lambda cmd, d: f"health check failed ({d['count']}/{d['of']}): {d['reason']}",
    "check_failed_warming": lambda cmd, d: (
        f"health check failed during the start period (not counted): {d['reason']}"
    ),
    "time_limit": lambda cmd, d: f"time limit of {d['limit']:g}s reached, stopping",
    "no_one": lambda cmd, d: f"{sigs.name(d['signal'])} dropped: no run is up (restart pending)",
}


def _cmdline(pid: int) -> str:
    """pid's command line from /proc, or "" (gone, or no /proc)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read(4096).split(b"\0")
    except OSError:
        return ""
    return " ".join(os.fsdecode(w) for w in words if w)


def _who(left: list, listable: bool) -> str:  # type: ignore[type-arg]
    from tinyinit import procs

    if not listable:
        return "every remaining process (unnamed: /proc is not this PID namespace's)"
    if not left:
        return "no process (all gone meanwhile)"
    count = f"{len(left)} remaining process{'es' if len(left) != 1 else ''}"
    return f"{count}: " + ", ".join(procs.describe(p) for p in left)


def run(sup: Supervisor, policy: Policy, wait_set: set[int]) -> int:
    """Supervise until the policy says exit; returns the exit code."""
    sigwait, sigtimedwait, monotonic = _signal.sigwait, _signal.sigtimedwait, time.monotonic
    while True:
        if not policy.timers:  # nothing pending: sleep until the kernel has news
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
        while actions:
            action = actions.pop(0)
            kind = action[0]
            if kind == FORWARD:
                sup.forward(action[1])
            elif kind == FORWARD_STOP:
                sup.forward_stop(action[1])
            elif kind == SIGNAL_ALL:
                sup.signal_all(action[1])
            elif kind == SIGNAL_REST:
                sup.signal_rest(action[1])
            elif kind == KILL_ALL:
                sup.kill_all(action[1])
            elif kind == START:
                actions += sup.new_run(policy, monotonic())
            elif kind == START_CHECK:
                actions += sup.new_check(policy, monotonic())
            elif kind == KILL_CHECK:
                sup.kill_check()
            elif kind == NOTE:
                sup.note(action[1], action[2], action[3])
            elif kind == EXIT:
                return action[1]
