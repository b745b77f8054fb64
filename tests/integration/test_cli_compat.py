"""Drop-in for tini and dumb-init: each of their flags and variables does what it does there
(not merely accepted); options stop at the first non-option.

Forwarding modes follow the SPEC (issue 11): -g, TINI_KILL_PROCESS_GROUP=1 and
DUMB_INIT_SETSID=1 select `group` (every member of the child's process group gets the signal,
even one whose parent is busy, not waiting for it); -c, --single-child and DUMB_INIT_SETSID=0
select `child` (only the main child gets it, and it stays in tinyinit's session)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from .support import (
    SUBREAPER,
    alive,
    helper,
    proc_stat,
    tinyinit_command,
    wait_for,
)

BUSY = 'exec python3 -c "import time; time.sleep(60)"'


def recorder_under_busy_parent(log: Path) -> list[str]:
    """sh starts a recorder in the background, then becomes a busy process (sleeping, not
    waiting for it): the main child, in the same process group as the recorder."""
    recorder = shlex.join(helper("print_signals", "--log", str(log), "--exit-on", "TERM"))
    return ["sh", "-c", f"{recorder} & {BUSY}"]


def received(log: Path) -> list[str]:
    return log.read_text().split()[4:]


def run_forwarding(start, mode: str, args: list[str], env: dict[str, str], tmp_path: Path):
    log = tmp_path / "recorder"
    init = start([*args, "--grace", "5", "--", *recorder_under_busy_parent(log)], mode, env=env)
    wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "the recorder")
    main = init.main_child()
    wait_for(lambda: "python3" in Path(f"/proc/{main}/cmdline").read_text(), 10, "the exec")
    init.signal(signal.SIGUSR1)  # kills the busy main child (default action)
    assert init.wait(10) == 128 + signal.SIGUSR1, init.stderr()
    return init, received(log), main


GROUP = {
    "-g": (["-g"], {}),
    "TINI_KILL_PROCESS_GROUP": ([], {"TINI_KILL_PROCESS_GROUP": "1"}),
    "DUMB_INIT_SETSID=1": ([], {"DUMB_INIT_SETSID": "1"}),
}
CHILD = {
    "-c": (["-c"], {}),
    "--single-child": (["--single-child"], {}),
    "DUMB_INIT_SETSID=0": ([], {"DUMB_INIT_SETSID": "0"}),
}


@pytest.mark.parametrize("how", GROUP)
def test_group_mode_reaches_every_member(start, mode: str, how: str, tmp_path: Path) -> None:
    args, env = GROUP[how]
    _, got, _ = run_forwarding(start, mode, args, env, tmp_path)
    assert got[:1] == [str(int(signal.SIGUSR1))], f"the group member got {got}"


@pytest.mark.parametrize("how", CHILD)
def test_child_mode_reaches_only_the_main_child(start, mode, how: str, tmp_path: Path) -> None:
    args, env = CHILD[how]
    _, got, _ = run_forwarding(start, mode, args, env, tmp_path)
    assert str(int(signal.SIGUSR1)) not in got, f"the other process got {got}"
    assert got == [str(int(signal.SIGTERM)), "exiting"], got  # the drain's stop signal


@pytest.mark.parametrize("how", CHILD)
def test_child_mode_keeps_tinyinits_session(start, how: str) -> None:
    args, env = CHILD[how]
    init = start([*args, "--", "sleep", "30"], SUBREAPER, env=env)
    child = init.main_child()
    assert proc_stat(child)[3] == proc_stat(init.pid)[3]  # session
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM


def test_default_gives_the_child_a_session_of_its_own(start) -> None:
    init = start(["--", "sleep", "30"], SUBREAPER)
    child = init.main_child()
    assert proc_stat(child)[3] == str(child)
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM


ORPHAN = "sh -c 'sleep 30' & echo $!"


@pytest.mark.parametrize(
    ("args", "env"),
    [(["-s"], {}), ([], {"TINI_SUBREAPER": "1"}), (["--no-subreaper", "-s"], {})],
    ids=["-s", "TINI_SUBREAPER", "last-wins"],
)
def test_subreaper_adopts_orphans(start, args: list[str], env: dict[str, str]) -> None:
    init = start([*args, "--", "sh", "-c", ORPHAN + "; sleep 30"], SUBREAPER, env=env)
    orphan = int(init.out.readline(10))
    main = init.main_child()
    os.kill(main, signal.SIGKILL)  # the orphan's parent is gone: the subreaper adopts it
    wait_for(lambda: proc_stat(orphan) and proc_stat(orphan)[1] == str(init.pid), 5, "adoption")


def test_no_subreaper_leaves_orphans_to_init(start) -> None:
    init = start(["--no-subreaper", "--", "sh", "-c", ORPHAN + "; sleep 30"], SUBREAPER)
    orphan = int(init.out.readline(10))
    main = init.main_child()
    try:
        os.kill(main, signal.SIGKILL)
        wait_for(lambda: proc_stat(orphan)[1] != str(main), 5, "reparenting")
        assert proc_stat(orphan)[1] != str(init.pid), "adopted despite --no-subreaper"
    finally:
        os.kill(orphan, signal.SIGKILL)


def test_w_warns_about_reaped_zombies(start, mode: str) -> None:
    script = "(sh -c 'exit 3' &); sleep 0.3"  # an orphan that exits 3, reaped by tinyinit
    init = start(["-w", "--", "sh", "-c", script], mode)
    assert init.wait(10) == 0
    assert any(
        "reaped zombie process" in line and "exited 3" in line for line in init.stderr_lines()
    ), init.stderr()
    quiet = start(["--", "sh", "-c", script], mode)
    assert quiet.wait(10) == 0
    assert quiet.stderr() == ""


VERBOSE = {
    "-v": (["-v"], {}),
    "-vv": (["-v", "-v"], {}),
    "--verbose": (["--verbose"], {}),
    "TINI_VERBOSITY=2": ([], {"TINI_VERBOSITY": "2"}),
    "TINYINIT_VERBOSITY=2": ([], {"TINYINIT_VERBOSITY": "2"}),
    "DUMB_INIT_DEBUG=1": ([], {"DUMB_INIT_DEBUG": "1"}),
}
QUIET = {
    "default": ([], {}),
    "TINI_VERBOSITY=1": ([], {"TINI_VERBOSITY": "1"}),
    "DUMB_INIT_DEBUG=0": ([], {"DUMB_INIT_DEBUG": "0"}),
}


@pytest.mark.parametrize("how", VERBOSE)
def test_verbose_settings_give_debug_lines(start, how: str) -> None:
    args, env = VERBOSE[how]
    init = start([*args, "--", "sh", "-c", "exit 7"], SUBREAPER, env=env)
    assert init.wait(10) == 7
    assert any(line.startswith("[tinyinit] started") for line in init.stderr_lines())


@pytest.mark.parametrize("how", QUIET)
def test_quiet_settings_give_no_debug_lines(start, how: str) -> None:
    args, env = QUIET[how]
    init = start([*args, "--", "sh", "-c", "exit 7"], SUBREAPER, env=env)
    assert init.wait(10) == 7
    assert init.stderr() == ""


@pytest.mark.parametrize("var", ["TINI_VERBOSITY", "TINYINIT_VERBOSITY"])
def test_verbosity_0_silences_warnings(start, var: str) -> None:
    init = start(["--grace", "0.3", "--", *helper("straggler")], SUBREAPER, env={var: "0"})
    init.out.expect("ready")
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGKILL
    assert init.stderr() == ""


@pytest.mark.parametrize("flag", ["-r", "--rewrite"])
def test_rewrite(start, mode: str, flag: str) -> None:
    init = start([flag, "TERM:INT", "--", *helper("print_signals", "--exit-on", "INT")], mode)
    init.out.expect("ready")
    init.signal(signal.SIGTERM)
    assert init.out.readline(5) == str(int(signal.SIGINT))
    assert init.wait(10) == 0


def test_e_maps_a_code_to_zero(start, mode: str) -> None:
    assert start(["-e", "5", "--", "sh", "-c", "exit 5"], mode).wait(10) == 0
    assert start(["-e", "5", "-e", "6", "--", "sh", "-c", "exit 6"], mode).wait(10) == 0
    assert start(["-e", "5", "--", "sh", "-c", "exit 4"], mode).wait(10) == 4


def test_p_signals_tinyinit_when_its_parent_dies(tmp_path: Path) -> None:
    log = tmp_path / "child"
    inner = [
        *tinyinit_command(),
        "-p",
        "TERM",
        "--",
        *helper("print_signals", "--log", str(log), "--exit-on", "TERM"),
    ]
    parent = subprocess.Popen(["sh", "-c", f"{shlex.join(inner)} & wait"])
    try:
        wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "ready")
        parent.kill()  # tinyinit's parent dies: tinyinit gets SIGTERM, forwards it
        parent.wait(5)
        wait_for(lambda: "exiting" in log.read_text(), 10, "the forwarded SIGTERM")
    finally:
        if parent.poll() is None:
            parent.kill()
    assert received(log) == [str(int(signal.SIGTERM)), "exiting"]


def test_pdeathsig_signals_the_command_when_tinyinit_dies(start, tmp_path: Path) -> None:
    log = tmp_path / "child"
    command = helper("print_signals", "--log", str(log), "--exit-on", "USR2")
    init = start(["--pdeathsig", "USR2", "--", *command], SUBREAPER)
    wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "ready")
    child = init.main_child()
    os.kill(init.pid, signal.SIGKILL)
    wait_for(lambda: not alive(child), 10, "the command to get SIGUSR2 and exit")
    assert received(log) == [str(int(signal.SIGUSR2)), "exiting"]


def test_options_stop_at_the_command(start) -> None:
    init = start(["sh", "-c", 'echo "$0" "$@"', "-v", "--grace", "x"], SUBREAPER)
    assert init.out.readline(10) == "-v --grace x"
    assert init.wait(10) == 0
    assert init.stderr() == ""


@pytest.mark.parametrize(
    ("flag", "expect"),
    [
        ("-h", "usage"),
        ("--help", "usage"),
        ("-V", "0."),
        ("--version", "0."),
        ("-l", "License"),
    ],
)
def test_information_flags(start, flag: str, expect: str) -> None:
    init = start([flag], SUBREAPER)
    assert init.wait(10) == 0
    assert expect.lower() in init.out.rest(5).lower()
