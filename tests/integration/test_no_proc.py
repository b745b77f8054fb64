"""No /proc (a tmpfs over it in a mount namespace of its own): tinyinit never hangs and no
process is abandoned. A subreaper finds its children from the kernel (a pid scan with
waitid(WNOWAIT)), signals them and their process groups, and finds the orphans that come
back to it; its warnings say the names are unknown. As PID 1, kill(-1) reaches everything.
Before: as a subreaper, tinyinit never exited and the orphan got neither SIGTERM nor SIGKILL.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from .support import SUBREAPER, alive, children, helper, require_root, wait_for

HIDE_PROC = ["sh", "-c", 'mount -t tmpfs none /proc && exec "$@"', "hide-proc"]


def no_proc(pid_namespace: bool) -> list[str]:
    require_root()
    unshare = ["unshare", "--mount", "--propagation", "private"]
    if pid_namespace:
        unshare[1:1] = ["--pid", "--fork"]
    return [*unshare, *HIDE_PROC]


def test_orphan_gets_the_stop_signal_as_subreaper(start, tmp_path: Path) -> None:
    """Planted bug caught: procs.remaining returning [] without /proc (the old behaviour)."""
    done = tmp_path / "done"
    daemon = helper("daemon", "--file", str(done), "--work", "0.3", "--exit", "3")
    init = start(["--grace", "5", "--", *daemon], SUBREAPER, wrap=no_proc(False))
    orphan = int(init.out.expect("ready").split()[2])
    began = time.monotonic()
    assert init.wait(10) == 3, init.stderr()
    took = time.monotonic() - began
    assert done.read_text() == f"{int(signal.SIGTERM)}\n", "the orphan never got SIGTERM"
    assert took < 4, f"took {took:.2f}s: the orphan was not found before the grace ran out"
    assert not alive(orphan)
    assert init.stderr() == ""


def test_term_ignoring_orphan_is_killed_and_said_unnamed(start) -> None:
    init = start(
        ["--grace", "1", "--", *helper("straggler", "--daemon")], SUBREAPER, wrap=no_proc(False)
    )
    _, main, daemon = init.out.expect("ready").split()
    sent = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGKILL, init.stderr()
    took = time.monotonic() - sent
    assert 0.8 < took < 5, f"took {took:.2f}s with a 1s grace"
    assert not alive(int(main)) and not alive(int(daemon)), "a straggler was abandoned"
    warnings = [line for line in init.stderr_lines() if "SIGKILL" in line]
    assert warnings, init.stderr()
    assert "name unknown" in warnings[0] and main in warnings[0], warnings


def test_pid1_without_proc_drains_and_exits(start, tmp_path: Path) -> None:
    done = tmp_path / "done"
    daemon = helper("daemon", "--file", str(done), "--work", "0.3", "--exit", "3")
    init = start(["--grace", "5", "--", *daemon], SUBREAPER, wrap=no_proc(True))
    init._pid = wait_for(lambda: children(init.proc.pid), 10, "tinyinit as PID 1")[0]
    init.out.expect("ready")
    assert init.wait(10) == 3, init.stderr()
    assert done.read_text() == f"{int(signal.SIGTERM)}\n"
