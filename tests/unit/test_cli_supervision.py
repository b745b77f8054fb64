"""Options of issues 10 and 11: forwarding modes, the runtime's grace, supervision. Pure."""

from __future__ import annotations

import pytest

from tinyinit import cli


def parse(*args: str, **env: str) -> cli.Config:
    return cli.parse([*args, "cmd"], env)


def usage_error(*args: str, **env: str) -> str:
    with pytest.raises(cli.UsageError) as caught:
        parse(*args, **env)
    message = str(caught.value)
    assert "\n" not in message and message.isprintable()
    return message


# -- forwarding -----------------------------------------------------------------------------


def test_forward_default_is_auto() -> None:
    assert parse().forward == "auto"


@pytest.mark.parametrize(
    ("args", "env", "mode"),
    [
        (["--forward", "group"], {}, "group"),
        (["--forward=child"], {}, "child"),
        (["-g"], {}, "group"),
        (["-c"], {}, "child"),
        (["--single-child"], {}, "child"),
        ([], {"TINYINIT_FORWARD": "child"}, "child"),
        ([], {"TINI_KILL_PROCESS_GROUP": "1"}, "group"),
        ([], {"DUMB_INIT_SETSID": "1"}, "group"),
        ([], {"DUMB_INIT_SETSID": "0"}, "child"),
        (["-g"], {"DUMB_INIT_SETSID": "0"}, "group"),  # flags win
        (["--forward", "auto"], {"TINYINIT_FORWARD": "group"}, "auto"),
        ([], {"TINYINIT_FORWARD": "auto", "DUMB_INIT_SETSID": "0"}, "auto"),
    ],
)
def test_forward_modes(args: list[str], env: dict[str, str], mode: str) -> None:
    assert parse(*args, **env).forward == mode


def test_contradictory_forwarding() -> None:
    assert "contradictory" in usage_error("-c", "-g")
    assert "contradictory" in usage_error("-c", "--forward", "group")
    assert "--forward" in usage_error("--forward", "everyone")
    assert "TINYINIT_FORWARD" in usage_error(TINYINIT_FORWARD="x")


# -- grace by runtime -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("var", "grace"),
    [
        ("KUBERNETES_SERVICE_HOST", 28.0),
        ("ECS_CONTAINER_METADATA_URI_V4", 28.0),
        ("ECS_CONTAINER_METADATA_URI", 28.0),
        ("NOMAD_ALLOC_ID", 4.0),
    ],
)
def test_grace_default_fits_the_runtime(var: str, grace: float) -> None:
    cfg = parse(**{var: "x"})
    assert cfg.grace == grace
    assert var in cfg.grace_source
    assert parse("--grace", "3", **{var: "x"}).grace == 3.0
    assert parse(**{var: "x", "TINYINIT_GRACE": "5"}).grace == 5.0


def test_grace_default_elsewhere() -> None:
    assert parse().grace == 8.0


# -- flags win, so an overridden variable is not read ---------------------------------------


@pytest.mark.parametrize(
    ("flag", "var"),
    [
        ("--grace", "TINYINIT_GRACE"),
        ("--backoff", "TINYINIT_BACKOFF"),
        ("--timeout", "TINYINIT_TIMEOUT"),
        ("--health-interval", "TINYINIT_HEALTH_INTERVAL"),
    ],
)
def test_bad_variable_overridden_by_flag_is_not_read(flag: str, var: str) -> None:
    parse(flag, "1", **{var: "bogus"})
    assert var in usage_error(**{var: "bogus"})


# -- supervision ----------------------------------------------------------------------------


def test_supervision_defaults() -> None:
    cfg = parse()
    assert (cfg.restart, cfg.max_restarts, cfg.backoff, cfg.reset_after) == ("no", None, 1.0, 60.0)
    assert cfg.health is None
    assert (cfg.health_interval, cfg.health_timeout, cfg.health_retries) == (30.0, 10.0, 3)
    assert cfg.health_start_period == 0.0
    assert cfg.timeout is None and cfg.report is None


def test_on_failure_defaults_to_five_restarts_always_to_unlimited() -> None:
    assert parse("--restart", "on-failure").max_restarts == 5
    assert parse("--restart", "always").max_restarts is None
    assert parse("--restart", "always", "--max-restarts", "0").max_restarts == 0
    assert parse(TINYINIT_RESTART="on-failure", TINYINIT_MAX_RESTARTS="2").max_restarts == 2


