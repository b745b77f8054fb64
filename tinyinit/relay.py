"""Who gets a forwarded signal in `auto` mode: the main child, and the processes of its
process group that nobody else will pass the signal to.

A process whose parent is blocked waiting for its children (a shell running a foreground
command or a pipeline: /proc/PID/wchan says `do_wait`) hears nothing until that command
ends, so it gets the signal from tinyinit, recursively (a shell under a shell). A process
whose parent does anything else (a master's event loop: gunicorn, celery, multiprocessing)
is left to that parent, which relays as it sees fit.

Only the kernel is asked, from the main child down: /proc/PID/wchan, /proc/PID/stat and
/proc/PID/task/TID/children. No psutil, no scan of all of /proc. Where a parent's wchan
cannot be read (another user's process without CAP_SYS_PTRACE reads as `0`), its subtree
gets nothing beyond its root.
"""

from __future__ import annotations

import os

# Descriptors of /proc/PID/wchan and of /proc/PID/task/TID/children, opened the first time a
# process is looked at and kept from one signal to the next: a pread at offset 0 costs a fifth
# of an open, read and close. A descriptor stays bound to the process it was opened for (once
# that is gone, reads fail and the entry is dropped), so a reused pid never reads another's.
# The thread list is the one seen first: shells and masters do not start threads later.
_open: dict[int, tuple[int, list[int]]] = {}
MAX_OPEN = 32
# Parents found waiting by the last walk: one seen running (wchan "0") is taken to be waking
# briefly (e.g. a shell running a trap handler for the previous signal) and still waiting.
_was_waiting: set[int] = set()


def _entry(pid: int) -> tuple[int, list[int]] | None:
    entry = _open.get(pid)
    if entry is not None:
        return entry
    try:
        wchan = os.open(f"/proc/{pid}/wchan", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            kids.append(os.open(f"/proc/{pid}/task/{tid}/children", os.O_RDONLY | os.O_CLOEXEC))
    except OSError:
        pass
    if len(_open) >= MAX_OPEN:
        forget()
    entry = _open[pid] = (wchan, kids)
    return entry


def forget(pid: int | None = None) -> None:
    """Close the descriptors kept for pid (None: for every process)."""
    for key in list(_open) if pid is None else [pid]:
        entry = _open.pop(key, None)
        if entry is not None:
            for fd in (entry[0], *entry[1]):
                os.close(fd)


def _wchan(pid: int) -> bytes:
    entry = _entry(pid)
    if entry is None:
        return b""
    try:
        return os.pread(entry[0], 64, 0)
    except OSError:
        forget(pid)
        return b""


def waiting(pid: int) -> bool:
    """Whether pid sleeps in wait(): a shell with a foreground command."""
    where = _wchan(pid)
    return where == b"do_wait" or (where == b"0" and pid in _was_waiting)


def pgrp(pid: int) -> int:
    """The process group of pid, or 0 when it is gone (getpgid(2): no /proc read)."""
    try:
        return os.getpgid(pid)
    except OSError:
        return 0


def children(pid: int) -> list[int]:
    """pid's children, from every thread's list."""
    entry = _entry(pid)
    found: list[int] = []
    if entry is None:
        return found
    try:
        for fd in entry[1]:
            found.extend(int(word) for word in os.pread(fd, 4096, 0).split())
    except OSError:
        forget(pid)
    return found


def targets(main: int, group: int) -> list[int]:
    """The main child first, then each member of `group` whose parent (in the group too)
    waits for its children; the tree is read in full before anyone is signalled. A process's
    children are read first (a fourth of the cost of its wchan): one with none, the common
    case of a program that starts nothing, needs no more."""
    kids = children(main)
    if not kids or not waiting(main):
        if _was_waiting:
            _was_waiting.clear()
        return [main]
    found = [main]
    waited = {main}
    pending = [kids]
    while pending:
        for child in pending.pop():
            if pgrp(child) == group:
                found.append(child)
                grandchildren = children(child)
                if grandchildren and waiting(child):
                    waited.add(child)
                    pending.append(grandchildren)
    _was_waiting.clear()
    _was_waiting.update(waited)
    return found
