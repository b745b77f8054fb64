"""Socket activation: LISTEN_PID naming tinyinit is rewritten to name the child."""

from __future__ import annotations

from .support import PID1, helper


def child_sees(init) -> tuple[str, str, str]:
    pid, listen_pid, listen_fds = init.out.expect("pid").split()[1:]
    return pid, listen_pid, listen_fds


SCRIPT = 'echo pid $$ "${LISTEN_PID:-unset}" "${LISTEN_FDS:-unset}"'


def test_listen_pid_naming_tinyinit_names_the_child(start, mode: str) -> None:
    if mode == PID1:
        init = start(["--", "sh", "-c", SCRIPT], mode, env={"LISTEN_PID": "1", "LISTEN_FDS": "2"})
    else:  # tinyinit keeps the pid of the helper that sets LISTEN_PID and execs it
        init = start(
            ["--", "sh", "-c", SCRIPT],
            mode,
            env={"LISTEN_FDS": "2"},
            wrap=helper("with_state", "--listen-pid-self", "--"),
        )
    pid, listen_pid, listen_fds = child_sees(init)
    assert listen_pid == pid
    assert listen_fds == "2"
    assert init.wait(10) == 0


def test_other_listen_pid_is_left_alone(start, mode: str) -> None:
    init = start(["--", "sh", "-c", SCRIPT], mode, env={"LISTEN_PID": "424242"})
    assert child_sees(init)[1:] == ("424242", "unset")
    assert init.wait(10) == 0
