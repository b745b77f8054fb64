"""Record the signals this process receives: `sigrec.py NAME OUTDIR`.

Writes OUTDIR/NAME.ready ("pid pgid sid") once its signals are blocked, then appends the name of
every signal it takes to OUTDIR/NAME.signals, one per line. Exits 0 after SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

WATCHED = (
    signal.SIGHUP,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGTERM,
    signal.SIGCONT,
    signal.SIGWINCH,
)


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


def main() -> int:
    name, outdir = sys.argv[1], Path(sys.argv[2])
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    pid = os.getpid()
    write_atomically(outdir / f"{name}.ready", f"{pid} {os.getpgid(0)} {os.getsid(0)}\n")
    with open(outdir / f"{name}.signals", "a", buffering=1) as log:
        while True:
            signum = signal.sigwait(WATCHED)
            log.write(signal.Signals(signum).name + "\n")
            if signum == signal.SIGTERM:
                return 0


if __name__ == "__main__":
    sys.exit(main())
