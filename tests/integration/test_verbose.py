"""Logging: silent in normal operation; -v and its variables log forwarded signals and reaped
pids as `[tinyinit] ` lines; -w warns about reaped processes other than the main child."""

from __future__ import annotations

import re
import shlex
import signal

import pytest

from .support import helper

VERBOSE = {
    "-v": (["-v"], {}),
    "--verbose": (["--verbose"], {}),
    "TINYINIT_VERBOSITY=2": ([], {"TINYINIT_VERBOSITY": "2"}),
    "TINI_VERBOSITY=2": ([], {"TINI_VERBOSITY": "2"}),
    "DUMB_INIT_DEBUG=1": ([], {"DUMB_INIT_DEBUG": "1"}),
}


def run_usr1_then_exit(start, mode: str, args: list[str], env: dict[str, str]):
    init = start([*args, "--", *helper("print_signals", "--exit-on", "USR2")], mode, env=env)
    pid = int(init.out.expect("ready").split()[1])
    init.signal(signal.SIGUSR1)
    init.out.expect(lambda line: line == "10", 5)
    init.signal(signal.SIGUSR2)
    assert init.wait(10) == 0
    return init, pid


def test_silent_by_default(start, mode: str) -> None:
    init, _ = run_usr1_then_exit(start, mode, [], {})
    assert init.stderr() == ""


@pytest.mark.parametrize("how", VERBOSE)
def test_debug_lines(start, mode: str, how: str) -> None:
    args, env = VERBOSE[how]
    init, pid = run_usr1_then_exit(start, mode, args, env)
    lines = init.stderr_lines()
    assert lines, "no debug output"
    assert all(line.startswith("[tinyinit] ") for line in lines), lines
    assert any("SIGUSR1" in line and "forward" in line for line in lines), lines
    # The main child's end, with its pid and status.
    assert any(re.search(rf"\b{pid}\b.*exited 0", line) for line in lines), lines


def test_reaped_orphans_are_logged(start, mode: str) -> None:
    script = "(sh -c 'echo orphan $$' &); sleep 0.5"
    init = start(["-v", "--", "sh", "-c", script], mode)
    orphan = int(init.out.expect("orphan").split()[1])
    assert init.wait(10) == 0
    lines = init.stderr_lines()
    assert any("reaped" in line and re.search(rf"\b{orphan}\b", line) for line in lines), lines


def test_drain_is_logged(start, mode: str, tmp_path) -> None:
    log = tmp_path / "log"
    member = shlex.join(helper("print_signals", "--log", str(log), "--exit-on", "TERM"))
    script = f"{member} & while ! [ -s {shlex.quote(str(log))} ]; do sleep 0.01; done"
    init = start(["-v", "--", "sh", "-c", script], mode)
    assert init.wait(15) == 0
    assert any("SIGTERM" in line and "remaining" in line for line in init.stderr_lines()), (
        init.stderr()
    )


def test_w_warns_about_reaped_orphans(start, mode: str) -> None:
    script = "(sh -c 'echo orphan $$' &); sleep 0.5"
    init = start(["-w", "--", "sh", "-c", script], mode)
    orphan = int(init.out.expect("orphan").split()[1])
    assert init.wait(10) == 0
    lines = init.stderr_lines()
    assert any(re.search(rf"\b{orphan}\b", line) for line in lines), lines
    assert all(line.startswith("[tinyinit] ") for line in lines), lines
