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


def _read(path: str) -> str:
    try:
        with open(path, "rb", buffering=0) as f:
            return f.read(4096).decode("ascii", "replace")
    except OSError:
        return ""


def waiting(pid: int) -> bool:
    """Whether pid sleeps in wait(): a shell with a foreground command."""
    return _read(f"/proc/{pid}/wchan") == "do_wait"


def pgrp(pid: int) -> int:
    """The process group of pid, or 0 when it is gone."""
    stat = _read(f"/proc/{pid}/stat")
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        return int(fields[2])
    except (IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    """pid's children, from every thread's list."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        for word in _read(f"/proc/{pid}/task/{tid}/children").split():
            found.append(int(word))
    return found


def targets(main: int, group: int) -> list[int]:
    """The main child first, then each member of `group` whose parent (in the group too)
    waits for its children; the tree is read in full before anyone is signalled."""
    found = [main]
    pending = [main]
    while pending:
        parent = pending.pop()
        if not waiting(parent):
            continue
        for child in children(parent):
            if pgrp(child) == group:
                found.append(child)
                pending.append(child)
    return found
