"""No process can be made for the command (the pids cgroup is full; RLIMIT_NPROC has the same
effect for a non-root user): one line naming the reason, exit 125, tinyinit's own failure,
as PID 1 (posix_spawn, before: "cannot run ...", 126) and as a plain process (fork)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from .hostile import start_under
from .support import require_root

PIDS = Path("/sys/fs/cgroup/pids")


@pytest.fixture
def full_pids_cgroup():
    require_root()
    if not (PIDS / "cgroup.procs").exists():
        pytest.fail("no pids cgroup (v1) at /sys/fs/cgroup/pids")
    group = PIDS / f"tinyinit-test-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    (group / "pids.max").write_text("1\n")
    yield group
    group.rmdir()


def test_fork_failure_is_125_with_its_reason(start, mode: str, full_pids_cgroup, tmp_path):
    """Planted bug caught: spawn turning EAGAIN into ExecFailed (exit 126) again."""
    marker = tmp_path / "ran"
    # Join the cgroup, then become tinyinit: it is then the one process the cgroup allows.
    join = ["sh", "-c", f'echo $$ > {full_pids_cgroup}/cgroup.procs && exec "$@"', "join"]
    init = start_under(start, ["--", "touch", str(marker)], mode, join)
    assert init.wait(10) == 125, init.stderr()
    lines = init.stderr_lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("tinyinit: cannot start 'touch': "), lines[0]
    assert os.strerror(11) in lines[0]
    assert not marker.exists()
