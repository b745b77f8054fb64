"""tinyinit side by side with tini, dumb-init and catatonit, each a real PID 1, in one run.

Run by bench/run.sh (`make bench`), which prepares the machine and the venv. Prints the table,
writes OUT/results.json and OUT/results.png, and with --publish copies the chart to
bench/results.png and the table to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import measure
import report
from measure import BenchError, Init

HERE = Path(__file__).resolve().parent
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
PEERS = {"tini": ("--",), "dumb-init": (), "catatonit": ("--",)}
PHASES = ("startup", "idle", "signals", "forwarding", "reaping", "shutdown")
# The forwarding phase: the cost of one forwarded signal in each of tinyinit's delivery modes,
# next to the peers' two modes (the child only, and the group).
FORWARD_PEERS = {"tini": ("--",), "tini -g": ("-g", "--"), "dumb-init": ()}
FORWARD_MODES = ("auto", "group", "child")
# Inits that give a signal to the main child only cannot reach a shell's foreground child.
CHILD_ONLY = ("tini", "tinyinit child")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--venv", required=True, type=Path, help="venv with tinyinit installed")
    p.add_argument("--out", type=Path, default=HERE / "out", help="output folder")
    p.add_argument(
        "--inits",
        default="tini,dumb-init,catatonit,tinyinit",
        help="comma-separated inits to measure (default: all four)",
    )
    p.add_argument("--only", default=",".join(PHASES), help="comma-separated phases to run")
    p.add_argument("--startup-reps", type=int, default=61)
    p.add_argument("--idle-seconds", type=float, default=10)
    p.add_argument("--pings", type=int, default=480, help="signals per init")
    p.add_argument("--ping-blocks", type=int, default=8, help="fresh inits for each block")
    p.add_argument(
        "--forward-pings", type=int, default=240, help="signals per init and case (forwarding)"
    )
    p.add_argument("--orphans", default="1000,3000,10000", help="comma-separated storm sizes")
    p.add_argument(
        "--reap-reps", default="15,9,5", help="storms of each size (comma-separated, as --orphans)"
    )
    p.add_argument("--grace", type=float, default=2, help="tinyinit's grace in the docker part")
    p.add_argument("--docker", choices=("auto", "yes", "no"), default="auto")
    p.add_argument("--seed", type=int, default=None, help="seed of the interleaving order")
    p.add_argument(
        "--publish", action="store_true", help="also write bench/results.png and RESULTS.md"
    )
    return p.parse_args(argv)


def version(argv: list[str]) -> str:
    """The first version number a program prints for `argv` ("?" when none)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    found = re.search(r"\d+(\.\d+)+", done.stdout + done.stderr)
    return found.group() if found else "?"


def find_inits(names: list[str], venv: Path) -> list[Init]:
    inits = []
    for name in names:
        if name == "tinyinit":
            script = venv / "bin" / "tinyinit"
            if not script.exists():
                raise BenchError(f"{script} does not exist (is tinyinit installed in the venv?)")
            inits.append(Init(name, (str(script), "--")))
        elif name in PEERS:
            path = shutil.which(name, path=ENV["PATH"])
            if path is None:
                raise BenchError(f"{name} is not installed (apt-get install {name})")
            inits.append(Init(name, (path, *PEERS[name])))
        else:
            raise BenchError(f"unknown init {name!r}")
    return inits


def forward_inits(venv: Path) -> list[Init]:
    """The peers in both their modes and tinyinit in each of its delivery modes."""
    inits = []
    for name, args in FORWARD_PEERS.items():
        program = name.split()[0]
        path = shutil.which(program, path=ENV["PATH"])
        if path is None:
            raise BenchError(f"{program} is not installed (apt-get install {program})")
        inits.append(Init(name, (path, *args)))
    script = str(venv / "bin" / "tinyinit")
    for mode in FORWARD_MODES:
        inits.append(Init(f"tinyinit {mode}", (script, "--forward", mode, "--")))
    return inits


def compile_helpers(out: Path) -> dict[str, Path]:
    """Builds the helper programs, statically linked where libc.a allows (quicker fork and exit)."""
    built = {}
    for name in ("receiver", "orphans"):
        exe = out / name
        cc = ["gcc", "-O2", "-Wall", "-o", str(exe), str(HERE / "helpers" / f"{name}.c")]
        static = subprocess.run([*cc, "-static"], capture_output=True, text=True)
        if static.returncode != 0:
            done = subprocess.run(cc, capture_output=True, text=True)
            if done.returncode != 0:
                raise BenchError(f"cannot compile {name}.c: {done.stderr.strip()}")
        built[name] = exe
    return built


def meta(inits: list[Init], python: Path) -> dict[str, Any]:
    versions = {init.name: version([init.argv[0], "--version"]) for init in inits}
    versions["python"] = version([str(python), "--version"])
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"Linux {platform.release()}, {os.cpu_count()} CPUs ({cpu})",
        "versions": versions,
    }


