"""Drop-in for tini and dumb-init: their flags and variables are accepted with their meaning;
options stop at the first non-option."""

from __future__ import annotations

import pytest

from .support import SUBREAPER

ACCEPTED = {
    "-s": (["-s"], {}),
    "-g": (["-g"], {}),
    "-w": (["-w"], {}),
    "-v": (["-v"], {}),
    "-vv": (["-v", "-v"], {}),
    "--verbose": (["--verbose"], {}),
    "-c": (["-c"], {}),
    "--single-child": (["--single-child"], {}),
    "-r": (["-r", "TERM:INT"], {}),
    "--rewrite": (["--rewrite", "15:2"], {}),
    "-e": (["-e", "5"], {}),
    "-p": (["-p", "TERM"], {}),
    "--pdeathsig": (["--pdeathsig", "TERM"], {}),
    "--no-subreaper": (["--no-subreaper"], {}),
    "--grace": (["--grace", "1m"], {}),
    "TINI_SUBREAPER": ([], {"TINI_SUBREAPER": "1"}),
    "TINI_KILL_PROCESS_GROUP": ([], {"TINI_KILL_PROCESS_GROUP": "1"}),
    "TINI_VERBOSITY": ([], {"TINI_VERBOSITY": "1"}),
    "DUMB_INIT_SETSID": ([], {"DUMB_INIT_SETSID": "1"}),
    "DUMB_INIT_DEBUG": ([], {"DUMB_INIT_DEBUG": "0"}),
    "no-dashdash": ([], {}),
}


@pytest.mark.parametrize("flag", ACCEPTED)
def test_flag_is_accepted(start, flag: str) -> None:
    args, env = ACCEPTED[flag]
    separator = [] if flag == "no-dashdash" else ["--"]
    init = start([*args, *separator, "sh", "-c", "exit 7"], SUBREAPER, env=env)
    assert init.wait(10) == 7, init.stderr()
    assert "Traceback" not in init.stderr()


def test_options_stop_at_the_command(start) -> None:
    init = start(["sh", "-c", 'echo "$0" "$@"', "-v", "--grace", "x"], SUBREAPER)
    assert init.out.readline(10) == "-v --grace x"
    assert init.wait(10) == 0
    assert init.stderr() == ""


@pytest.mark.parametrize(
    ("flag", "expect"),
    [
        ("-h", "usage"),
        ("--help", "usage"),
        ("-V", "0."),
        ("--version", "0."),
        ("-l", "License"),
    ],
)
def test_information_flags(start, flag: str, expect: str) -> None:
    init = start([flag], SUBREAPER)
    assert init.wait(10) == 0
    assert expect.lower() in init.out.rest(5).lower()
