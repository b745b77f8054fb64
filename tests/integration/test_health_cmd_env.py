"""The health-check settings also come from TINYINIT_HEALTH_* variables; flags win."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from .supervision import UNHEALTHY, launch, matching, runs_command


def test_health_settings_from_the_environment(start, mode: str, tmp_path: Path) -> None:
    env = {
        "TINYINIT_HEALTH_CMD": "false",
        "TINYINIT_HEALTH_INTERVAL": "200ms",
        "TINYINIT_HEALTH_TIMEOUT": "1s",
        "TINYINIT_HEALTH_RETRIES": "2",
        "TINYINIT_HEALTH_START_PERIOD": "0",
    }
    began = time.monotonic()
    init = launch(start, ["--", *runs_command(tmp_path, "0@30")], mode, env=env)
    assert init.wait(15) == 128 + signal.SIGTERM
    assert time.monotonic() - began < 5  # the default interval is 30s
    lines = matching(UNHEALTHY, init.stderr())
    assert len(lines) == 1 and UNHEALTHY.search(lines[0])["n"] == "2", init.stderr()


def test_health_flags_win(start, mode: str, tmp_path: Path) -> None:
    env = {"TINYINIT_HEALTH_CMD": "true", "TINYINIT_HEALTH_RETRIES": "50"}
    args = ["--health-cmd", "false", "--health-retries", "1", "--health-interval", "200ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode, env=env)
    assert init.wait(15) == 128 + signal.SIGTERM
    lines = matching(UNHEALTHY, init.stderr())
    assert len(lines) == 1 and UNHEALTHY.search(lines[0])["n"] == "1", init.stderr()
