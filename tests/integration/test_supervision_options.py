"""Bad values of every supervision option and variable: one line `tinyinit: ...`, exit 125,
no traceback, COMMAND not run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .supervision import launch
from .support import SUBREAPER

# (options, environment, text the message must contain); COMMAND follows the options.
CASES: dict[str, tuple[list[str], dict[str, str], str | None]] = {
    "restart-word": (["--restart", "sometimes"], {}, "sometimes"),
    "restart-equals": (["--restart=sometimes"], {}, "sometimes"),
    "restart-empty": (["--restart", ""], {}, None),
    "restart-case": (["--restart", "on_failure"], {}, "on_failure"),
    "restart-env": ([], {"TINYINIT_RESTART": "sometimes"}, "sometimes"),
    "max-restarts-word": (["--max-restarts", "many"], {}, "many"),
    "max-restarts-negative": (["--max-restarts", "-1"], {}, "-1"),
    "max-restarts-fraction": (["--max-restarts", "1.5"], {}, "1.5"),
    "max-restarts-env": ([], {"TINYINIT_MAX_RESTARTS": "many"}, "many"),
    "backoff-word": (["--backoff", "soon"], {}, "soon"),
    "backoff-negative": (["--backoff", "-1s"], {}, "-1s"),
    "backoff-unit": (["--backoff", "10x"], {}, "10x"),
    "backoff-nan": (["--backoff", "nan"], {}, "nan"),
    "backoff-env": ([], {"TINYINIT_BACKOFF": "soon"}, "soon"),
    "reset-after-word": (["--reset-after", "later"], {}, "later"),
    "reset-after-negative": (["--reset-after", "-5"], {}, "-5"),
    "reset-after-env": ([], {"TINYINIT_RESET_AFTER": "later"}, "later"),
    "health-http-scheme": (["--health-http", "ftp://localhost/"], {}, "ftp://localhost/"),
    "health-http-no-host": (["--health-http", "http://"], {}, "http://"),
    "health-http-env": ([], {"TINYINIT_HEALTH_HTTP": "ftp://localhost/"}, "ftp://localhost/"),
    "health-tcp-no-port": (["--health-tcp", "localhost"], {}, "localhost"),
    "health-tcp-port-word": (["--health-tcp", "localhost:http"], {}, "localhost:http"),
    "health-tcp-port-range": (["--health-tcp", "localhost:70000"], {}, "70000"),
    "health-tcp-env": ([], {"TINYINIT_HEALTH_TCP": "localhost"}, "localhost"),
    "health-two-kinds": (["--health-cmd", "true", "--health-tcp", "localhost:1"], {}, None),
    "health-cmd-and-http": (
        ["--health-cmd", "true", "--health-http", "http://localhost:1/"],
        {},
        None,
    ),
    "health-interval-word": (["--health-cmd", "true", "--health-interval", "often"], {}, "often"),
    "health-interval-negative": (["--health-cmd", "true", "--health-interval", "-1"], {}, "-1"),
    "health-interval-env": (
        ["--health-cmd", "true"],
        {"TINYINIT_HEALTH_INTERVAL": "often"},
        "often",
    ),
    "health-timeout-word": (["--health-cmd", "true", "--health-timeout", "long"], {}, "long"),
    "health-timeout-env": (["--health-cmd", "true"], {"TINYINIT_HEALTH_TIMEOUT": "long"}, "long"),
    "health-retries-word": (["--health-cmd", "true", "--health-retries", "few"], {}, "few"),
    "health-retries-negative": (["--health-cmd", "true", "--health-retries", "-2"], {}, "-2"),
    "health-retries-env": (["--health-cmd", "true"], {"TINYINIT_HEALTH_RETRIES": "few"}, "few"),
    "health-start-period-word": (
        ["--health-cmd", "true", "--health-start-period", "warm"],
        {},
        "warm",
    ),
    "health-start-period-env": (
        ["--health-cmd", "true"],
        {"TINYINIT_HEALTH_START_PERIOD": "warm"},
        "warm",
    ),
    "timeout-word": (["--timeout", "never"], {}, "never"),
    "timeout-negative": (["--timeout", "-3s"], {}, "-3s"),
    "timeout-inf": (["--timeout", "inf"], {}, "inf"),
    "timeout-env": ([], {"TINYINIT_TIMEOUT": "never"}, "never"),
    "report-missing-dir": (["--report", "/nonexistent-tinyinit-dir/r.json"], {}, "/nonexistent"),
    "report-env-missing-dir": (
        [],
        {"TINYINIT_REPORT": "/nonexistent-tinyinit-dir/r.json"},
        "/nonexistent",
    ),
}

# Options given last, without their value: the message names the option.
MISSING_VALUE = [
    "--restart", "--max-restarts", "--backoff", "--reset-after", "--health-cmd",
    "--health-http", "--health-tcp", "--health-interval", "--health-timeout",
    "--health-retries", "--health-start-period", "--timeout", "--report",
]  # fmt: skip


def check_refused(init, marker: Path, named: str | None) -> None:  # type: ignore[no-untyped-def]
    assert init.wait(10) == 125
    stderr = init.stderr()
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("tinyinit: "), lines[0]
    assert "Traceback" not in stderr
    if named:
        assert named in lines[0], f"the message does not name {named!r}: {lines[0]}"
    assert not marker.exists(), "COMMAND ran despite the bad value"
    assert init.out.rest(5) == ""


@pytest.mark.parametrize("case", CASES)
def test_bad_value_is_one_line_and_125(start, tmp_path: Path, case: str) -> None:
    options, env, named = CASES[case]
    marker = tmp_path / "ran"
    init = launch(start, [*options, "--", "touch", str(marker)], SUBREAPER, env=env)
    check_refused(init, marker, named)


@pytest.mark.parametrize("option", MISSING_VALUE)
def test_missing_value(start, tmp_path: Path, option: str) -> None:
    marker = tmp_path / "ran"
    init = launch(start, [option], SUBREAPER)
    check_refused(init, marker, option)
