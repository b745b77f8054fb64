"""The exit report: its fields, its size cap, its atomic write, the startup path check.

The mount tests (a bind-mounted file like Kubernetes' terminationMessagePath, a read-only
directory, a full file system) run as root in a private mount namespace (unshare --mount).
"""

from __future__ import annotations

import errno
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinyinit import report
from tinyinit.report import Report, check_path, write

FIELDS = [
    "tinyinit",
    "command",
    "pid1",
    "started",
    "ended",
    "exit_code",
    "how",
    "stop_signal",
    "runs",
    "runs_omitted",
    "restarts",
    "restarts_omitted",
    "signalled",
    "signalled_omitted",
]
T0 = 1764496000.0


def require_root() -> None:
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("this test needs root (CI=true: not skipping)")
    pytest.skip("needs root (under CI=true this fails instead)")


def load(data: bytes, limit: int = 4096) -> dict:
    assert len(data) < limit
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    return json.loads(data.decode("utf-8"))


def crash_loop(runs: int) -> Report:
    """RUNS runs, each but the last failing and restarted."""
    r = Report(["worker", "--port", "8000"], False, "0.1.0", T0)
    for k in range(runs):
        pid = 100 + k
        r.run_started(pid, T0 + 10 * k + 0.1234)
        if k < runs - 1:
            r.run_ended(pid, T0 + 10 * k + 5, 3, "exited 3")
            r.restart(k + 1, "exited 3", min(2.0 ** min(k, 6), 60.0))
        else:
            r.run_ended(pid, T0 + 10 * k + 5, 0, "exited 0")
    r.finish(0, "exit", None, T0 + 10 * runs)
    return r


# ---------------------------------------------------------------------------------------------
# fields


def test_every_field_in_order() -> None:
    r = Report(["sh", "-c", "exit 3"], True, "0.1.0", T0 + 0.1234)
    r.run_started(12, T0 + 0.2)
    r.run_ended(12, T0 + 1.5, 3, "exited 3")
    r.restart(1, "exited 3", 1.0)
    r.run_started(13, T0 + 2.5)
    r.signalled(40, "sleep 100", "SIGTERM")
    r.signalled(41, "sh -c trap '' TERM; sleep 9", "SIGTERM")
    r.signalled(41, "ignored: first command line stays", "SIGKILL")
    r.run_ended(13, T0 + 9.75, 143, "killed by SIGTERM")
    r.finish(143, "signal", "SIGTERM", T0 + 10.4567)
    obj = load(r.to_json())
    assert list(obj) == FIELDS
    assert obj == {
        "tinyinit": "0.1.0",
        "command": ["sh", "-c", "exit 3"],
        "pid1": True,
        "started": round(T0 + 0.123, 3),
        "ended": round(T0 + 10.457, 3),
        "exit_code": 143,
        "how": "signal",
        "stop_signal": "SIGTERM",
        "runs": [
            {
                "pid": 12,
                "started": T0 + 0.2,
                "ended": T0 + 1.5,
                "status": "exited 3",
                "exit_code": 3,
            },
            {
                "pid": 13,
                "started": T0 + 2.5,
                "ended": T0 + 9.75,
                "status": "killed by SIGTERM",
                "exit_code": 143,
            },
        ],
        "runs_omitted": 0,
        "restarts": [{"attempt": 1, "reason": "exited 3", "delay": 1.0}],
        "restarts_omitted": 0,
        "signalled": [
            {"pid": 40, "cmdline": "sleep 100", "signal": "SIGTERM"},
            {"pid": 41, "cmdline": "sh -c trap '' TERM; sleep 9", "signal": "SIGKILL"},
        ],
        "signalled_omitted": 0,
    }


def test_report_before_finish_is_valid() -> None:
    """An internal error may render the report of a run still open: nulls, still JSON."""
    r = Report(["x"], False, "0.1.0", T0)
    r.run_started(5, T0)
    obj = load(r.to_json())
    assert list(obj) == FIELDS
    assert obj["ended"] is None and obj["exit_code"] is None and obj["how"] is None
    assert obj["runs"] == [
        {"pid": 5, "started": T0, "ended": None, "status": None, "exit_code": None}
    ]


