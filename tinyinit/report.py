"""The exit report (`--report FILE`): what happened in this run of tinyinit, as one JSON object.

Report collects events while tinyinit runs (cheap: a few appends), renders them once at exit
under a size limit (4 KiB by default, so that the report fits Kubernetes'
terminationMessagePath), and write() puts the bytes in place atomically. check_path() tells
at startup, before COMMAND runs, whether write() will be able to.

Imported only when --report is given; json (which loads re) only when rendering.
"""

from __future__ import annotations

import errno
import os
import stat

LIMIT = 4096
HOWS = ("exit", "signal", "grace_kill", "timeout", "unhealthy", "exec_failure", "internal_error")

# Bounds on what is kept in memory over a long supervised life (the rendering cuts further):
# the first entry and the most recent ones.
KEEP = 512
# Longest string kept for one command word / one command line (characters), before the
# rendering shortens them further if the report is still too long.
WORD_CHARS = 256
COMMAND_CHARS = 1024
ELLIPSIS = "…"


def _text(value: str) -> str:
    """VALUE as clean UTF-8-encodable text: undecodable bytes (surrogateescape) become U+FFFD."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def _cut(value: str, chars: int) -> str:
    return value if len(value) <= chars else value[: max(chars - 1, 0)] + ELLIPSIS


def _dump(value: object) -> bytes:
    import json  # loads re: only once tinyinit is done

    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _render(
    head: dict,
    entries: dict[str, list[dict]],
    cut: dict[str, int],
    dropped: dict[str, int],
) -> bytes:
    """The report with each list's first entry and its entries from CUT on."""
    obj = dict(head)
    for name, items in entries.items():
        obj[name] = items[:1] + items[cut[name] :]
        obj[f"{name}_omitted"] = dropped[name] + (cut[name] - 1 if items else 0)
    return _dump(obj) + b"\n"


def _number(value: float | None) -> float | None:
    """Rounded to the millisecond; None for nothing or for a value JSON cannot hold."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return round(value, 3)


class _Capped:
    """Entries in order, keeping the first and the KEEP most recent, counting what it dropped."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.dropped = 0

    def append(self, item: dict) -> None:
        self.items.append(item)
        if len(self.items) > KEEP + 1:
            del self.items[1]
            self.dropped += 1


