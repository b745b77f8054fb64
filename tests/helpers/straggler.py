"""A process that ignores SIGTERM (SIG_IGN), SIGINT and SIGQUIT and never exits by itself.

Prints `ready PID`, or `ready PID DAEMON_PID` with --daemon, which first starts a second
straggler in a session of its own (setsid), ignoring the same signals.
"""

from __future__ import annotations

import os
import signal
import sys


def ignore_stop_signals() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)


def main() -> int:
    ignore_stop_signals()
    pids = [os.getpid()]
    if "--daemon" in sys.argv[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            os.close(read_end)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.write(write_end, b"x")
            os.close(write_end)
            while True:
                signal.pause()
        os.close(write_end)
        os.read(read_end, 1)
        pids.append(pid)
    print("ready", *pids, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    raise SystemExit(main())
