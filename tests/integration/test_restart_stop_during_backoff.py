"""A stop signal during a backoff wait ends tinyinit at once with the last run's status;
another signal then has no one to go to: a debug line, nothing else."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pytest

from .supervision import RESTART, launch, run_count, runs_command, wait_stderr

ARGS = ["--restart", "on-failure", "--backoff", "5s"]


STOP_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT]


@pytest.mark.parametrize("sig", STOP_SIGNALS, ids=lambda sig: sig.name)
def test_stop_during_backoff_ends_at_once(
    start, mode: str, tmp_path: Path, sig: signal.Signals
) -> None:
    init = launch(start, [*ARGS, "--", *runs_command(tmp_path, "3")], mode)
    wait_stderr(init, RESTART, 10)
    sent = time.monotonic()
    init.signal(sig)
    assert init.wait(10) == 3
    took = time.monotonic() - sent
    assert took < 1.5, f"exited {took:.2f}s after {sig.name} (backoff 5s, jitter >= 3.75s)"
    assert run_count(tmp_path) == 1


def test_other_signal_during_backoff_only_logged(start, mode: str, tmp_path: Path) -> None:
    init = launch(start, ["-v", *ARGS, "--", *runs_command(tmp_path, "3")], mode)
    wait_stderr(init, RESTART, 10)
    before = len(init.stderr_lines())
    init.signal(signal.SIGUSR1)
    # tinyinit stays in its backoff wait: no new run, still there.
    time_to_look = time.monotonic() + 0.5
    while time.monotonic() < time_to_look:
        assert init.proc.poll() is None, init.stderr()
        time.sleep(0.05)
    new = init.stderr_lines()[before:]
    assert any("SIGUSR1" in line for line in new), f"no debug line about SIGUSR1: {new}"
    assert all(line.startswith("[tinyinit] ") and "warning" not in line for line in new), new
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 3
    assert run_count(tmp_path) == 1
    assert not [line for line in init.stderr_lines() if re.search(r"Traceback|error", line)]
