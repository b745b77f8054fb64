"""Write SIZE bytes of deterministic pseudo-random data (seeded with SEED) to stdout."""

from __future__ import annotations

import random
import sys

CHUNK = 1 << 16


def main() -> None:
    size, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    out = sys.stdout.buffer
    while size > 0:
        n = min(CHUNK, size)
        out.write(rng.getrandbits(n * 8).to_bytes(n, "little"))
        size -= n
    out.flush()


if __name__ == "__main__":
    main()
