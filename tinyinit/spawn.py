"""Start the main child: fork, new session, terminal, parent-death signal, the signal
state tinyinit inherited, exec. An exec failure comes back through a close-on-exec pipe
before the parent goes on: EOF means exec succeeded, an errno means it did not."""

from __future__ import annotations

import _signal
import errno as errnos
import os

from tinyinit import log

# Python itself ignores these at startup; exec keeps an ignored signal ignored.
PYTHON_IGNORED = (_signal.SIGPIPE, _signal.SIGXFSZ)
SIGHUP, SIGCONT = _signal.SIGHUP, _signal.SIGCONT


class ExecFailed(Exception):
    def __init__(self, command: str, err: int, interpreter: bytes | None = None) -> None:
        super().__init__(command, err)
        self.command = command
        self.errno = err
        self.interpreter = interpreter  # the missing interpreter of a script that exists

    @property
    def exit_code(self) -> int:
        """127 not found, 126 found but not runnable (as shells and tini/dumb-init report;
        a script whose interpreter is missing is found: 126, as bash says); 125 when no
        process could be made for it (fork: EAGAIN, ENOMEM), tinyinit's own failure."""
        if self.errno in START_ERRORS:
            return 125
        if self.interpreter is None and self.errno in (errnos.ENOENT, errnos.ENOTDIR):
            return 127
        return 126

    def __str__(self) -> str:
        reason = os.strerror(self.errno) if self.errno else "could not set up the child"
        if self.errno in START_ERRORS:
            return f"cannot start {self.command!r}: {reason}"
        if self.interpreter is not None:
            shown = os.fsdecode(self.interpreter)
            return f"cannot run {self.command!r}: bad interpreter {shown!r}: {reason}"
        return f"cannot run {self.command!r}: {reason}"


# No process could be made: a resource limit (RLIMIT_NPROC, pids cgroup) or memory.
START_ERRORS = frozenset({errnos.EAGAIN, errnos.ENOMEM})


SESSION, GROUP = "session", "group"  # how the child is set apart from tinyinit


def plan_isolation() -> tuple[str, bool]:
    """How to set the child apart, and whether it is to take stdin's terminal.

    - No terminal: a new session.
    - tinyinit leads the session the terminal belongs to (PID 1 of `docker run -it`): it
      gives the terminal up (TIOCNOTTY) so the child, in a new session, can take it. The
      kernel then sends SIGHUP and SIGCONT to the foreground group, tinyinit's: they are
      blocked, so they are pending now, and are consumed here, not forwarded.
    - The terminal belongs to a session tinyinit does not lead (typed in a shell, or under
      `docker run --init -it`): it cannot be taken from that session without
      CAP_SYS_ADMIN, so the child gets a new process group in the same session, made the
      terminal's foreground group when tinyinit's is.
    """
    if not os.isatty(0):
        return SESSION, False
    try:
        foreground = os.tcgetpgrp(0)
    except OSError:  # not tinyinit's controlling terminal: a new session may take it
        return SESSION, True
    if os.getsid(0) != os.getpid():
        return GROUP, foreground == os.getpgrp()
    import fcntl
    import termios

    try:
        fcntl.ioctl(0, termios.TIOCNOTTY)
    except OSError as err:
        log.debug(f"cannot release the terminal: {err.strerror}")
        return SESSION, False
    for sig in (SIGHUP, SIGCONT):
        while _signal.sigtimedwait({sig}, 0) is not None:
            name = "SIGHUP" if sig == SIGHUP else "SIGCONT"
            log.debug(f"dropped the {name} sent by releasing the terminal")
    return SESSION, True


