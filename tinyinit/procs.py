"""Who is left: the process table through psutil, imported only when a table is needed
(at drain and escalation time, never while the main child simply runs)."""

from __future__ import annotations

import os

from tinyinit import log


def listable(pid1: bool) -> bool:
    """Whether /proc shows tinyinit's own PID namespace. A PID 1 started without its own
    /proc (`unshare --pid --fork` without --mount-proc) sees its parent namespace's
    processes there, whose pids mean other processes here: never list or signal by them."""
    if not pid1:
        return True
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def remaining(pid1: bool) -> list:
    """Live processes tinyinit is responsible for: as PID 1 every other process of the
    namespace; otherwise every descendant (orphans come back to a subreaper). Zombies
    are left out: they are already dead and wait for tinyinit's waitpid."""
    if not listable(pid1):
        return []
    import psutil

    me = os.getpid()
    if pid1:
        candidates = [p for p in psutil.process_iter() if p.pid != me]
    else:
        try:
            candidates = psutil.Process(me).children(recursive=True)
        except psutil.Error:
            return []
    alive = []
    for proc in candidates:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            pass
    return alive


def outside_group(procs: list, pgid: int) -> list:
    """Those of `procs` that are not (or no longer) in process group `pgid`."""
    outside = []
    for proc in procs:
        try:
            if os.getpgid(proc.pid) != pgid:
                outside.append(proc)
        except OSError:
            pass  # gone
    return outside


def describe(proc: object) -> str:
    """`PID (command line)`, or `PID` alone when it is gone or unreadable."""
    import psutil

    try:
        words = proc.cmdline() or [f"[{proc.name()}]"]  # type: ignore[attr-defined]
    except psutil.Error:
        return str(proc.pid)  # type: ignore[attr-defined]
    line = " ".join(words)
    if len(line) > 120:
        line = line[:117] + "..."
    return f"{proc.pid} ({line})"  # type: ignore[attr-defined]


def signal_each(procs: list, sig: int) -> None:
    """Send `sig` to each process still the one listed (psutil checks its start time, so
    a recycled pid is never hit)."""
    import psutil

    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.NoSuchProcess:
            pass
        except psutil.Error as err:
            log.warn(f"cannot send signal {sig} to {proc.pid}: {err}")
