"""Two runs never overlap: whatever a run left behind (a daemon) is drained like at the end
(stop signal, grace, SIGKILL) before the next run starts."""

from __future__ import annotations

import re
from pathlib import Path

from .supervision import launch, marks, runs_command


def by_run(tmp_path: Path, kind: str) -> dict[int, float]:
    return {m.run: m.time for m in marks(tmp_path) if m.kind == kind}


def test_daemon_drained_before_next_run(start, mode: str, tmp_path: Path) -> None:
    """Each run's daemon works 0.3s after its SIGTERM; the next run starts after that."""
    args = ["--restart", "on-failure", "--max-restarts", "2", "--backoff", "50ms", "--grace", "5"]
    command = runs_command(tmp_path, "3", "--daemon", "work:0.3")
    init = launch(start, [*args, "--", *command], mode)
    assert init.wait(20) == 3
    starts, ends = by_run(tmp_path, "start"), by_run(tmp_path, "end")
    daemon_ends = by_run(tmp_path, "daemon-end")
    assert sorted(starts) == [1, 2, 3], marks(tmp_path)
    assert sorted(daemon_ends) == [1, 2, 3], f"a daemon never got its SIGTERM: {marks(tmp_path)}"
    for run in (2, 3):
        assert starts[run] > ends[run - 1], marks(tmp_path)
        assert starts[run] > daemon_ends[run - 1], f"run {run} overlapped: {marks(tmp_path)}"
    assert all(m.alive == "-" for m in marks(tmp_path) if m.kind == "start"), marks(tmp_path)


def test_term_ignoring_daemon_killed_after_grace_before_next_run(
    start, mode: str, tmp_path: Path
) -> None:
    args = ["--restart", "on-failure", "--max-restarts", "1", "--backoff", "50ms"]
    command = runs_command(tmp_path, "3", "--daemon", "ignore")
    init = launch(start, [*args, "--grace", "500ms", "--", *command], mode)
    assert init.wait(20) == 3
    found = marks(tmp_path)
    starts, ends = by_run(tmp_path, "start"), by_run(tmp_path, "end")
    assert sorted(starts) == [1, 2], found
    assert [m.alive for m in found if m.kind == "start"] == ["-", "-"], found
    gap = starts[2] - ends[1]
    assert gap >= 0.45, f"run 2 started {gap:.2f}s after run 1 ended: inside the 0.5s grace"
    daemon_1 = next(m.pid for m in found if m.kind == "daemon" and m.run == 1)
    kills = [line for line in init.stderr_lines() if "SIGKILL" in line]
    assert any(re.search(rf"\b{daemon_1}\b", line) for line in kills), init.stderr()