class Report:
    """What tinyinit did, collected as it happens; to_json() renders it at exit."""

    def __init__(self, command: list[str], pid1: bool, version: str, started: float) -> None:
        # Bounded at once: a 100 KB command line is not kept whole until exit.
        self.command = [_cut(word, COMMAND_CHARS) for word in command[:KEEP]]
        self.command_dropped = len(command) - len(self.command)
        self.pid1 = pid1
        self.version = version
        self.started = started
        self.ended: float | None = None
        self.exit_code: int | None = None
        self.how: str | None = None
        self.stop_signal: str | None = None
        self.runs = _Capped()
        self.restarts = _Capped()
        # pid -> entry, in the order processes were first signalled
        self._signalled: dict[int, dict] = {}
        self._signalled_dropped = 0

    # events ----------------------------------------------------------------------------------

    def run_started(self, pid: int, wall: float) -> None:
        self.runs.append(
            {"pid": pid, "started": wall, "ended": None, "status": None, "exit_code": None}
        )

    def run_ended(self, pid: int, wall: float, exit_code: int, status: str) -> None:
        """Completes the latest open run of PID (or adds one whose start was not seen)."""
        for run in reversed(self.runs.items):
            if run["pid"] == pid and run["ended"] is None:
                break
        else:
            run = {"pid": pid, "started": None}
            self.runs.append(run)
        run.update(ended=wall, status=status, exit_code=exit_code)

    def restart(self, attempt: int, reason: str, delay: float) -> None:
        self.restarts.append({"attempt": attempt, "reason": reason, "delay": delay})

    def signalled(self, pid: int, cmdline: str, signal: str) -> None:
        """PID (command line CMDLINE) was sent SIGNAL; a later call for PID updates the signal."""
        entry = self._signalled.get(pid)
        if entry is not None:
            entry["signal"] = signal
            return
        self._signalled[pid] = {
            "pid": pid,
            "cmdline": _cut(cmdline, COMMAND_CHARS),
            "signal": signal,
        }
        if len(self._signalled) > KEEP + 1:
            keys = iter(self._signalled)
            next(keys)  # the first one stays
            del self._signalled[next(keys)]
            self._signalled_dropped += 1

    def finish(self, exit_code: int, how: str, stop_signal: str | None, ended: float) -> None:
        """How tinyinit ends: HOW is one of HOWS; STOP_SIGNAL the name of the stop signal
        received from outside (SIGTERM...), if any."""
        self.exit_code = exit_code
        self.how = how
        self.stop_signal = stop_signal
        self.ended = ended

    # rendering -------------------------------------------------------------------------------

    def to_json(self, limit: int = LIMIT) -> bytes:
        """The report as UTF-8 JSON (one line and a newline), shorter than LIMIT bytes.

        Too long: each list keeps its first entry and as many of the most recent as fit (the
        list taking most room gives up entries first), `*_omitted` counting the rest; if that
        is not enough, strings are shortened further (ending in "…"). ValueError if nothing
        fits (a LIMIT of a few hundred bytes).
        """
        dropped = {
            "runs": self.runs.dropped,
            "restarts": self.restarts.dropped,
            "signalled": self._signalled_dropped,
        }
        chars = WORD_CHARS
        while chars >= 8:
            head = self._head(chars * 2)
            entries = self._entries(chars)
            sizes = {name: [len(_dump(e)) + 1 for e in items] for name, items in entries.items()}
            totals = {name: sum(values) for name, values in sizes.items()}
            cut = dict.fromkeys(entries, 1)  # a list keeps items[:1] + items[cut:]

            fixed = len(_render(head, entries, cut, dropped)) - sum(
                totals.values()
            )  # the rest, give or take a digit
            while True:
                if fixed + sum(totals.values()) < limit:
                    data = _render(head, entries, cut, dropped)
                    if len(data) < limit:
                        return data
                removable = [name for name in entries if cut[name] < len(sizes[name])]
                if not removable:
                    break
                name = max(removable, key=totals.__getitem__)
                totals[name] -= sizes[name][cut[name]]
                cut[name] += 1
            chars //= 2
        raise ValueError(f"a report cannot fit in {limit} bytes")

    def _head(self, command_chars: int) -> dict:
        """The fields before the lists; the command shortened to about COMMAND_CHARS."""
        command: list[str] = []
        used = 0
        for word in self.command:
            if used >= command_chars:
                break
            word = _cut(_text(word), max(command_chars - used, 1))
            command.append(word)
            used += len(word) + 3
        if len(command) < len(self.command) + self.command_dropped:
            command.append(ELLIPSIS)
        return {
            "tinyinit": self.version,
            "command": command,
            "pid1": self.pid1,
            "started": _number(self.started),
            "ended": _number(self.ended),
            "exit_code": self.exit_code,
            "how": self.how,
            "stop_signal": self.stop_signal,
        }

    def _entries(self, chars: int) -> dict[str, list[dict]]:
        """The lists as rendered, their strings shortened to CHARS characters."""

        def text(value: str | None) -> str | None:
            return None if value is None else _cut(_text(value), chars)

        runs = [
            {
                "pid": run["pid"],
                "started": _number(run["started"]),
                "ended": _number(run["ended"]),
                "status": text(run["status"]),
                "exit_code": run["exit_code"],
            }
            for run in self.runs.items
        ]
        restarts = [
            {"attempt": r["attempt"], "reason": text(r["reason"]), "delay": _number(r["delay"])}
            for r in self.restarts.items
        ]
        signalled = [
            {"pid": s["pid"], "cmdline": text(s["cmdline"]), "signal": text(s["signal"])}
            for s in self._signalled.values()
        ]
        return {"runs": runs, "restarts": restarts, "signalled": signalled}


# ---------------------------------------------------------------------------------------------
# the file


