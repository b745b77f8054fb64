"""The headline: Dockerfile.example's own CMD, `sh -c 'ffmpeg ... | ffmpeg ... /out/out.mp4'`,
writing to a bind mount and stopped with `docker stop`: out.mp4 is complete, its duration close to
the time it ran. An init that exits with the shell leaves a file without its index."""

from __future__ import annotations

import json
import time

import pytest
from docker_harness import Containers, Target, compare, docker, ffprobe_duration, note, signal_name

SCENARIO = "ffmpeg pipeline stopped after 4 s: out.mp4"
RUN_FOR = 4.0


def image_command(image: str) -> list[str]:
    cmd = docker("image", "inspect", "--format", "{{json .Config.Cmd}}", image).stdout
    return list(json.loads(cmd))


def record_and_stop(containers: Containers, target: Target) -> tuple[float, float | None, str, int]:
    # tinyinit runs the image as shipped (its ENTRYPOINT and CMD); another init replaces the
    # ENTRYPOINT, which makes docker drop the CMD, so it gets the same command explicitly.
    command = [] if target.init.entrypoint is None else image_command(target.image)
    box = containers.start(target, command)
    box.wait_for_file("out.mp4", timeout=30)
    time.sleep(max(0.0, box.started + RUN_FOR - time.monotonic()))
    ran = time.monotonic() - box.started
    box.stop(timeout=10)
    code = box.wait()
    duration, reason = ffprobe_duration(target.image, box.out, "out.mp4")
    return ran, duration, reason, code


def describe(ran: float, duration: float | None, reason: str, code: int) -> str:
    if duration is None:
        return f"unplayable ({reason}), exit {signal_name(code)}"
    return f"plays {duration:.1f} s of {ran:.1f} s run, exit {signal_name(code)}"


def test_ffmpeg_finishes_the_file(containers: Containers, target: Target) -> None:
    ran, duration, reason, code = record_and_stop(containers, target)
    note(target, SCENARIO, describe(ran, duration, reason, code))
    assert duration is not None, f"out.mp4 is unplayable: {reason}"
    # ffmpeg starts a little after the container and encodes in real time (-re).
    assert ran - 2.0 <= duration <= ran + 0.5, f"{duration:.2f} s of video after {ran:.2f} s"
    assert code == 143  # the shell, killed by the forwarded SIGTERM


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    compare(SCENARIO, others, lambda target: describe(*record_and_stop(containers, target)))
