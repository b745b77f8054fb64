"""--timeout limits the whole run, restarts included, and a backoff wait too."""

from __future__ import annotations

import time
from pathlib import Path

from .supervision import TIMEOUT, launch, matching, restarts, run_count, runs_command


def test_timeout_spans_restarts(start, mode: str, tmp_path: Path) -> None:
    args = ["--restart", "always", "--backoff", "50ms", "--timeout", "1s"]
    began = time.monotonic()
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@0.2")], mode)
    assert init.wait(10) == 124
    took = time.monotonic() - began
    assert 0.95 <= took < 3.5, f"took {took:.2f}s with --timeout 1s"
    assert run_count(tmp_path) >= 3, "the deadline was restarted with the runs"
    assert len(restarts(init.stderr())) >= 2
    assert len(matching(TIMEOUT, init.stderr())) == 1, init.stderr()


def test_timeout_during_backoff_wait(start, mode: str, tmp_path: Path) -> None:
    args = ["--restart", "on-failure", "--backoff", "10s", "--timeout", "500ms"]
    began = time.monotonic()
    init = launch(start, [*args, "--", *runs_command(tmp_path, "3")], mode)
    assert init.wait(10) == 124
    took = time.monotonic() - began
    assert 0.45 <= took < 3, f"took {took:.2f}s: the 10s backoff was waited out"
    assert run_count(tmp_path) == 1
    assert len(matching(TIMEOUT, init.stderr())) == 1, init.stderr()
