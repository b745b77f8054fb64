"""Start COMMAND as a child, print `child PID`, and wait forever (to be killed by the test)."""

from __future__ import annotations

import signal
import subprocess
import sys


def main() -> None:
    child = subprocess.Popen(sys.argv[1:])
    print("child", child.pid, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
