"""Exec a command in a state no ordinary launcher sets up.

  exec_with.py [--ignore-sigchld] [--env-file PATH] [--rlimit NAME=SOFT]... -- COMMAND [ARG...]

--ignore-sigchld  SIGCHLD set to SIG_IGN (a parent that does not care about its children)
--env-file PATH   the environment is exactly the NUL-separated entries of PATH, passed to
                  libc's execve as they are: entries a Python mapping cannot hold (an empty
                  name, no `=`, a name twice) included
--rlimit NAME=N   setrlimit(RLIMIT_NAME, (N, hard)) before the exec
--open-fds N      N more descriptors (on /dev/null) from 10 up, inheritable
--close FDS       comma-separated descriptors to close (0,1,2: closed stdio)
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import signal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ignore-sigchld", action="store_true")
    parser.add_argument("--env-file")
    parser.add_argument("--rlimit", action="append", default=[])
    parser.add_argument("--open-fds", type=int, default=0)
    parser.add_argument("--close", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    path = shutil.which(command[0]) or command[0]
    if args.ignore_sigchld:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for item in args.rlimit:
        name, _, soft = item.partition("=")
        which = getattr(resource, "RLIMIT_" + name.upper())
        resource.setrlimit(which, (int(soft), resource.getrlimit(which)[1]))
    for fd in range(10, 10 + args.open_fds):
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, fd, inheritable=True)
        os.close(null)
    for fd in filter(None, args.close.split(",")):
        os.close(int(fd))
    if args.env_file is None:
        os.execv(path, command)
    with open(args.env_file, "rb") as f:
        entries = f.read().split(b"\0")[:-1]
    libc = ctypes.CDLL(None, use_errno=True)
    argv = [os.fsencode(word) for word in command]
    libc.execve(
        os.fsencode(path),
        (ctypes.c_char_p * (len(argv) + 1))(*argv, None),
        (ctypes.c_char_p * (len(entries) + 1))(*entries, None),
    )
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


if __name__ == "__main__":
    main()
