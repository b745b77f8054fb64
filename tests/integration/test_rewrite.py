"""-r/--rewrite FROM:TO: a signal is rewritten before it is forwarded; TO 0 drops it."""

from __future__ import annotations

import signal

import pytest

from .support import helper

S = signal.Signals


@pytest.mark.parametrize(
    ("rules", "sent_seen"),
    [
        (["-r", "TERM:QUIT"], [(S.SIGTERM, S.SIGQUIT)]),
        (["--rewrite", "15:3"], [(S.SIGTERM, S.SIGQUIT)]),
        (["-r", "SIGHUP:SIGUSR2"], [(S.SIGHUP, S.SIGUSR2), (S.SIGUSR1, S.SIGUSR1)]),
        (["-r", "USR1:0"], [(S.SIGUSR1, None), (S.SIGUSR2, S.SIGUSR2)]),
        (["-r", "USR1:USR2", "-r", "USR2:USR1"], [(S.SIGUSR1, S.SIGUSR2), (S.SIGUSR2, S.SIGUSR1)]),
    ],
    ids=["names", "numbers", "sig-prefix", "drop", "swap"],
)
def test_rewrite(start, mode: str, rules: list[str], sent_seen: list[tuple[S, S | None]]) -> None:
    init = start([*rules, "--grace", "30", "--", *helper("print_signals")], mode)
    init.out.expect("ready")
    for sent, seen in sent_seen:
        init.signal(sent)
        if seen is not None:
            assert init.out.readline(5) == str(int(seen)), f"{sent.name} should arrive as {seen}"
            if sent in (S.SIGTERM, S.SIGINT, S.SIGQUIT):  # a stop: SIGCONT follows it
                assert init.out.readline(5) == str(int(S.SIGCONT))
    assert init.out.nothing_within(0.3) == [], "a dropped signal arrived after all"
