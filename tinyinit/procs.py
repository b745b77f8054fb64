"""Who is left: the process table through psutil, imported only when a table is needed
(at drain and escalation time, never while the main child simply runs).

Without a usable /proc (not mounted, or psutil cannot be loaded), a subreaper still finds
its own children from the kernel: waitid(P_PID, pid, WNOHANG|WNOWAIT) fails with ECHILD for
any pid that is not a child, and leaves a child untouched. Orphans come back to the
subreaper, so killing the children found (and their process groups) again and again reaches
every descendant. Their names are unknown then, and said to be.
"""

from __future__ import annotations

import os

from tinyinit import log

# Where the pid scan ends when the newest pid cannot be learnt (Linux's largest pid_max).
PID_MAX = 4194304


def usable() -> bool:
    """Whether /proc is mounted and shows tinyinit's own PID namespace."""
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def listable(pid1: bool) -> bool:
    """Whether tinyinit can name the pids of the processes it is responsible for. A PID 1
    started without its own /proc (`unshare --pid --fork` without --mount-proc) sees its
    parent namespace's processes there, whose pids mean other processes here: never list or
    signal by them (it reaches them with kill(-1)). A subreaper can always list its
    children (from /proc, or from the kernel by a pid scan)."""
    return True if not pid1 else usable()


class Unnamed:
    """A child of tinyinit found without /proc: a pid, no name. Safe to signal by pid: a
    child's pid cannot be reused until tinyinit reaps it."""

    def __init__(self, pid: int) -> None:
        self.pid = pid


def remaining(pid1: bool) -> list:
    """Live processes tinyinit is responsible for: as PID 1 every other process of the
    namespace; otherwise every descendant (orphans come back to a subreaper). Zombies
    are left out: they are already dead and wait for tinyinit's waitpid."""
    if not listable(pid1):
        return []
    if not pid1 and not usable():
        return [Unnamed(pid) for pid in own_children()]
    try:
        import psutil
    except (ImportError, MemoryError):
        return [Unnamed(pid) for pid in own_children()]
    me = os.getpid()
    if pid1:
        candidates = [p for p in psutil.process_iter() if p.pid != me]
    else:
        try:
            candidates = psutil.Process(me).children(recursive=True)
        except psutil.Error:
            return [Unnamed(pid) for pid in own_children()]
    alive = []
    for proc in candidates:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            pass
    return alive


def own_children() -> list[int]:
    """tinyinit's live (not yet exited) children, asked of the kernel pid by pid, with no
    psutil: the numbered entries of /proc when it is this namespace's, else every pid from
    tinyinit's own to the newest one (pids are handed out in turn: a descendant has a pid
    after its ancestors')."""
    after = os.getpid()
    if usable():
        try:
            candidates = [int(e) for e in os.listdir("/proc") if e.isdigit()]
        except OSError:
            candidates = _pid_range(after)
    else:
        candidates = _pid_range(after)
    found = []
    waitid, P_PID = os.waitid, os.P_PID
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    me = os.getpid()
    for pid in candidates:
        if pid == me:
            continue
        try:
            if waitid(P_PID, pid, flags) is None:  # a child, not exited
                found.append(pid)
        except ChildProcessError:
            pass
        except OSError:
            pass
    return found


def _pid_range(after: int) -> range | list[int]:
    """Pids from AFTER+1 to the newest, learnt by making a process (wrapping round)."""
    try:
        probe = os.fork()
    except OSError:
        return range(max(after, 1) + 1, PID_MAX)
    if probe == 0:
        os._exit(0)
    os.waitpid(probe, 0)
    if probe > after:
        return range(after + 1, probe)
    return [*range(after + 1, PID_MAX), *range(2, probe)]


def describe(proc: object) -> str:
    """`PID (command line)`, or `PID` alone when it is gone or unreadable."""
    if isinstance(proc, Unnamed):
        return f"{proc.pid} (name unknown: no /proc)"
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
    a recycled pid is never hit). An unnamed child's process group gets it too (not
    tinyinit's own): that reaches what it started that has not come back to tinyinit yet."""
    psutil = None
    own_group = os.getpgrp()
    for proc in procs:
        if isinstance(proc, Unnamed):
            kill_with_group(proc.pid, sig, own_group)
            continue
        if psutil is None:
            import psutil
        try:
            proc.send_signal(sig)
        except psutil.NoSuchProcess:
            pass
        except psutil.Error as err:
            log.warn(f"cannot send signal {sig} to {proc.pid}: {err}")


def kill_with_group(pid: int, sig: int, own_group: int) -> None:
    try:
        group = os.getpgid(pid)
        if group != own_group:
            os.kill(-group, sig)
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
    except OSError as err:
        log.warn(f"cannot send signal {sig} to {pid}: {err.strerror}")


def descendant_pids() -> list[int]:
    """Pids of tinyinit's live descendants with no psutil (for the rescue): from the ppid
    fields of /proc/*/stat when /proc is this namespace's, else its children (own_children)."""
    if not usable():
        return own_children()
    kids: dict[int, list[int]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return own_children()
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if fields and fields[0] != b"Z":
            kids.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [os.getpid()]
    while todo:
        more = kids.get(todo.pop(), [])
        found.extend(more)
        todo.extend(more)
    return found
