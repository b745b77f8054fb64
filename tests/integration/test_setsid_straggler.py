"""Drain: a daemon that left the group (setsid) gets SIGTERM and the time to finish its work.

Evidence is what the daemon leaves (its file, written after it worked), and when tinyinit
exits relative to that work. Planted bug caught: the drain sparing the processes outside
the main child's process group (the daemon never gets SIGTERM, tinyinit waits the grace
out and kills it: no file)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from .support import SUBREAPER, alive, helper

WORK = 0.7  # seconds the daemon works after SIGTERM before it writes its file


def run_daemon(start, mode: str, how: str, tmp_path: Path, launcher: str = "script") -> None:
    done = tmp_path / "done"
    main_args = ["--exit", "3"] if how == "main-exits" else []
    init = start(
        [
            "--grace",
            "15",
            "--",
            *helper("daemon", "--file", str(done), "--work", str(WORK), *main_args),
        ],
        mode,
        launcher=launcher,
    )
    daemon = init.host_pid(int(init.out.expect("ready").split()[2]))
    if launcher == "ctypes":  # the subreaper was registered through ctypes, not python-prctl
        with open(f"/proc/{init.pid}/maps") as f:
            maps = f.read()
        assert "/_ctypes" in maps and "/_prctl" not in maps
    began = time.monotonic()
    if how == "stop":
        init.signal(signal.SIGTERM)
    code = init.wait(12)
    took = time.monotonic() - began

    assert done.exists(), "the daemon was not given the time to write its file"
    assert done.read_text() == "15\n"
    assert code == (128 + signal.SIGTERM if how == "stop" else 3)
    assert took < 5, f"tinyinit exited {took:.2f}s later: it should exit once the daemon is done"
    # The file is the evidence it was given its time (as PID 1 the kernel would kill it the
    # moment tinyinit left, before it could write): tinyinit waited for its work to end.
    assert took > WORK, f"tinyinit exited {took:.2f}s later, before the daemon's {WORK}s work"
    if mode == SUBREAPER:  # as PID 1 "gone after tinyinit exited" proves nothing
        assert not alive(daemon)


@pytest.mark.parametrize("how", ["stop", "main-exits"])
def test_setsid_daemon_finishes_its_work(start, mode: str, how: str, tmp_path: Path) -> None:
    run_daemon(start, mode, how, tmp_path)


@pytest.mark.parametrize("how", ["stop", "main-exits"])
def test_setsid_daemon_finishes_its_work_ctypes_prctl(start, how: str, tmp_path: Path) -> None:
    """The same as a subreaper registered through the ctypes prctl fallback."""
    run_daemon(start, SUBREAPER, how, tmp_path, launcher="ctypes")
