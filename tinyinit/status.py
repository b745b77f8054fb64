"""Wait statuses → exit codes and words. Pure."""

from __future__ import annotations

import os

from tinyinit import sigs


def exit_code(status: int) -> int:
    """The code a shell would report: the exit code, or 128+N when killed by signal N."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        core = " (core dumped)" if os.WCOREDUMP(status) else ""
        return f"killed by {sigs.name(os.WTERMSIG(status))}{core}"
    return f"exited {os.WEXITSTATUS(status)}"
