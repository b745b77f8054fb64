"""In group mode (-g), SIGTSTP, SIGTTIN and SIGTTOU sent to tinyinit stop the child's group
(as SIGSTOP, since an orphaned group ignores them); tinyinit never stops itself; SIGCONT
resumes the group. In the other modes they are forwarded as they are (gunicorn scales its
workers with TTIN/TTOU)."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

import pytest

from .support import children, helper, proc_state, wait_for


@pytest.mark.parametrize(
    "sig", [signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU], ids=lambda s: s.name
)
def test_stop_signal_stops_group_not_tinyinit(
    start, mode: str, sig: signal.Signals, tmp_path: Path
) -> None:
    log = tmp_path / "member"
    member = shlex.join(helper("print_signals", "--log", str(log)))
    child = shlex.join(helper("print_signals"))
    init = start(["-g", "--", "sh", "-c", f"{member} & exec {child}"], mode)
    init.out.expect("ready")
    wait_for(log.exists, 10, "the group member to be ready")
    main = init.main_child()
    group = [main, *children(main)]
    assert len(group) == 2

    init.signal(sig)
    wait_for(lambda: all(proc_state(pid) == "T" for pid in group), 5, "the group to stop")
    time.sleep(0.2)
    assert proc_state(init.pid) != "T", "tinyinit stopped itself"
    assert proc_state(init.pid) is not None

    init.signal(signal.SIGCONT)
    wait_for(lambda: all(proc_state(pid) != "T" for pid in group), 5, "the group to resume")
    assert init.out.readline(5) == str(int(signal.SIGCONT))
    wait_for(lambda: log.read_text().splitlines()[1:] == ["18"], 5, "SIGCONT in the member")
    # The stop itself came as SIGSTOP: nobody saw the job-control signal as such.
    assert init.out.nothing_within(0.2) == []


@pytest.mark.parametrize("extra", [[], ["-c"]], ids=["auto", "child"])
@pytest.mark.parametrize(
    "sig", [signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU], ids=lambda s: s.name
)
def test_job_control_signal_forwarded_as_is(
    start, mode: str, sig: signal.Signals, extra: list[str]
) -> None:
    init = start([*extra, "--", *helper("print_signals")], mode)
    init.out.expect("ready")
    init.signal(sig)
    assert init.out.readline(5) == str(int(sig))
    assert proc_state(init.main_child()) != "T"
    assert proc_state(init.pid) != "T", "tinyinit stopped itself"