@pytest.mark.parametrize(
    ("args", "attr", "value"),
    [
        (["--backoff", "250ms"], "backoff", 0.25),
        (["--reset-after", "2m"], "reset_after", 120.0),
        (["--health-interval", "5s"], "health_interval", 5.0),
        (["--health-timeout", "2"], "health_timeout", 2.0),
        (["--health-retries", "1"], "health_retries", 1),
        (["--health-start-period", "0"], "health_start_period", 0.0),
        (["--timeout", "48h"], "timeout", 48 * 3600.0),
        (["--report", "/tmp/r.json"], "report", "/tmp/r.json"),
        (["--health-cmd", "true"], "health", ("cmd", "true")),
        (["--health-http", "http://[::1]:80/x"], "health", ("http", "http://[::1]:80/x")),
        (["--health-tcp", "localhost:5432"], "health", ("tcp", "localhost:5432")),
    ],
)
def test_supervision_values(args: list[str], attr: str, value: object) -> None:
    assert getattr(parse(*args), attr) == value


@pytest.mark.parametrize(
    ("var", "text", "attr", "value"),
    [
        ("TINYINIT_RESTART", "always", "restart", "always"),
        ("TINYINIT_BACKOFF", "2s", "backoff", 2.0),
        ("TINYINIT_RESET_AFTER", "10", "reset_after", 10.0),
        ("TINYINIT_HEALTH_CMD", "exit 0", "health", ("cmd", "exit 0")),
        ("TINYINIT_HEALTH_HTTP", "http://h/", "health", ("http", "http://h/")),
        ("TINYINIT_HEALTH_TCP", "h:1", "health", ("tcp", "h:1")),
        ("TINYINIT_HEALTH_INTERVAL", "1m", "health_interval", 60.0),
        ("TINYINIT_HEALTH_TIMEOUT", "1", "health_timeout", 1.0),
        ("TINYINIT_HEALTH_RETRIES", "7", "health_retries", 7),
        ("TINYINIT_HEALTH_START_PERIOD", "9s", "health_start_period", 9.0),
        ("TINYINIT_TIMEOUT", "1h", "timeout", 3600.0),
        ("TINYINIT_REPORT", "r.json", "report", "r.json"),
    ],
)
def test_supervision_variables(var: str, text: str, attr: str, value: object) -> None:
    assert getattr(parse(**{var: text}), attr) == value


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--restart", "sometimes"], "--restart"),
        (["--max-restarts", "-1"], "--max-restarts"),
        (["--max-restarts", "9" * 5000], "--max-restarts"),
        (["--backoff", "soon"], "--backoff"),
        (["--reset-after", "25h"], "--reset-after"),
        (["--health-interval", "0"], "--health-interval"),
        (["--health-timeout", "0s"], "--health-timeout"),
        (["--health-retries", "0"], "--health-retries"),
        (["--health-start-period", "-1"], "--health-start-period"),
        (["--health-http", "ftp://x/"], "--health-http"),
        (["--health-http", "http://x:99999/"], "--health-http"),
        (["--health-tcp", "nohost"], "--health-tcp"),
        (["--health-tcp", "h:0"], "--health-tcp"),
        (["--health-cmd", "true", "--health-tcp", "h:1"], "one health check at a time"),
        (["--health-cmd", " "], "--health-cmd"),
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "721h"], "--timeout"),
        (["--report", ""], "--report"),
    ],
)
def test_bad_supervision_values(args: list[str], named: str) -> None:
    assert named in usage_error(*args)


@pytest.mark.parametrize(
    ("var", "text"),
    [
        ("TINYINIT_RESTART", "maybe"),
        ("TINYINIT_MAX_RESTARTS", "many"),
        ("TINYINIT_BACKOFF", "1x"),
        ("TINYINIT_RESET_AFTER", "x"),
        ("TINYINIT_HEALTH_HTTP", "localhost"),
        ("TINYINIT_HEALTH_TCP", ":80"),
        ("TINYINIT_HEALTH_INTERVAL", "0"),
        ("TINYINIT_HEALTH_TIMEOUT", "x"),
        ("TINYINIT_HEALTH_RETRIES", "0"),
        ("TINYINIT_HEALTH_START_PERIOD", "x"),
        ("TINYINIT_TIMEOUT", "x"),
    ],
)
def test_bad_supervision_variables(var: str, text: str) -> None:
    assert var in usage_error(**{var: text})


def test_control_characters_and_huge_values_are_one_printable_line() -> None:
    with pytest.raises(cli.UsageError) as caught:
        cli.parse(["-\n", "x"], {})
    assert str(caught.value).isprintable()
    assert len(usage_error("-e", "1" * 10000)) < 200
    assert len(usage_error(TINYINIT_VERBOSITY="9" * 10000)) < 200
