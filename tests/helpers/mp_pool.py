"""A multiprocessing.Pool whose parent handles SIGTERM by finishing the queued tasks, then exits.

    mp_pool.py DIR TASKS SECONDS

Two workers run TASKS tasks; each writes DIR/task-N in two halves, `begin` then, SECONDS later,
`end` (a file with `begin` alone is torn). The pool starts before the handler is installed, so
its workers keep SIGTERM's default, as a library's workers usually do. Prints `ready` once the
first two tasks run; on SIGTERM stops taking new work, waits for every queued result, exits 0.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from pathlib import Path


def task(path: str, seconds: float) -> str:
    with open(path, "w") as f:
        f.write("begin\n")
        f.flush()
        time.sleep(seconds)
        f.write("end\n")
    return path


def main() -> int:
    folder, count, seconds = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    pool = multiprocessing.get_context("fork").Pool(2)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    results = [pool.apply_async(task, (str(folder / f"task-{i}"), seconds)) for i in range(count)]
    while sum((folder / f"task-{i}").exists() for i in range(count)) < 2:
        time.sleep(0.01)
    print("ready", flush=True)
    # The master's own loop (not a wait for its children): work until told to stop.
    while not stopping and not all(r.ready() for r in results):
        time.sleep(0.05)
    pool.close()
    for r in results:
        r.get()
    pool.join()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
