"""Copy this process's environment exactly as it was given (/proc/self/environ) to PATH."""

from __future__ import annotations

import sys


def main() -> None:
    with open("/proc/self/environ", "rb") as f:
        raw = f.read()
    with open(sys.argv[1] + ".tmp", "wb") as f:
        f.write(raw)
    import os

    os.rename(sys.argv[1] + ".tmp", sys.argv[1])


if __name__ == "__main__":
    main()
