"""Check processes are reaped and never reported as zombies or stragglers, with -w too."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

import pytest

from .supervision import launch, runs_command
from .support import children, proc_state


def test_checks_reaped_silently(start, mode: str, tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    check = f"echo $$ >> {shlex.quote(str(checks))}"
    args = ["-w", "--health-cmd", check, "--health-interval", "200ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode)

    def count() -> int:
        return len(checks.read_text().split()) if checks.exists() else 0

    # Sample tinyinit's zombie children until six checks ran: unreaped, they would pile up.
    most_zombies = 0
    deadline = time.monotonic() + 10
    while count() < 6:
        if time.monotonic() > deadline:
            pytest.fail(f"only {count()} checks ran in 10s; stderr: {init.stderr()!r}")
        zombies = [pid for pid in children(init.pid) if proc_state(pid) == "Z"]
        most_zombies = max(most_zombies, len(zombies))
        time.sleep(0.02)
    assert most_zombies <= 1, f"{most_zombies} zombie checks at once: they are not reaped"
    assert init.proc.poll() is None
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM
    assert init.stderr() == "", "a check was reported (as a zombie, a straggler...)"
