"""The measurements. Every init runs as a real PID 1: `unshare --pid --fork --mount-proc INIT CMD`.

Each function measures all the inits in one go, interleaved (a fresh random order in every
repetition), so that a noisy moment of the machine is spread over all of them rather than
landing on one.
"""

from __future__ import annotations

import os
import random
import select
import shlex
import shutil
import signal
import struct
import subprocess
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import procfs

UNSHARE = ("unshare", "--pid", "--fork", "--mount-proc")


@dataclass(frozen=True)
class Init:
    """An init and the arguments that come before the command it runs."""

    name: str
    argv: tuple[str, ...]

    def command(self, *cmd: str) -> list[str]:
        return [*UNSHARE, *self.argv, *cmd]


class BenchError(RuntimeError):
    """A measurement could not be taken (the message says which and why)."""


def spawn(argv: list[str], env: dict[str, str], log: Path | None = None) -> int:
    """Starts argv in a new session, stdin from /dev/null, output to log (or /dev/null)."""
    out = str(log) if log is not None else os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    path = shutil.which(argv[0], path=env["PATH"]) or argv[0]
    return os.posix_spawn(path, argv, env, file_actions=actions, setsid=True)


def wait_exit(pid: int, timeout: float) -> int | None:
    """Waits for a child to exit and reaps it; its wait status, or None on timeout."""
    fd = os.pidfd_open(pid)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            return None
    finally:
        os.close(fd)
    return os.waitpid(pid, 0)[1]


