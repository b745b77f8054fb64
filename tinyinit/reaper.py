"""Reap every exited child: waitpid(-1, WNOHANG) until none is ready.

Run on each SIGCHLD. Several exits can share one SIGCHLD, so the main child is recognised
inside the loop, never by the signal. Nothing is kept per reaped process."""

from __future__ import annotations

import os

from tinyinit import log, status

WNOHANG = os.WNOHANG


def reap(
    main_pid: int, warn_others: bool = False, check_pid: int = 0
) -> tuple[int | None, int | None, bool]:
    """Reap all that can be reaped now. Returns (the main child's wait status if it was
    reaped in this pass, the health check's likewise, whether any child is left). The
    health check is never reported as a zombie."""
    main_status = check_status = None
    debugging = log.debugging()
    while True:
        try:
            pid, wait_status = os.waitpid(-1, WNOHANG)
        except ChildProcessError:
            return main_status, check_status, False
        if pid == 0:
            return main_status, check_status, True
        if pid == main_pid:
            main_status = wait_status
            if debugging:
                log.debug(f"main child {pid} {status.describe(wait_status)}")
        elif pid == check_pid:
            check_status = wait_status
        elif warn_others:
            log.warn(
                f"reaped zombie process {pid} ({status.describe(wait_status)}), not the main child"
            )
        elif debugging:
            log.debug(f"reaped {pid}: {status.describe(wait_status)}")
