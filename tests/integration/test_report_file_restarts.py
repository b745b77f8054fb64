"""--report with restarts: each run (pid, start, end, status) and each restart (attempt,
reason, delay), matching what the runs themselves logged."""

from __future__ import annotations

import time
from pathlib import Path

from .supervision import check_report, launch, read_report, restarts, runs_command, starts
from .support import PID1


def test_report_lists_runs_and_restarts(start, mode: str, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    command = runs_command(tmp_path, "3,USR1,0")
    args = ["--report", str(path), "--restart", "on-failure", "--backoff", "200ms"]
    began = time.time()
    init = launch(start, [*args, "--", *command], mode)
    assert init.wait(15) == 0
    finished = time.time()

    report = read_report(path)
    check_report(
        report, command=command, pid1=mode == PID1, began=began, finished=finished,
        exit_code=0, how="exit", stop_signal=None,
    )  # fmt: skip
    runs = report["runs"]
    assert [run["pid"] for run in runs] == [m.pid for m in starts(tmp_path)], runs
    assert [run["status"] for run in runs] == ["exited 3", "killed by SIGUSR1", "exited 0"]
    assert [run["exit_code"] for run in runs] == [3, 138, 0]
    assert report["runs_omitted"] == 0

    entries = report["restarts"]
    assert [(e["attempt"], e["reason"]) for e in entries] == [
        (1, "exited 3"),
        (2, "killed by SIGUSR1"),
    ], entries
    assert 0.15 <= entries[0]["delay"] <= 0.2, entries
    assert 0.3 <= entries[1]["delay"] <= 0.4, entries
    assert report["restarts_omitted"] == 0
    # The delays agree with the lines, and each gap between runs is at least its delay.
    printed = [r.delay for r in restarts(init.stderr())]
    assert len(printed) == 2, init.stderr()
    assert all(abs(e["delay"] - d) <= 0.051 for e, d in zip(entries, printed)), (entries, printed)
    for k, entry in enumerate(entries):
        gap = runs[k + 1]["started"] - runs[k]["ended"]
        assert gap >= entry["delay"] - 0.01, (gap, entry)
