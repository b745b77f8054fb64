"""--report: the report for every way tinyinit ends, read back and checked field by field."""

from __future__ import annotations

import os
import shlex
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .supervision import check_report, launch, marks, read_report, runs_command
from .support import PID1, Init, helper, wait_for


@dataclass
class Ending:
    """What a scenario expects in the report."""

    exit_code: int
    how: str
    stop_signal: str | None = None
    run_status: str | None = None  # status of the only run, when there is one
    signalled: dict[int, tuple[str, str]] = field(default_factory=dict)  # pid: (name, signal)


def ending_exit(init: Init, tmp_path: Path) -> Ending:
    return Ending(3, "exit", run_status="exited 3")


def ending_signal(init: Init, tmp_path: Path) -> Ending:
    return Ending(128 + signal.SIGUSR1, "signal", run_status="killed by SIGUSR1")


def ending_stop_killed(init: Init, tmp_path: Path) -> Ending:
    init.out.expect("run 1")
    init.signal(signal.SIGTERM)
    return Ending(143, "signal", "SIGTERM", "killed by SIGTERM")


def ending_stop_clean(init: Init, tmp_path: Path) -> Ending:
    init.out.expect("ready")
    init.signal(signal.SIGINT)
    return Ending(0, "exit", "SIGINT", "exited 0")


def ending_grace_kill(init: Init, tmp_path: Path) -> Ending:
    pid = int(init.out.expect("ready").split()[1])
    init.signal(signal.SIGTERM)
    killed = {pid: ("straggler", "SIGKILL")}
    return Ending(137, "grace_kill", "SIGTERM", "killed by SIGKILL", killed)


def ending_drain(init: Init, tmp_path: Path) -> Ending:
    """COMMAND exits 4, leaving a daemon that honours SIGTERM and a straggler that does not."""
    ready = tmp_path / "straggler"
    words = wait_for(lambda: ready.exists() and ready.read_text().split()[1:], 10, "straggler")
    straggler = int(words[0])
    daemon = wait_for(
        lambda: [m.pid for m in marks(tmp_path) if m.kind == "daemon"], 10, "the daemon"
    )[0]
    return Ending(
        4, "exit", None, "exited 4",
        {straggler: ("straggler", "SIGKILL"), daemon: ("runs.py", "SIGTERM")},
    )  # fmt: skip


def ending_timeout(init: Init, tmp_path: Path) -> Ending:
    return Ending(124, "timeout", None, "killed by SIGTERM")


def ending_unhealthy(init: Init, tmp_path: Path) -> Ending:
    return Ending(143, "unhealthy", None, "killed by SIGTERM")


def ending_exec_failure(init: Init, tmp_path: Path) -> Ending:
    return Ending(127, "exec_failure")


UNHEALTHY_OPTIONS = ["--health-cmd", "false", "--health-interval", "200ms", "--health-retries", "1"]


def scenario(name: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """(tinyinit's options, COMMAND) of a scenario."""
    runs = runs_command(tmp_path, "0@30")
    ready = shlex.quote(str(tmp_path / "straggler"))
    drain = (  # the straggler ignores SIGTERM before runs.py starts its daemon and exits 4
        f"{shlex.join(helper('straggler'))} > {ready} & "
        f"until [ -s {ready} ]; do sleep 0.01; done; "
        f"exec {shlex.join(runs_command(tmp_path, '4', '--daemon', 'work:0.2'))}"
    )
    return {
        "exit": ([], runs_command(tmp_path, "3")),
        "signal": ([], runs_command(tmp_path, "USR1")),
        "stop-killed": ([], runs),
        "stop-clean": ([], helper("print_signals", "--exit-on", "INT")),
        "grace_kill": (["--grace", "300ms"], helper("straggler")),
        "drain": (["--grace", "1s"], ["sh", "-c", drain]),
        "timeout": (["--timeout", "500ms"], runs),
        "unhealthy": (UNHEALTHY_OPTIONS, runs),
        "exec_failure": ([], [str(tmp_path / "no-such-program"), "arg"]),
    }[name]


ENDINGS: dict[str, Callable[[Init, Path], Ending]] = {
    "exit": ending_exit,
    "signal": ending_signal,
    "stop-killed": ending_stop_killed,
    "stop-clean": ending_stop_clean,
    "grace_kill": ending_grace_kill,
    "drain": ending_drain,
    "timeout": ending_timeout,
    "unhealthy": ending_unhealthy,
    "exec_failure": ending_exec_failure,
}


@pytest.mark.parametrize("name", ENDINGS)
def test_report_for_each_ending(start, mode: str, tmp_path: Path, name: str) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    path = reports / "report.json"
    options, command = scenario(name, tmp_path)
    began = time.time()
    init = launch(start, ["--report", str(path), *options, "--", *command], mode)
    want = ENDINGS[name](init, tmp_path)
    assert init.wait(15) == want.exit_code, init.stderr()
    finished = time.time()

    assert os.listdir(reports) == ["report.json"], "something else left beside the report"
    report = read_report(path)
    check_report(
        report, command=command, pid1=mode == PID1, began=began, finished=finished,
        exit_code=want.exit_code, how=want.how, stop_signal=want.stop_signal,
    )  # fmt: skip
    runs: list[dict[str, Any]] = report["runs"]
    if want.how == "exec_failure":
        assert len(runs) <= 1, runs
    else:
        assert len(runs) == 1, runs
        assert runs[0]["status"] == want.run_status, runs
        assert runs[0]["exit_code"] == want.exit_code or want.how == "timeout", runs
    assert report["restarts"] == [] and report["restarts_omitted"] == 0
    signalled = {entry["pid"]: entry for entry in report["signalled"]}
    for pid, (name_part, sig) in want.signalled.items():
        assert pid in signalled, f"{pid} not in {report['signalled']}"
        assert name_part in signalled[pid]["cmdline"], signalled[pid]
        assert signalled[pid]["signal"] == sig, signalled[pid]
    if name in ("exit", "signal", "exec_failure"):
        assert report["signalled"] == [], "nothing was left to signal"
