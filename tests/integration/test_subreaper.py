"""Subreaper: when not PID 1, tinyinit adopts orphans by itself; --no-subreaper opts out."""

from __future__ import annotations

import pytest

from .support import SUBREAPER, children, kill_quietly, wait_for

# The inner shell starts a sleep in the background, prints its pid and exits: the sleep is
# orphaned, then the main child goes on sleeping.
SCRIPT = "sh -c 'sleep 30 & echo orphan $!'; exec sleep 30"


def orphan_pid(init) -> int:
    return init.host_pid(int(init.out.expect("orphan").split()[1]))


@pytest.mark.parametrize(
    ("args", "env"),
    [([], {}), (["-s"], {}), ([], {"TINI_SUBREAPER": "1"})],
    ids=["automatic", "-s", "TINI_SUBREAPER"],
)
def test_orphans_come_back_to_tinyinit(start, mode: str, args: list[str], env: dict) -> None:
    init = start([*args, "--", "sh", "-c", SCRIPT], mode, env=env)
    orphan = orphan_pid(init)
    wait_for(lambda: orphan in children(init.pid), 5, "the orphan to be tinyinit's child")


def test_no_subreaper_opts_out(start) -> None:
    init = start(["--no-subreaper", "--", "sh", "-c", SCRIPT], SUBREAPER)
    orphan = orphan_pid(init)
    try:
        wait_for(lambda: orphan not in children(init.pid), 5, "the orphan to go elsewhere")
        assert init.main_child() != orphan
    finally:
        kill_quietly(orphan)
