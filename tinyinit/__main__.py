"""tinyinit's entry point: wires the parts together in the order they run.

block signals → parse options → subreaper / parent-death → spawn → loop → exit code
"""

from __future__ import annotations

import _signal

if __name__ == "__main__":  # `python -m tinyinit`: block before loading anything more
    _INHERITED_MASK = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())

import os
import sys

from tinyinit import cli, log, spawn

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
        sys.stdout.write(cfg.info)
        return 0
    log.level = cfg.verbosity
    # Every signal stays blocked and is taken by the loop, fault signals too: one sent with
    # kill() is forwarded like any other, while a real fault in tinyinit is still fatal
    # (the kernel unblocks and resets a fault signal it raises itself).
    wait_set = _signal.valid_signals() - {_signal.SIGKILL, _signal.SIGSTOP}

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
        child = spawn.spawn(
            argv_bytes,
            isolate=isolate,
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
        f"started {cfg.command[0]!r} as pid {child}" + (f" in its own {isolate}" if isolate else "")
    )

    from tinyinit import loop
    from tinyinit.policy import Policy

    group = isolate is not None  # the child leads a process group of its own
    policy = Policy(cfg.grace, cfg.rewrites, cfg.zero_codes, group=group)
    sup = loop.Supervisor(child, group=group, pid1=pid1, warn_on_reap=cfg.warn_on_reap)
    try:
        return loop.run(sup, policy, wait_set)
    except Exception as err:  # keep the children from being abandoned
        from tinyinit import rescue

        return rescue.stop_everything(child, pid1, cfg.grace, err)


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
