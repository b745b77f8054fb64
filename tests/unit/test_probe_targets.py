"""The probe's target checks: pure string work that tinyinit's option parsing can call."""

from __future__ import annotations

import pytest

from tinyinit.probe import _parse_args, parse_http_target, parse_tcp_target, parse_timeout


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/health",
        "http://[::1]:80/x",
        "https://Example.COM",
        "HTTP://h",
        "http://h:8080?full=1",
        "http://h/p%20q#fragment",
        "http://my-service.default.svc.cluster.local:8080/healthz",
    ],
)
def test_good_urls(url: str) -> None:
    assert parse_http_target(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("localhost", "not a URL"),
        ("ftp://h/", "scheme 'ftp' not supported"),
        ("http://", "no host"),
        ("http:///x", "no host"),
        ("http://h:0/", "port '0'"),
        ("http://h:99999/", "port '99999'"),
        ("http://h:x/", "port 'x'"),
        ("http://[::1/", "'[' without ']'"),
        ("http://[1.2.3.4]/", "not an IPv6 address"),
        ("http://::1/", "brackets"),
        ("http://user:pw@h/", "credentials"),
        ("http://h/a b", "%-encode"),
        ("http://h/\u00e9", "%-encode"),
        ("http://h\u00e9/", "bad character in host"),
        ("http://h/\nx", "%-encode"),
    ],
)
def test_bad_urls(url: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_http_target(url)
    message = str(caught.value)
    assert reason in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("localhost:5432", ("localhost", 5432)),
        ("127.0.0.1:1", ("127.0.0.1", 1)),
        ("[::1]:65535", ("::1", 65535)),
        ("[fe80::1%eth0]:22", ("fe80::1%eth0", 22)),
    ],
)
def test_good_tcp_targets(text: str, expected: tuple[str, int]) -> None:
    assert parse_tcp_target(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nohost", "no port"),
        (":80", "no host"),
        ("h:", "port ''"),
        ("h:0", "port '0'"),
        ("h:65536", "port '65536'"),
        ("h:\uff18\uff10", "port"),  # fullwidth digits are digits to str.isdigit, not to a port
        ("::1:80", "brackets"),
        ("[::1]", "no port"),
        ("[::1]x:80", "after ']'"),
        ("http://h:80", "not a URL"),
        ("h h:80", "bad character"),
    ],
)
def test_bad_tcp_targets(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_tcp_target(text)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("10", 10.0), ("2.5", 2.5), ("2.5s", 2.5), ("500ms", 0.5), ("1m", 60.0)]
)
def test_timeouts(text: str, seconds: float) -> None:
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1", "", "soon", "1h", "1e3", "nan"])
def test_bad_timeouts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timeout(text)


def test_command_lines() -> None:
    assert _parse_args(["http://h/"]) == ("http", "http://h/", 10.0)  # default timeout 10s
    assert _parse_args(["h:1"]) == ("tcp", "h:1", 10.0)
    assert _parse_args(["tcp", "h:1", "--timeout", "9.900"]) == ("tcp", "h:1", 9.9)
    assert _parse_args(["--timeout=3", "http", "http://h/"]) == ("http", "http://h/", 3.0)
