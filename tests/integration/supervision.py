"""What the supervision tests (issue 10) share: starting tinyinit with a clean supervision
environment, the marks tests/helpers/runs.py leaves, tinyinit's restart lines, the report.

The log lines are matched as SPEC.md gives them:
  `[tinyinit] warning: COMMAND <status>; restart <k>[ of <max>] in <d>s`
  `[tinyinit] warning: COMMAND <status>; no restart left (<max> used)`
where COMMAND may be the literal word or the command's name.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .support import TINYINIT, Init, helper, wait_for

# Every supervision variable: none of the caller's may leak into a test.
SUPERVISION_ENV = (
    "TINYINIT_RESTART",
    "TINYINIT_MAX_RESTARTS",
    "TINYINIT_BACKOFF",
    "TINYINIT_RESET_AFTER",
    "TINYINIT_HEALTH_CMD",
    "TINYINIT_HEALTH_HTTP",
    "TINYINIT_HEALTH_TCP",
    "TINYINIT_HEALTH_INTERVAL",
    "TINYINIT_HEALTH_TIMEOUT",
    "TINYINIT_HEALTH_RETRIES",
    "TINYINIT_HEALTH_START_PERIOD",
    "TINYINIT_TIMEOUT",
    "TINYINIT_REPORT",
)


def launch(start: Callable[..., Init], args: list[str], mode: str, **kwargs: Any) -> Init:
    """start() with the supervision variables of the caller's environment removed."""
    env_remove = [*kwargs.pop("env_remove", ()), *SUPERVISION_ENV]
    env = kwargs.get("env") or {}
    env_remove = [name for name in env_remove if name not in env]
    return start(args, mode, env_remove=env_remove, **kwargs)


def runs_command(tmp_path: Path, plan: str = "0", *extra: str) -> list[str]:
    """tests/helpers/runs.py with its state and log in TMP_PATH."""
    return helper(
        "runs", "--state", str(tmp_path / "state"), "--log", str(tmp_path / "log"),
        "--plan", plan, *extra,
    )  # fmt: skip


@dataclass
class Mark:
    kind: str  # start, end, daemon, daemon-end
    run: int
    pid: int
    time: float
    alive: str = "-"


def marks(tmp_path: Path) -> list[Mark]:
    log = tmp_path / "log"
    if not log.exists():
        return []
    found = []
    for line in log.read_text().splitlines():
        words = line.split()
        alive = words[3].partition("=")[2] if words[0] == "start" else "-"
        found.append(Mark(words[0], int(words[1]), int(words[2]), float(words[-1]), alive))
    return found


def starts(tmp_path: Path) -> list[Mark]:
    return [m for m in marks(tmp_path) if m.kind == "start"]


def ends(tmp_path: Path) -> list[Mark]:
    return [m for m in marks(tmp_path) if m.kind == "end"]


def run_count(tmp_path: Path) -> int:
    return len(starts(tmp_path))


def wait_runs(tmp_path: Path, count: int, timeout: float = 10) -> list[Mark]:
    return wait_for(
        lambda: (found := starts(tmp_path)) and len(found) >= count and found,
        timeout,
        f"{count} runs",
    )


# What precedes `; restart`: `COMMAND exited 3` (or the command's name for COMMAND).
_WHAT = r"^\[tinyinit\] warning: (?P<what>.*?)"
_STATUS = re.compile(r"exited \d+|killed by SIG[A-Z0-9+-]+")
RESTART = re.compile(
    _WHAT + r"; restart (?P<attempt>\d+)(?: of (?P<max>\d+))? in (?P<delay>[0-9.]+) ?s\b"
)
EXHAUSTED = re.compile(_WHAT + r"; no restart left \((?P<max>\d+) used\)")
UNHEALTHY = re.compile(
    r"^\[tinyinit\] warning: health check failed (?P<n>\d+) times in a row: .*unhealthy"
)
TIMEOUT = re.compile(r"^\[tinyinit\] warning: time limit of (?P<d>[0-9.]+) ?s reached")


@dataclass
class Restart:
    status: str
    attempt: int
    max: int | None
    delay: float


def status_of(match: re.Match[str]) -> str:
    """`exited 3` or `killed by SIGKILL` from a restart or exhausted line (else all of it)."""
    found = _STATUS.findall(match["what"])
    return found[-1] if found else match["what"]


