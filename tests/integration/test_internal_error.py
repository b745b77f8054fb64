"""An internal error in the loop never abandons the children: one line on stderr, then the
stop signal, the grace period, SIGKILL for what is left, and exit 125.

The fault is injected by a launcher that makes the supervisor's forward step raise (see
support.FAULTY_MAIN); everything else is the real program. As PID 1 "gone after tinyinit
exited" proves nothing (the kernel kills the namespace), so each case asserts on what the
processes leave: the signals a recorder wrote to its file, and when tinyinit exited."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

from .hostile import start_under
from .support import SUBREAPER, TINYINIT, alive, helper, wait_for


def test_child_gets_the_stop_signal_and_tinyinit_exits_125(start, mode: str) -> None:
    args = ["--grace", "5", "--", *helper("print_signals", "--exit-on", "TERM")]
    init = start(args, mode, launcher="faulty")
    child_line = init.out.expect("ready")
    sent = time.monotonic()
    init.signal(signal.SIGHUP)  # forwarding it raises inside the loop
    assert init.out.expect(lambda line: line.strip() == str(int(signal.SIGTERM)), 10)
    assert init.wait(10) == 125
    took = time.monotonic() - sent
    assert took < 4, f"took {took:.2f}s: the rescue waited out the grace for a child that left"
    lines = init.stderr_lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("[tinyinit] error: internal error")
    assert "injected fault" in lines[0]
    assert "Traceback" not in init.stderr()
    assert child_line.startswith("ready")


def test_what_ignores_the_stop_signal_is_killed_after_the_grace(start, mode: str) -> None:
    init = start(["--grace", "1", "--", *helper("straggler")], mode, launcher="faulty")
    pid = int(init.out.expect("ready").split()[1])
    child = init.host_pid(pid)
    sent = time.monotonic()
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125
    took = time.monotonic() - sent
    assert 0.8 < took < 5, f"exited {took:.2f}s after the fault with a 1s grace period"
    assert not alive(child), "the straggler was abandoned"


def recorder_daemon_then(main: list[str], log: Path) -> list[str]:
    """sh starts a recorder in a session of its own (print_signals: writes every signal it
    gets to LOG, dies only of SIGKILL), then becomes MAIN."""
    recorder = shlex.join(["setsid", *helper("print_signals", "--log", str(log))])
    return ["sh", "-c", f"{recorder} & exec {shlex.join(main)}"]


def test_daemon_outside_the_group_gets_term_then_is_killed(start, mode, tmp_path) -> None:
    """A setsid daemon that survives SIGTERM: the rescue sends it SIGTERM (it writes it down),
    waits the grace for it, then kills it. Planted bug caught: a rescue that only signals the
    main child's group (the daemon never gets SIGTERM, and tinyinit leaves at once)."""
    log = tmp_path / "daemon"
    command = recorder_daemon_then(helper("straggler"), log)
    init = start(["--grace", "1", "--", *command], mode, launcher="faulty")
    init.out.expect("ready")
    wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "the daemon")
    daemon = init.host_pid(int(log.read_text().split()[1]))
    sent = time.monotonic()
    init.signal(signal.SIGHUP)
    assert init.wait(10) == 125
    took = time.monotonic() - sent
    assert str(int(signal.SIGTERM)) in log.read_text().split()[4:], "no SIGTERM for the daemon"
    assert 0.8 < took < 5, f"exited {took:.2f}s after the fault: the grace was not given"
    if mode == SUBREAPER:  # as PID 1 the kernel would kill it anyway
        assert not alive(daemon), "the daemon was abandoned"


EARLY_FAULT_MAIN = (  # run as `python -c EARLY_FAULT_MAIN TINYINIT_SCRIPT ARGS...`
    "import sys\n"
    "sys.argv = sys.argv[1:]\n"
    "from tinyinit import spawn\n"
    "def broken(*args, **kwargs): raise RuntimeError('injected early fault')\n"
    "spawn.spawn = broken\n"
    "from tinyinit.__main__ import main\n"
    "raise SystemExit(main())\n"
)


def test_internal_error_before_the_command_starts(start, mode: str, tmp_path: Path) -> None:
    """One line `tinyinit: internal error: ...`, exit 125, no traceback, nothing run.
    Planted bug caught: __main__.main without its catch-all."""
    marker = tmp_path / "ran"
    python = str(TINYINIT.parent / "python")
    init = start_under(start, ["--", "touch", str(marker)], mode, [python, "-c", EARLY_FAULT_MAIN])
    assert init.wait(10) == 125
    assert init.stderr_lines() == ["tinyinit: internal error: RuntimeError: injected early fault"]
    assert not marker.exists()
