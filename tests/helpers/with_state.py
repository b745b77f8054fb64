"""Set a known signal state, file descriptors and environment, then exec a command.

  with_state.py [--block SIGS] [--ignore SIGS] [--default SIGS] [--fd N:PATH]...
                [--listen-pid-self] -- COMMAND [ARG...]

--block adds to the signal mask, --ignore sets SIG_IGN, --default sets SIG_DFL (this
interpreter ignores SIGPIPE and SIGXFSZ; --default PIPE,XFSZ undoes that); --fd opens PATH
for reading and writing at descriptor N, inheritable; --listen-pid-self sets LISTEN_PID to
this process's pid, which the command keeps (exec does not change it).
"""

from __future__ import annotations

import argparse
import os
import signal


def signals(text: str) -> list[int]:
    return [int(signal.Signals["SIG" + name.upper()]) for name in filter(None, text.split(","))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--block", default="")
    parser.add_argument("--ignore", default="")
    parser.add_argument("--default", default="")
    parser.add_argument("--fd", action="append", default=[])
    parser.add_argument("--listen-pid-self", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    for spec in args.fd:
        number, _, path = spec.partition(":")
        fd = os.open(path, os.O_RDWR | os.O_CREAT)
        os.dup2(fd, int(number), inheritable=True)
        os.close(fd)
    for sig in signals(args.default):
        signal.signal(sig, signal.SIG_DFL)
    for sig in signals(args.ignore):
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, signals(args.block))
    if args.listen_pid_self:
        os.environ["LISTEN_PID"] = str(os.getpid())
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
