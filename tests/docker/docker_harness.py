"""Plumbing of the Docker suite: the engines' CLIs, inits, modes, containers, the comparison table.

Every scenario runs in the image built from Dockerfile.example (docker/build-example.sh), under
`docker run` and under `podman run` (the same image, moved with `docker save | podman load`). The
init under test is chosen per run: tinyinit through the image's own ENTRYPOINT, or tini, `tini -g`
and dumb-init from the same image through --entrypoint, for the comparison (docker only).

Podman reads its settings from podman/containers.conf of this checkout, never from /etc: every
podman command of the suite runs as `env CONTAINERS_CONF=... podman ...` (see `engine_argv`).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
HELPERS = HERE / "helpers"
NAME_PREFIX = "tinyinit-test-"
PODMAN_CONF = REPO / "podman" / "containers.conf"
ENGINES = ("docker", "podman")


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def engine_argv(engine: str) -> list[str]:
    """The command line that starts ENGINE's CLI (podman with this checkout's containers.conf)."""
    if engine == "podman":
        return ["env", f"CONTAINERS_CONF={PODMAN_CONF}", "podman"]
    if engine == "docker":
        return ["docker"]
    raise ValueError(f"unknown engine {engine!r}")


def cli(
    engine: str, *args: str, timeout: float = 60, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ENGINE's CLI (docker or podman) and return its result (text)."""
    return subprocess.run(
        [*engine_argv(engine), *args], capture_output=True, text=True, timeout=timeout, check=check
    )