def _is_stream(path: str) -> bool:
    """PATH leads through /proc/*/fd (/dev/stderr, /dev/fd/1...): one of tinyinit's own
    descriptors, written by appending, never replaced or truncated (it may be a log file)."""
    for _ in range(40):
        if path.startswith(("/proc/", "/dev/fd/")):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def _target(path: str) -> str:
    """Where a symbolic link to a regular file leads (the rename replaces the file, not the
    link); PATH itself otherwise."""
    if os.path.islink(path) and os.path.isfile(path):
        return os.path.realpath(path)
    return path


def _create_temp(path: str) -> tuple[int, str]:
    """A new file beside PATH, created exclusively with mode 0644: (fd, its name)."""
    directory, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
    for attempt in range(100):
        name = os.path.join(directory, f".{base[:120]}.tinyinit-{os.getpid()}-{attempt}.tmp")
        try:
            fd = os.open(name, flags, 0o644)
        except FileExistsError:
            continue
        try:
            os.fchmod(fd, 0o644)  # whatever the umask
        except OSError:
            os.close(fd)
            _remove(name)
            raise
        return fd, name
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", directory or ".")


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def check_path(path: str) -> str | None:
    """Why write(PATH, ...) would fail, in a few words; None when it should work.

    Run at startup, before COMMAND: creates and removes a temporary file in PATH's directory
    the way write() does. A directory where no file can be created is still fine when PATH
    is an existing regular file that can be opened for writing (write() then writes in place);
    a device, a pipe, /dev/stderr need only be writable.
    """
    if not path:
        return "empty path"
    try:
        st = _stat(path)
        stream = _is_stream(path)
    except OSError as err:
        return (err.strerror or str(err)).lower()
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if stream or (st is not None and not stat.S_ISREG(st.st_mode)):
        return None if os.access(path, os.W_OK) else "not writable"
    path = _target(path)
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            return f"{directory} is not a directory"
        return f"directory {directory} does not exist"
    try:
        fd, name = _create_temp(path)
    except OSError as err:
        if st is not None and _opens_for_writing(path):
            return None
        return f"cannot create a file in {directory}: {(err.strerror or str(err)).lower()}"
    os.close(fd)
    _remove(name)
    return None


def _opens_for_writing(path: str) -> bool:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC))
    except OSError:
        return False
    return True


def write(path: str, data: bytes) -> None:
    """Put DATA at PATH atomically: a temporary file in the same directory (created with
    O_EXCL, mode 0644), written, fsync'ed, renamed over PATH, the directory fsync'ed. On any
    failure the temporary file is removed and OSError raised: nothing else is left behind.

    Written in place instead (opened without O_CREAT, truncated, written, fsync'ed: not atomic)
    when the rename cannot work:
    - PATH is a bind mount target, such as Kubernetes' terminationMessagePath (a regular file
      mounted over /dev/termination-log): rename onto it fails with EBUSY (EXDEV alike);
    - PATH is an existing regular file in a directory where no file can be created;
    - PATH is not a regular file (a device, a pipe) or leads to one of tinyinit's own
      descriptors (`/dev/stderr`, `/proc/self/fd/1`): appended, never truncated.
    """
    st = _stat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if _is_stream(path) or (st is not None and not stat.S_ISREG(st.st_mode)):
        _write_in_place(path, data, regular=False)
        return
    path = _target(path)
    try:
        fd, temp = _create_temp(path)
    except OSError:
        if st is None:
            raise
        _write_in_place(path, data, regular=True)
        return
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temp, path)
    except OSError as err:
        _remove(temp)
        if st is None or err.errno not in (errno.EBUSY, errno.EXDEV):
            raise
        _write_in_place(path, data, regular=True)
        return
    except BaseException:
        _remove(temp)
        raise
    _fsync_directory(os.path.dirname(path) or ".")


def _write_in_place(path: str, data: bytes, regular: bool) -> None:
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    # A pipe nobody reads must not block tinyinit's exit: ENXIO instead.
    fd = os.open(path, flags | (os.O_TRUNC if regular else os.O_APPEND | os.O_NONBLOCK))
    try:
        if not regular:
            os.set_blocking(fd, True)
        _write_all(fd, data)
        if regular:
            os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
