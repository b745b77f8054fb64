"""--restart always: clean exits are restarted too; unlimited unless --max-restarts says."""

from __future__ import annotations

import signal
from pathlib import Path

from .supervision import exhausted, launch, restarts, run_count, runs_command, status_of, wait_runs


def test_clean_exits_restarted_up_to_the_maximum(start, mode: str, tmp_path: Path) -> None:
    args = ["--restart", "always", "--max-restarts", "2", "--backoff", "100ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0")], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 3
    stderr = init.stderr()
    found = restarts(stderr)
    assert [(r.status, r.attempt, r.max) for r in found] == [
        ("exited 0", 1, 2),
        ("exited 0", 2, 2),
    ], stderr
    assert [status_of(m) for m in exhausted(stderr)] == ["exited 0"], stderr


def test_unlimited_by_default(start, mode: str, tmp_path: Path) -> None:
    """More runs than on-failure's default of 5 restarts; stopped from outside."""
    args = ["--restart", "always", "--backoff", "10ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0")], mode)
    wait_runs(tmp_path, 7, timeout=20)
    init.signal(signal.SIGTERM)
    assert init.wait(10) in (0, 128 + signal.SIGTERM)
    found = restarts(init.stderr())
    assert len(found) >= 6, init.stderr()
    assert all(r.max is None for r in found), "no maximum to show with always"
    assert not exhausted(init.stderr())
