"""SIGTSTP, SIGTTIN and SIGTTOU reach the command as they are in auto and child modes (gunicorn
and others scale with TTIN/TTOU); only group turns them into SIGSTOP (as dumb-init does).
Nothing is stopped in auto and child; tinyinit never stops itself."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import FORWARDS, Run, got, sigstamp, tinyinit, wait_ready
from .support import proc_state, wait_for

JOB_CONTROL = (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)


@pytest.mark.parametrize("sig", JOB_CONTROL, ids=lambda s: s.name)
@pytest.mark.parametrize("forward", FORWARDS)
def test_job_control_signals_as_they_are(
    mode: str, forward: str, sig: signal.Signals, tmp_path: Path
) -> None:
    log = tmp_path / "main.log"
    with Run(tinyinit(forward, 2), sigstamp(log, "--exit-on", "TERM"), mode) as run:
        wait_ready(log)
        main = run.main_child()
        run.signal(sig)
        if forward == "group":
            wait_for(lambda: proc_state(main) == "T", 5, "the command to stop (SIGSTOP)")
            run.signal(signal.SIGCONT)
            wait_for(lambda: proc_state(main) != "T", 5, "the command to resume")
        else:
            wait_for(lambda: got(log, sig), 5, f"{sig.name} in the command's log")
            assert proc_state(main) != "T"
        assert proc_state(run.pid) not in ("T", None), "tinyinit stopped itself"
        run.signal(signal.SIGTERM)
        code, _ = run.finish(5)
    assert code == 0
    assert bool(got(log, sig)) == (forward != "group")
