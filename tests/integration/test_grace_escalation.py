"""Stop and grace: what ignores the stop signal is killed when the grace period ends, and named."""

from __future__ import annotations

import re
import shlex
import signal
import time

import pytest

from .support import SUBREAPER, alive, helper, wait_for


def kill_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "SIGKILL" in line]


def names(line: str, pid: int, command: str) -> bool:
    return re.search(rf"\b{pid}\b", line) is not None and command in line


def test_term_ignoring_child_is_killed_at_the_deadline(start, mode: str) -> None:
    init = start(["--grace", "1", "--", *helper("straggler")], mode)
    pid = int(init.out.expect("ready").split()[1])

    sent = time.monotonic()
    init.signal(signal.SIGTERM)
    code = init.wait(10)
    took = time.monotonic() - sent

    assert code == 128 + signal.SIGKILL
    assert 0.8 < took < 4, f"killed {took:.2f}s after SIGTERM with a 1s grace period"
    warnings = kill_warnings(init.stderr())
    assert len(warnings) == 1, init.stderr()
    assert warnings[0].startswith("[tinyinit] ")
    assert names(warnings[0], pid, "straggler.py"), warnings[0]
    assert re.search(r"\b1(\.0+)? ?s\b", warnings[0]), "the warning does not say it was given 1s"


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--grace", "500ms"], {}),
        (["--grace", "0.5s"], {}),
        (["--grace", "0.5"], {}),
        ([], {"TINYINIT_GRACE": "500ms"}),
        (["--grace", "0.5"], {"TINYINIT_GRACE": "60"}),  # the flag wins over the variable
    ],
    ids=["500ms", "0.5s", "0.5", "env", "flag-over-env"],
)
def test_grace_period_forms(start, args: list[str], env: dict[str, str]) -> None:
    init = start([*args, "--", *helper("straggler")], SUBREAPER, env=env)
    init.out.expect("ready")
    sent = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGKILL
    took = time.monotonic() - sent
    assert 0.35 < took < 3, f"killed {took:.2f}s after SIGTERM with a 0.5s grace period"


def test_second_stop_signal_is_forwarded_and_deadline_stays(start, mode: str) -> None:
    # print_signals takes SIGTERM and goes on: it has to be killed at the deadline, 3s after
    # the first SIGTERM; a deadline restarted by the second one would be 4.5s after it.
    init = start(["--grace", "3", "--", *helper("print_signals")], mode)
    init.out.expect("ready")
    sent = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.out.readline(5) == "15"
    assert init.out.readline(5) == "18", "a stop signal is followed by SIGCONT"
    time.sleep(1.5)
    init.signal(signal.SIGTERM)
    assert init.out.readline(5) == "15", "second SIGTERM not forwarded"
    assert init.out.readline(5) == "18"
    assert init.wait(10) == 128 + signal.SIGKILL
    took = time.monotonic() - sent
    assert 2.8 < took < 4.2, f"killed {took:.2f}s after the first SIGTERM (grace 3s)"


def test_daemon_outside_the_group_gets_term_then_is_killed(start, mode, tmp_path) -> None:
    """A setsid daemon that survives SIGTERM: it gets SIGTERM (it writes it down), is given
    the grace, then is killed and named in the warning. As PID 1 "gone after tinyinit
    exited" proves nothing: the evidence is what the daemon wrote, the warning, and that
    tinyinit waited the grace for it. Planted bug caught: the drain sparing processes outside
    the main child's group (a drain that spared everyone)."""
    log = tmp_path / "daemon"
    recorder = shlex.join(["setsid", *helper("print_signals", "--log", str(log))])
    command = ["sh", "-c", f"{recorder} & exec {shlex.join(helper('straggler'))}"]
    init = start(["--grace", "1", "--", *command], mode)
    main_pid = int(init.out.expect("ready").split()[1])
    wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "the daemon")
    daemon_pid = int(log.read_text().split()[1])
    daemon = init.host_pid(daemon_pid)

    sent = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGKILL
    took = time.monotonic() - sent
    assert 0.8 < took < 4, f"exited {took:.2f}s after SIGTERM with a 1s grace"
    got = log.read_text().split()[4:]
    assert got[:1] == [str(int(signal.SIGTERM))] and got.count(got[0]) == 1, got
    warnings = kill_warnings(init.stderr())
    assert len(warnings) == 1, init.stderr()
    assert names(warnings[0], main_pid, "straggler.py"), warnings[0]
    assert names(warnings[0], daemon_pid, "print_signals.py"), warnings[0]
    if mode == SUBREAPER:
        assert not alive(daemon), "the daemon outlived tinyinit"
