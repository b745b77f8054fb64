"""Parent death: the child does not outlive a tinyinit that is not PID 1 (SIGKILL by default,
--pdeathsig SIG); tini's -p SIG gives tinyinit itself a parent-death signal."""

from __future__ import annotations

import signal

import pytest

from .support import SUBREAPER, alive, children, helper, kill_quietly, wait_for

LAUNCHERS = ["script", "ctypes"]  # python-prctl, and libc's prctl through ctypes


def check_binding(pid: int, launcher: str) -> None:
    """The prctl binding tinyinit loaded is the one this run is meant to exercise."""
    with open(f"/proc/{pid}/maps") as f:
        maps = f.read()
    if launcher == "ctypes":
        assert "/_ctypes" in maps and "/_prctl" not in maps, "not the ctypes fallback"
    else:
        assert "/_prctl" in maps, "python-prctl not used"


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_child_dies_with_tinyinit(start, launcher: str) -> None:
    init = start(["--", *helper("print_signals")], SUBREAPER, launcher=launcher)
    init.out.expect("ready")
    child = init.main_child()
    check_binding(init.pid, launcher)
    init.signal(signal.SIGKILL)
    try:
        wait_for(lambda: not alive(child), 5, "the child to die with tinyinit")
    finally:
        kill_quietly(child)


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_pdeathsig_option(start, launcher: str) -> None:
    init = start(
        ["--pdeathsig", "TERM", "--", *helper("print_signals", "--exit-on", "TERM")],
        SUBREAPER,
        launcher=launcher,
    )
    init.out.expect("ready")
    child = init.main_child()
    check_binding(init.pid, launcher)
    init.signal(signal.SIGKILL)
    try:
        assert init.out.readline(5) == "15", "the child did not get SIGTERM when tinyinit died"
        wait_for(lambda: not alive(child), 5, "the child to exit")
    finally:
        kill_quietly(child)


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_own_parent_death_signal(start, launcher: str) -> None:
    """-p TERM: when tinyinit's parent dies, tinyinit gets SIGTERM and stops its child."""
    init = start(
        ["-p", "TERM", "--", "sleep", "30"], SUBREAPER, launcher=launcher, wrap=helper("parent")
    )
    tinyinit = int(init.out.expect("child").split()[1])
    child = wait_for(lambda: children(tinyinit), 10, "tinyinit's child")[0]
    check_binding(tinyinit, launcher)
    kill_quietly(init.proc.pid)
    try:
        wait_for(lambda: not alive(tinyinit), 5, "tinyinit to stop after its parent died")
        wait_for(lambda: not alive(child), 5, "the child to be stopped")
    finally:
        kill_quietly(tinyinit)
        kill_quietly(child)
