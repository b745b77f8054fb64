"""--reset-after: a run that stayed up that long resets the restart count and the delay."""

from __future__ import annotations

from pathlib import Path

from .supervision import exhausted, launch, restarts, run_count, runs_command

# Run 2 stays up 0.8s before failing; the others fail at once.
PLAN = "3,3@0.8,3"
ARGS = ["--restart", "on-failure", "--max-restarts", "2", "--backoff", "200ms"]


def test_long_run_resets_count_and_delay(start, mode: str, tmp_path: Path) -> None:
    command = runs_command(tmp_path, PLAN)
    init = launch(start, [*ARGS, "--reset-after", "500ms", "--", *command], mode)
    assert init.wait(20) == 3
    stderr = init.stderr()
    found = restarts(stderr)
    assert [r.attempt for r in found] == [1, 1, 2], stderr
    assert run_count(tmp_path) == 4
    assert found[1].delay <= 0.25, f"the delay was not reset to the first one: {stderr}"
    assert found[2].delay >= 0.25, stderr
    assert len(exhausted(stderr)) == 1, stderr


def test_shorter_run_does_not_reset(start, mode: str, tmp_path: Path) -> None:
    command = runs_command(tmp_path, PLAN)
    init = launch(start, [*ARGS, "--reset-after", "5s", "--", *command], mode)
    assert init.wait(20) == 3
    stderr = init.stderr()
    assert [r.attempt for r in restarts(stderr)] == [1, 2], stderr
    assert run_count(tmp_path) == 3
