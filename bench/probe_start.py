"""Start cost of the health probe, against `python -c pass` (median wall time of N runs each,
interleaved so that the machine's noise hits every variant alike).

    .venv/bin/python bench/probe_start.py [N]
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    python = sys.executable
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    variants = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import _socket'": [python, "-c", "import _socket"],
        "python -c 'import socket'": [python, "-c", "import socket"],
        "python -c 'import http.client'": [python, "-c", "import http.client"],
        "python -m tinyinit.probe tcp (healthy)": [
            python, "-m", "tinyinit.probe", "tcp", f"127.0.0.1:{port}",
        ],
        "python -c 'tinyinit.probe.main()' tcp": [
            python, "-c", "from tinyinit.probe import main; raise SystemExit(main())",
            "tcp", f"127.0.0.1:{port}",
        ],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, command in variants.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - started)
            while True:  # drain the accepted connections
                listener.setblocking(False)
                try:
                    listener.accept()[0].close()
                except BlockingIOError:
                    break
    base = statistics.median(times["python -c pass"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:42} {median * 1000:7.1f} ms  x{median / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
