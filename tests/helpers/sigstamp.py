"""Log `ready PID TIME`, then `SIGNAL TIME` for every signal received, to a file.

TIME is CLOCK_MONOTONIC in seconds (the clock is the same for every process of the machine,
so a test compares it with its own time.monotonic()). Signals are taken with sigwaitinfo
(every catchable one blocked), so none is lost, and none stops or kills this process but
SIGKILL and SIGSTOP. A SIGCHLD the kernel sends about a child of this process is not logged.

Options:
  --log PATH        the file to append to (required)
  --exit-on SIGS    comma-separated names or numbers: exit once one of them arrives
  --exit-delay S    work S seconds after that signal, log `exiting TIME`, then exit
  --ignore SIGS     set these to SIG_IGN and leave them unblocked (e.g. a TERM-ignoring command)
  --exit-code N     exit status (default 0)
"""

from __future__ import annotations

import argparse
import os
import signal
import time

from print_signals import parse_signals  # the helper beside this one

CATCHABLE = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--exit-on", default="")
    parser.add_argument("--exit-delay", type=float, default=0.0)
    parser.add_argument("--ignore", default="")
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()
    exit_on = parse_signals(args.exit_on)
    ignored = parse_signals(args.ignore)
    waited = sorted(CATCHABLE - ignored)

    signal.pthread_sigmask(signal.SIG_BLOCK, waited)
    for sig in ignored:
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, sorted(ignored))
    out = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def say(text: str) -> None:
        os.write(out, f"{text} {time.monotonic():.6f}\n".encode())

    say(f"ready {os.getpid()}")
    while True:
        info = signal.sigwaitinfo(waited)
        if info.si_signo == signal.SIGCHLD and info.si_code > 0:
            continue  # the kernel's news about a child of ours; a kill()ed SIGCHLD is logged
        say(str(info.si_signo))
        if info.si_signo in exit_on:
            time.sleep(args.exit_delay)
            say("exiting")
            return args.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