def test_end_of_an_unseen_run_is_recorded() -> None:
    r = Report(["x"], False, "0.1.0", T0)
    r.run_ended(7, T0 + 1, 1, "exited 1")
    assert load(r.to_json())["runs"] == [
        {"pid": 7, "started": None, "ended": T0 + 1, "status": "exited 1", "exit_code": 1}
    ]


def test_the_same_pid_again_is_a_new_run() -> None:
    r = Report(["x"], False, "0.1.0", T0)
    for k in range(2):
        r.run_started(9, T0 + k)
        r.run_ended(9, T0 + k + 0.5, k, f"exited {k}")
    runs = load(r.to_json())["runs"]
    assert [(run["started"], run["exit_code"]) for run in runs] == [(T0, 0), (T0 + 1, 1)]


def test_undecodable_bytes_become_replacement_characters() -> None:
    word = os.fsdecode(b"caf\xe9-\xff")  # surrogateescape: what tinyinit's argv holds
    r = Report(["echo", word, "ünïcode"], False, "0.1.0", T0)
    r.signalled(3, os.fsdecode(b"x\x80y"), "SIGKILL")
    data = r.to_json()
    data.decode("utf-8")  # strict: valid UTF-8
    obj = load(data)
    assert obj["command"] == ["echo", "caf\ufffd-\ufffd", "ünïcode"]
    assert obj["signalled"][0]["cmdline"] == "x\ufffdy"


def test_values_json_cannot_hold_become_null() -> None:
    r = Report(["x"], False, "0.1.0", float("nan"))
    r.restart(1, "exited 1", float("inf"))
    obj = load(r.to_json())
    assert obj["started"] is None
    assert obj["restarts"][0]["delay"] is None


def test_importing_report_does_not_load_json() -> None:
    code = "import sys, tinyinit.report; print('json' in sys.modules, 're' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------
# caps


def test_ten_thousand_signalled_processes() -> None:
    r = Report(["sh", "-c", "spawn many"], True, "0.1.0", T0)
    for pid in range(1000, 11000):
        r.signalled(pid, f"worker --id {pid} " + "x" * 40, "SIGTERM")
    r.signalled(10999, "worker", "SIGKILL")
    r.finish(137, "grace_kill", "SIGTERM", T0 + 30)
    obj = load(r.to_json())
    listed = obj["signalled"]
    assert listed[0]["pid"] == 1000  # the first
    assert listed[-1] == {
        "pid": 10999,
        "cmdline": "worker --id 10999 " + "x" * 40,
        "signal": "SIGKILL",
    }
    pids = [entry["pid"] for entry in listed]
    assert pids[1:] == list(range(11000 - len(pids) + 1, 11000))  # the most recent, in order
    assert len(listed) + obj["signalled_omitted"] == 10000
    assert len(listed) > 10  # the space is used, not thrown away


def test_long_crash_loop_keeps_first_and_latest_runs() -> None:
    r = crash_loop(3000)
    obj = load(r.to_json())
    runs, restarts = obj["runs"], obj["restarts"]
    assert runs[0]["pid"] == 100
    assert runs[-1]["pid"] == 100 + 2999 and runs[-1]["status"] == "exited 0"
    assert [run["pid"] for run in runs[1:]] == list(range(3100 - len(runs) + 1, 3100))
    assert len(runs) + obj["runs_omitted"] == 3000
    assert restarts[0]["attempt"] == 1 and restarts[-1]["attempt"] == 2999
    assert len(restarts) + obj["restarts_omitted"] == 2999
    assert len(runs) > 5 and len(restarts) > 5


def test_a_100_kb_command_line() -> None:
    r = Report(["sh", "-c", "echo " + "y" * 100_000], False, "0.1.0", T0)
    r.signalled(50, "sh -c echo " + "y" * 100_000, "SIGTERM")
    obj = load(r.to_json())
    assert obj["command"][:2] == ["sh", "-c"]
    assert obj["command"][2].startswith("echo yyy") and obj["command"][2].endswith("…")
    assert obj["signalled"][0]["cmdline"].endswith("…")


def test_fifty_thousand_words() -> None:
    r = Report(["xargs", *(f"arg{i}" for i in range(50_000))], False, "0.1.0", T0)
    command = load(r.to_json())["command"]
    assert command[:3] == ["xargs", "arg0", "arg1"]
    assert command[-1] == "…"


