"""The command gets exactly the environment tinyinit was given, byte for byte and entry by
entry: no LC_CTYPE added by the interpreter's locale coercion (PEP 538) when LANG is unset
or C, and entries Python's os.environ cannot hold (an empty name, no `=`, a name twice)
passed on in order. tinyinit reads them from /proc/self/environ."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import PYTHON, helper


def run_with_environment(start, mode: str, entries: list[bytes], tmp_path: Path) -> list[bytes]:
    env_file = tmp_path / "env-in"
    env_file.write_bytes(b"".join(entry + b"\0" for entry in entries))
    dump = tmp_path / "env-out"
    init = start(
        [*helper("environ_dump", str(dump))],
        mode,
        wrap=[PYTHON, str(helper("exec_with")[1]), "--env-file", str(env_file), "--"],
    )
    assert init.wait(10) == 0, init.stderr()
    assert init.stderr() == ""
    return dump.read_bytes().split(b"\0")[:-1]


@pytest.mark.parametrize(
    "locale",
    [[], [b"LANG=C"], [b"LC_ALL=C"], [b"LANG=POSIX"]],
    ids=["unset", "LANG=C", "LC_ALL=C", "LANG=POSIX"],
)
def test_no_locale_coercion_reaches_the_command(start, mode, locale, tmp_path) -> None:
    """Planted bug caught: spawning with os.environ (LC_CTYPE=C.UTF-8 appears)."""
    given = [b"PATH=/usr/bin:/bin", *locale, b"HOME=/nowhere"]
    assert run_with_environment(start, mode, given, tmp_path) == given


def test_entries_a_mapping_cannot_hold_are_passed_on(start, mode, tmp_path) -> None:
    """An empty name (as PID 1 this was "internal error: ValueError"), an entry without `=`,
    a name twice, `=` at the start of a name, and bytes that are not UTF-8."""
    given = [
        b"PATH=/usr/bin:/bin",
        b"=empty-name",
        b"NO_EQUALS_SIGN",
        b"TWICE=first",
        b"TWICE=second",
        b"=LEADING=equals",
        b"BYTES=\xff\xfe\x80",
        b"\xe9T\xe9=latin-1 name",
        b"EMPTY=",
    ]
    assert run_with_environment(start, mode, given, tmp_path) == given


def test_ordinary_environment_is_passed_in_order(start, mode, tmp_path) -> None:
    given = [f"VAR{i}={'x' * i}".encode() for i in range(200)] + [b"PATH=/usr/bin:/bin"]
    assert run_with_environment(start, mode, given, tmp_path) == given


def test_python_variables_reach_the_command_unchanged(start, mode, tmp_path) -> None:
    """tinyinit runs its own interpreter isolated from them (see test_python_variables), and
    the command still gets every one."""
    given = [
        b"PATH=/usr/bin:/bin",
        b"PYTHONINSPECT=1",
        b"PYTHONWARNINGS=error",
        b"PYTHONOPTIMIZE=2",
        b"PYTHONUTF8=1",
    ]
    assert run_with_environment(start, mode, given, tmp_path) == given
