"""Make orphans: `orphans.py COUNT OUTDIR`.

Forks COUNT children; each forks a grandchild and exits at once, so the grandchild is orphaned
and reparented to the nearest subreaper (PID 1, or a subreaper above us). The grandchildren
exit within half a second; the first one first writes its new parent's pid to
OUTDIR/orphan.ppid. When all children are reaped, writes OUTDIR/orphans.done and exits 0.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def grandchild(index: int, outdir: Path) -> None:
    if index == 0:
        time.sleep(0.3)
        (outdir / "orphan.ppid").write_text(f"{os.getppid()}\n")
    else:
        time.sleep((index % 10) / 20)


def main() -> int:
    count, outdir = int(sys.argv[1]), Path(sys.argv[2])
    for index in range(count):
        pid = os.fork()
        if pid == 0:
            if os.fork() == 0:
                try:
                    grandchild(index, outdir)
                finally:
                    os._exit(0)
            os._exit(0)
        os.waitpid(pid, 0)
    (outdir / "orphans.done").write_text(f"{count}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
