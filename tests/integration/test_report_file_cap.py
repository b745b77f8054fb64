"""A long report is capped under 4096 bytes (for Kubernetes' /dev/termination-log): the
first and the most recent runs and restarts are kept, the rest counted as omitted."""

from __future__ import annotations

import signal
from pathlib import Path

from .supervision import launch, read_report
from .support import wait_for

RUNS = 45  # at about 100 bytes a run and 50 a restart, well over 4096 bytes uncapped


def test_report_capped_with_many_runs(start, mode: str, tmp_path: Path) -> None:
    path, pids = tmp_path / "report.json", tmp_path / "pids"
    # Each run stays up longer than --reset-after, so every delay is the first one (1ms).
    args = ["--report", str(path), "--restart", "always", "--backoff", "1ms",
            "--reset-after", "10ms"]  # fmt: skip
    child = ["sh", "-c", f"echo $$ >> {pids}; sleep 0.02"]
    init = launch(start, [*args, "--", *child], mode)

    def count() -> int:
        return len(pids.read_text().split()) if pids.exists() else 0

    wait_for(lambda: count() >= RUNS, 30, f"{RUNS} runs")
    init.signal(signal.SIGTERM)
    assert init.wait(10) in (0, 128 + signal.SIGTERM)
    logged = [int(pid) for pid in pids.read_text().split()]

    report = read_report(path)  # checks the size
    runs = report["runs"]
    assert len(runs) + report["runs_omitted"] == len(logged), (len(runs), report["runs_omitted"])
    assert report["runs_omitted"] > 0, "45 runs fit in 4096 bytes?"
    assert runs[0]["pid"] == logged[0], "the first run was not kept"
    assert runs[-1]["pid"] == logged[-1], "the most recent run was not kept"
    kept = [run["pid"] for run in runs]
    assert kept == sorted(kept, key=logged.index), "runs out of order"
    restarts = len(report["restarts"]) + report["restarts_omitted"]
    assert restarts in (len(logged) - 1, len(logged)), (restarts, len(logged))
    assert report["restarts"][0]["attempt"] == 1
