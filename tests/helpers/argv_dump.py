"""Print, as JSON, the raw bytes (hex) of argv[1:] and of the environment, and the cwd."""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    report = {
        "argv": [os.fsencode(arg).hex() for arg in sys.argv[1:]],
        "env": {key.hex(): value.hex() for key, value in os.environb.items()},
        "cwd": os.getcwd(),
        "pid": os.getpid(),
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
