"""`python -m tinyinit.probe`, run as a real process against a real local server.

Healthy answers exit 0 with one line on stdout; unhealthy ones exit 1 with one line on
stderr, and every case that hangs ends within the probe's timeout plus a margin.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .health_support import HealthServer, self_signed
from .support import PYTHON, TINYINIT

# The interpreter tinyinit is installed in: the probe must work from the installed package.
PROBE_PYTHON = str(TINYINIT.parent / "python") if (TINYINIT.parent / "python").exists() else PYTHON
TIMEOUT = 1.0
# Start of a Python process plus scheduling noise on a shared machine: generous, and still
# far below a probe that ignores its deadline (several seconds, or forever).
MARGIN = 2.0


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str], elapsed: float) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.elapsed = elapsed

    def line(self) -> str:
        """The one line the probe printed (on stdout when healthy, stderr otherwise)."""
        text = self.out if self.code == 0 else self.err
        other = self.err if self.code == 0 else self.out
        assert other == "", (self.out, self.err)
        assert text.endswith("\n") and text.count("\n") == 1, (self.out, self.err)
        return text[:-1]


def run_probe(*args: str) -> Result:
    started = time.monotonic()
    proc = subprocess.run(
        [PROBE_PYTHON, "-m", "tinyinit.probe", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT + MARGIN + 10,  # a probe past its deadline fails the test here
        stdin=subprocess.DEVNULL,
    )
    return Result(proc, time.monotonic() - started)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """server(mode, host='127.0.0.1') -> port of a running tests/helpers/health_server.py."""
    servers: list[HealthServer] = []

    def _start(mode: str, host: str = "127.0.0.1", tls: Path | None = None) -> int:
        servers.append(HealthServer(tmp_path / f"server-{len(servers)}", mode, host, tls))
        return servers[-1].port

    yield _start
    for each in servers:
        each.stop()


def requests_seen(tmp_path: Path) -> list[str]:
    return (tmp_path / "server-0" / "requests.log").read_text().splitlines()


def assert_ended_in_time(result: Result) -> None:
    assert TIMEOUT * 0.9 <= result.elapsed < TIMEOUT + MARGIN, result.elapsed


# ---------------------------------------------------------------------------------------------
# http


def test_http_ok(server: Callable[..., int], tmp_path: Path) -> None:
    port = server("ok")
    result = run_probe("http", f"http://127.0.0.1:{port}/health", "--timeout", str(TIMEOUT))
    assert result.code == 0
    assert result.line().startswith(f"healthy: http http://127.0.0.1:{port}/health: answered 200")
    assert requests_seen(tmp_path) == ["ok GET /health HTTP/1.1"]


def test_bare_url_implies_http(server: Callable[..., int], tmp_path: Path) -> None:
    port = server("ok")
    result = run_probe(f"http://127.0.0.1:{port}/ready?full=1")
    assert result.code == 0, result.err
    assert requests_seen(tmp_path) == ["ok GET /ready?full=1 HTTP/1.1"]


def test_http_redirect_is_healthy_and_not_followed(
    server: Callable[..., int], tmp_path: Path
) -> None:
    port = server("redirect")
    result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 0
    assert "302" in result.line()
    assert requests_seen(tmp_path) == ["redirect GET / HTTP/1.1"]


def test_http_error_is_unhealthy(server: Callable[..., int]) -> None:
    port = server("error")
    result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert result.line().startswith("unhealthy: ")
    assert "500 Internal Server Error" in result.line()


def test_http_closed_without_answer(server: Callable[..., int]) -> None:
    port = server("close")
    result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert "closed" in result.line() or "reset" in result.line()


def test_http_refused() -> None:
    with socket.socket() as bound:  # bound, never listening: the port is refused and ours
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert "refused" in result.line()
    assert result.elapsed < TIMEOUT + MARGIN


def test_http_hang_ends_at_the_timeout(server: Callable[..., int]) -> None:
    port = server("hang")
    result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert f"no answer within {TIMEOUT:g}s" in result.line()
    assert_ended_in_time(result)


def test_http_headers_forever_end_at_the_timeout(server: Callable[..., int]) -> None:
    """Bytes keep coming (so no single read times out): the deadline is for the whole probe."""
    port = server("slow-headers")
    result = run_probe("http", f"http://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert "not complete within" in result.line()
    assert "HTTP/1.1 200 OK" in result.line()
    assert_ended_in_time(result)


def test_http_ipv6_literal(server: Callable[..., int], tmp_path: Path) -> None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 on loopback (a machine fact, not a CI install step)")
    port = server("ok", host="::1")
    result = run_probe(f"http://[::1]:{port}/v6")
    assert result.code == 0, result.err
    assert requests_seen(tmp_path) == ["ok GET /v6 HTTP/1.1"]


@pytest.mark.parametrize(("mode", "code", "answer"), [("ok", 0, "200 OK"), ("error", 1, "500")])
def test_https(
    server: Callable[..., int], tmp_path: Path, mode: str, code: int, answer: str
) -> None:
    """https with a self-signed certificate: not verified, as Kubernetes' httpGet does not."""
    port = server(mode, tls=self_signed(tmp_path))
    result = run_probe(f"https://127.0.0.1:{port}/secure", "--timeout", str(TIMEOUT))
    assert result.code == code, result.err
    assert answer in result.line()
    assert requests_seen(tmp_path) == [f"{mode} GET /secure HTTP/1.1"]


