"""Signals are blocked first thing at startup: a SIGTERM that arrives while tinyinit is still
loading its own modules (before its child exists) is held and acted upon, not lost and not
fatal. The window is made wide and certain: a launcher installs an import hook that, when
tinyinit.spawn is imported, writes a marker file and sleeps; the signal is sent while the
hook sleeps, and /proc shows tinyinit has no child yet at that moment."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from .support import (
    PID1,
    SUBREAPER,
    TINYINIT,
    children,
    helper,
    proc_status,
    sig_mask,
    wait_for,
)

SLOW_IMPORT = """
import sys, time
MARK = {mark!r}
class Slow:
    def find_spec(self, name, path=None, target=None):
        if name == "tinyinit.spawn":
            open(MARK, "w").close()
            time.sleep(1.5)
        return None
sys.meta_path.insert(0, Slow())
sys.argv = sys.argv[1:]
import runpy
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_sigterm_while_loading_is_acted_upon(start, mode: str, tmp_path: Path) -> None:
    """Planted bug caught: bin/tinyinit blocking signals only after importing
    tinyinit.__main__ (tinyinit dies of the SIGTERM before its child exists)."""
    mark = tmp_path / "loading"
    log = tmp_path / "child"
    launch = [str(TINYINIT.parent / "python"), "-c", SLOW_IMPORT.format(mark=str(mark))]
    if mode == PID1:
        launch = ["unshare", "--pid", "--fork", "--mount-proc", *launch]
    # TERM blocked in the mask tinyinit is given, so in its child's from the start: the child
    # records the forwarded SIGTERM however early it comes, then exits 0.
    launch = [*helper("with_state", "--block", "TERM", "--"), *launch]
    command = ["--", *helper("print_signals", "--log", str(log), "--exit-on", "TERM")]
    init = start(command, SUBREAPER, wrap=launch)
    if mode == PID1:
        init._pid = wait_for(lambda: children(init.proc.pid), 10, "tinyinit")[0]
    wait_for(mark.exists, 10, "tinyinit to be loading tinyinit.spawn")
    status = proc_status(init.pid)
    assert status is not None and signal.SIGTERM in sig_mask(status["SigBlk"])
    assert not children(init.pid), "the child exists already: the window was missed"
    init.signal(signal.SIGTERM)
    began = time.monotonic()
    assert init.wait(10) == 0, init.stderr()
    assert log.exists(), "the child never ran: the early signal was fatal to tinyinit"
    assert log.read_text().split()[4:] == ["15", "exiting"], log.read_text()
    assert time.monotonic() - began < 5
    assert init.stderr() == ""
