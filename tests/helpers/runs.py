"""One run of a supervised command, as the restart tests need it: it counts its runs in a
state file, logs start and end marks, and ends the way the plan says for this run.

  runs.py --state FILE [--log FILE] [--plan PLAN] [--daemon KIND]

--plan PLAN    comma-separated, one item per run, the last one repeating: an exit code (`3`)
               or a signal to die of (`KILL`, `TERM`, `USR1`), optionally followed by `@S`:
               stay up S seconds first. Default `0`.
--log FILE     appends `start N PID T alive=PIDS` when run N starts and `end N PID T` just
               before it ends. T: CLOCK_MONOTONIC seconds (one clock for every process of the
               machine, PID namespaces included). PIDS: the daemons logged by earlier runs
               that are still alive (neither gone nor a zombie), comma-separated, or `-`.
--daemon KIND  before following its plan, start a daemon (fork + setsid, stdio on /dev/null)
               that logs `daemon N PID T` once it waits. KIND `work:S`: on SIGTERM it works S
               seconds, logs `daemon-end N PID T` and exits 0. KIND `ignore`: it ignores
               SIGTERM, SIGINT and SIGQUIT. Either exits after 60s when nothing ended it.
Prints `run N PID` on stdout once the start mark is written.
"""

from __future__ import annotations

import argparse
import os
import signal
import time

LIFETIME = 60  # seconds a daemon lives at most when nobody stops it


def mark(log: str | None, text: str) -> None:
    if log:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, f"{text} {time.monotonic():.6f}\n".encode())
        os.close(fd)


def next_run(state: str) -> int:
    try:
        with open(state) as f:
            count = int(f.read() or 0)
    except FileNotFoundError:
        count = 0
    with open(state + ".tmp", "w") as f:
        f.write(str(count + 1))
    os.rename(state + ".tmp", state)
    return count + 1


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def daemons_alive(log: str | None) -> str:
    if not log or not os.path.exists(log):
        return "-"
    with open(log) as f:
        pids = [int(line.split()[2]) for line in f if line.startswith("daemon ")]
    living = [str(pid) for pid in pids if alive(pid)]
    return ",".join(living) or "-"


def daemon(kind: str, run: int, log: str | None, ready_fd: int) -> None:
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if kind == "ignore":
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_IGN)
        mark(log, f"daemon {run} {os.getpid()}")
        os.write(ready_fd, b"x")
        time.sleep(LIFETIME)  # a test gone wrong leaves no daemon behind for long
        os._exit(1)
    work = float(kind.partition(":")[2])
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
    mark(log, f"daemon {run} {os.getpid()}")
    os.write(ready_fd, b"x")
    if signal.sigtimedwait([signal.SIGTERM], LIFETIME) is None:
        os._exit(1)
    time.sleep(work)
    mark(log, f"daemon-end {run} {os.getpid()}")
    os._exit(0)


def start_daemon(kind: str, run: int, log: str | None) -> None:
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        try:
            daemon(kind, run, log, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    os.read(read_end, 1)
    os.close(read_end)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--log")
    parser.add_argument("--plan", default="0")
    parser.add_argument("--daemon")
    args = parser.parse_args()

    run = next_run(args.state)
    mark(args.log, f"start {run} {os.getpid()} alive={daemons_alive(args.log)}")
    print("run", run, os.getpid(), flush=True)
    if args.daemon:
        start_daemon(args.daemon, run, args.log)
    plan = args.plan.split(",")
    how, _, stay = plan[min(run, len(plan)) - 1].partition("@")
    if stay:
        time.sleep(float(stay))
    mark(args.log, f"end {run} {os.getpid()}")
    if how.isdigit():
        return int(how)
    sig = signal.Signals["SIG" + how.upper()]
    if sig != signal.SIGKILL:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    while True:  # a signal that does not kill at once (none of those the tests use)
        signal.pause()


if __name__ == "__main__":
    raise SystemExit(main())