def given_environment() -> list[bytes] | None:
    """The environment exactly as tinyinit was given it, entry by entry, or None when /proc
    cannot say. os.environ is not that: the interpreter adds LC_CTYPE when it coerces a C
    locale (PEP 538), and drops entries with an empty name, without `=`, and duplicates."""
    try:
        with open("/proc/self/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    return raw.split(b"\0")[:-1]


def _as_mapping(entries: list[bytes]) -> dict[bytes, bytes] | None:
    """ENTRIES as the mapping os.posix_spawn/os.execve take, or None when a mapping cannot
    say it (their NAME must be non-empty with no `=` after its first byte; one per name)."""
    env: dict[bytes, bytes] = {}
    for entry in entries:
        cut = entry.find(b"=", 1)
        if cut < 0 or entry[:cut] in env:
            return None
        env[entry[:cut]] = entry[cut + 1 :]
    return env


class _Environment:
    """What the child's exec gets: a mapping, or the raw entries (through libc's execve,
    when a mapping cannot hold them)."""

    def __init__(self) -> None:
        entries = given_environment()
        self.raw: list[bytes] | None = None
        if entries is None:  # no /proc: the interpreter's copy is the best there is
            log.debug(
                "/proc/self/environ unreadable: COMMAND gets the environment as Python sees it"
            )
            self.mapping: dict[bytes, bytes] = dict(os.environb)
            return
        mapping = _as_mapping(entries)
        if mapping is None:
            self.raw = entries
            mapping = {}
        self.mapping = mapping

    def listen_pid(self, parent: int) -> bool:
        """Whether LISTEN_PID names tinyinit (systemd socket activation): the child gets its
        own pid there instead."""
        mark = b"LISTEN_PID=" + str(parent).encode()
        if self.raw is not None:
            return mark in self.raw
        return self.mapping.get(b"LISTEN_PID") == mark[11:]

    def set_listen_pid(self, pid: int) -> None:
        value = str(pid).encode()
        if self.raw is not None:
            self.raw = [
                b"LISTEN_PID=" + value if e.startswith(b"LISTEN_PID=") else e for e in self.raw
            ]
        else:
            self.mapping[b"LISTEN_PID"] = value


def spawn(
    argv: list[bytes],
    *,
    isolate: str | None,
    terminal: bool,
    pdeathsig: int | None,
    inherited_mask: set[int],
    inherited_sigchld: object,
    cwd: bytes | None = None,
    output: int | None = None,
) -> int:
    """Start argv with the environment tinyinit was given; the child's pid, or ExecFailed
    (or OSError when no process could be made).

    `cwd`: the directory to run in (restarts and checks run where COMMAND first ran, not
    in tinyinit's own `/`). `output`: a descriptor for the child's stdout and stderr, with
    stdin from /dev/null (health checks: their output is tinyinit's to read, never the
    container's log).

    When the child needs nothing between fork and exec that posix_spawn cannot do (no
    terminal to take, no parent-death signal, no LISTEN_PID to rewrite, SIGCHLD not
    ignored, an environment a mapping can hold), posix_spawnp does it all: several times
    faster than forking the interpreter, and glibc reports an exec failure as its return
    value. Otherwise fork, set up, exec."""
    parent = os.getpid()
    env = _Environment()
    listen_pid = env.listen_pid(parent)
    if (
        not terminal
        and cwd is None
        and output is None
        and not pdeathsig
        and inherited_sigchld == _signal.SIG_DFL
        and not listen_pid
        and env.raw is None
    ):
        return _posix_spawn(argv, isolate, inherited_mask, env.mapping)
    if pdeathsig:
        from tinyinit import prctl_calls

        prctl_calls.load()  # in the parent: the child must not spend time importing
    else:
        prctl_calls = None
    execv = _execv_for(env)
    read_end, write_end = os.pipe()  # both close-on-exec, like every fd Python opens
    pid = os.fork()
    if pid == 0:  # child: report any failure through the pipe, never return
        code = 0
        try:
            if isolate == SESSION:
                os.setsid()
                if terminal:
                    _take_terminal()
            elif isolate == GROUP:
                os.setpgid(0, 0)
                if terminal:
                    _take_foreground()
            if prctl_calls is not None and pdeathsig:
                prctl_calls.set_pdeathsig(pdeathsig)
                if os.getppid() != parent:  # tinyinit died before the call took effect
                    os.kill(os.getpid(), pdeathsig)
            if cwd is not None:
                os.chdir(cwd)
            if output is not None:
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(output, 1)
                os.dup2(output, 2)
            if listen_pid:
                env.set_listen_pid(os.getpid())
                execv = _execv_for(env)
            _restore_signals(inherited_mask, inherited_sigchld)
            _execvp(argv, execv)
        except OSError as err:
            code = err.errno or 0
        except BaseException:
            code = 0
        try:
            os.write(write_end, str(code).encode())
        finally:
            os._exit(127)
    os.close(write_end)
    report = b""
    try:
        while True:
            if terminal and not _exec_news(read_end, pid):
                break  # stopped before its exec: the loop follows it from here
            chunk = os.read(read_end, 32)
            if not chunk:
                break
            report += chunk
    finally:
        os.close(read_end)
    if report:
        os.waitpid(pid, 0)
        raise _failure(argv[0], int(report))
    return pid


def _exec_news(read_end: int, pid: int) -> bool:
    """Wait until the exec-failure pipe has news; False when the child stopped first. With a
    terminal, a Ctrl-Z in the moment between the child taking the terminal and its exec stops
    it there (its mask, restored last, lets the pending SIGTSTP in): reading on would wait
    for an exec that only comes once it is continued. A later exec failure then shows as its
    exit status (127, or SIGPIPE's 141: the pipe is closed by then)."""
    import select

    while True:
        readable, _, _ = select.select([read_end], [], [], 0.05)
        if readable:
            return True
        try:
            stopped = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        if stopped is not None:
            return False


def _failure(name: bytes, err: int) -> ExecFailed:
    """ExecFailed for NAME; an ENOENT for a file that exists is its #! interpreter's."""
    interpreter = _missing_interpreter(name) if err == errnos.ENOENT else None
    return ExecFailed(os.fsdecode(name), err, interpreter)


def _missing_interpreter(name: bytes) -> bytes | None:
    """The #! interpreter of the script NAME would run, when that script exists."""
    if b"/" in name:
        candidates = [name]
    else:
        path = os.environb.get(b"PATH", DEFAULT_PATH)
        candidates = [os.path.join(folder or b".", name) for folder in path.split(b":")]
    for candidate in candidates:
        try:
            with open(candidate, "rb") as f:
                first = f.readline(256)
        except OSError:
            continue
        if first.startswith(b"#!"):
            words = first[2:].split()
            return words[0] if words else b""
        return None
    return None


def _posix_spawn(
    argv: list[bytes], isolate: str | None, mask: set[int], env: dict[bytes, bytes]
) -> int:
    try:
        if isolate == GROUP:
            return os.posix_spawnp(
                argv[0], argv, env, setpgroup=0, setsigmask=mask, setsigdef=PYTHON_IGNORED
            )
        return os.posix_spawnp(
            argv[0],
            argv,
            env,
            setsid=isolate == SESSION,
            setsigmask=mask,
            setsigdef=PYTHON_IGNORED,
        )
    except OSError as err:
        if err.errno in START_ERRORS:
            raise  # no process: tinyinit's own failure, not the command's
        raise _failure(argv[0], err.errno or 0) from None


DEFAULT_PATH = b"/usr/local/bin:/usr/bin:/bin"


def _execv_for(env: _Environment):  # type: ignore[no-untyped-def]
    """execv(path, argv) with ENV: os.execve with the mapping, or libc's execve with the raw
    entries (ctypes, loaded only for an environment a mapping cannot hold; without it the
    entries a mapping cannot hold are left out, said in one line)."""
    if env.raw is None:
        mapping = env.mapping
        return lambda path, argv: os.execve(path, argv, mapping)
    try:
        import ctypes
    except ImportError:
        kept = _keep_representable(env.raw)
        log.warn(
            "environment entries with an empty name, without '=' or repeated are not passed on"
        )
        return lambda path, argv: os.execve(path, argv, kept)
    libc = ctypes.CDLL(None, use_errno=True)
    envp = (ctypes.c_char_p * (len(env.raw) + 1))(*env.raw, None)

    def execv(path: bytes, argv: list[bytes]) -> None:
        args = (ctypes.c_char_p * (len(argv) + 1))(*argv, None)
        libc.execve(path, args, envp)
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))

    return execv


