"""PID 1 stays lean: startup and idle supervision (forwarding signals, reaping orphans) never
load psutil, signal, logging, subprocess, argparse or re. Held by looking at the running
process, not at its source: its memory map (psutil's C extension) and the interpreter's own
import log (`-X importtime`, written as each import happens)."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

import pytest

from .hostile import start_under
from .support import PID1, SUBREAPER, TINYINIT, children, helper, wait_for

HEAVY = {"psutil", "signal", "logging", "subprocess", "argparse", "re", "enum", "warnings"}
# The main child leaves an orphan behind every time it gets SIGUSR2, which tinyinit reaps.
CHILD = (
    f"trap : USR1; trap '(sh -c \"exit 3\" &)' USR2; {shlex.join(helper('print_signals'))} & "
    "while :; do wait; done"
)


def python_of_tinyinit() -> str:
    return str(TINYINIT.parent / "python")


def exercise_idle(init, pid: int) -> None:
    """Forward plain signals (the loop's fast path) and reap orphans (the reaper)."""
    init.out.expect("ready")
    for _ in range(3):
        init.signal(signal.SIGUSR1)
        init.out.expect("10")
    for _ in range(3):
        init.signal(signal.SIGUSR2)
        init.out.expect("12")
    assert init.proc.poll() is None and children(pid), "the main child is gone: not idle"


def loaded_modules(stderr: str) -> set[str]:
    found = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            found.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return found


def test_interpreter_itself_loads_none_of_them() -> None:
    """Guard for the test below: modules the bare interpreter loads would hide tinyinit's."""
    import subprocess

    out = subprocess.run(
        [python_of_tinyinit(), "-X", "importtime", "-c", "pass"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    assert not loaded_modules(out.stderr) & HEAVY


@pytest.mark.parametrize("mode_", [PID1, SUBREAPER])
def test_no_heavy_module_is_imported(start, mode_: str) -> None:
    """Planted bug caught: `import subprocess` at the top of spawn.py; psutil imported by
    procs at module level (loaded at startup through rescue)."""
    launch = [python_of_tinyinit(), "-X", "importtime"]
    if mode_ == PID1:
        launch = ["unshare", "--pid", "--fork", "--mount-proc", *launch]
    init = start(["-g", "--", "sh", "-c", CHILD], SUBREAPER, wrap=launch, cwd="/")
    if mode_ == PID1:
        init._pid = wait_for(lambda: children(init.proc.pid), 10, "tinyinit")[0]
    exercise_idle(init, init.pid)
    modules = loaded_modules(init.stderr())
    assert "tinyinit" in modules, init.stderr()[-2000:]
    assert not modules & HEAVY, f"loaded: {sorted(modules & HEAVY)}"
    assert_no_psutil_mapped(init.pid)


def assert_no_psutil_mapped(pid: int) -> None:
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "_psutil" not in maps, "psutil's C extension is loaded"


def test_installed_script_maps_no_psutil(start, mode: str) -> None:
    init = start(["-g", "--", "sh", "-c", CHILD], mode)
    exercise_idle(init, init.pid)
    assert_no_psutil_mapped(init.pid)
    maps = Path(f"/proc/{init.pid}/maps").read_text()
    assert "python" in maps  # the map was read from the right process


def test_default_forwarding_loads_none_of_them(start, mode: str) -> None:
    """The default (auto) forwarding looks at /proc for waiting shells: still nothing heavy."""
    launch = [python_of_tinyinit(), "-X", "importtime"]
    init = start_under(start, ["--", *helper("print_signals")], mode, launch, cwd="/")
    init.out.expect("ready")
    for sig in (signal.SIGUSR1, signal.SIGHUP, signal.SIGWINCH):
        init.signal(sig)
        init.out.expect(str(int(sig)))
    modules = loaded_modules(init.stderr())
    assert "tinyinit" in modules and not modules & HEAVY, sorted(modules & HEAVY)
    assert_no_psutil_mapped(init.pid)
