"""The chart of one bench run (matplotlib, the `bench` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter, NullLocator, ScalarFormatter

COLORS = {
    "tinyinit": "#d9480f",
    "tini": "#1864ab",
    "dumb-init": "#5c940d",
    "catatonit": "#862e9c",
    "python": "#868e96",
}


def _color(name: str) -> str:
    return COLORS.get(name, "#495057")


def _bars(ax: Axes, names: list[str], values: list[float], fmt: str) -> None:
    bars = ax.bar(names, values, color=[_color(n) for n in names])
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2, fontsize=8)
    ax.margins(y=0.15)
    ax.tick_params(axis="x", labelsize=8)


def _startup(ax: Axes, s: dict[str, Any], names: list[str]) -> None:
    values = [s["inits"][n]["median_ms"] for n in names]
    labels = [
        f"{v:.1f}" + (f"\n{v / s['python_ms']:.2f}x python" if n == "tinyinit" else "")
        for n, v in zip(names, values)
    ]
    bars = ax.bar(names, values, color=[_color(n) for n in names])
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.margins(y=0.2)
    ax.tick_params(axis="x", labelsize=8)
    right = len(names) - 0.6
    ax.axhline(s["python_ms"], color=_color("python"), ls="--", lw=1)
    ax.axhline(s["floor_ms"], color="black", ls=":", lw=1)
    ax.text(right, s["python_ms"], "python -c pass", ha="right", va="bottom", fontsize=7)
    ax.text(right, s["floor_ms"], "unshare true", ha="right", va="bottom", fontsize=7)
    ax.set_title("startup: INIT -- true (median)", fontsize=10)
    ax.set_ylabel("ms")


def _memory(ax: Axes, m: dict[str, Any], names: list[str]) -> None:
    groups = [*names, "python"]
    values = {**m["inits"], "python": m["python"]}
    labels = [*names, "bare\npython"]
    width = 0.38
    xs = range(len(groups))
    for offset, key, hatch in ((-width / 2, "VmRSS", ""), (width / 2, "RssAnon", "//")):
        heights = [values[g].get(key, 0) / 1024 for g in groups]
        bars = ax.bar(
            [x + offset for x in xs],
            heights,
            width,
            color=[_color(g) for g in groups],
            hatch=hatch,
            edgecolor="white",
            label=key,
        )
        ax.bar_label(bars, labels=[f"{h:.1f}" for h in heights], padding=2, fontsize=7)
    ax.set_xticks(list(xs), labels)
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(y=0.15)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("idle memory, VmRSS and RssAnon (hatched)", fontsize=10)
    ax.set_ylabel("MiB")


def _wakeups(ax: Axes, i: dict[str, Any], names: list[str]) -> None:
    _bars(ax, names, [i["inits"][n] for n in names], "{:d}")
    ax.set_title(f"idle wakeups in {i['seconds']:g} s (context switches)", fontsize=10)


def _signals(ax: Axes, s: dict[str, Any], names: list[str]) -> None:
    p50 = [s["inits"][n]["p50_us"] for n in names]
    p99 = [s["inits"][n]["p99_us"] for n in names]
    tini = s["inits"].get("tini", {}).get("p50_us")
    bars = ax.bar(names, p50, color=[_color(n) for n in names])
    labels = [
        f"{a:.0f}\np99 {b:.0f}" + (f"\n{a / tini:.2f}x tini" if n == "tinyinit" and tini else "")
        for n, a, b in zip(names, p50, p99)
    ]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.margins(y=0.35)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(f"signal forwarding, kill -> child, p50 of {s['count']} pings", fontsize=10)
    ax.set_ylabel("µs")


def _reaping(ax: Axes, r: dict[str, Any], names: list[str]) -> None:
    counts = r["counts"]
    for n in names:
        ax.plot(
            counts,
            [r["inits"][n][str(c)]["median_ms"] for c in counts],
            marker="o",
            color=_color(n),
            label=n,
            lw=2.5 if n == "tinyinit" else 1.2,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(counts, [f"{c:,}" for c in counts])
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.legend(fontsize=7)
    ax.set_title("reaping: orphans exiting at once, until the last is reaped", fontsize=10)
    ax.set_xlabel("orphans")
    ax.set_ylabel("ms")


def _shutdown(ax: Axes, sh: dict[str, Any], names: list[str]) -> None:
    if "inits" not in sh:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            f"docker stop: not measured\n{sh.get('skipped', '')}",
            ha="center",
            va="center",
            fontsize=8,
            wrap=True,
            transform=ax.transAxes,
        )
        return
    shown = [n for n in names if n in sh["inits"]]
    width = 0.38
    xs = range(len(shown))
    stop = [sh["inits"][n].get("stop_s") or 0 for n in shown]
    ff = [sh["inits"][n].get("ffmpeg_stop_s") or 0 for n in shown]
    b1 = ax.bar(
        [x - width / 2 for x in xs],
        stop,
        width,
        color=[_color(n) for n in shown],
        label="TERM-ignoring child",
    )
    b2 = ax.bar(
        [x + width / 2 for x in xs],
        ff,
        width,
        color=[_color(n) for n in shown],
        hatch="//",
        edgecolor="white",
        label="ffmpeg pipeline",
    )
    ax.bar_label(b1, labels=[f"{v:.1f}" for v in stop], padding=2, fontsize=7)
    verdicts = {True: "ok", False: "broken", None: "?"}
    ax.bar_label(
        b2,
        labels=[f"{v:.1f}\n{verdicts[sh['inits'][n].get('ffmpeg_ok')]}" for n, v in zip(shown, ff)],
        padding=2,
        fontsize=7,
    )
    ax.set_xticks(list(xs), shown)
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(y=0.25)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"docker stop (tinyinit grace {sh['grace_s']:g} s); ffmpeg output", fontsize=10)
    ax.set_ylabel("s")


def draw(summary: dict[str, Any], path: Path) -> None:
    names = summary["inits"]
    panels = [
        ("startup", _startup),
        ("memory", _memory),
        ("idle", _wakeups),
        ("signals", _signals),
        ("reaping", _reaping),
        ("shutdown", _shutdown),
    ]
    present = [(key, fn) for key, fn in panels if key in summary]
    cols = 3
    rows = max(1, -(-len(present) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(15, 4.4 * rows), squeeze=False)
    for ax, (key, fn) in zip(axes.flat, present):
        fn(ax, summary[key], names)
    for ax in list(axes.flat)[len(present) :]:
        ax.axis("off")
    meta = summary["meta"]
    fig.suptitle(
        f"tinyinit vs tini, dumb-init, catatonit as PID 1 (unshare), one run, {meta['date']}; "
        f"{meta['machine']}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
