"""What the kernel shows of a process under /proc."""

from __future__ import annotations

import os
import time
from typing import Callable, TypeVar

T = TypeVar("T")

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _status(path: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, RssFile and VmHWM of a process, in kB."""
    fields = _status(f"/proc/{pid}/status")
    keys = ("VmRSS", "RssAnon", "RssFile", "VmHWM")
    return {key: int(fields[key].split()[0]) for key in keys if key in fields}


def context_switches(pid: int) -> int:
    """Voluntary plus nonvoluntary context switches, summed over the threads of a process."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        fields = _status(f"/proc/{pid}/task/{tid}/status")
        total += int(fields["voluntary_ctxt_switches"])
        total += int(fields["nonvoluntary_ctxt_switches"])
    return total


def state_and_cpu(pid: int) -> tuple[str, int]:
    """The state letter of /proc/PID/stat and utime + stime in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2 :].split()
    return fields[0], int(fields[11]) + int(fields[12])


def run_ns(pid: int) -> int | None:
    """Time a process has spent on a CPU, in ns (/proc/PID/schedstat; None where absent)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def children(pid: int) -> list[int]:
    """The children of a process's main thread (all of them, for a single-threaded process)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


def wait_for(probe: Callable[[], T], timeout: float, what: str, interval: float = 0.002) -> T:
    """Calls probe() until it returns something truthy; TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