def test_https_to_a_plain_http_server() -> None:
    """A server that answers the TLS hello in plain HTTP: the handshake fails, said so."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def answer_in_plain() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")

        thread = threading.Thread(target=answer_in_plain, daemon=True)
        thread.start()
        result = run_probe(f"https://127.0.0.1:{port}/", "--timeout", str(TIMEOUT))
        thread.join(10)
    assert result.code == 1
    assert "TLS handshake failed" in result.line()


def test_deadline_holds_with_signals_blocked_and_ignored(server: Callable[..., int]) -> None:
    """tinyinit may start a probe with signals blocked or ignored: the deadline still holds."""
    port = server("hang")
    script = (
        "import signal, subprocess, sys\n"
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())\n"
        "sys.exit(subprocess.call(sys.argv[1:]))\n"
    )
    probe = [PROBE_PYTHON, "-m", "tinyinit.probe", f"http://127.0.0.1:{port}/"]
    started = time.monotonic()
    code = subprocess.call(
        [PYTHON, "-c", script, *probe, "--timeout", str(TIMEOUT)],
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    assert code == 1
    assert time.monotonic() - started < TIMEOUT + MARGIN


# ---------------------------------------------------------------------------------------------
# tcp


def test_tcp_accepted(server: Callable[..., int]) -> None:
    port = server("hang")  # accepting is enough: nothing needs to be said
    result = run_probe("tcp", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT))
    assert result.code == 0
    assert result.line().startswith(f"healthy: tcp 127.0.0.1:{port}: connection accepted")


def test_bare_host_port_implies_tcp(server: Callable[..., int]) -> None:
    port = server("ok")
    assert run_probe(f"localhost:{port}").code == 0


def test_tcp_refused() -> None:
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result = run_probe("tcp", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT))
    assert result.code == 1
    assert "refused" in result.line()


def test_tcp_full_backlog_ends_at_the_timeout() -> None:
    """A listener that never accepts and whose queue is full drops new SYNs: connect hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        queued = []
        try:
            for _ in range(16):  # fill the accept queue until a connection is not accepted
                client = socket.socket()
                queued.append(client)
                client.settimeout(0.5)
                try:
                    client.connect(("127.0.0.1", port))
                except (TimeoutError, socket.timeout):
                    break
            else:
                pytest.fail("the accept queue never filled")
            result = run_probe("tcp", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT))
        finally:
            for client in queued:
                client.close()
    assert result.code == 1
    assert f"no connection within {TIMEOUT:g}s" in result.line()
    assert_ended_in_time(result)


# ---------------------------------------------------------------------------------------------
# usage


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["ftp://127.0.0.1/"],
        ["http", "127.0.0.1:80"],
        ["tcp", "http://127.0.0.1/"],
        ["127.0.0.1"],
        ["127.0.0.1:0"],
        ["127.0.0.1:65536"],
        ["::1:80"],
        ["http://user:pw@127.0.0.1/"],
        ["http://127.0.0.1/a b"],
        ["127.0.0.1:80", "--timeout"],
        ["127.0.0.1:80", "--timeout", "0"],
        ["127.0.0.1:80", "--timeout", "soon"],
        ["127.0.0.1:80", "--retries", "3"],
        ["127.0.0.1:80", "127.0.0.1:81"],
    ],
)
def test_usage_error(args: list[str]) -> None:
    result = run_probe(*args)
    assert result.code == 2, (args, result.out, result.err)
    assert result.line().startswith("tinyinit.probe: ")
    assert "Traceback" not in result.err


def test_help() -> None:
    result = run_probe("--help")
    assert result.code == 0
    assert result.line().startswith("usage: ")


def test_probe_imports_stay_lean() -> None:
    """Started every interval: a tcp probe loads no socket.py, ssl, http.client or re."""
    script = (
        "import sys\n"
        "sys.argv = ['probe', '127.0.0.1:1', '--timeout', '1']\n"
        "from tinyinit import probe\n"
        "probe.main()\n"
        "print(' '.join(sorted(m for m in ('socket', 'ssl', 'http.client', 're', 'selectors')"
        " if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [PROBE_PYTHON, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONNOUSERSITE": "1"},
    ).stdout
    assert out.strip() == ""
