"""Signal names and wait-status mapping."""

from __future__ import annotations

import os
import signal

import pytest

from tinyinit import sigs, status


@pytest.mark.parametrize("sig", sorted(signal.valid_signals()))
def test_every_signal_round_trips_through_its_name(sig: int) -> None:
    assert sigs.parse(sigs.name(sig).replace("SIG", "", 1)) == sig
    assert sigs.parse(sigs.name(sig)) == sig
    assert sigs.parse(str(int(sig))) == sig


def test_names_match_the_signal_module() -> None:
    for sig in signal.Signals:
        if not sig.name.startswith("SIGRT"):
            assert sigs.name(sig.value) == sig.name


@pytest.mark.parametrize("text", ["term", "Sigterm", " TERM "])
def test_case_and_spaces(text: str) -> None:
    assert sigs.parse(text) == signal.SIGTERM


@pytest.mark.parametrize("text", ["", "FOO", "0", "65", "-1", "RTMIN+99", "RTMAX+1", "RTMIN-1"])
def test_bad_signals(text: str) -> None:
    with pytest.raises(ValueError):
        sigs.parse(text)


def test_zero_allowed_only_on_request() -> None:
    assert sigs.parse("0", allow_zero=True) == 0


def test_realtime_names() -> None:
    assert sigs.parse("RTMIN+2") == signal.SIGRTMIN + 2
    assert sigs.parse("RTMAX-1") == signal.SIGRTMAX - 1
    assert sigs.name(signal.SIGRTMIN + 2) == "SIGRTMIN+2"


@pytest.mark.parametrize("code", range(256))
def test_exit_codes_pass_through(code: int) -> None:
    assert status.exit_code(code << 8) == code


@pytest.mark.parametrize("sig", [1, 2, 9, 15, 31])
def test_killed_by_signal_is_128_plus_n(sig: int) -> None:
    assert status.exit_code(sig) == 128 + sig
    assert status.describe(sig) == f"killed by {sigs.name(sig)}"


def test_describe_real_status() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    _, st = os.waitpid(pid, 0)
    assert status.describe(st) == "exited 7"
    assert status.exit_code(st) == 7
