"""PYTHON* variables are for the command, not for tinyinit's interpreter: with any of them
set (but the harmless few), tinyinit runs its interpreter again isolated (-I) before it loads
anything of its own, so PYTHONINSPECT, PYTHONWARNINGS, PYTHONPATH... change nothing it does,
and the command still gets them unchanged (test_environment_exact). The signal mask the
command inherits is still the one tinyinit was given.

Those the interpreter acts on before tinyinit's first line can (PYTHONHOME, PYTHONPATH's
sitecustomize, PYTHONVERBOSE, PYTHONPROFILEIMPORTTIME, an invalid PYTHONWARNINGS entry) are
named in the README instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import helper, sig_mask


@pytest.mark.parametrize(
    "variable",
    [
        "PYTHONINSPECT=1",
        "PYTHONWARNINGS=error",
        "PYTHONDEVMODE=1",
        "PYTHONOPTIMIZE=2",
        "PYTHONMALLOC=debug",
        "PYTHONINTMAXSTRDIGITS=640",
        "PYTHONFAULTHANDLER=1",
    ],
)
def test_exit_code_and_stderr_do_not_change(start, mode: str, variable: str) -> None:
    name, _, value = variable.partition("=")
    init = start(["--", "sh", "-c", 'echo "$' + name + '"; exit 7'], mode, env={name: value})
    assert init.wait(10) == 7
    assert init.stderr() == ""
    assert init.out.rest(5) == value + "\n"


def test_a_shadowing_tinyinit_on_pythonpath_is_not_loaded(start, mode, tmp_path: Path) -> None:
    """Planted bug caught: bin/tinyinit without its isolated re-run for PYTHON* variables
    (the shadow package is imported and exits)."""
    shadow = tmp_path / "tinyinit"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise SystemExit('shadow tinyinit loaded')\n")
    (shadow / "__main__.py").write_text("raise SystemExit('shadow tinyinit loaded')\n")
    init = start(["--", "sh", "-c", "exit 7"], mode, env={"PYTHONPATH": str(tmp_path)})
    assert init.wait(10) == 7
    assert init.stderr() == ""


def test_mask_is_still_the_one_given(start, mode: str) -> None:
    """The isolated run gets the mask tinyinit was given, not the everything-blocked one."""
    wrap = helper("with_state", "--block", "USR1,HUP", "--")
    command = ["--", "grep", "SigBlk", "/proc/self/status"]  # (dash would unblock all)
    init = start(command, mode, env={"PYTHONINSPECT": "1"}, wrap=wrap)
    assert init.wait(10) == 0, init.stderr()
    line = init.out.rest(5)
    assert sig_mask(line.split()[1]) == {1, 10}, line


@pytest.mark.parametrize(
    ("variable", "again"),
    [
        ("PYTHON_VERSION=3.12.7", False),  # set by the official python images, read by nobody
        ("PYTHONUNBUFFERED=1", False),
        ("PYTHONDONTWRITEBYTECODE=1", False),
        ("PYTHONINSPECT=1", True),
        ("PYTHONPATH=/nonexistent", True),
    ],
)
def test_only_variables_the_interpreter_acts_on_cost_a_second_start(
    start, mode: str, variable: str, again: bool
) -> None:
    """The isolated second start costs about 10 ms: only for variables that would change what
    tinyinit's own interpreter does."""
    name, _, value = variable.partition("=")
    init = start(["--", "sleep", "30"], mode, env={name: value})
    init.main_child()  # up and running
    with open(f"/proc/{init.pid}/cmdline", "rb") as f:
        words = f.read().split(b"\0")
    assert (b"-I" in words) == again, words
