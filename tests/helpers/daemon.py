"""A main process that starts a daemon (fork + setsid) which finishes its work on a signal.

The daemon waits for SIGTERM (or SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2), then works for
--work seconds and writes the number of the signal it got to --file, and exits 0.

The main process prints `ready MAIN_PID DAEMON_PID` once the daemon waits, then either exits
with --exit CODE or, without it, sleeps until a signal ends it.
--stopped: the daemon stops itself (SIGSTOP) before `ready` is printed, so it only
gets its signal after a SIGCONT.
"""

from __future__ import annotations

import argparse
import os
import signal
import time

WAKE = [
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
]


def daemon(file: str, work: float, stopped: bool, ready_fd: int) -> None:
    os.setsid()
    signal.pthread_sigmask(signal.SIG_BLOCK, WAKE)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.write(ready_fd, b"x")
    os.close(ready_fd)
    if stopped:
        os.kill(os.getpid(), signal.SIGSTOP)
    number = signal.sigwaitinfo(WAKE).si_signo
    time.sleep(work)
    with open(file + ".tmp", "w") as f:
        f.write(f"{number}\n")
    os.rename(file + ".tmp", file)
    os._exit(0)


def state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--work", type=float, default=0.5)
    parser.add_argument("--exit", type=int)
    parser.add_argument("--stopped", action="store_true")
    args = parser.parse_args()

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        daemon(args.file, args.work, args.stopped, write_end)
    os.close(write_end)
    os.read(read_end, 1)
    if args.stopped:
        while state(pid) != "T":
            time.sleep(0.005)
    print("ready", os.getpid(), pid, flush=True)
    if args.exit is not None:
        return args.exit
    while True:
        signal.pause()


if __name__ == "__main__":
    raise SystemExit(main())
