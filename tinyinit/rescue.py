"""Last resort when the loop itself fails: report it, then stop every process the plain way
(stop signal, grace, SIGKILL) so that no child is abandoned.

Loaded before the child starts and needs nothing more to run (no psutil, no new module): it
must work when what failed is an import, or memory. Processes are found from /proc without
psutil, or from the kernel alone (procs.own_children)."""

from __future__ import annotations

import _signal
import os
import time

from tinyinit import log, procs

EXIT_INTERNAL = 125
GIVE_UP = 10.0  # seconds of SIGKILL after which what is left is said and left
_TERM, _KILL = _signal.SIGTERM, _signal.SIGKILL


def stop_everything(child: int, pid1: bool, grace: float, err: BaseException) -> int:
    try:
        log.error(f"internal error, stopping all processes: {type(err).__name__}: {err}")
    except Exception:  # even the line may fail (memory): the children come first
        pass
    _send(child, pid1, _TERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _reap_all():
            return EXIT_INTERNAL
        time.sleep(0.05)
    give_up = time.monotonic() + GIVE_UP
    while _reap_all():  # SIGKILL again on each pass, for what a dying process forked
        if time.monotonic() > give_up:
            log.error(f"processes still left after {GIVE_UP:.0f}s of SIGKILL; giving up")
            return EXIT_INTERNAL
        _send(child, pid1, _KILL)
        time.sleep(0.05)
    return EXIT_INTERNAL


def _send(child: int, pid1: bool, sig: int) -> None:
    targets = [-1] if pid1 else [-child, child]
    for target in targets:
        try:
            os.kill(target, sig)
        except OSError:
            pass
    if pid1:
        return
    own_group = os.getpgrp()
    try:  # descendants that left the group
        pids = procs.descendant_pids()
    except Exception:
        return
    for pid in pids:
        procs.kill_with_group(pid, sig, own_group)


def _reap_all() -> bool:
    """Reap what is ready; whether any child is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