def restarts(stderr: str) -> list[Restart]:
    found = []
    for line in stderr.splitlines():
        match = RESTART.search(line)
        if match:
            found.append(
                Restart(
                    status_of(match),
                    int(match["attempt"]),
                    int(match["max"]) if match["max"] else None,
                    float(match["delay"]),
                )
            )
    return found


def exhausted(stderr: str) -> list[re.Match[str]]:
    return [m for line in stderr.splitlines() if (m := EXHAUSTED.search(line))]


def matching(pattern: re.Pattern[str], stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if pattern.search(line)]


def wait_stderr(init: Init, pattern: re.Pattern[str], timeout: float, count: int = 1) -> None:
    wait_for(
        lambda: len(matching(pattern, init.stderr())) >= count,
        timeout,
        f"{count} stderr line(s) matching {pattern.pattern!r}; stderr: {init.stderr()!r}",
    )


def no_traceback(init: Init) -> None:
    assert "Traceback" not in init.stderr(), init.stderr()


# ---------------------------------------------------------------------------------------------
# report


def read_report(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    assert len(data) < 4096, f"report of {len(data)} bytes"
    report = json.loads(data.decode("utf-8"))  # strict UTF-8
    assert isinstance(report, dict), report
    return report


_version: str | None = None


def tinyinit_version() -> str:
    """The installed tinyinit's version, from `tinyinit --version`."""
    global _version
    if _version is None:
        out = subprocess.run([str(TINYINIT), "--version"], capture_output=True, check=True)
        _version = out.stdout.decode().split()[-1]
    return _version


REPORT_KEYS = {
    "tinyinit", "command", "pid1", "started", "ended", "exit_code", "how", "stop_signal",
    "runs", "runs_omitted", "restarts", "restarts_omitted", "signalled", "signalled_omitted",
}  # fmt: skip
HOWS = {"exit", "signal", "grace_kill", "timeout", "unhealthy", "exec_failure", "internal_error"}


def same_command(reported: list[str], command: list[str]) -> bool:
    """Each word as given, or (a long one, to keep the report small) its beginning and `…`."""
    return len(reported) == len(command) and all(
        word == given or (word.endswith("\u2026") and given.startswith(word[:-1]))
        for word, given in zip(reported, command)
    )


def check_report(
    report: dict[str, Any],
    *,
    command: list[str],
    pid1: bool,
    began: float,
    finished: float,
    exit_code: int,
    how: str,
    stop_signal: str | None,
) -> None:
    """The fields every report has, checked against what the test did (wall-clock times
    BEGAN and FINISHED taken before tinyinit started and after it exited)."""
    assert set(report) >= REPORT_KEYS, f"missing: {REPORT_KEYS - set(report)}"
    assert report["tinyinit"] == tinyinit_version()
    assert same_command(report["command"], command), (report["command"], command)
    assert report["pid1"] is pid1
    assert began - 0.01 <= report["started"] <= report["ended"] <= finished + 0.01, (
        began, report["started"], report["ended"], finished,
    )  # fmt: skip
    assert report["exit_code"] == exit_code
    assert report["how"] == how
    assert report["stop_signal"] == stop_signal
    for key in ("runs_omitted", "restarts_omitted", "signalled_omitted"):
        assert isinstance(report[key], int) and report[key] >= 0, (key, report[key])
    previous_end = report["started"] - 0.01
    for run in report["runs"]:
        assert set(run) >= {"pid", "started", "ended", "status", "exit_code"}, run
        assert isinstance(run["pid"], int) and run["pid"] > 0, run
        assert previous_end <= run["started"] <= run["ended"] <= report["ended"] + 0.01, run
        assert isinstance(run["status"], str) and isinstance(run["exit_code"], int), run
        previous_end = run["ended"]
    for restart in report["restarts"]:
        assert set(restart) >= {"attempt", "reason", "delay"}, restart
        assert isinstance(restart["attempt"], int) and isinstance(restart["reason"], str)
        assert isinstance(restart["delay"], (int, float)) and restart["delay"] >= 0, restart
    for entry in report["signalled"]:
        assert set(entry) >= {"pid", "cmdline", "signal"}, entry
        assert isinstance(entry["pid"], int) and isinstance(entry["cmdline"], str), entry
        assert entry["signal"].startswith("SIG"), entry