def test_always_under_the_limit() -> None:
    """Random mixes of long and many: always valid JSON under the limit."""
    rng = random.Random(10)
    for limit in (4096, 2048):
        for _ in range(60):
            word = "é" * rng.choice([1, 300, 5000]) + "\U0001f600" * rng.choice([0, 2000])
            r = Report(["cmd", word] * rng.choice([1, 50]), rng.random() < 0.5, "0.1.0", T0)
            for k in range(rng.choice([0, 1, 7, 900])):
                r.run_started(k, T0 + k)
                r.run_ended(k, T0 + k + 0.5, 1, "exited 1 " + "z" * rng.choice([0, 700]))
                r.restart(k + 1, "exited 1", 1.5)
            for pid in range(rng.choice([0, 3, 2000])):
                r.signalled(pid, word[: rng.choice([5, 4000])], "SIGKILL")
            r.finish(1, "exit", None, T0 + 99)
            obj = load(r.to_json(limit), limit)
            assert list(obj) == FIELDS


def test_an_impossible_limit_is_an_error() -> None:
    with pytest.raises(ValueError):
        Report(["x"], False, "0.1.0", T0).to_json(100)


# ---------------------------------------------------------------------------------------------
# write


def test_write_puts_the_file_in_place_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    old = os.umask(0o077)
    try:
        write(str(path), b'{"a":1}\n')
    finally:
        os.umask(old)
    assert path.read_bytes() == b'{"a":1}\n'
    assert os.listdir(tmp_path) == ["report.json"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_replaces_an_existing_file_by_rename(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(b"old and longer than the new content\n")
    inode = path.stat().st_ino
    keep_open = open(path, "rb")  # noqa: SIM115 - a reader of the old file keeps seeing it
    try:
        write(str(path), b"new\n")
        assert keep_open.read() == b"old and longer than the new content\n"
    finally:
        keep_open.close()
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_ino != inode
    assert os.listdir(tmp_path) == ["report.json"]


def test_write_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "report.json"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write(str(link), b"new\n")
    assert link.is_symlink() and target.read_bytes() == b"new\n"
    assert os.listdir(tmp_path / "real") == ["report.json"]


def test_write_to_a_directory_fails_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError):
        write(str(tmp_path / "dir"), b"x")
    assert os.listdir(tmp_path) == ["dir"]
    assert os.listdir(tmp_path / "dir") == []


def test_write_to_a_missing_directory_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write(str(tmp_path / "missing" / "r.json"), b"x")
    assert os.listdir(tmp_path) == []


def test_write_appends_to_a_pipe_through_dev_fd() -> None:
    """/dev/stderr and the like: tinyinit's own descriptor, appended to, never replaced."""
    read_end, write_end = os.pipe()
    try:
        code = f"from tinyinit.report import write; write('/dev/fd/{write_end}', b'report\\n')"
        subprocess.run([sys.executable, "-c", code], pass_fds=[write_end], check=True, timeout=30)
        assert os.read(read_end, 100) == b"report\n"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_write_appends_to_a_log_file_behind_dev_stderr(tmp_path: Path) -> None:
    log = tmp_path / "log"
    code = (
        "import os; os.write(2, b'line before\\n'); "
        "from tinyinit.report import write; write('/dev/stderr', b'report\\n')"
    )
    with open(log, "wb") as f:
        subprocess.run([sys.executable, "-c", code], stderr=f, check=True, timeout=30)
    assert log.read_bytes() == b"line before\nreport\n"
    assert os.listdir(tmp_path) == ["log"]


def test_write_to_a_pipe_nobody_reads_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as caught:
        write(str(fifo), b"x")
    assert caught.value.errno == errno.ENXIO


# ---------------------------------------------------------------------------------------------
# check_path


def test_check_path_fine(tmp_path: Path) -> None:
    assert check_path(str(tmp_path / "report.json")) is None
    assert os.listdir(tmp_path) == []  # its trial file is gone
    (tmp_path / "exists.json").write_text("x")
    assert check_path(str(tmp_path / "exists.json")) is None
    assert (tmp_path / "exists.json").read_text() == "x"


def test_check_path_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_path("report.json") is None


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("missing/report.json", "directory {tmp}/missing does not exist"),
        ("file/report.json", "{tmp}/file is not a directory"),
        ("dir", "is a directory"),
    ],
)
def test_check_path_reasons(tmp_path: Path, relative: str, reason: str) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    assert check_path(str(tmp_path / relative)) == reason.format(tmp=tmp_path)


