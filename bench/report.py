"""Figures from the raw samples, tinyinit's targets, and the table (terminal and Markdown)."""

from __future__ import annotations

import math
import statistics
from typing import Any

TARGET_INIT = "tinyinit"
REFERENCE_INIT = "tini"
FORWARD_CASES = {"plain": "plain child", "shell": "shell with a foreground child"}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def target(
    figure: str, goal: str, value: float | None, limit: float, shown: str, note: str = ""
) -> dict[str, Any]:
    """One target row; value <= limit holds."""
    return {
        "figure": figure,
        "target": goal,
        "value": value,
        "shown": shown,
        "holds": None if value is None else value <= limit,
        "note": note,
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """tinyinit's targets, judged on the figures of this run."""
    rows: list[dict[str, Any]] = []
    t, ref = TARGET_INIT, REFERENCE_INIT

    start = results.get("startup")
    if start and t in start["inits"]:
        r = ratio(start["inits"][t]["median_ms"], start["python_ms"])
        net = ratio(
            start["inits"][t]["median_ms"] - start["floor_ms"],
            start["python_ms"] - start["floor_ms"],
        )
        rows.append(
            target(
                "startup: `tinyinit -- true` / `python -c pass`",
                "<= 1.3x",
                r,
                1.3,
                _x(r),
                f"{_x(net)} with unshare's own time taken off both",
            )
        )
    mem = results.get("memory")
    if mem and t in mem["inits"]:
        for key in ("VmRSS", "RssAnon"):
            r = ratio(mem["inits"][t].get(key), mem["python"].get(key))
            rows.append(target(f"idle {key} / bare idle interpreter", "<= 1.25x", r, 1.25, _x(r)))
    idle = results.get("idle")
    if idle and t in idle["inits"]:
        w = idle["inits"][t]
        rows.append(target(f"idle wakeups in {idle['seconds']:g} s", "0", w, 0, str(w)))
    sig = results.get("signals")
    if sig and t in sig["inits"] and ref in sig["inits"]:
        r = ratio(sig["inits"][t]["p50_us"], sig["inits"][ref]["p50_us"])
        r99 = ratio(sig["inits"][t]["p99_us"], sig["inits"][ref]["p99_us"])
        rows.append(
            target("signal forwarding p50 / tini's", "<= 1.2x", r, 1.2, _x(r), f"p99: {_x(r99)}")
        )
    fwd = results.get("forwarding")
    if fwd:
        # auto against the peer that reaches the receiver: tini (child only) for a plain child,
        # tini -g for a shell's foreground child (tini alone never reaches it).
        for case, peer in (("plain", "tini"), ("shell", "tini -g")):
            inits = fwd.get(case, {})
            if "tinyinit auto" in inits and peer in inits:
                r = ratio(inits["tinyinit auto"]["p50_us"], inits[peer]["p50_us"])
                r99 = ratio(inits["tinyinit auto"]["p99_us"], inits[peer]["p99_us"])
                rows.append(
                    target(
                        f"forwarding, {FORWARD_CASES[case]}: tinyinit auto p50 / {peer}'s",
                        "<= 1.5x",
                        r,
                        1.5,
                        _x(r),
                        f"p99: {_x(r99)}",
                    )
                )
    reap = results.get("reaping")
    if reap and t in reap["inits"] and ref in reap["inits"]:
        for n in reap["counts"]:
            key = str(n)
            r = ratio(reap["inits"][t][key]["median_ms"], reap["inits"][ref][key]["median_ms"])
            rows.append(target(f"reaping {n} orphans / tini's", "<= 1.1x", r, 1.1, _x(r)))
        growth = reap["growth"].get(t)
        if growth and growth["exponent"] is not None:
            e = growth["exponent"]
            peer = reap["growth"].get(ref, {}).get("exponent")
            # waitpid(-1) walks the init's list of children in the kernel, so with thousands of
            # live orphans even a C init's CPU can grow faster than n: no steeper than tini's
            # still means the init adds nothing superlinear of its own.
            limit = max(1.2, peer or 0)
            rows.append(
                target(
                    f"init CPU growth, {reap['counts'][0]} -> {reap['counts'][-1]} orphans",
                    "linear: n^e, e <= 1.2 or <= tini's",
                    e,
                    limit,
                    f"n^{e:.2f}",
                    "µs per orphan: "
                    + ", ".join(f"{u:.0f}" for u in growth["us_per_orphan"])
                    + ("" if peer is None else f"; tini: n^{peer:.2f}"),
                )
            )
    shut = results.get("shutdown")
    if shut and "inits" in shut and t in shut["inits"]:
        mine = shut["inits"][t]
        stop = mine.get("stop_s")
        rows.append(
            target(
                f"docker stop, TERM-ignoring child, grace {shut['grace_s']:g} s",
                f"<= {shut['grace_s'] + 1:g} s",
                stop,
                shut["grace_s"] + 1,
                "-" if stop is None else f"{stop:.2f} s",
            )
        )
        ok = mine.get("ffmpeg_ok")
        rows.append(
            {
                "figure": "ffmpeg pipeline output after docker stop",
                "target": "playable",
                "value": ok,
                "shown": {True: "playable", False: "broken", None: "-"}[ok],
                "holds": ok,
                "note": mine.get("ffmpeg_note", ""),
            }
        )
    return rows


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """Medians and percentiles of the raw samples, and tinyinit's targets."""
    out: dict[str, Any] = {"meta": raw["meta"], "inits": raw["inits"]}
    if "startup" in raw:
        s = raw["startup"]
        out["startup"] = {
            "reps": s["reps"],
            "floor_ms": statistics.median(s["times"]["floor"]),
            "python_ms": statistics.median(s["times"]["python"]),
            "inits": {
                name: {
                    "median_ms": statistics.median(s["times"][name]),
                    "p25_ms": percentile(s["times"][name], 25),
                    "p75_ms": percentile(s["times"][name], 75),
                }
                for name in raw["inits"]
            },
        }
    if "idle" in raw:
        i = raw["idle"]
        out["memory"] = {
            "python": i["figures"]["python"]["memory_kb"],
            "inits": {name: i["figures"][name]["memory_kb"] for name in raw["inits"]},
        }
        out["idle"] = {
            "seconds": i["seconds"],
            "python": i["figures"]["python"]["wakeups"],
            "inits": {name: i["figures"][name]["wakeups"] for name in raw["inits"]},
        }
    if "signals" in raw:
        s = raw["signals"]
        out["signals"] = {
            "count": s["count"],
            "inits": {
                name: {
                    "p50_us": percentile(s["latencies_us"][name], 50),
                    "p99_us": percentile(s["latencies_us"][name], 99),
                    "cpu_us": s["cpu_us_per_signal"].get(name),
                }
                for name in raw["inits"]
            },
        }
    if "forwarding" in raw:
        f = raw["forwarding"]
        out["forwarding"] = {"count": f["count"], "inits": f["inits"]}
        for case in FORWARD_CASES:
            if case in f:
                out["forwarding"][case] = {
                    name: {
                        "p50_us": percentile(lat, 50),
                        "p99_us": percentile(lat, 99),
                        "cpu_us": f[case]["cpu_us_per_signal"].get(name),
                        "lost": f[case].get("lost", {}).get(name, 0),
                    }
                    for name, lat in f[case]["latencies_us"].items()
                }
    if "reaping" in raw:
        r = raw["reaping"]
        per: dict[str, Any] = {}
        growth: dict[str, Any] = {}
        for name in raw["inits"]:
            per[name] = {str(n): _storm_figures(r["samples"][name][str(n)]) for n in r["counts"]}
            growth[name] = _growth(per[name], r["counts"])
        out["reaping"] = {"counts": r["counts"], "reps": r["reps"], "inits": per, "growth": growth}
    if "shutdown" in raw:
        out["shutdown"] = raw["shutdown"]
    out["targets"] = targets(out)
    return out


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _storm_figures(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the storms of one size."""
    cpu = [
        s["run_ms"] if s["run_ms"] is not None else s["utime_ms"] + s["stime_ms"] for s in samples
    ]
    lags = [
        s["elapsed_ms"] - s["last_exit_ms"] if s["last_exit_ms"] is not None else None
        for s in samples
    ]
    return {
        "median_ms": statistics.median(s["elapsed_ms"] for s in samples),
        "last_exit_ms": _median([s["last_exit_ms"] for s in samples]),
        "lag_ms": _median(lags),
        "cpu_ms": statistics.median(cpu),
        "utime_ms": statistics.median(s["utime_ms"] for s in samples),
        "stime_ms": statistics.median(s["stime_ms"] for s in samples),
    }


def _growth(per: dict[str, Any], counts: list[int]) -> dict[str, Any]:
    """How the init's CPU time grows with the storm's size: cost ~ n^exponent."""
    first, last = str(counts[0]), str(counts[-1])
    out: dict[str, Any] = {
        "us_per_orphan": [per[str(n)]["cpu_ms"] * 1000 / n for n in counts],
        "user_us_per_orphan": [per[str(n)]["utime_ms"] * 1000 / n for n in counts],
    }
    for key, field in (("exponent", "cpu_ms"), ("user_exponent", "utime_ms")):
        c0, c1 = per[first][field], per[last][field]
        out[key] = math.log(c1 / c0) / math.log(counts[-1] / counts[0]) if c0 and c1 else None
    return out


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def _rows(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The comparison table: one row per figure, one column per init."""
    names = summary["inits"]
    header = ["figure", *names]
    rows: list[list[str]] = []

    def add(label: str, values: dict[str, str]) -> None:
        rows.append([label, *(values.get(n, "-") for n in names)])

    if "startup" in summary:
        s = summary["startup"]
        add(
            f"startup `INIT -- true`, ms (python -c pass {s['python_ms']:.1f}, "
            f"unshare true {s['floor_ms']:.1f})",
            {n: f"{v['median_ms']:.1f}" for n, v in s["inits"].items()},
        )
    if "memory" in summary:
        m = summary["memory"]
        for key in ("VmRSS", "RssAnon"):
            add(
                f"idle {key}, kB (bare interpreter {m['python'].get(key, '-')})",
                {n: str(v.get(key, "-")) for n, v in m["inits"].items()},
            )
    if "idle" in summary:
        i = summary["idle"]
        add(
            f"idle wakeups in {i['seconds']:g} s",
            {n: str(v) for n, v in i["inits"].items()},
        )
    if "signals" in summary:
        s = summary["signals"]
        for key in ("p50_us", "p99_us"):
            add(
                f"signal forwarding {key[:3]}, µs ({s['count']} pings)",
                {n: f"{v[key]:.0f}" for n, v in s["inits"].items()},
            )
        add(
            "init CPU per forwarded signal, µs",
            {n: _ms(v["cpu_us"]) for n, v in s["inits"].items()},
        )
    if "reaping" in summary:
        r = summary["reaping"]
        for n, reps in zip(r["counts"], r["reps"]):
            add(
                f"reap {n} orphans, ms ({reps} storms)",
                {name: f"{v[str(n)]['median_ms']:.1f}" for name, v in r["inits"].items()},
            )
        for n in r["counts"]:
            add(
                f"reap {n} orphans: after the last exit, ms",
                {name: _ms(v[str(n)]["lag_ms"]) for name, v in r["inits"].items()},
            )
        for n in r["counts"]:
            add(
                f"init CPU for {n} orphans, ms",
                {name: f"{v[str(n)]['cpu_ms']:.1f}" for name, v in r["inits"].items()},
            )
    if "shutdown" in summary and "inits" in summary["shutdown"]:
        sh = summary["shutdown"]
        add(
            "docker stop, TERM-ignoring child, s",
            {n: _secs(v.get("stop_s")) for n, v in sh["inits"].items()},
        )
        add(
            "docker stop, ffmpeg pipeline, s",
            {n: _secs(v.get("ffmpeg_stop_s")) for n, v in sh["inits"].items()},
        )
        add(
            "ffmpeg output after docker stop",
            {
                n: {True: "playable", False: "broken", None: "-"}[v.get("ffmpeg_ok")]
                for n, v in sh["inits"].items()
            },
        )
    return header, rows


def _forward_rows(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The forwarding table: one column per init and mode, one row per case and figure."""
    f = summary.get("forwarding")
    if not f:
        return [], []
    names = f["inits"]
    rows = []
    for case, label in FORWARD_CASES.items():
        per = f.get(case, {})
        for key in ("p50_us", "p99_us"):
            rows.append([f"{label}, {key[:3]} µs", *(_us(per.get(n, {}).get(key)) for n in names)])
        rows.append([f"{label}, init CPU µs", *(_ms(per.get(n, {}).get("cpu_us")) for n in names)])
        lost = [str(per[n]["lost"]) if n in per else "all" for n in names]
        rows.append([f"{label}, signals lost of {f['count']}", *lost])
    return ["one forwarded signal", *names], rows


def _us(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _secs(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def text_table(summary: dict[str, Any]) -> str:
    header, rows = _rows(summary)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row))
        for row in [header, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    fheader, frows = _forward_rows(summary)
    if frows:
        widths = [max(len(r[i]) for r in [fheader, *frows]) for i in range(len(fheader))]
        table = [
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
            )
            for row in [fheader, *frows]
        ]
        lines += ["", *table[:1], "-" * len(table[0]), *table[1:]]
    lines += ["", "tinyinit's targets:"]
    for t in summary["targets"]:
        verdict = {True: "holds", False: "MISSED", None: "n/a"}[t["holds"]]
        note = f"  ({t['note']})" if t["note"] else ""
        lines.append(f"  {verdict:6}  {t['figure']}: {t['shown']} (target {t['target']}){note}")
    return "\n".join(lines)


METHOD = """\
## How the figures are taken

`bench/run.sh` (`make bench`) installs tini, dumb-init and catatonit from Debian's packages when
they are missing and makes a venv with tinyinit built from the checkout (not editable) and
matplotlib; the `python` figures come from that same venv's interpreter. `bench/bench.py` then
runs every init as PID 1 of a new PID namespace, `unshare --pid --fork --mount-proc INIT CMD`
(tini and catatonit as `INIT -- CMD`, dumb-init as `dumb-init CMD`, tinyinit as
`tinyinit -- CMD`). Ratios compare figures of the same run only.

- **startup**: wall time from spawning `unshare` to its exit, for `INIT -- true`, for
  `python -c pass` and for `unshare true` alone (the floor). One untimed round, then every
  command once per round in a new random order; medians.
- **memory**: VmRSS and RssAnon from /proc/PID/status of each init idling with `sleep` as its
  child, and of a bare interpreter idling in `time.sleep` (also PID 1 under unshare).
- **idle wakeups**: voluntary plus nonvoluntary context switches of each init's threads over
  the idle period, all inits idling side by side after they have settled.
- **signal forwarding**: the child is `helpers/receiver.c`, which takes SIGUSR1 with
  sigwaitinfo() and writes the CLOCK_MONOTONIC time to a FIFO. The bench reads the clock, sends
  SIGUSR1 to the init, and sends the next one only after reading the stamp: one signal in
  flight, never coalesced. Inits take turns in random order; the pings come in blocks with
  freshly started inits (where the scheduler puts an init and its child varies). The init's CPU
  time per signal comes from /proc/PID/schedstat.
- **forwarding by delivery mode**: the same ping-pong, with tini, `tini -g`, dumb-init and
  tinyinit in each `--forward` mode, twice: with the receiver as the init's child, and with
  `sh -c 'trap : USR1; receiver FIFO; :'`, a shell that traps the signal and waits for its
  foreground receiver. An init that signals the main child only (tini, `tinyinit --forward
  child`) never reaches that receiver, so those two sit the shell case out (every signal
  lost). A signal that reaches no receiver within 1 s counts as lost.
- **reaping**: the child is `helpers/orphans.c`: a middle process forks N children and exits,
  so the N become the init's; each blocks reading one pipe. The helper closes the pipe's only
  write end (all N exit at once) and polls /proc/1/task/1/children (a zombie stays on it until
  its parent reaps it) until it is the init's only child. "After the last exit" is the time
  from the last orphan's _exit() (each stores its exit time in a shared page) to that moment.
  The init's CPU time (/proc/1/schedstat; user time from /proc/1/stat, in clock ticks) is read
  before and after.
- **docker stop**: the Docker suite's image (`docker/build-example.sh`, Dockerfile.example on a
  Debian base that also has the other inits); tinyinit through the image's ENTRYPOINT, the
  others through `--entrypoint`. All containers are stopped at the same moment with
  `docker stop -t 10`: once with `sh -c "trap '' TERM; exec sleep 1000"` (tinyinit with
  TINYINIT_GRACE=2s), once with the image's ffmpeg pipeline writing to a bind mount for a few
  seconds, after which ffprobe reads out.mp4's duration (playable) or fails (broken).
"""


def markdown(summary: dict[str, Any]) -> str:
    header, rows = _rows(summary)
    meta = summary["meta"]
    out = [
        "# Benchmark results",
        "",
        f"Measured by `make bench` on {meta['date']}: {meta['machine']}.",
        "Every init ran as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`);",
        "all figures come from one run, inits interleaved in every repetition. Times are medians",
        "unless marked p99. Versions: "
        + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
        + ".",
        *(
            [f"Docker image: `{summary['shutdown']['image']}`."]
            if "image" in summary.get("shutdown", {})
            else []
        ),
        "",
        "![bench chart](results.png)",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |",
    ]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    fheader, frows = _forward_rows(summary)
    if frows:
        out += ["", "## One forwarded signal, by delivery mode", ""]
        out += ["| " + " | ".join(fheader) + " |"]
        out += ["| " + " | ".join(["---"] + ["---:"] * (len(fheader) - 1)) + " |"]
        out += ["| " + " | ".join(row) + " |" for row in frows]
    out += ["", "## tinyinit's targets", "", "| figure | target | this run | holds | note |"]
    out += ["| --- | --- | ---: | --- | --- |"]
    for t in summary["targets"]:
        verdict = {True: "yes", False: "**no**", None: "n/a"}[t["holds"]]
        out.append(f"| {t['figure']} | {t['target']} | {t['shown']} | {verdict} | {t['note']} |")
    out += ["", METHOD]
    return "\n".join(out)
