"""tinyinit's own lines on stderr: `tinyinit: …` for user errors, `[tinyinit] …` for events.

Plain os.write (no logging module at PID 1 startup). A failed write is dropped: reporting
must never stop supervision.
"""

from __future__ import annotations

import os

ERROR, WARN, DEBUG = 0, 1, 2
level = WARN


def _write(text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    try:
        while data:
            data = data[os.write(2, data) :]
    except OSError:
        pass


def usage_error(message: str) -> None:
    """A problem with what the user asked for: one line, program name first."""
    _write(f"tinyinit: {message}\n")


def error(message: str) -> None:
    _write(f"[tinyinit] error: {message}\n")


def warn(message: str) -> None:
    if level >= WARN:
        _write(f"[tinyinit] warning: {message}\n")


def debug(message: str) -> None:
    if level >= DEBUG:
        _write(f"[tinyinit] {message}\n")


def debugging() -> bool:
    """True when debug lines are wanted: lets callers skip building them."""
    return level >= DEBUG
