"""Shutdown through Docker: how long `docker stop` takes, and what survives it.

Uses the image of the Docker suite (docker/build-example.sh: Dockerfile.example with tinyinit,
on a Debian base that also has tini, dumb-init and catatonit). tinyinit runs through the
image's ENTRYPOINT; the other inits replace it with --entrypoint. Two scenarios, every init's
container side by side, all stopped at the same moment:

- A TERM-ignoring child (`trap '' TERM; exec sleep`): tinyinit kills it when its grace ends;
  an init without a grace period waits for docker's own 10 s and its SIGKILL.
- The ffmpeg pipeline of Dockerfile.example's CMD, writing to a bind mount, stopped after a few
  seconds: is out.mp4 playable (ffprobe reads its duration) or broken?
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from measure import BenchError

HERE = Path(__file__).resolve().parent
BUILD = HERE.parent / "docker" / "build-example.sh"
DOCKER_TIMEOUT = 10  # docker stop's default
RECORD_FOR = 3.0
ENTRYPOINTS = {
    "tini": ("tini", "--"),
    "dumb-init": ("dumb-init",),
    "catatonit": ("catatonit", "--"),
}
IGNORE_TERM = ["sh", "-c", "trap '' TERM; exec sleep 1000"]


def docker(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"docker {args[0]}: no answer in {timeout:g} s") from e
    if check and done.returncode != 0:
        raise BenchError(f"docker {' '.join(args[:2])}: {done.stderr.strip()[-300:]}")
    return done


def unavailable() -> str | None:
    """Why the Docker part cannot run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        if subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode != 0:
            return "the Docker daemon does not answer (docker info failed)"
    except subprocess.TimeoutExpired:
        return "the Docker daemon does not answer (docker info timed out)"
    if not BUILD.exists():
        return f"{BUILD.relative_to(HERE.parent)} (the Docker suite's image) is not there yet"
    return None


def build_image(log: Path) -> str:
    with log.open("w") as err:
        done = subprocess.run(
            ["bash", str(BUILD)], stdout=subprocess.PIPE, stderr=err, text=True, timeout=1800
        )
    if done.returncode != 0 or not done.stdout.strip():
        last = (log.read_text().strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"{BUILD.name} failed ({last}; its output: {log})")
    return done.stdout.strip().splitlines()[-1]


def run_argv(image: str, init: str, name: str, grace: float, command: list[str]) -> list[str]:
    argv = ["run", "-d", "--name", name]
    if init == "tinyinit":
        return [*argv, "-e", f"TINYINIT_GRACE={grace:g}s", image, *command]
    entry, *args = ENTRYPOINTS[init]
    return [*argv, "--entrypoint", entry, image, *args, *command]


def image_cmd(image: str) -> list[str]:
    cmd = docker("image", "inspect", "--format", "{{json .Config.Cmd}}", image).stdout
    return list(json.loads(cmd))


def stop_all(names: dict[str, str]) -> dict[str, float]:
    """`docker stop` of every container at once; the wall time of each, in s."""
    took: dict[str, float] = {}
    errors: list[str] = []

    def stop(init: str, name: str) -> None:
        start = time.monotonic()
        done = docker("stop", "-t", str(DOCKER_TIMEOUT), name, timeout=60, check=False)
        took[init] = time.monotonic() - start
        if done.returncode != 0:
            errors.append(f"docker stop {name}: {done.stderr.strip()}")

    threads = [threading.Thread(target=stop, args=item) for item in names.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise BenchError("; ".join(errors))
    return took


def exit_code(name: str) -> int | None:
    out = docker("inspect", "--format", "{{.State.ExitCode}}", name, check=False).stdout.strip()
    return int(out) if out.lstrip("-").isdigit() else None


def wait_running(names: dict[str, str], ready: Path | None = None, timeout: float = 30) -> None:
    """Until every container runs (and, with `ready`, has written ready/INIT/out.mp4)."""
    deadline = time.monotonic() + timeout
    for init, name in names.items():
        while True:
            state = docker("inspect", "--format", "{{.State.Status}}", name).stdout.strip()
            done = state == "running" and (ready is None or (ready / init / "out.mp4").exists())
            if done:
                break
            if state not in ("created", "running") or time.monotonic() > deadline:
                logs = docker("logs", name, check=False)
                raise BenchError(
                    f"{init}'s container is {state}, not ready: "
                    f"{(logs.stdout + logs.stderr).strip()[-300:]}"
                )
            time.sleep(0.1)


def ffprobe(image: str, folder: Path) -> tuple[float | None, str]:
    """out.mp4's duration in s, or None and ffprobe's complaint."""
    done = docker(
        "run", "--rm", "--network", "none", "-v", f"{folder}:/out", "--entrypoint", "ffprobe",
        image, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
        "/out/out.mp4",
        check=False,
    )  # fmt: skip
    try:
        return float(done.stdout.strip()), ""
    except ValueError:
        return None, (done.stderr.strip().splitlines() or ["no duration"])[-1]


def measure(inits: list[str], grace: float, work: Path, required: bool) -> dict[str, Any]:
    """Both scenarios for every init; {"skipped": why} when Docker or the image is missing."""
    why = unavailable()
    if why is None:
        try:
            image = build_image(work / "docker-build.log")
        except BenchError as e:
            why = str(e)
    if why is not None:
        if required:
            raise BenchError(f"docker part: {why}")
        print(f"bench: docker part skipped: {why}", flush=True)
        return {"skipped": why}

    tag = uuid.uuid4().hex[:8]
    results: dict[str, Any] = {init: {} for init in inits}
    names: dict[str, str] = {}
    try:
        # A TERM-ignoring child.
        names = {init: f"tinyinit-bench-{tag}-{init}-ignore" for init in inits}
        for init, name in names.items():
            docker(*run_argv(image, init, name, grace, IGNORE_TERM))
        wait_running(names)
        time.sleep(1)
        for init, took in stop_all(names).items():
            results[init]["stop_s"] = took
            results[init]["stop_exit"] = exit_code(names[init])
        docker("rm", "-f", *names.values(), check=False)

        # The ffmpeg pipeline of Dockerfile.example's CMD.
        cmd = image_cmd(image)
        out = work / f"docker-ffmpeg-{tag}"
        names = {init: f"tinyinit-bench-{tag}-{init}-ffmpeg" for init in inits}
        for init, name in names.items():
            (out / init).mkdir(parents=True)
            argv = run_argv(image, init, name, grace, [] if init == "tinyinit" else cmd)
            docker(*argv[:2], "-v", f"{out / init}:/out", *argv[2:])
        wait_running(names, ready=out)
        time.sleep(RECORD_FOR)
        for init, took in stop_all(names).items():
            duration, complaint = ffprobe(image, out / init)
            results[init].update(
                ffmpeg_stop_s=took,
                ffmpeg_exit=exit_code(names[init]),
                ffmpeg_ok=duration is not None,
                ffmpeg_note=f"{duration:.1f} s of video" if duration is not None else complaint,
            )
        shutil.rmtree(out, ignore_errors=True)
    finally:
        docker("rm", "-f", *names.values(), check=False)
    return {
        "image": image,
        "grace_s": grace,
        "docker_timeout_s": DOCKER_TIMEOUT,
        "record_s": RECORD_FOR,
        "inits": results,
    }
