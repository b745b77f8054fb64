"""Exit status: the child's code, 128+N when killed by signal N, and -e mapping codes to 0."""

from __future__ import annotations

import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from .support import MODES, PID1, TINYINIT, require_root


def run(mode: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [str(TINYINIT), *args]
    if mode == PID1:
        command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
    return subprocess.run(command, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("mode", MODES)
def test_exit_codes_pass_through(mode: str) -> None:
    if mode == PID1:
        require_root()
        codes = [0, 1, 2, 42, 125, 126, 127, 128, 129, 254, 255]
    else:
        codes = list(range(256))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda code: run(mode, "sh", "-c", f"exit {code}"), codes))
    wrong = [(code, r.returncode) for code, r in zip(codes, results) if r.returncode != code]
    assert wrong == [], "(expected, got)"
    assert [r.stderr for r in results if r.stderr] == []


@pytest.mark.parametrize(
    "sig",
    [signal.SIGHUP, signal.SIGINT, signal.SIGKILL, signal.SIGUSR1, signal.SIGALRM, signal.SIGTERM],
    ids=lambda s: s.name,
)
def test_killed_by_signal_is_128_plus_n(mode: str, sig: signal.Signals) -> None:
    result = run(mode, "sh", "-c", f"kill -s {sig.name[3:]} $$")
    assert result.returncode == 128 + sig
    assert result.stderr == b""


def test_signal_forwarded_then_128_plus_n(start, mode: str) -> None:
    init = start(["--", "sleep", "30"], mode)
    init.main_child()
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM
    assert init.stderr() == ""


@pytest.mark.parametrize(
    ("args", "script", "expected"),
    [
        (["-e", "3"], "exit 3", 0),
        (["-e", "3"], "exit 4", 4),
        (["-e", "3", "-e", "4"], "exit 4", 0),
        (["-e", "143"], "kill -s TERM $$", 0),
        (["-e", "15"], "kill -s TERM $$", 143),
        (["-e", "0"], "exit 0", 0),
    ],
)
def test_e_maps_a_code_to_zero(mode: str, args: list[str], script: str, expected: int) -> None:
    assert run(mode, *args, "sh", "-c", script).returncode == expected
