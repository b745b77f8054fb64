"""`docker kill -s HUP` reaches every member of a shell pipeline."""

from __future__ import annotations

import time

import pytest
from docker_harness import Containers, Target, compare, note, shell, signal_name, wait_until

SCENARIO = "docker kill -s HUP: pipeline members reached"
MEMBERS = ("a", "b", "c")
PIPELINE = " | ".join(f"python3 /helpers/sigrec.py {name} /out" for name in MEMBERS)


def hup_pipeline(containers: Containers, target: Target, settle: float) -> tuple[list[str], int]:
    box = containers.start(target, shell(PIPELINE))
    for name in MEMBERS:
        box.wait_for_file(f"{name}.ready")
    box.kill("HUP")

    def got_hup(name: str) -> bool:
        log = box.out / f"{name}.signals"
        return log.exists() and "SIGHUP" in log.read_text().split()

    try:
        wait_until(lambda: all(got_hup(name) for name in MEMBERS), settle, "SIGHUP everywhere")
    except TimeoutError:
        pass
    reached = [name for name in MEMBERS if got_hup(name)]
    try:
        code = box.wait(timeout=15)
    except Exception:
        box.stop()
        code = box.wait()
    return reached, code


def test_hup_reaches_every_member(containers: Containers, target: Target) -> None:
    began = time.monotonic()
    reached, code = hup_pipeline(containers, target, settle=10)
    note(target, SCENARIO, f"{len(reached)} of 3, exit {signal_name(code)}")
    assert reached == list(MEMBERS)
    # The shell dies of SIGHUP; tinyinit then asks the members to stop (SIGTERM) and they do.
    assert code == 129
    assert time.monotonic() - began < 15


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(target: Target) -> str:
        reached, code = hup_pipeline(containers, target, settle=3)
        return f"{len(reached)} of 3, exit {signal_name(code)}"

    compare(SCENARIO, others, attempt)
