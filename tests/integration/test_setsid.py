"""Spawn: the child leads its own session and group; -c / DUMB_INIT_SETSID=0 skip setsid and
forward signals to the child only."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

import pytest

from .support import helper, proc_stat, wait_for

SINGLE_CHILD = {
    "-c": (["-c"], {}),
    "--single-child": (["--single-child"], {}),
    "DUMB_INIT_SETSID=0": ([], {"DUMB_INIT_SETSID": "0"}),
}


def group_and_session(pid: int) -> tuple[int, int]:
    stat = proc_stat(pid)
    assert stat is not None
    return int(stat[2]), int(stat[3])


def test_child_leads_its_session_and_group(start, mode: str) -> None:
    init = start(["--", *helper("print_signals")], mode)
    _, pid, pgid, sid = init.out.expect("ready").split()
    assert pid == pgid == sid  # as the child sees itself
    child = init.main_child()
    assert group_and_session(child) == (child, child)  # as seen from outside


@pytest.mark.parametrize("how", SINGLE_CHILD)
def test_single_child_keeps_tinyinits_session(start, mode: str, how: str) -> None:
    args, env = SINGLE_CHILD[how]
    init = start([*args, "--", *helper("print_signals")], mode, env=env)
    init.out.expect("ready")
    child = init.main_child()
    assert group_and_session(child) == group_and_session(init.pid)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


GROUP = {
    "-g": (["-g"], {}),
    "--forward group": (["--forward", "group"], {}),
    "TINI_KILL_PROCESS_GROUP=1": ([], {"TINI_KILL_PROCESS_GROUP": "1"}),
    "DUMB_INIT_SETSID=1": ([], {"DUMB_INIT_SETSID": "1"}),
}


@pytest.mark.parametrize("how", ["auto", *GROUP, *SINGLE_CHILD])
def test_who_gets_forwarded_signals(start, mode: str, how: str, tmp_path: Path) -> None:
    """The child runs a second process in its group, and does not wait for it: it gets
    signals only in group mode (in auto mode it is left to its parent, the child)."""
    args, env = {**SINGLE_CHILD, **GROUP}.get(how, ([], {}))
    child_log, member_log = tmp_path / "child", tmp_path / "member"
    member = shlex.join(helper("print_signals", "--log", str(member_log)))
    child = shlex.join(helper("print_signals", "--log", str(child_log)))
    init = start([*args, "--", "sh", "-c", f"{member} & exec {child}"], mode, env=env)
    wait_for(lambda: lines(child_log) and lines(member_log), 10, "both to be ready")

    init.signal(signal.SIGUSR1)
    wait_for(lambda: "10" in lines(child_log), 5, "the child to get SIGUSR1")
    init.signal(signal.SIGUSR2)
    wait_for(lambda: "12" in lines(child_log), 5, "the child to get SIGUSR2")
    if how in GROUP:
        wait_for(lambda: lines(member_log)[1:] == ["10", "12"], 5, "the member to get both")
    else:
        init.out.nothing_within(0.3)
        assert lines(member_log)[1:] == [], "signal forwarded beyond the single child"
