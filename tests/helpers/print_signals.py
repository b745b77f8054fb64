"""Print `ready PID PGID SID`, then the number of every signal received, one a line.

Signals are taken with sigwaitinfo (all catchable ones blocked), so none is lost to a
handler race and none stops or kills this process except SIGKILL and SIGSTOP. A SIGCHLD the
kernel sends about a child of this process is not printed; one sent with kill() is.

Options:
  --log PATH        append the lines to PATH instead of writing them to stdout
  --exit-on SIGS    comma-separated names or numbers: exit once one of them arrives
  --exit-delay S    work S seconds before exiting (prints `exiting` first)
  --exit-code N     exit status (default 0)
  --tty             add ` tty=yes|no`: is stdin our controlling terminal, our group in front
"""

from __future__ import annotations

import argparse
import os
import signal
import time

CATCHABLE = sorted(set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP})


def parse_signals(text: str) -> set[int]:
    found = set()
    for item in filter(None, text.split(",")):
        if item.isdigit():
            found.add(int(item))
        else:
            name = item.upper() if item.upper().startswith("SIG") else "SIG" + item.upper()
            found.add(int(signal.Signals[name]))
    return found


def controlling_tty() -> str:
    try:
        return "yes" if os.tcgetpgrp(0) == os.getpgrp() else "no"
    except OSError:
        return "no"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log")
    parser.add_argument("--exit-on", default="")
    parser.add_argument("--exit-delay", type=float, default=0.0)
    parser.add_argument("--exit-code", type=int, default=0)
    parser.add_argument("--tty", action="store_true")
    args = parser.parse_args()
    exit_on = parse_signals(args.exit_on)

    signal.pthread_sigmask(signal.SIG_BLOCK, CATCHABLE)
    out = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if args.log else 1

    def say(text: str) -> None:
        os.write(out, text.encode() + b"\n")

    ready = f"ready {os.getpid()} {os.getpgrp()} {os.getsid(0)}"
    say(ready + (f" tty={controlling_tty()}" if args.tty else ""))
    while True:
        info = signal.sigwaitinfo(CATCHABLE)
        number = info.si_signo
        if number == signal.SIGCHLD and info.si_code > 0:
            continue  # news from the kernel about a child of ours; a SIGCHLD sent by kill() counts
        say(str(number))
        if number in exit_on:
            time.sleep(args.exit_delay)
            say("exiting")
            return args.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
