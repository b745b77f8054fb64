"""tinyinit's entry point: wires the parts together in the order they run.

block signals → parse options → subreaper / parent-death → spawn → loop → exit code
"""

import _signal

if __name__ == "__main__":  # `python -m tinyinit`: block before loading anything more
    _INHERITED_MASK = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())

import os
import sys

from tinyinit import cli, log, spawn

# Faults the kernel raises synchronously: blocking them would not help, leave them alone.
SYNCHRONOUS = {
    _signal.SIGSEGV,
    _signal.SIGBUS,
    _signal.SIGFPE,
    _signal.SIGILL,
    _signal.SIGTRAP,
    _signal.SIGSYS,
}
EXIT_USAGE = 125


def main(inherited_mask=None, argv=None) -> int:  # type: ignore[no-untyped-def]
    """Run tinyinit; returns its exit code. `inherited_mask` is the signal mask from before
    tinyinit blocked everything (None: block now)."""
    if inherited_mask is None:
        inherited_mask = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())
    try:
        cfg = cli.parse(sys.argv[1:] if argv is None else argv, os.environ)
    except cli.UsageError as err:
        log.usage_error(str(err))
        return EXIT_USAGE
    if cfg.info is not None:
        sys.stdout.write(cfg.info)
        return 0
    log.level = cfg.verbosity
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, SYNCHRONOUS)
    wait_set = _signal.valid_signals() - SYNCHRONOUS - {_signal.SIGKILL, _signal.SIGSTOP}

    pid1 = os.getpid() == 1
    if not _setup_self(cfg, pid1):
        return EXIT_USAGE
    # SIGCHLD ignored would make the kernel reap children behind waitpid's back.
    inherited_sigchld = _signal.getsignal(_signal.SIGCHLD)
    if inherited_sigchld != _signal.SIG_DFL:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)

    new_session = not cfg.single_child
    terminal = spawn.release_terminal() if new_session else False
    argv_bytes = [os.fsencode(word) for word in cfg.command]
    try:
        child = spawn.spawn(
            argv_bytes,
            new_session=new_session,
            terminal=terminal,
            pdeathsig=None if pid1 else cfg.pdeathsig,
            inherited_mask=inherited_mask,
            inherited_sigchld=inherited_sigchld,
        )
    except spawn.ExecFailed as err:
        log.usage_error(str(err))
        return err.exit_code
    except OSError as err:
        log.usage_error(f"cannot start {cfg.command[0]!r}: {err.strerror}")
        return EXIT_USAGE
    log.debug(
        f"started {cfg.command[0]!r} as pid {child}"
        + (" in its own session" if new_session else "")
    )

    from tinyinit import loop
    from tinyinit.policy import Policy

    policy = Policy(cfg.grace, cfg.rewrites, cfg.zero_codes, group=new_session)
    sup = loop.Supervisor(child, group=new_session, pid1=pid1, warn_on_reap=cfg.warn_on_reap)
    try:
        return loop.run(sup, policy, wait_set)
    except Exception as err:  # keep the children from being abandoned
        from tinyinit import rescue

        return rescue.stop_everything(sup, cfg.grace, err)


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
