"""A health check that records every signal it receives, then exits.

  sigrecord.py --log FILE [--for S] [--exit N]

Appends `check PID T` to FILE when it starts (T: CLOCK_MONOTONIC seconds), then for S seconds
(default 0.5) takes every catchable signal with sigtimedwait (all of them blocked, so none
kills it) and appends `signal PID NUMBER` for each; then appends `done PID` and exits N
(default 0). A SIGCHLD the kernel sends about a child of this process is not recorded.
"""

from __future__ import annotations

import argparse
import os
import signal
import time

CATCHABLE = sorted(set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--for", dest="duration", type=float, default=0.5)
    parser.add_argument("--exit", type=int, default=0)
    args = parser.parse_args()

    signal.pthread_sigmask(signal.SIG_BLOCK, CATCHABLE)
    fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    pid = os.getpid()
    os.write(fd, f"check {pid} {time.monotonic():.6f}\n".encode())
    deadline = time.monotonic() + args.duration
    while (left := deadline - time.monotonic()) > 0:
        info = signal.sigtimedwait(CATCHABLE, left)
        if info is None:
            break
        if info.si_signo == signal.SIGCHLD and info.si_code > 0:
            continue
        os.write(fd, f"signal {pid} {info.si_signo}\n".encode())
    os.write(fd, f"done {pid}\n".encode())
    return args.exit


if __name__ == "__main__":
    raise SystemExit(main())