def test_check_path_empty() -> None:
    assert check_path("") == "empty path"


def test_check_path_streams() -> None:
    assert check_path("/dev/stderr") is None
    assert check_path("/dev/null") is None


def test_check_path_unwritable_directory_as_a_user(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere (CI runs as root): the read-only mount test covers it")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert check_path(str(locked / "r.json")).startswith(f"cannot create a file in {locked}")


# ---------------------------------------------------------------------------------------------
# mounts (root, private mount namespace)


def in_mount_namespace(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run SCRIPT (Python; TMP is tmp_path) as root in a new, private mount namespace."""
    require_root()
    code = f"import os, sys\nTMP = {str(tmp_path)!r}\n" + textwrap.dedent(script)
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_bind_mounted_file_is_written_in_place(tmp_path: Path) -> None:
    """Kubernetes' terminationMessagePath: a file bind-mounted into the container's /dev."""
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "termination-log").write_text("")
    (tmp_path / "host-file").write_text("")
    in_mount_namespace(
        """
        import errno, subprocess
        from tinyinit.report import check_path, write
        path = TMP + "/dev/termination-log"
        subprocess.run(["mount", "--bind", TMP + "/host-file", path], check=True)
        open(TMP + "/dev/probe", "w").close()
        try:  # what the fallback is for: a rename over a mount point
            os.rename(TMP + "/dev/probe", path)
            sys.exit("rename over the bind mount worked: the test proves nothing")
        except OSError as err:
            assert err.errno == errno.EBUSY, err
        os.unlink(TMP + "/dev/probe")
        assert check_path(path) is None
        write(path, b'{"report": 1}\\n')
        assert sorted(os.listdir(TMP + "/dev")) == ["termination-log"], os.listdir(TMP + "/dev")
        """,
        tmp_path,
    )
    # Seen from outside the namespace: the bind mount's source got the bytes.
    assert (tmp_path / "host-file").read_text() == '{"report": 1}\n'
    assert (tmp_path / "dev" / "termination-log").read_text() == ""


def test_bind_mounted_file_in_a_read_only_directory(tmp_path: Path) -> None:
    """The directory cannot take a temporary file, the file itself can be written."""
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "termination-log").write_text("")
    (tmp_path / "host-file").write_text("old content, longer than the report\n")
    in_mount_namespace(
        """
        import subprocess
        from tinyinit.report import check_path, write
        dev, path = TMP + "/dev", TMP + "/dev/termination-log"
        subprocess.run(["mount", "--bind", dev, dev], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", dev], check=True)
        subprocess.run(["mount", "--bind", TMP + "/host-file", path], check=True)
        assert check_path(path) is None
        write(path, b"report\\n")
        """,
        tmp_path,
    )
    assert (tmp_path / "host-file").read_text() == "report\n"


def test_read_only_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    result = in_mount_namespace(
        """
        import subprocess
        from tinyinit.report import check_path
        ro = TMP + "/ro"
        subprocess.run(["mount", "--bind", ro, ro], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", ro], check=True)
        print(check_path(ro + "/report.json"))
        """,
        tmp_path,
    )
    assert result.stdout.strip() == f"cannot create a file in {tmp_path}/ro: read-only file system"


def test_full_file_system_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    result = in_mount_namespace(
        """
        import errno, subprocess
        from tinyinit.report import write
        small = TMP + "/small"
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small], check=True)
        with open(small + "/report.json", "wb") as f:
            f.write(b"previous report\\n")
        try:
            write(small + "/report.json", b"x" * 200_000)
            sys.exit("a 200 KB write fitted in a 64 KB file system")
        except OSError as err:
            assert err.errno == errno.ENOSPC, err
        print(sorted(os.listdir(small)))
        print(open(small + "/report.json", "rb").read())
        """,
        tmp_path,
    )
    assert result.stdout.splitlines() == ["['report.json']", "b'previous report\\n'"]


def test_limit_is_the_one_the_spec_names() -> None:
    assert report.LIMIT == 4096
    assert report.HOWS == (
        "exit",
        "signal",
        "grace_kill",
        "timeout",
        "unhealthy",
        "exec_failure",
        "internal_error",
    )
