"""--health-http and --health-tcp: tinyinit runs the built-in probe against a real local
server, as PID 1 and as subreaper.

Healthy keeps COMMAND running; --health-retries failures in a row (an error answer, a refused
port, a server that never answers) stop it with a warning, and then the restart policy
decides. Probe processes are reaped, never get signals meant for COMMAND, are not reported
by -w, and are not left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .health_support import HealthServer
from .support import Init, alive, cmdline, descendants, helper, proc_state, wait_for

FAST = ("--health-interval", "200ms", "--health-retries", "2")
UNHEALTHY = "[tinyinit] warning: health check failed 2 times in a row: sleep is unhealthy"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[[str], HealthServer]]:
    started: list[HealthServer] = []

    def _start(mode: str) -> HealthServer:
        started.append(HealthServer(tmp_path / f"server-{len(started)}", mode))
        return started[-1]

    yield _start
    for server in started:
        server.stop()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound (so no one else takes it) and refuses connections."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def under(init: Init, word: str) -> list[int]:
    """Processes under tinyinit whose command line has WORD."""
    return [pid for pid in descendants(init.pid) if any(word in w for w in cmdline(pid))]


def probes(init: Init) -> list[int]:
    return under(init, "tinyinit.probe")


def sleeper(init: Init) -> int:
    """The `sleep` COMMAND under tinyinit (probes are tinyinit's children too)."""
    return wait_for(
        lambda: [p for p in under(init, "100") if cmdline(p)[0] == "sleep"], 10, "sleep"
    )[0]


def stderr_has(init: Init, text: str, timeout: float = 15) -> str:
    def found() -> str | None:
        return next((line for line in init.stderr_lines() if text in line), None)

    return wait_for(found, timeout, f"{text!r} on tinyinit's stderr")


def probes_left_anywhere(target: str) -> list[int]:
    """Probe processes for TARGET anywhere on the machine (after tinyinit has exited)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            words = cmdline(int(entry))
            if "tinyinit.probe" in words and target in words and alive(int(entry)):
                found.append(int(entry))
    return found


# ---------------------------------------------------------------------------------------------
# healthy


@pytest.mark.parametrize("kind", ["http", "tcp"])
def test_healthy_keeps_the_child_running(
    mode: str, start: Callable[..., Init], servers: Callable[[str], HealthServer], kind: str
) -> None:
    server = servers("ok")
    option = (
        ["--health-http", server.url]
        if kind == "http"
        else ["--health-tcp", f"127.0.0.1:{server.port}"]
    )
    init = start([*option, *FAST, "--", "sleep", "100"], mode)
    child = sleeper(init)
    wait_for(lambda: len(server.requests()) >= 5, 20, "five checks")
    assert alive(child) and sleeper(init) == child
    init.signal(signal.SIGTERM)
    assert init.wait() == 143
    assert "warning" not in init.stderr(), init.stderr()


# ---------------------------------------------------------------------------------------------
# unhealthy


@pytest.mark.parametrize("case", ["http-500", "http-refused", "http-hang", "tcp-refused"])
def test_unhealthy_stops_the_child(
    mode: str,
    start: Callable[..., Init],
    servers: Callable[[str], HealthServer],
    refused_port: int,
    case: str,
) -> None:
    if case == "http-500":
        option, why = ["--health-http", servers("error").url], "500 Internal Server Error"
    elif case == "http-refused":
        option, why = ["--health-http", f"http://127.0.0.1:{refused_port}/"], "refused"
    elif case == "http-hang":
        option, why = ["--health-http", servers("hang").url], "no answer within"
    else:
        option, why = ["--health-tcp", f"127.0.0.1:{refused_port}"], "refused"
    started = time.monotonic()
    init = start(
        ["-v", *option, *FAST, "--health-timeout", "1", "--restart", "no", "--", "sleep", "100"],
        mode,
    )
    child = sleeper(init)
    assert init.wait(20) == 143  # sleep's status after the SIGTERM that stopped it
    # Two checks of at most the timeout each, the interval, a SIGTERM: well under 10s.
    assert time.monotonic() - started < 10
    assert not alive(child)
    lines = init.stderr_lines()
    assert any(line.startswith(UNHEALTHY) for line in lines), lines
    failed = [line for line in lines if line.startswith("[tinyinit] health check failed (")]
    assert len(failed) == 2, lines
    assert all(why in line for line in failed), failed  # the probe's own line, passed on


def test_unhealthy_child_is_replaced_with_on_failure(
    mode: str, start: Callable[..., Init], servers: Callable[[str], HealthServer]
) -> None:
    server = servers("error")
    restart = ["--restart", "on-failure", "--backoff", "500ms"]
    init = start(["--health-http", server.url, *FAST, *restart, "--", "sleep", "100"], mode)
    first = sleeper(init)
    stderr_has(init, UNHEALTHY)
    server.set_mode("ok")  # the next run is healthy
    stderr_has(init, "[tinyinit] warning: sleep killed by SIGTERM; restart 1")
    second = wait_for(lambda: [p for p in [sleeper(init)] if p != first], 15, "a new sleep")[0]
    assert not alive(first)
    seen = len(server.requests())
    wait_for(lambda: server.requests()[seen:].count("ok GET /health HTTP/1.1") >= 4, 20, "checks")
    assert alive(second) and sleeper(init) == second
    assert sum("restart" in line for line in init.stderr_lines()) == 1, init.stderr()
    init.signal(signal.SIGTERM)
    assert init.wait() == 143


# ---------------------------------------------------------------------------------------------
# probe processes


@pytest.mark.parametrize("forward", ["auto", "group"])
def test_probe_gets_no_signal_meant_for_the_command(
    mode: str, start: Callable[..., Init], servers: Callable[[str], HealthServer], forward: str
) -> None:
    """A probe in flight while tinyinit forwards SIGHUP and SIGUSR1 to COMMAND: COMMAND gets
    them, the probe (which either would kill) lives on and ends at its own deadline."""
    server = servers("hang")
    check = ["--health-http", server.url, "--health-timeout", "2", "--health-interval", "300ms"]
    init = start(
        ["-v", "--forward", forward, *check, "--", *helper("print_signals", "--exit-on", "TERM")],
        mode,
    )
    assert init.out is not None
    init.out.expect("ready ")
    wait_for(lambda: server.requests(), 15, "the probe's request")  # the probe now waits
    [probe] = probes(init)
    init.signal(signal.SIGHUP)
    init.signal(signal.SIGUSR1)
    assert init.out.expect(str(int(signal.SIGHUP))) and init.out.expect(str(int(signal.SIGUSR1)))
    assert alive(probe)
    line = stderr_has(init, "[tinyinit] health check failed (1/3)")
    assert "exited 1" in line and "no answer within" in line, line
    init.signal(signal.SIGTERM)
    assert init.wait() == 0  # print_signals exits 0 on TERM


def test_probes_are_reaped_and_not_reported_by_w(
    mode: str, start: Callable[..., Init], servers: Callable[[str], HealthServer]
) -> None:
    server = servers("ok")
    init = start(
        ["-w", "--health-http", server.url, "--health-interval", "100ms", "--", "sleep", "100"],
        mode,
    )
    sleeper(init)
    zombies_seen: set[int] = set()
    deadline = time.monotonic() + 20
    while len(server.requests()) < 10:
        assert time.monotonic() < deadline, "ten checks did not happen"
        zombies_seen.update(p for p in probes(init) if proc_state(p) == "Z")
        assert len(probes(init)) <= 1  # one check at a time
        time.sleep(0.02)
    for pid in zombies_seen:  # a probe may be seen between its exit and its reaping, no longer
        wait_for(
            lambda pid=pid: proc_state(pid) in (None, "X") or pid not in probes(init), 5, "reap"
        )
    init.signal(signal.SIGTERM)
    assert init.wait() == 143
    assert "reaped" not in init.stderr() and "warning" not in init.stderr(), init.stderr()


def test_probe_in_flight_does_not_delay_the_exit_nor_outlive_it(
    mode: str, start: Callable[..., Init], servers: Callable[[str], HealthServer]
) -> None:
    server = servers("hang")
    check = ["--health-http", server.url, "--health-timeout", "20", "--health-interval", "300ms"]
    init = start([*check, "--", "sleep", "100"], mode)
    sleeper(init)
    wait_for(lambda: server.requests(), 15, "the probe's request")
    [probe] = probes(init)
    stopped = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.wait() == 143
    assert time.monotonic() - stopped < 5  # not the probe's 20s
    assert not alive(probe)
    assert probes_left_anywhere(server.url) == []
