"""A background daemon that needs time to finish: `daemon.py OUTDIR [WORK_SECONDS]`.

Writes OUTDIR/daemon.ready ("pid pgid sid"), waits for SIGTERM, then works WORK_SECONDS
(default 1) before it writes OUTDIR/daemon.last and exits 0. The file exists only if the daemon
was given SIGTERM and the time to finish.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


def main() -> int:
    outdir = Path(sys.argv[1])
    work = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    write_atomically(outdir / "daemon.ready", f"{os.getpid()} {os.getpgid(0)} {os.getsid(0)}\n")
    signal.sigwait({signal.SIGTERM})
    time.sleep(work)
    write_atomically(outdir / "daemon.last", f"finished {work:g} s after SIGTERM\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
