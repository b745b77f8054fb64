"""Thousands of option mixes, generated (hypothesis, fixed seed): whatever the mix, tinyinit
never prints a traceback or an internal error, every line it writes is its own (`tinyinit: `
or `[tinyinit] `), its exit code is one it documents, it never hangs, and no process of the
run is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .support import TINYINIT  # noqa: E402

VALUES = [
    "0",
    "1",
    "5",
    "7",
    "255",
    "256",
    "-1",
    "",
    "abc",
    "TERM",
    "SIGINT",
    "RTMIN+2",
    "99",
    "10ms",
    "0.2s",
    "1m",
    "24h",
    "25h",
    "1e9",
    "nan",
    "\n",
    "x" * 300,
    "9" * 5000,
]
FLAGS = [
    "-c",
    "-g",
    "-s",
    "-w",
    "-v",
    "-vv",
    "--verbose",
    "--single-child",
    "--no-subreaper",
    "-cg",
    "-vw",
    "--bogus",
    "-X",
    "-\x1b",
    "--",
    "-",
]
VALUED = [
    "--grace",
    "--pdeathsig",
    "-r",
    "--rewrite",
    "-e",
    "-p",
    "--forward",
    "--max-restarts",
    "--backoff",
    "--timeout",
    "--health-retries",
]
ENV = [
    "TINYINIT_GRACE",
    "TINYINIT_VERBOSITY",
    "TINI_VERBOSITY",
    "TINI_SUBREAPER",
    "TINI_KILL_PROCESS_GROUP",
    "DUMB_INIT_SETSID",
    "DUMB_INIT_DEBUG",
    "TINYINIT_FORWARD",
    "TINYINIT_TIMEOUT",
]
SIGNAL_VALUES = ["TERM:INT", "15:0", "HUP", "auto", "group", "child", "on-failure"]

option = st.one_of(
    st.sampled_from(FLAGS).map(lambda flag: [flag]),
    st.tuples(st.sampled_from(VALUED), st.sampled_from(VALUES + SIGNAL_VALUES)).map(list),
    st.tuples(st.sampled_from(VALUED), st.sampled_from(VALUES + SIGNAL_VALUES)).map(
        lambda pair: [f"{pair[0]}={pair[1]}"] if pair[0].startswith("--") else list(pair)
    ),
)
environment = st.dictionaries(
    st.sampled_from(ENV), st.sampled_from(VALUES[:20] + SIGNAL_VALUES), max_size=3
)
command = st.sampled_from(["exit-code", "missing", "none", "info"])
DOCUMENTED = {0, 124, 125, 126, 127}


def run(options: list[str], env_extra: dict[str, str], kind: str, code: int) -> None:
    marker = f"tinyinit-mix-{uuid.uuid4().hex}"
    tail = {
        "exit-code": ["--", "sh", "-c", f"exit {code}", marker],
        "missing": ["--", f"/nonexistent/{marker}"],
        "none": [],
        "info": ["-V"],
    }[kind]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TINI", "DUMB_INIT"))}
    env.update(env_extra)
    try:
        proc = subprocess.run(
            [str(TINYINIT), *options, *tail],
            env=env,
            timeout=20,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang: {options!r} {env_extra!r} {kind}")
    stderr = proc.stderr.decode(errors="replace")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for line in stderr.splitlines():
        assert line.startswith(("tinyinit: ", "[tinyinit] ")), line
        assert len(line) < 5000, "a value was not cut"
    assert proc.returncode in DOCUMENTED | {code}, (options, env_extra, stderr)
    left = [pid for pid in _pids() if marker.encode() in _cmdline(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left behind by {options!r}"


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


@seed(20261130)
@settings(
    max_examples=300, deadline=None, derandomize=False, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    options=st.lists(option, max_size=6).map(lambda groups: [w for g in groups for w in g]),
    env_extra=environment,
    kind=command,
    code=st.sampled_from([0, 3, 7, 130]),
)
def test_option_mix(options: list[str], env_extra: dict[str, str], kind: str, code: int):
    run(options, env_extra, kind, code)
