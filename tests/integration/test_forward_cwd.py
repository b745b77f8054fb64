"""Once the command runs, tinyinit moves itself to `/` (the directory it was started in can be
unmounted or removed); the command keeps its working directory."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from .forwarding import Run, sigstamp, tinyinit, wait_ready
from .support import wait_for


def test_tinyinit_leaves_the_directory_the_command_keeps_it(mode: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    log = tmp_path / "main.log"
    with Run(tinyinit("auto", 2), sigstamp(log, "--exit-on", "TERM"), mode, cwd=work) as run:
        wait_ready(log)
        main = run.main_child()
        assert os.readlink(f"/proc/{main}/cwd") == str(work)
        wait_for(lambda: os.readlink(f"/proc/{run.pid}/cwd") == "/", 5, "tinyinit to chdir /")
        # Nothing of tinyinit's keeps the directory busy: no open descriptor under it.
        for fd in os.listdir(f"/proc/{run.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{run.pid}/fd/{fd}")
            except FileNotFoundError:
                continue
            assert not target.startswith(str(work)), target
        work.rmdir()  # removable while the command runs in it
        run.signal(signal.SIGTERM)
        code, _ = run.finish(5)
    assert code == 0
