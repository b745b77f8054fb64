"""Last resort when the loop itself fails: report it, then stop every process the plain way
(stop signal, grace, SIGKILL) so that no child is abandoned."""

from __future__ import annotations

import _signal
import os
import time

from tinyinit import log

EXIT_INTERNAL = 125


def stop_everything(child: int, pid1: bool, grace: float, err: BaseException) -> int:
    log.error(f"internal error, stopping all processes: {type(err).__name__}: {err}")
    _send(child, pid1, _signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _reap_all():
            return EXIT_INTERNAL
        time.sleep(0.05)
    while _reap_all():  # SIGKILL again on each pass, for what a dying process forked
        _send(child, pid1, _signal.SIGKILL)
        time.sleep(0.05)
    return EXIT_INTERNAL


def _send(child: int, pid1: bool, sig: int) -> None:
    targets = [-1] if pid1 else [-child, child]
    for target in targets:
        try:
            os.kill(target, sig)
        except OSError:
            pass
    if not pid1:  # descendants that left the group; best effort, psutil may be what failed
        try:
            from tinyinit import procs

            procs.signal_each(procs.remaining(False), sig)
        except Exception:
            pass


def _reap_all() -> bool:
    """Reap what is ready; whether any child is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
