"""A status that `-e` maps to 0 is a success: on-failure does not restart it."""

from __future__ import annotations

from pathlib import Path

from .supervision import launch, restarts, run_count, runs_command


def test_mapped_status_is_a_success(start, mode: str, tmp_path: Path) -> None:
    args = ["-e", "3", "--restart", "on-failure", "--backoff", "100ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "3,3,0")], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 1
    assert init.stderr() == ""


def test_other_status_still_restarted(start, mode: str, tmp_path: Path) -> None:
    args = ["-e", "3", "--restart", "on-failure", "--backoff", "100ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "4,3")], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 2
    assert [r.status for r in restarts(init.stderr())] == ["exited 4"], init.stderr()
