"""Option and environment parsing: pure, no process started."""

from __future__ import annotations

import signal

import pytest

from tinyinit import cli


def parse(*args: str, **env: str) -> cli.Config:
    return cli.parse(list(args), env)


def test_defaults() -> None:
    cfg = parse("cmd", "arg")
    assert cfg.command == ["cmd", "arg"]
    assert cfg.grace == 8.0
    assert cfg.pdeathsig == signal.SIGKILL
    assert not cfg.single_child
    assert cfg.subreaper is None
    assert cfg.verbosity == 1


def test_options_stop_at_first_non_option() -> None:
    assert parse("-v", "sh", "-c", "-v").command == ["sh", "-c", "-v"]
    assert parse("--", "-weird").command == ["-weird"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("8", 8.0), ("2.5s", 2.5), ("500ms", 0.5), ("1m", 60.0), ("0", 0.0), ("1h", 3600.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert cli.parse_duration(text) == seconds
    assert parse("--grace", text, "x").grace == seconds
    assert parse(f"--grace={text}", "x").grace == seconds
    assert parse("x", TINYINIT_GRACE=text).grace == seconds


@pytest.mark.parametrize(
    "text", ["abc", "-1", "1e9s", "", "nan", "inf", "25h", "1.2.3", "5 s", "²"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(cli.UsageError):
        cli.parse_duration(text)


def test_bad_env_duration_names_the_variable() -> None:
    with pytest.raises(cli.UsageError, match="TINYINIT_GRACE"):
        parse("x", TINYINIT_GRACE="soon")


def test_flag_beats_env() -> None:
    assert parse("--grace", "1", "x", TINYINIT_GRACE="5").grace == 1.0


def test_rewrites() -> None:
    cfg = parse("-r", "TERM:QUIT", "--rewrite", "10:0", "-rSIGHUP:SIGUSR2", "x")
    assert cfg.rewrites == {
        signal.SIGTERM: signal.SIGQUIT,
        signal.SIGUSR1: 0,
        signal.SIGHUP: signal.SIGUSR2,
    }


@pytest.mark.parametrize("bad", ["TERM", "TERM:", "FOO:1", "0:1", "99:1", "1:99"])
def test_bad_rewrites(bad: str) -> None:
    with pytest.raises(cli.UsageError):
        parse("-r", bad, "x")


def test_single_child_and_setsid_env() -> None:
    assert parse("-c", "x").single_child
    assert parse("--single-child", "x").single_child
    assert parse("x", DUMB_INIT_SETSID="0").single_child
    assert not parse("-g", "x", DUMB_INIT_SETSID="0").single_child
    with pytest.raises(cli.UsageError):
        parse("-c", "-g", "x")


def test_verbosity_sources() -> None:
    assert parse("-vv", "x").verbosity == 3
    assert parse("-v", "--verbose", "x").verbosity == 3
    assert parse("x", TINYINIT_VERBOSITY="0").verbosity == 0
    assert parse("x", TINI_VERBOSITY="2").verbosity == 2
    assert parse("x", DUMB_INIT_DEBUG="1").verbosity == 2
    with pytest.raises(cli.UsageError):
        parse("x", TINYINIT_VERBOSITY="loud")


def test_tini_flags() -> None:
    cfg = parse("-s", "-g", "-w", "-p", "SIGTERM", "-e", "143", "-e", "2", "x")
    assert cfg.subreaper is True
    assert cfg.warn_on_reap
    assert cfg.own_pdeathsig == signal.SIGTERM
    assert cfg.zero_codes == {143, 2}
    assert parse("x", TINI_SUBREAPER="1").subreaper is True
    assert parse("--no-subreaper", "x").subreaper is False


def test_clustered_short_flags() -> None:
    cfg = parse("-svw", "x")
    assert (cfg.subreaper, cfg.verbosity, cfg.warn_on_reap) == (True, 2, True)
    assert parse("-e143", "x").zero_codes == {143}


@pytest.mark.parametrize("bad", ["256", "-1", "x", "", "1.5"])
def test_bad_exit_codes(bad: str) -> None:
    with pytest.raises(cli.UsageError):
        parse("-e", bad, "x")


def test_pdeathsig() -> None:
    assert parse("--pdeathsig", "TERM", "x").pdeathsig == signal.SIGTERM
    with pytest.raises(cli.UsageError):
        parse("--pdeathsig", "NOPE", "x")


@pytest.mark.parametrize(
    "args", [[], ["-v"], ["--"], ["-x", "cmd"], ["--what", "cmd"], ["--grace"]]
)
def test_usage_errors(args: list[str]) -> None:
    with pytest.raises(cli.UsageError):
        cli.parse(args, {})


def test_info_options_need_no_command() -> None:
    assert "usage:" in (parse("-h").info or "")
    assert "usage:" in (parse("--help").info or "")
    assert (parse("--version").info or "").startswith("tinyinit ")
    assert (parse("-V").info or "").startswith("tinyinit ")
    assert "MIT" in (parse("-l").info or "")
