"""`docker stop` of a shell whose children ignore SIGTERM, with TINYINIT_GRACE=2: the container is
gone right after the grace period, long before docker's own 10 s, and tinyinit's warning names
every process it killed."""

from __future__ import annotations

import pytest
from docker_harness import Containers, Target, compare, note, shell, signal_name

SCENARIO = "docker stop, children ignore SIGTERM, grace 2 s"
# The shell ignores SIGTERM and its children inherit that; it writes their pids and its own.
COMMAND = shell(
    'trap "" TERM; sleep 1000 & a=$!; sleep 1001 & b=$!; echo "$$ $a $b" > /out/ready; wait'
)
ENV = {"TINYINIT_GRACE": "2"}


def stop_ignoring(containers: Containers, target: Target) -> tuple[float, int, list[str], str]:
    box = containers.start(target, COMMAND, env=ENV)
    pids = box.wait_for_file("ready").read_text().split()
    took = box.stop(timeout=10)
    return took, box.wait(), pids, box.stderr()


def test_escalation_after_grace(containers: Containers, target: Target) -> None:
    took, code, pids, log = stop_ignoring(containers, target)
    warnings = [line for line in log.splitlines() if "SIGKILL" in line]
    note(
        target,
        SCENARIO,
        f"gone in {took:.1f} s, exit {signal_name(code)}, warning names {len(pids)} processes",
    )
    assert 1.8 <= took < 6, f"docker stop took {took:.2f} s"
    assert code == 137  # the shell, killed by tinyinit's SIGKILL
    assert warnings, f"no SIGKILL warning in tinyinit's log: {log!r}"
    warning = "\n".join(warnings)
    assert warning.startswith("[tinyinit]")
    for pid in pids:
        assert pid in warning, f"pid {pid} not named in {warning!r}"
    assert "sleep 1000" in warning and "sleep 1001" in warning


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(target: Target) -> str:
        took, code, _, _ = stop_ignoring(containers, target)
        return f"gone in {took:.1f} s, exit {signal_name(code)}"

    compare(SCENARIO, others, attempt)
