"""Signals are blocked first thing at startup: a SIGTERM that arrives while tinyinit is still
loading its own modules (before its child exists) is held and acted upon, not lost and not
fatal. The window is made wide and certain: a launcher installs an import hook that, when
tinyinit.spawn is imported, writes a marker file and sleeps; the signal is sent while the
hook sleeps, and /proc shows tinyinit has no child yet at that moment."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from .hostile import start_under
from .support import TINYINIT, children, proc_status, sig_mask, wait_for

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
    """Held, then forwarded: the child (`sleep`, default TERM action, whether the signal
    comes before or after its exec) dies of it and tinyinit exits 143 at once. Lost, tinyinit
    would wait out the sleep; fatal, it would die of it (-15) before starting anything.
    Planted bug caught: bin/tinyinit blocking signals only after importing
    tinyinit.__main__."""
    mark = tmp_path / "loading"
    launch = [str(TINYINIT.parent / "python"), "-c", SLOW_IMPORT.format(mark=str(mark))]
    init = start_under(start, ["--", "sleep", "30"], mode, launch)
    wait_for(mark.exists, 10, "tinyinit to be loading tinyinit.spawn")
    status = proc_status(init.pid)
    assert status is not None and signal.SIGTERM in sig_mask(status["SigBlk"]), "not blocked"
    assert not children(init.pid), "the child exists already: the window was missed"
    init.signal(signal.SIGTERM)
    began = time.monotonic()
    assert init.wait(10) == 128 + signal.SIGTERM, init.stderr()
    assert time.monotonic() - began < 5
    assert init.stderr() == ""