def step(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    venv = args.venv.resolve()
    python = venv / "bin" / "python"
    out = args.out.resolve()
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    inits = find_inits([n for n in args.inits.split(",") if n], venv)
    phases = set(args.only.split(","))
    rng = random.Random(args.seed)
    helpers = compile_helpers(out)
    raw: dict[str, Any] = {"meta": meta(inits, python), "inits": [i.name for i in inits]}

    if "startup" in phases:
        step(f"startup: `INIT -- true`, {args.startup_reps} runs each, interleaved")
        commands = {
            "floor": [*measure.UNSHARE, "true"],
            "python": [*measure.UNSHARE, str(python), "-c", "pass"],
            **{i.name: i.command("true") for i in inits},
        }
        times = measure.startup(commands, ENV, args.startup_reps, rng)
        raw["startup"] = {"reps": args.startup_reps, "times": times}

    if "idle" in phases:
        step(f"memory and wakeups: every init idling {args.idle_seconds:g} s with a sleeping child")
        commands = {
            "python": [*measure.UNSHARE, str(python), "-c", "import time; time.sleep(1000)"],
            **{i.name: i.command("sleep", "1000") for i in inits},
        }
        figures = measure.idle(commands, {"python"}, ENV, work, args.idle_seconds)
        raw["idle"] = {
            "seconds": args.idle_seconds,
            "figures": {
                n: {"memory_kb": f.memory_kb, "wakeups": f.wakeups} for n, f in figures.items()
            },
        }

    if "signals" in phases:
        per_block = max(1, args.pings // args.ping_blocks)
        pings = per_block * args.ping_blocks
        step(f"signal forwarding: {pings} SIGUSR1 ping-pongs per init, {args.ping_blocks} blocks")
        lat, cpu = measure.signal_latency(
            inits, helpers["receiver"], ENV, work, args.ping_blocks, per_block, rng
        )
        raw["signals"] = {"count": pings, "latencies_us": lat, "cpu_us_per_signal": cpu}

    if "forwarding" in phases:
        finits = forward_inits(venv)
        blocks = max(1, args.ping_blocks // 2)
        per_block = max(1, args.forward_pings // blocks)
        raw["forwarding"] = {"count": per_block * blocks, "inits": [i.name for i in finits]}
        for case, shell in (("plain", False), ("shell", True)):
            who = [i for i in finits if not (shell and i.name in CHILD_ONLY)]
            step(
                f"forwarding ({case} child): {per_block * blocks} SIGUSR1 ping-pongs per init, "
                f"{', '.join(i.name for i in who)}"
            )
            lost: dict[str, int] = {i.name: 0 for i in who}
            lat, cpu = measure.signal_latency(
                who, helpers["receiver"], ENV, work, blocks, per_block, rng, shell=shell, lost=lost
            )
            raw["forwarding"][case] = {
                "latencies_us": lat,
                "cpu_us_per_signal": cpu,
                "lost": lost,
            }

    if "reaping" in phases:
        counts = [int(n) for n in args.orphans.split(",")]
        reps = dict(zip(counts, (int(r) for r in args.reap_reps.split(","))))
        if len(reps) != len(counts):
            raise BenchError("--reap-reps needs one count per --orphans size")
        step(f"reaping: orphan storms, {reps} (size: storms per init)")
        samples = measure.reaping(inits, helpers["orphans"], ENV, work, reps, rng)
        raw["reaping"] = {
            "counts": counts,
            "reps": list(reps.values()),
            "samples": {
                name: {str(n): [vars(s) for s in per_n[n]] for n in counts}
                for name, per_n in samples.items()
            },
        }

    if "shutdown" in phases and args.docker != "no":
        import shutdown

        step("shutdown: docker stop (building the Docker suite's image first if needed)")
        raw["shutdown"] = shutdown.measure(
            [i.name for i in inits], args.grace, work, required=args.docker == "yes"
        )
    return raw


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        raw = run(args)
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 1
    summary = report.summarize(raw)
    summary["meta"]["seconds"] = round(time.monotonic() - started, 1)
    out = args.out.resolve()
    (out / "results.json").write_text(json.dumps({**summary, "raw": raw}, indent=1) + "\n")
    print(report.text_table(summary))
    import chart

    chart.draw(summary, out / "results.png")
    step(
        f"wrote {out / 'results.json'} and {out / 'results.png'} in {summary['meta']['seconds']} s"
    )
    if args.publish:
        missing = [p for p in PHASES if p not in raw or "skipped" in raw[p]]
        if missing or raw["inits"] != [*PEERS, "tinyinit"]:
            step(
                f"not publishing to {HERE}: this run lacks {', '.join(missing) or 'some inits'}"
                " (the published chart and table show complete runs only)"
            )
        else:
            shutil.copyfile(out / "results.png", HERE / "results.png")
            (HERE / "RESULTS.md").write_text(report.markdown(summary))
            step(f"published {HERE / 'results.png'} and {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
