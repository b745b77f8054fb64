"""`docker stop` of a command that honors SIGTERM: the container is gone in well under a second."""

from __future__ import annotations

import pytest
from docker_harness import Containers, Target, compare, note, shell, signal_name

SCENARIO = "docker stop, command honors SIGTERM"
COMMAND = shell("echo ready > /out/ready; exec sleep 1000")


def stop_honoring(containers: Containers, target: Target) -> tuple[float, int]:
    box = containers.start(target, COMMAND)
    box.wait_for_file("ready")
    took = box.stop(timeout=10)
    return took, box.wait()


def test_stop_is_prompt(containers: Containers, target: Target) -> None:
    took, code = stop_honoring(containers, target)
    note(target, SCENARIO, f"gone in {took:.2f} s, exit {signal_name(code)}")
    assert code == 143  # sleep killed by the forwarded SIGTERM
    # Docker itself would wait 10 s and tinyinit's grace is 8 s: anything near 1 s is neither.
    assert took < 1.5, f"docker stop took {took:.2f} s"


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(target: Target) -> str:
        took, code = stop_honoring(containers, target)
        return f"gone in {took:.2f} s, exit {signal_name(code)}"

    compare(SCENARIO, others, attempt)
