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
    def __init__(self, command: str, err: int) -> None:
        super().__init__(command, err)
        self.command = command
        self.errno = err

    @property
    def exit_code(self) -> int:
        """127 not found, 126 found but not runnable (as shells and tini/dumb-init report)."""
        return 127 if self.errno in (errnos.ENOENT, errnos.ENOTDIR) else 126

    def __str__(self) -> str:
        reason = os.strerror(self.errno) if self.errno else "could not set up the child"
        return f"cannot run {self.command!r}: {reason}"


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
    """Start argv; the child's pid, or ExecFailed.

    `cwd`: the directory to run in (restarts and checks run where COMMAND first ran, not
    in tinyinit's own `/`). `output`: a descriptor for the child's stdout and stderr, with
    stdin from /dev/null (health checks: their output is tinyinit's to read, never the
    container's log).

    When the child needs nothing between fork and exec that posix_spawn cannot do (no
    terminal to take, no parent-death signal, no LISTEN_PID to rewrite, SIGCHLD not
    ignored), posix_spawnp does it all: several times faster than forking the interpreter,
    and glibc reports an exec failure as its return value. Otherwise fork, set up, exec."""
    parent = os.getpid()
    if (
        not terminal
        and cwd is None
        and output is None
        and not pdeathsig
        and inherited_sigchld == _signal.SIG_DFL
        and os.environ.get("LISTEN_PID") != str(parent)
    ):
        return _posix_spawn(argv, isolate, inherited_mask)
    if pdeathsig:
        from tinyinit import prctl_calls

        prctl_calls.load()  # in the parent: the child must not spend time importing
    else:
        prctl_calls = None
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
            if os.environ.get("LISTEN_PID") == str(parent):
                os.environ["LISTEN_PID"] = str(os.getpid())
            _restore_signals(inherited_mask, inherited_sigchld)
            _execvp(argv)
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
            chunk = os.read(read_end, 32)
            if not chunk:
                break
            report += chunk
    finally:
        os.close(read_end)
    if report:
        os.waitpid(pid, 0)
        raise ExecFailed(os.fsdecode(argv[0]), int(report))
    return pid


def _posix_spawn(argv: list[bytes], isolate: str | None, mask: set[int]) -> int:
    try:
        if isolate == GROUP:
            return os.posix_spawnp(
                argv[0], argv, os.environ, setpgroup=0, setsigmask=mask, setsigdef=PYTHON_IGNORED
            )
        return os.posix_spawnp(
            argv[0],
            argv,
            os.environ,
            setsid=isolate == SESSION,
            setsigmask=mask,
            setsigdef=PYTHON_IGNORED,
        )
    except OSError as err:
        raise ExecFailed(os.fsdecode(argv[0]), err.errno or 0) from None


def _execvp(argv: list[bytes]) -> None:
    """execvp(3)'s PATH search (os.execvp would import `warnings` first): a name with a
    slash runs as is; otherwise each PATH entry in turn, and when every attempt fails the
    most telling error is raised (a permission problem over a miss), as execvp does."""
    name = argv[0]
    if b"/" in name:
        os.execv(name, argv)
    path = os.environb.get(b"PATH", b"/usr/local/bin:/usr/bin:/bin")
    telling: OSError | None = None
    last: OSError | None = None
    for folder in path.split(b":"):
        try:
            os.execv(os.path.join(folder or b".", name), argv)
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
