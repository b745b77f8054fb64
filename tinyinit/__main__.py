"""tinyinit's entry point: wires the parts together in the order they run.

block signals → parse options → subreaper / parent-death → spawn → loop → exit code
"""

from __future__ import annotations

import _signal

if __name__ == "__main__":  # `python -m tinyinit`: block before loading anything more
    _INHERITED_MASK = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())

import os
import sys
import time

# rescue is loaded now, before any child exists: at the moment it has to stop everything,
# an import (or the memory for one) may be what is failing.
from tinyinit import cli, log, rescue, spawn

EXIT_USAGE = 125


def main(inherited_mask=None, argv=None) -> int:  # type: ignore[no-untyped-def]
    """Run tinyinit; returns its exit code. `inherited_mask` is the signal mask from before
    tinyinit blocked everything (None: block now)."""
    if inherited_mask is None:
        inherited_mask = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())
    try:
        return _main(inherited_mask, argv)
    except Exception as err:  # a bug, before any child runs (after, rescue takes over)
        log.usage_error(f"internal error: {type(err).__name__}: {err}")
        return EXIT_USAGE


def _main(inherited_mask: set[int], argv: list[str] | None) -> int:
    try:
        cfg = cli.parse(sys.argv[1:] if argv is None else argv, os.environ)
    except cli.UsageError as err:
        log.usage_error(str(err))
        return EXIT_USAGE
    if cfg.info is not None:
        return _print_info(cfg.info)
    log.level = cfg.verbosity
    log.debug(f"grace {cfg.grace:g}s ({cfg.grace_source})")
    # Every signal stays blocked and is taken by the loop, fault signals too: one sent with
    # kill() is forwarded like any other, while a real fault in tinyinit is still fatal
    # (the kernel unblocks and resets a fault signal it raises itself).
    wait_set = _signal.valid_signals() - {_signal.SIGKILL, _signal.SIGSTOP}

    report = None
    if cfg.report is not None:
        from tinyinit import report as reports

        cfg.report = os.path.abspath(cfg.report)  # before tinyinit leaves its directory
        problem = reports.check_path(cfg.report)
        if problem is not None:
            log.usage_error(f"--report {cfg.report}: {problem}")
            return EXIT_USAGE
        report = reports.Report(cfg.command, os.getpid() == 1, _version(), time.time())

    pid1 = os.getpid() == 1
    if not _setup_self(cfg, pid1):
        return EXIT_USAGE
    # SIGCHLD ignored would make the kernel reap children behind waitpid's back.
    inherited_sigchld = _signal.getsignal(_signal.SIGCHLD)
    if inherited_sigchld != _signal.SIG_DFL:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)

    isolate, terminal = (None, False) if cfg.single_child else spawn.plan_isolation()
    argv_bytes = [os.fsencode(word) for word in cfg.command]
    try:
        cwd: bytes | None = os.getcwdb()
    except OSError:  # removed: later runs and checks start in `/`
        cwd = None
    common = {
        "pdeathsig": None if pid1 else cfg.pdeathsig,
        "inherited_mask": inherited_mask,
        "inherited_sigchld": inherited_sigchld,
    }
    try:
        child = spawn.spawn(argv_bytes, isolate=isolate, terminal=terminal, **common)
    except spawn.ExecFailed as err:
        log.usage_error(str(err))
        _write_report(report, cfg, err.exit_code, "exec_failure", None)
        return err.exit_code
    except OSError as err:
        log.usage_error(f"cannot start {cfg.command[0]!r}: {err.strerror}")
        return EXIT_USAGE
    if report is not None:
        report.run_started(child, time.time())
    log.debug(
        f"started {cfg.command[0]!r} as pid {child}" + (f" in its own {isolate}" if isolate else "")
    )
    try:  # so that the directory tinyinit was started in can be unmounted or removed
        os.chdir("/")
    except OSError as err:
        log.debug(f"cannot leave the working directory: {err.strerror}")

    from tinyinit import loop
    from tinyinit.policy import Policy, Supervision

    def start_run() -> int:
        return spawn.spawn(argv_bytes, isolate=isolate, terminal=terminal, cwd=cwd, **common)

    supervision = Supervision(
        restart=cfg.restart,
        max_restarts=cfg.max_restarts,
        backoff=cfg.backoff,
        reset_after=cfg.reset_after,
        checks=cfg.health is not None,
        interval=cfg.health_interval,
        check_timeout=cfg.health_timeout,
        retries=cfg.health_retries,
        start_period=cfg.health_start_period,
        limit=cfg.timeout,
    )
    policy = Policy(
        cfg.grace,
        cfg.rewrites,
        cfg.zero_codes,
        mode=cfg.forward,
        supervision=supervision,
        now=time.monotonic(),
        jitter=_jitter,
    )
    sup = loop.Supervisor(
        child,
        mode=cfg.forward,
        pid1=pid1,
        warn_on_reap=cfg.warn_on_reap,
        start_run=start_run,
        start_check=_check_starter(cfg, cwd, common),
        report=report,
        command=cfg.command[0],
        job_control=isolate == spawn.GROUP and terminal and not pid1,
    )
    try:
        code = loop.run(sup, policy, wait_set)
    except Exception as err:  # keep the children from being abandoned
        code = rescue.stop_everything(sup.child, pid1, cfg.grace, err)
        _write_report(report, cfg, code, "internal_error", policy.stop_signal)
        return code
    _write_report(report, cfg, code, policy.how or "exit", policy.stop_signal)
    return code


