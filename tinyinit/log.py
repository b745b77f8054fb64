"""tinyinit's own lines on stderr: `tinyinit: …` for user errors, `[tinyinit] …` for events.

Plain os.write (no logging module at PID 1 startup). Logging never blocks supervision and
never changes an exit code:
- A line is written only when stderr can take it now (poll with a zero timeout), in one
  write of at most PIPE_BUF bytes, which a pipe with room takes whole. A line that cannot
  be written now is dropped and counted; the count is said before the next line written.
  (O_NONBLOCK is not an option: it belongs to the open file description, shared with the
  child, whose stdio tinyinit never touches.)
- A write to a broken pipe makes the kernel raise SIGPIPE against the writing thread. Every
  signal is blocked in tinyinit, so it would stay pending and be taken by the loop like one
  sent from outside, and forwarded. It is consumed right after the failed write: the kernel
  hands out a signal pending for the thread before one pending for the process, so this
  takes the one the write raised.
- Control characters are escaped (\\n, \\x1b...): one line stays one line.
"""

from __future__ import annotations

import _signal
import os

ERROR, WARN, DEBUG = 0, 1, 2
level = WARN

LINE_MAX = 4096  # PIPE_BUF on Linux: a write this size to a pipe with room is never split
dropped = 0  # lines that could not be written when they came
_POLLOUT = 4  # select.POLLOUT on Linux; `select` is loaded with the first line written
_SIGPIPE = _signal.SIGPIPE
_ESCAPES = {i: f"\\x{i:02x}" for i in [*range(32), 127]}
_ESCAPES.update({9: "\\t", 10: "\\n", 13: "\\r"})


def printable(text: str) -> str:
    """TEXT with every control character escaped, so that it prints on one line."""
    return text.translate(_ESCAPES)


def _writable() -> bool:
    import select

    poller = select.poll()
    poller.register(2, _POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return bool(events) and events[0][1] == _POLLOUT


def _write(text: str) -> None:
    global dropped
    data = printable(text).encode("utf-8", "surrogateescape")
    if len(data) > LINE_MAX - 1:
        data = data[: LINE_MAX - 4] + b"..."
    data += b"\n"
    noted = False
    if dropped:
        note = f"[tinyinit] warning: {dropped} line(s) dropped: stderr was not writable\n"
        if len(data) + len(note) <= LINE_MAX:
            data, noted = note.encode() + data, True
    if not _writable():
        dropped += 1
        return
    try:
        written = os.write(2, data)
    except BrokenPipeError:
        _signal.sigtimedwait({_SIGPIPE}, 0)  # the SIGPIPE this write raised: never forwarded
        dropped += 1
        return
    except OSError:
        dropped += 1
        return
    if written == len(data):
        if noted:
            dropped = 0
    else:  # a short write (a signal or a full device): the rest is not waited for
        dropped += 1


def usage_error(message: str) -> None:
    """A problem with what the user asked for: one line, program name first."""
    _write(f"tinyinit: {message}")


def error(message: str) -> None:
    _write(f"[tinyinit] error: {message}")


def warn(message: str) -> None:
    if level >= WARN:
        _write(f"[tinyinit] warning: {message}")


def debug(message: str) -> None:
    if level >= DEBUG:
        _write(f"[tinyinit] {message}")


def debugging() -> bool:
    """True when debug lines are wanted: lets callers skip building them."""
    return level >= DEBUG