class Launch:
    """One init started in the background under unshare."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.argv = argv
        self.log = log
        self.unshare_pid = spawn(argv, env, log)
        self.status: int | None = None

    def init_pid(self, timeout: float = 10) -> int:
        """The host pid of unshare's child, PID 1 of the namespace, once it has exec'd."""

        def exec_done() -> int:
            for pid in procfs.children(self.unshare_pid):
                if procfs.comm(pid) not in ("", "unshare"):
                    return pid
            if self.poll() is not None:
                raise BenchError(f"{self.argv} exited early: {self.log_tail()}")
            return 0

        return procfs.wait_for(exec_done, timeout, f"{self.argv[len(UNSHARE)]} to start")

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.unshare_pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status

    def stop(self, sig: int = signal.SIGKILL, timeout: float = 10) -> int:
        """Sends sig to the init (SIGKILL ends the whole namespace) and waits for unshare."""
        if self.status is not None:
            return self.status
        try:
            os.kill(self.init_pid(timeout=1), sig)
        except (BenchError, TimeoutError, ProcessLookupError):
            pass
        if self.status is not None:
            return self.status
        status = wait_exit(self.unshare_pid, timeout)
        if status is None:
            os.killpg(self.unshare_pid, signal.SIGKILL)
            status = os.waitpid(self.unshare_pid, 0)[1]
        self.status = status
        return status

    def log_tail(self) -> str:
        try:
            text = self.log.read_text(errors="replace").strip()
        except FileNotFoundError:
            return "(no output)"
        return text[-500:] or "(no output)"


def check_runs(commands: dict[str, list[str]], env: dict[str, str]) -> None:
    """Runs each command once and fails with its output unless it exits 0."""
    for name, argv in commands.items():
        try:
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired as e:
            raise BenchError(f"{name}: {' '.join(argv)} did not finish in 30 s") from e
        if done.returncode != 0:
            raise BenchError(
                f"{name}: {' '.join(argv)} exited {done.returncode}: {done.stderr.strip()[-500:]}"
            )


def startup(
    commands: dict[str, list[str]], env: dict[str, str], reps: int, rng: random.Random
) -> dict[str, list[float]]:
    """Wall times in ms of each command, run to completion reps times, interleaved.

    One untimed round first warms the page cache.
    """
    check_runs(commands, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for rep in range(reps + 1):
        order = list(commands)
        rng.shuffle(order)
        for name in order:
            start = time.perf_counter_ns()
            pid = spawn(commands[name], env)
            status = wait_exit(pid, 30)
            elapsed = time.perf_counter_ns() - start
            if status is None:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise BenchError(f"startup: {name} did not finish in 30 s")
            if os.waitstatus_to_exitcode(status) != 0:
                raise BenchError(f"startup: {name} exited {os.waitstatus_to_exitcode(status)}")
            if rep:
                times[name].append(elapsed / 1e6)
    return times


@dataclass
class IdleFigures:
    memory_kb: dict[str, int]
    wakeups: int


def idle(
    commands: dict[str, list[str]],
    bare: set[str],
    env: dict[str, str],
    logs: Path,
    seconds: float,
    settle: float = 1.0,
) -> dict[str, IdleFigures]:
    """Memory and context switches of idle PID 1s, all idling side by side for `seconds`.

    Each command is an init running `sleep`; the names in `bare` are commands that idle by
    themselves (a bare interpreter in time.sleep). An init counts as idle once its child has
    exec'd sleep; a bare one once it sleeps and its CPU time stops moving.
    """
    launches = {
        name: Launch(argv, env, logs / f"idle-{name}.log") for name, argv in commands.items()
    }
    try:
        pids = {name: launch.init_pid() for name, launch in launches.items()}
        for name, pid in pids.items():
            if name in bare:
                procfs.wait_for(partial(_settled, pid), 10, f"{name} to idle", 0.05)
            else:
                procfs.wait_for(partial(_runs_sleep, pid), 10, f"{name}'s child to run sleep")
        time.sleep(settle)
        before = {name: procfs.context_switches(pid) for name, pid in pids.items()}
        time.sleep(seconds)
        after = {name: procfs.context_switches(pid) for name, pid in pids.items()}
        return {
            name: IdleFigures(procfs.memory_kb(pid), after[name] - before[name])
            for name, pid in pids.items()
        }
    finally:
        for launch in launches.values():
            launch.stop()


def _runs_sleep(pid: int) -> bool:
    return any(procfs.comm(child) == "sleep" for child in procfs.children(pid))


def _settled(pid: int) -> bool:
    state, cpu = procfs.state_and_cpu(pid)
    time.sleep(0.2)
    state2, cpu2 = procfs.state_and_cpu(pid)
    return state == state2 == "S" and cpu == cpu2


def wait_idle(pids: list[int], timeout: float = 10) -> None:
    """Waits until every process sleeps and has used no CPU for 50 ms (done starting up)."""

    def sample() -> list[tuple[str, int | None]]:
        return [(procfs.state_and_cpu(pid)[0], procfs.run_ns(pid)) for pid in pids]

    previous = sample()

    def quiet() -> bool:
        nonlocal previous
        time.sleep(0.05)
        now = sample()
        done = now == previous and all(state == "S" for state, _ in now)
        previous = now
        return done

    procfs.wait_for(quiet, timeout, "the inits to settle", 0)


def _read_exact(
    fd: int, size: int, timeout: float, what: str, launch: Launch | None = None
) -> bytes:
    """Reads size bytes from a non-blocking descriptor within timeout seconds; fails early,
    with its output, when `launch` ends first."""
    data = b""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError(f"timed out after {timeout:g} s waiting for {what}")
        if not poller.poll(min(left, 0.25) * 1000):
            if launch is not None and launch.poll() is not None:
                raise BenchError(
                    f"{' '.join(launch.argv)} exited before {what}: {launch.log_tail()}"
                )
            continue
        try:
            data += os.read(fd, size - len(data))
        except BlockingIOError:
            continue
    return data


def _fifo(path: Path) -> int:
    """A fresh FIFO opened read-write and non-blocking (the open never waits for a writer)."""
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    return os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)


def signal_latency(
    inits: list[Init],
    receiver: Path,
    env: dict[str, str],
    work: Path,
    blocks: int,
    per_block: int,
    rng: random.Random,
    warmup: int = 10,
    shell: bool = False,
    lost: dict[str, int] | None = None,
) -> tuple[dict[str, list[float]], dict[str, float | None]]:
    """Forwarding latency in µs: kill(init, SIGUSR1) to the receiver's sigwaitinfo() return,
    and the init's CPU time per forwarded signal in µs (from /proc/PID/schedstat).

    Ping-pong: the next signal to an init goes only after its receiver has written the
    previous stamp, so no two signals are ever pending at once. All inits run side by side and
    take turns, in a new random order every round. The pings come in blocks, each with freshly
    started inits, so that where the scheduler happens to place an init and its child (same
    CPU or not) is drawn several times rather than once.

    shell: the init's child is `sh -c 'trap : USR1; receiver FIFO; :'`, a shell that traps
    the signal and waits for its foreground receiver (which only an init that passes the
    signal on to the shell's child reaches). lost: where to count signals that never reached
    the receiver (without it, one ends the bench).
    """
    latencies: dict[str, list[float]] = {init.name: [] for init in inits}
    cpu_ns: dict[str, int] = {init.name: 0 for init in inits}
    known = True
    for _ in range(blocks):
        cpu = _signal_block(
            inits, receiver, env, work, per_block, warmup, rng, latencies, shell, lost
        )
        for name, ns in cpu.items():
            if ns is None:
                known = False
            else:
                cpu_ns[name] += ns
    pings = blocks * (per_block + warmup)
    return latencies, {n: ns / 1000 / pings if known else None for n, ns in cpu_ns.items()}


LOSS_TIMEOUT = 1.0  # seconds without a stamp after which a signal counts as lost


def _stamp_after(
    fd: int, sent: int, name: str, launch: Launch, lost: dict[str, int] | None
) -> int | None:
    """The receiver's stamp for the signal sent at `sent` (ns). Without `lost`, no stamp
    within 5 s ends the bench; with it, none within LOSS_TIMEOUT is a lost signal (None), and
    the stamp of a signal already counted lost, arriving late, is skipped."""
    while True:
        try:
            raw = _read_exact(
                fd, 8, 5 if lost is None else LOSS_TIMEOUT, f"{name} to forward SIGUSR1", launch
            )
        except BenchError:
            if lost is None or launch.poll() is not None:
                raise
            return None
        (received,) = struct.unpack("=Q", raw)
        if received >= sent:
            return received


def _signal_block(
    inits: list[Init],
    receiver: Path,
    env: dict[str, str],
    work: Path,
    count: int,
    warmup: int,
    rng: random.Random,
    latencies: dict[str, list[float]],
    shell: bool = False,
    lost: dict[str, int] | None = None,
) -> dict[str, int | None]:
    """One block of ping-pongs; adds to latencies, returns each init's CPU time in ns.
    With `lost`, a signal that never reaches the receiver is counted there (see _stamp_after)
    instead of ending the bench."""
    fds: dict[str, int] = {}
    launches: dict[str, Launch] = {}
    try:
        for init in inits:
            fifo = work / f"signals-{init.name}.fifo"
            fds[init.name] = _fifo(fifo)
            command = [str(receiver), str(fifo)]
            if shell:
                command = ["sh", "-c", f"trap : USR1; {shlex.join(command)}; :"]
            launches[init.name] = Launch(
                init.command(*command), env, work / f"signals-{init.name}.log"
            )
        pids = {}
        for name, launch in launches.items():
            raw = _read_exact(fds[name], 8, 10, f"{name}'s receiver to start", launch)
            if struct.unpack("=Q", raw)[0] != 0:
                raise BenchError(f"{name}'s receiver did not start with a ready stamp")
            pids[name] = launch.init_pid()
        wait_idle(list(pids.values()))
        names = list(launches)
        run_before = {name: procfs.run_ns(pid) for name, pid in pids.items()}
        for round_ in range(warmup + count):
            rng.shuffle(names)
            for name in names:
                sent = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
                os.kill(pids[name], signal.SIGUSR1)
                received = _stamp_after(fds[name], sent, name, launches[name], lost)
                if received is None:
                    if round_ >= warmup and lost is not None:
                        lost[name] = lost.get(name, 0) + 1
                elif round_ >= warmup:
                    latencies[name].append((received - sent) / 1000)
        cpu: dict[str, int | None] = {}
        for name, pid in pids.items():
            before, after = run_before[name], procfs.run_ns(pid)
            cpu[name] = after - before if before is not None and after is not None else None
        return cpu
    finally:
        for launch in launches.values():
            launch.stop(signal.SIGTERM, timeout=5)
        for fd in fds.values():
            os.close(fd)


@dataclass
class ReapSample:
    """One orphan storm, timed from the moment the orphans' pipe closes."""

    elapsed_ms: float  # until the init had reaped the last orphan
    last_exit_ms: float | None  # until the last orphan called _exit()
    utime_ms: float  # the init's user CPU time meanwhile (clock-tick resolution)
    stime_ms: float  # the init's system CPU time meanwhile (clock-tick resolution)
    run_ms: float | None  # the init's CPU time meanwhile from /proc/PID/schedstat (ns resolution)


def reaping(
    inits: list[Init],
    orphans: Path,
    env: dict[str, str],
    work: Path,
    reps: dict[int, int],
    rng: random.Random,
) -> dict[str, dict[int, list[ReapSample]]]:
    """Orphan storms of N orphans, reps[N] times each; every round runs the inits in a new order.

    The init's main child (helpers/orphans.c) makes N orphans blocked on one pipe, closes the
    pipe and times until the init has reaped every one of them; it reports on a FIFO.
    """
    samples: dict[str, dict[int, list[ReapSample]]] = {
        init.name: {n: [] for n in reps} for init in inits
    }
    fifo = work / "reaping.fifo"
    fd = _fifo(fifo)
    try:
        for round_ in range(max(reps.values())):
            for n, count in reps.items():
                if round_ >= count:
                    continue
                order = list(inits)
                rng.shuffle(order)
                for init in order:
                    samples[init.name][n].append(_storm(init, n, orphans, fd, fifo, env, work))
    finally:
        os.close(fd)
    return samples


def _storm(
    init: Init, n: int, orphans: Path, fd: int, fifo: Path, env: dict[str, str], work: Path
) -> ReapSample:
    launch = Launch(
        init.command(str(orphans), str(n), str(fifo)), env, work / f"reaping-{init.name}.log"
    )
    timeout = 30 + n / 200
    try:
        line = b""
        while not line.endswith(b"\n"):
            line += _read_exact(fd, 1, timeout, f"{init.name} to reap {n} orphans", launch)
        words = line.decode().split()
        if words[0] != "ok":
            raise BenchError(f"reaping with {init.name}: {line.decode().strip()}")
        reaped, exited, utime0, stime0, utime1, stime1, run0, run1 = (int(w) for w in words[2:10])
        status = wait_exit(launch.unshare_pid, 30)
        if status is None:
            raise BenchError(f"{init.name} did not exit after its main child (reaping {n})")
        launch.status = status
        tick_ms = 1000 / procfs.CLOCK_TICKS
        return ReapSample(
            elapsed_ms=reaped / 1e6,
            last_exit_ms=exited / 1e6 if exited >= 0 else None,
            utime_ms=(utime1 - utime0) * tick_ms,
            stime_ms=(stime1 - stime0) * tick_ms,
            run_ms=(run1 - run0) / 1e6 if run0 >= 0 and run1 >= 0 else None,
        )
    finally:
        launch.stop()
