"""`docker run -it` driven through tmux, as a person would: a long command typed at the shell is
interrupted by Ctrl-C, the shell answers the next command, and Ctrl-D ends the container with the
shell's exit code."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docker_harness import (
    NAME_PREFIX,
    Target,
    compare,
    note,
    quote,
    remove_container,
    wait_until,
)

PROMPT = "PROMPT> "  # tmux's capture drops trailing blanks: lines are matched on PROMPT.strip()
GRACE = 1.0
SCENARIO = "docker run -it: Ctrl-C / next command / Ctrl-D exit"


@dataclass
class Steps:
    foreground: bool = False  # the typed command ran in the terminal's foreground process group
    interrupted: bool = False  # Ctrl-C ended it
    answered: bool = False  # the shell then ran the next command
    exit_code: int | None = None  # the container's code after Ctrl-D
    screen: list[str] = field(default_factory=list)

    def describe(self) -> str:
        marks = [
            f"fg {'yes' if self.foreground else 'NO'}",
            f"C-c {'yes' if self.interrupted else 'NO'}",
            f"answer {'yes' if self.answered else 'NO'}",
            f"C-d exit {self.exit_code}",
        ]
        return ", ".join(marks)


class Terminal:
    """A tmux session of its own (private server socket) running one command."""

    def __init__(self, tmux: str, command: str) -> None:
        self.tmux = tmux
        self.socket = Path(tempfile.gettempdir()) / f"{NAME_PREFIX}{uuid.uuid4().hex[:8]}.tmux"
        self.cmd("new-session", "-d", "-s", "t", "-x", "160", "-y", "50", command)

    def cmd(self, *args: str) -> str:
        argv = [self.tmux, "-S", str(self.socket), *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout

    def type(self, text: str) -> None:
        self.cmd("send-keys", "-t", "t", "-l", text)
        self.cmd("send-keys", "-t", "t", "Enter")

    def key(self, key: str) -> None:
        self.cmd("send-keys", "-t", "t", key)

    def screen(self) -> str:
        return self.cmd("capture-pane", "-p", "-t", "t", "-S", "-200")

    def prompts(self) -> int:
        return sum(line.startswith(PROMPT.strip()) for line in self.screen().splitlines())

    def close(self) -> None:
        self.cmd("kill-server")
        self.socket.unlink(missing_ok=True)


def sleep_state(target: Target, name: str) -> str | None:
    """`ps` state of the container's `sleep 1000`, or None when there is none."""
    listing = target.cli("exec", name, "ps", "-eo", "stat=,args=", check=False).stdout
    for line in listing.splitlines():
        stat, _, args = line.strip().partition(" ")
        if args.strip() == "sleep 1000":
            return stat
    return None


def drive(tmux: str, target: Target, tmp: Path) -> Steps:
    name = NAME_PREFIX + uuid.uuid4().hex[:10]
    code_file = tmp / f"{name}.code"
    # A short grace: if Ctrl-C reached tinyinit as a stop signal instead of reaching the
    # foreground job, the shell would be killed before it can answer the next command.
    options = ["-it", "-e", f"PS1={PROMPT}", "-e", f"TINYINIT_GRACE={GRACE:g}"]
    run = target.run_argv(name, ["bash", "--norc", "--noprofile"], options)
    terminal = Terminal(tmux, f"{quote(run)}; echo $? > {code_file}; sleep 60")
    steps = Steps()
    try:
        wait_until(lambda: terminal.prompts() >= 1, 30, "the shell's prompt")
        terminal.type("sleep 1000")
        wait_until(lambda: sleep_state(target, name) is not None, 10, "sleep 1000 to run")
        # "+" in the state: the process is in its terminal's foreground process group.
        steps.foreground = "+" in (sleep_state(target, name) or "")
        terminal.key("C-c")
        try:
            wait_until(
                lambda: terminal.prompts() >= 2 and sleep_state(target, name) is None, 5, "C-c"
            )
            steps.interrupted = True
        except TimeoutError:
            return steps
        time.sleep(GRACE + 0.5)
        terminal.type("echo $((6 * 7))-answered")
        try:
            wait_until(lambda: "42-answered" in terminal.screen(), 5, "the answer")
            steps.answered = True
        except TimeoutError:
            return steps
        terminal.type("(exit 3)")
        wait_until(lambda: terminal.prompts() >= 4, 5, "the prompt after (exit 3)")
        terminal.key("C-d")
        wait_until(lambda: code_file.exists() and code_file.read_text().strip() != "", 15, "exit")
        steps.exit_code = int(code_file.read_text())
        return steps
    finally:
        steps.screen = terminal.screen().rstrip().splitlines()[-12:]
        terminal.close()
        remove_container(target.engine, name)


def test_interactive_shell(tmux: str, target: Target, tmp_path: Path) -> None:
    steps = drive(tmux, target, tmp_path)
    note(target, SCENARIO, steps.describe())
    screen = "\n".join(steps.screen)
    assert steps.foreground, f"sleep was not in the foreground process group:\n{screen}"
    assert steps.interrupted, f"Ctrl-C did not interrupt sleep (or killed the shell):\n{screen}"
    assert steps.answered, f"the shell did not answer after Ctrl-C:\n{screen}"
    assert steps.exit_code == 3, f"Ctrl-D: container exit {steps.exit_code}:\n{screen}"


@pytest.mark.comparison
def test_compare(tmux: str, others: list[Target], tmp_path: Path) -> None:
    compare(SCENARIO, others, lambda target: drive(tmux, target, tmp_path).describe())
