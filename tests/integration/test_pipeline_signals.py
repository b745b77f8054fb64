"""Forwarding to the process group: every member of a pipeline sees the signal."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

from .support import helper, wait_for


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_every_member_of_a_pipeline_gets_the_signal(start, mode: str, tmp_path: Path) -> None:
    logs = [tmp_path / name for name in ("first", "middle", "last")]
    members = [
        shlex.join(helper("print_signals", "--log", str(log), "--exit-on", "TERM")) for log in logs
    ]
    # The shell waits through USR1 and HUP (a trap), and dies of TERM.
    init = start(["--", "sh", "-c", "trap : USR1 HUP; " + " | ".join(members)], mode)
    wait_for(lambda: all(lines(log)[:1] for log in logs), 10, "every member to be ready")

    for sig in (signal.SIGUSR1, signal.SIGHUP, signal.SIGTERM):
        init.signal(sig)
        wait_for(
            lambda sig=sig: all(str(int(sig)) in lines(log) for log in logs),
            5,
            f"{sig.name} in every member's log: {[lines(log) for log in logs]}",
        )

    assert init.wait(10) == 128 + signal.SIGTERM
    for log in logs:
        assert lines(log)[1:] == ["10", "1", "15", "exiting"]
