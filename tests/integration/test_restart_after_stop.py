"""A stop signal ends supervision: the run it stops is not restarted, whatever its status."""

from __future__ import annotations

import signal
from pathlib import Path

from .supervision import launch, restarts, run_count, runs_command
from .support import helper


def test_clean_exit_after_stop_not_restarted_with_always(start, mode: str) -> None:
    child = helper("print_signals", "--exit-on", "TERM", "--exit-code", "0")
    init = launch(start, ["--restart", "always", "--backoff", "10ms", "--", *child], mode)
    init.out.expect("ready")
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 0
    output = init.out.rest(5)
    assert "ready" not in output, f"COMMAND ran again after the stop: {output!r}"
    assert restarts(init.stderr()) == [], init.stderr()


def test_failure_after_stop_not_restarted(start, mode: str, tmp_path: Path) -> None:
    args = ["--restart", "on-failure", "--backoff", "10ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode)
    init.out.expect("run 1")
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM
    assert run_count(tmp_path) == 1
    assert restarts(init.stderr()) == [], init.stderr()