def _print_info(text: str) -> int:
    """--help, --version or -l on stdout; a failed write is one line and EXIT_USAGE, but
    for a reader that went away (`tinyinit -h | head -1`): 0 and silent, whether or not it
    left before the write (a race the exit code must not show)."""
    data = text.encode()
    try:
        while data:
            data = data[os.write(1, data) :]
    except BrokenPipeError:
        _signal.sigtimedwait({_signal.SIGPIPE}, 0)  # the one the write raised
    except OSError as err:
        what = (
            "help"
            if text is cli.USAGE
            else "version"
            if text.startswith("tinyinit ")
            else "license"
        )
        log.usage_error(f"cannot write the {what} to stdout: {err.strerror}")
        return EXIT_USAGE
    return 0


def _jitter() -> float:
    """A fraction in [0, 1) from the kernel's random source (no `random` import)."""
    return int.from_bytes(os.urandom(2), "little") / 65536


def _check_starter(cfg: cli.Config, cwd: bytes | None, common: dict):  # type: ignore[no-untyped-def,type-arg]
    """The function that starts one health check, or None without checks. A check runs in
    a session of its own (so that a hanging one is killed whole), its output in a pipe."""
    if cfg.health is None:
        return None
    kind, target = cfg.health
    if kind == "cmd":
        argv = [b"/bin/sh", b"-c", os.fsencode(target)]
    else:
        # The probe's own timeout ends first, so that a failure says why in its own words;
        # `-c` rather than `-m`, whose runpy costs 7 ms a check.
        timeout = max(cfg.health_timeout - 0.5, cfg.health_timeout * 0.8)
        flags = ["-E"] if sys.flags.ignore_environment else []
        run = "import sys; from tinyinit.probe import main; sys.exit(main())"
        words = [sys.executable, *flags, "-c", run, kind, target]
        argv = [os.fsencode(w) for w in [*words, "--timeout", f"{timeout:.3f}"]]

    def start_check() -> tuple[int, int]:
        read_end, write_end = os.pipe()
        try:
            pid = spawn.spawn(
                argv, isolate=spawn.SESSION, terminal=False, cwd=cwd, output=write_end, **common
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        os.set_blocking(read_end, False)
        return pid, read_end

    return start_check


def _write_report(report, cfg: cli.Config, code: int, how: str, stop: int | None) -> None:  # type: ignore[no-untyped-def]
    if report is None or cfg.report is None:
        return
    from tinyinit import report as reports
    from tinyinit import sigs

    report.finish(code, how, sigs.name(stop) if stop else None, time.time())
    try:
        reports.write(cfg.report, report.to_json())
    except OSError as err:
        log.error(f"cannot write the report {cfg.report}: {err.strerror}")


def _version() -> str:
    from tinyinit import __version__

    return __version__


def _setup_self(cfg: cli.Config, pid1: bool) -> bool:
    """Parent-death signal for tinyinit itself (tini -p) and the subreaper role."""
    if cfg.own_pdeathsig is None and (pid1 or cfg.subreaper is False):
        return True
    from tinyinit import prctl_calls

    if cfg.own_pdeathsig is not None:
        parent = os.getppid()
        try:
            prctl_calls.set_pdeathsig(cfg.own_pdeathsig)
        except OSError as err:
            log.usage_error(f"cannot set parent-death signal: {err.strerror}")
            return False
        if os.getppid() != parent:
            os.kill(os.getpid(), cfg.own_pdeathsig)
    if not pid1 and cfg.subreaper is not False:
        try:
            prctl_calls.set_child_subreaper()
        except OSError as err:
            log.warn(
                f"cannot become child subreaper: {err.strerror}; orphans will be "
                "reaped by the real init, not drained"
            )
    return True


if __name__ == "__main__":
    raise SystemExit(main(_INHERITED_MASK))