def docker(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    return cli("docker", *args, timeout=timeout, check=check)


def podman(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    return cli("podman", *args, timeout=timeout, check=check)


@dataclass(frozen=True)
class Init:
    """How a container's init is chosen: the image's ENTRYPOINT (entrypoint None) or another."""

    label: str
    entrypoint: str | None
    args: tuple[str, ...] = ()


TINYINIT = Init("tinyinit", None)
TINI = Init("tini", "tini", ("--",))
TINI_GROUP = Init("tini -g", "tini", ("-g", "--"))
DUMB_INIT = Init("dumb-init", "dumb-init")
OTHER_INITS = (TINI, TINI_GROUP, DUMB_INIT)


@dataclass(frozen=True)
class Target:
    """An init in an image with the `docker run` (or `podman run`) options of a mode."""

    image: str
    init: Init
    mode: str = "root"
    options: tuple[str, ...] = ()
    engine: str = "docker"

    def with_init(self, init: Init) -> Target:
        return replace(self, init=init)

    def cli(
        self, *args: str, timeout: float = 60, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return cli(self.engine, *args, timeout=timeout, check=check)

    def run_argv(self, name: str, command: Sequence[str], options: Sequence[str] = ()) -> list[str]:
        run = [*engine_argv(self.engine), "run", "--rm", "--name", name]
        argv = [*run, *self.options, *options]
        if self.init.entrypoint is not None:
            argv += ["--entrypoint", self.init.entrypoint]
        return [*argv, self.image, *self.init.args, *command]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Container:
    """One `docker run --rm` (or `podman run --rm`) in the foreground of a Popen, with /out and
    /helpers mounted.

    The attached client's exit status is the container's, and its stderr holds the init's log
    even after --rm has removed the container.
    """

    target: Target
    command: Sequence[str]
    out: Path
    env: dict[str, str] = field(default_factory=dict)
    name: str = field(default_factory=lambda: NAME_PREFIX + uuid.uuid4().hex[:10])
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0  # time.monotonic() when `docker run` (`podman run`) was started

    @property
    def logs(self) -> tuple[Path, Path]:
        """Where the client's stdout and stderr go (beside OUT, not in it)."""
        return (
            self.out.parent / f"{self.name}.stdout",
            self.out.parent / f"{self.name}.stderr",
        )

    def argv(self) -> list[str]:
        options = ["-v", f"{self.out}:/out", "-v", f"{HELPERS}:/helpers:ro"]
        for key, value in self.env.items():
            options += ["-e", f"{key}={value}"]
        return self.target.run_argv(self.name, self.command, options)

    def start(self) -> Container:
        self.out.mkdir(parents=True, exist_ok=True)
        self.out.chmod(0o1777)  # writable for a non-root USER too
        stdout, stderr = self.logs
        self.started = time.monotonic()
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            self.proc = subprocess.Popen(
                self.argv(), stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
        return self

    def wait_for_file(self, name: str, timeout: float = 30) -> Path:
        path = self.out / name

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"container exited {self.proc.returncode} before {name} appeared; "
                    f"stderr: {self.stderr()!r}"
                )
            return path.exists() and path.stat().st_size > 0

        wait_until(ready, timeout, f"{path}")
        return path

    def stop(self, timeout: int = 10) -> float:
        """`docker stop -t TIMEOUT` (`podman stop`); returns how long it took."""
        began = time.monotonic()
        self.target.cli("stop", "-t", str(timeout), self.name, timeout=timeout + 30)
        return time.monotonic() - began

    def kill(self, sig: str) -> None:
        self.target.cli("kill", "-s", sig, self.name)

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return self.target.cli("exec", self.name, *command)

    def wait(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stdout(self) -> str:
        return self.logs[0].read_text(errors="replace")

    def stderr(self) -> str:
        return self.logs[1].read_text(errors="replace")

    def remove(self) -> None:
        remove_container(self.target.engine, self.name)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Containers:
    """Factory of containers that removes every one of them at teardown."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.made: list[Container] = []
        self._lock = threading.Lock()

    def start(
        self,
        target: Target,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
    ) -> Container:
        name = NAME_PREFIX + uuid.uuid4().hex[:10]
        box = Container(target, command, self.base / name, env or {}, name=name)
        with self._lock:
            self.made.append(box)
        return box.start()

    def run(
        self,
        target: Target,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Run COMMAND to completion under TARGET; returns its exit status, stdout and stderr."""
        box = self.start(target, command, env=env)
        try:
            code = box.wait(timeout)
        except subprocess.TimeoutExpired as error:
            message = f"{quote(box.argv())} still running after {timeout:g} s"
            raise AssertionError(message) from error
        return subprocess.CompletedProcess(box.argv(), code, box.stdout(), box.stderr())

    def remove_all(self) -> None:
        for box in self.made:
            box.remove()


def remove_container(engine: str, name: str) -> None:
    """Remove container NAME if it is still there, killing it at once."""
    # `podman rm -f` would first wait the container's stop timeout (10 s), `docker rm -f` does not.
    force = ("-f", "-t", "0") if engine == "podman" else ("-f",)
    cli(engine, "rm", *force, name, check=False)


def ffprobe_duration(
    image: str, out: Path, filename: str, engine: str = "docker"
) -> tuple[float | None, str]:
    """Duration in seconds that ffprobe (from the image) reads in OUT/FILENAME, or None and why."""
    result = cli(
        engine,
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        f"{out}:/out:ro",
        "--entrypoint",
        "ffprobe",
        image,
        "-v",
        "error",
        "-show_entries",
        "format=duration",
        "-of",
        "default=noprint_wrappers=1:nokey=1",
        f"/out/{filename}",
        check=False,
    )
    text = result.stdout.strip()
    if result.returncode == 0:
        try:
            return float(text), ""
        except ValueError:
            pass
    reason = (result.stderr.strip().splitlines() or [text or f"exit {result.returncode}"])[-1]
    return None, reason


def signal_name(code: int) -> str:
    if code > 128:
        try:
            return f"{code} ({signal.Signals(code - 128).name})"
        except ValueError:
            pass
    return str(code)


def shell(script: str) -> list[str]:
    return ["sh", "-c", script]


def quote(argv: Iterable[str]) -> str:
    return shlex.join(list(argv))


# The table's rows in the order of the list of scenarios (matched on a word of each).
ORDER = (
    "honors SIGTERM",
    "ignore SIGTERM",
    "ffmpeg",
    "setsid",
    "orphans",
    "exit code",
    "HUP",
    "-it",
)


def rank(scenario: str) -> int:
    return next((i for i, word in enumerate(ORDER) if word in scenario), len(ORDER))


class Comparison:
    """Results of each scenario per init: printed as a table at the end of the session."""

    def __init__(self) -> None:
        self.columns = [TINYINIT.label, *(init.label for init in OTHER_INITS)]
        self.rows: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def record(self, scenario: str, init: str, cell: str) -> None:
        with self._lock:
            self.rows.setdefault(scenario, {})[init] = cell

    def render(self) -> str:
        header = ["scenario", *self.columns]
        lines = [header, ["---"] * len(header)]
        for scenario, cells in sorted(self.rows.items(), key=lambda row: rank(row[0])):
            lines.append([scenario, *(cells.get(c, "not run") for c in self.columns)])
        return "\n".join(
            "| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines
        )


COMPARISON = Comparison()


def note(target: Target, scenario: str, cell: str) -> None:
    """Record a tinyinit result in the table (from its default mode under docker only)."""
    if target.mode == "root" and target.engine == "docker":
        COMPARISON.record(scenario, target.init.label, cell)


def compare(scenario: str, targets: Sequence[Target], attempt: Callable[[Target], str]) -> None:
    """Run ATTEMPT for each target at once and record what it says; errors are recorded too.

    Comparisons never fail a test: they only fill the table.
    """

    def one(target: Target) -> None:
        try:
            cell = attempt(target)
        except Exception as error:  # a comparison reports, whatever happens
            cell = f"error: {type(error).__name__}: {str(error)[:80]}"
        COMPARISON.record(scenario, target.init.label, cell)

    with ThreadPoolExecutor(max_workers=len(targets) or 1) as pool:
        list(pool.map(one, targets))