def _keep_representable(entries: list[bytes]) -> dict[bytes, bytes]:
    env: dict[bytes, bytes] = {}
    for entry in entries:
        cut = entry.find(b"=", 1)
        if cut > 0:
            env.setdefault(entry[:cut], entry[cut + 1 :])
    return env


def _execvp(argv: list[bytes], execv) -> None:  # type: ignore[no-untyped-def]
    """execvp(3)'s PATH search (os.execvp would import `warnings` first): a name with a
    slash runs as is; otherwise each PATH entry in turn, and when every attempt fails the
    most telling error is raised (a permission problem over a miss), as execvp does."""
    name = argv[0]
    if b"/" in name:
        execv(name, argv)
    path = os.environb.get(b"PATH", DEFAULT_PATH)
    telling: OSError | None = None
    last: OSError | None = None
    for folder in path.split(b":"):
        try:
            execv(os.path.join(folder or b".", name), argv)
        except (FileNotFoundError, NotADirectoryError) as err:
            last = err
        except OSError as err:
            last = err
            telling = telling or err
    raise telling or last or FileNotFoundError(errnos.ENOENT, "not found")


def _take_foreground() -> None:
    try:  # SIGTTOU is still blocked here, so this cannot stop the child
        os.tcsetpgrp(0, os.getpgrp())
    except OSError:
        pass  # the terminal went away meanwhile: run in the background of it


def _take_terminal() -> None:
    import fcntl
    import termios

    try:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    except OSError:
        pass  # still someone else's controlling terminal: run without one, as dumb-init


def _restore_signals(mask: set[int], sigchld: object) -> None:
    """Dispositions and mask as tinyinit found them (exec resets caught signals to default
    but keeps ignored ones ignored, and keeps the mask)."""
    for sig in PYTHON_IGNORED:
        _signal.signal(sig, _signal.SIG_DFL)
    handler = _signal.getsignal(_signal.SIGINT)
    if callable(handler):  # Python's KeyboardInterrupt handler: must not run in the child
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    _signal.signal(_signal.SIGCHLD, sigchld)  # type: ignore[arg-type]
    _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
