"""Keep the machine busy while a suite runs, to find tests that only pass on a quiet machine (#24).

    .venv/bin/python -m tests.reliability.busy 4 1200 &  .venv/bin/python -m pytest tests/reliability -q

N processes spin for S seconds (4 on these 2 cores: a load average of 6-7), then exit. A test that needs a quiet
machine to pass has a timing threshold to make relative or generous (docs/reliability.md).
"""

from __future__ import annotations

import multiprocessing
import sys
import time


def spin(until: float) -> None:
    n = 0
    while time.time() < until:
        n += 1


def main(argv: list[str]) -> None:
    processes, seconds = (int(argv[0]), float(argv[1])) if len(argv) == 2 else (4, 900.0)
    until = time.time() + seconds
    workers = [multiprocessing.Process(target=spin, args=(until,)) for _ in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


if __name__ == "__main__":
    main(sys.argv[1:])
