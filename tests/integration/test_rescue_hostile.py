"""The rescue (an internal error in the loop) works in the conditions most likely to have
caused it: no psutil at all, and no memory to load anything more. It was loaded before the
child started and needs no import; it finds the processes from /proc without psutil.
Before: without psutil the rescue never found the setsid daemon and looped forever; under
RLIMIT_AS it could not even be imported, and tinyinit exited 125 leaving the child running.
"""

from __future__ import annotations

import resource
import signal
import time
from pathlib import Path

from .hostile import start_under
from .support import SUBREAPER, TINYINIT, alive, helper, proc_status


def daemon_command(done: Path) -> list[str]:
    # The main process dies of SIGTERM; its setsid daemon works 0.3s after SIGTERM, then
    # writes the signal number to DONE.
    return helper("daemon", "--file", str(done), "--work", "0.3")


def test_rescue_without_psutil(start, mode: str, tmp_path: Path) -> None:
    """Planted bugs caught: the rescue listing descendants through psutil alone (the old way:
    never finds the setsid daemon, loops forever); the rescue signalling only the main
    child and its group."""
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "psutil.py").write_text("raise ImportError('psutil hidden by the test')\n")
    done = tmp_path / "done"
    init = start(
        ["--grace", "5", "--", *daemon_command(done)],
        mode,
        launcher="faulty",
        env={"PYTHONPATH": str(stub)},
    )
    daemon = init.host_pid(int(init.out.expect("ready").split()[2]))
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125, init.stderr()
    assert done.read_text() == f"{int(signal.SIGTERM)}\n", "the daemon never got SIGTERM"
    if mode == SUBREAPER:
        assert not alive(daemon)


def test_rescue_under_memory_pressure(start, mode: str, tmp_path: Path) -> None:
    """RLIMIT_AS set just above what tinyinit uses once it runs: the rescue still stops
    everything. Planted bugs caught: the rescue listing descendants through psutil alone
    (its import fails: MemoryError); the rescue signalling only the main child's group."""
    done = tmp_path / "done"
    init = start(["--grace", "5", "--", *daemon_command(done)], mode, launcher="faulty")
    daemon = init.host_pid(int(init.out.expect("ready").split()[2]))
    status = proc_status(init.pid)
    assert status is not None
    limit = (int(status["VmSize"].split()[0]) + 1024) * 1024  # 1 MiB more than it has
    resource.prlimit(init.pid, resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    began = time.monotonic()
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125, init.stderr()
    assert time.monotonic() - began < 4
    assert done.read_text() == f"{int(signal.SIGTERM)}\n", "the daemon never got SIGTERM"
    if mode == SUBREAPER:
        assert not alive(daemon)


def test_rescue_is_loaded_before_the_command_starts(start, mode: str) -> None:
    """Seen in the running process (the interpreter's import log, written as each import
    happens): the rescue and what it uses are loaded by the time the command runs, so that
    the rescue needs no import when the loop fails. Planted bug caught: __main__ importing
    rescue only in its `except` clause."""
    launch = [str(TINYINIT.parent / "python"), "-X", "importtime"]
    init = start_under(start, ["--", *helper("print_signals")], mode, launch, cwd="/")
    init.out.expect("ready")
    loaded = {
        line.rsplit("|", 1)[1].strip()
        for line in init.stderr_lines()
        if line.startswith("import time:") and "|" in line
    }
    assert {"tinyinit.rescue", "tinyinit.procs", "tinyinit.log"} <= loaded, sorted(loaded)
