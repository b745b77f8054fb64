"""Drain: when the main child exits, the rest get SIGTERM; tinyinit waits for them, no longer."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

from .support import helper


def background_then_exit(log: Path, code: int, *print_signals_args: str) -> list[str]:
    """sh starts print_signals in the background, waits until it is ready, and exits CODE."""
    member = shlex.join(helper("print_signals", "--log", str(log), *print_signals_args))
    script = f"{member} & while ! [ -s {shlex.quote(str(log))} ]; do sleep 0.01; done; exit {code}"
    return ["sh", "-c", script]


def test_remaining_process_gets_sigterm_and_is_waited_for(start, mode: str, tmp_path: Path) -> None:
    log = tmp_path / "log"
    command = background_then_exit(log, 5, "--exit-on", "TERM", "--exit-delay", "0.5")
    began = time.monotonic()
    init = start(["--grace", "20", "--", *command], mode)
    assert init.wait(15) == 5
    took = time.monotonic() - began
    assert log.read_text().splitlines()[1:] == ["15", "exiting"]
    assert took < 6, f"tinyinit took {took:.2f}s: it should exit once the last process is gone"


def test_rewrite_applies_to_the_drain_signal(start, mode: str, tmp_path: Path) -> None:
    log = tmp_path / "log"
    command = background_then_exit(log, 0, "--exit-on", "USR1")
    init = start(["-r", "TERM:USR1", "--grace", "20", "--", *command], mode)
    assert init.wait(15) == 0
    assert log.read_text().splitlines()[1:] == ["10", "exiting"]


def test_stopped_daemon_is_continued(start, mode: str, tmp_path: Path) -> None:
    done = tmp_path / "done"
    daemon = helper("daemon", "--file", str(done), "--work", "0.2", "--stopped", "--exit", "0")
    init = start(["--grace", "20", "--", *daemon], mode)
    assert init.wait(15) == 0
    assert done.read_text() == "15\n"


def test_term_ignoring_leftover_is_killed_and_main_status_kept(start, mode: str) -> None:
    straggler = shlex.join(helper("straggler"))
    init = start(["--grace", "1", "--", "sh", "-c", f"{straggler} & sleep 0.5; exit 4"], mode)
    assert init.wait(10) == 4
    warnings = [line for line in init.stderr_lines() if "SIGKILL" in line]
    assert len(warnings) == 1 and "straggler.py" in warnings[0], init.stderr()


def test_leftovers_get_the_stop_signal_in_progress(start, mode: str, tmp_path: Path) -> None:
    """After a SIGINT stop, the processes left when the main child is gone get SIGINT again."""
    log = tmp_path / "log"
    member = shlex.join(helper("daemon", "--file", str(log), "--work", "0"))
    init = start(["--grace", "20", "--", "sh", "-c", member], mode)
    init.out.expect("ready")
    init.signal(signal.SIGINT)
    assert init.wait(15) == 128 + signal.SIGINT
    assert log.read_text() == f"{int(signal.SIGINT)}\n"


def test_group_member_gets_the_stop_signal_once(start, mode: str, tmp_path: Path) -> None:
    """docker stop of `sh -c 'a | b'`: the group gets SIGTERM by the forward; when sh exits,
    the drain must not send it a second one (a second signal can mean "quit now")."""
    log = tmp_path / "log"
    command = background_then_exit(log, 0)  # print_signals logs every signal, never exits
    command[-1] = command[-1].replace("; exit 0", "; echo started; trap 'exit 143' TERM; wait")
    init = start(["--grace", "1", "--", *command], mode)
    init.out.expect("started")
    init.signal(signal.SIGTERM)
    assert init.wait(15) == 143
    received = log.read_text().splitlines()[1:]
    assert received.count(str(int(signal.SIGTERM))) == 1, f"signals received: {received}"
