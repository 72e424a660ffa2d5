"""P1 and P2: scoring benchmarks, printed as ratios measured in one run.

P1  LEADSCORES on 1,048,576 rows x 30 columns with 40 rules, from the raw list of rows
    to the returned column, against merely reading the values into typed columns
    (read_table + every column). Target: <= 1.5x, <= 1.5 GB peak.
P2  Repeated LEADSCORE calls with the same Rules content (fresh list objects each call,
    as xlwings delivers them): target <= 20 us per call after the first.

Run: python tests/benchmarks/bench_scoring.py [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _data  # noqa: E402

from leadscore_xl.sheet.table import read_table  # noqa: E402
from leadscore_udfs import LEADSCORE, LEADSCORES  # noqa: E402

AS_OF = dt.datetime(2026, 6, 30)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Samples the resident set size every 2 ms while the block runs."""

    def __enter__(self) -> PeakRSS:
        self.start = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def timed(f, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def p1(n_rows: int) -> None:
    values = _data.leads(n_rows)
    rules = _data.rules(40)
    settings = [["As-of date", AS_OF]]

    def read_all() -> None:
        table = read_table(values)
        for i in range(len(table.headers)):
            table.column(i)

    read = timed(read_all)
    with PeakRSS() as mem:
        out = LEADSCORES(values, rules, settings)
    assert len(out) == n_rows and not isinstance(out, str), out
    score = timed(lambda: LEADSCORES(values, rules, settings))
    print(f"P1 rows={n_rows:,} cols=30 rules=40")
    print(f"   read into typed columns : {read:8.3f} s")
    print(f"   LEADSCORES end to end   : {score:8.3f} s")
    print(f"   ratio                   : {score / read:8.2f}x   (target <= 1.5x)")
    print(f"   peak RSS during the call: {mem.peak / 2**30:8.2f} GB total, "
          f"{(mem.peak - mem.start) / 2**30:.2f} GB above the input data (target <= 1.5 GB)")  # fmt: skip


def _fresh(rows: list[list[object]]) -> list[list[object]]:
    """A copy with new list and string objects (COM hands over new ones on every call)."""
    return [[v.encode().decode() if isinstance(v, str) else v for v in row] for row in rows]


def p2(calls: int = 20000) -> None:
    values = _data.leads(1000, seed=3)
    headers, rows = values[0], values[1:]
    rules = _data.rules(40)
    copies = [_fresh(rules) for _ in range(50)]  # new lists and strings, same content, as xlwings gives
    header_copies = [_fresh([headers])[0] for _ in range(50)]
    LEADSCORE(rows[0], headers, rules, None, AS_OF)  # the first call parses and compiles
    t0 = time.perf_counter()
    for k in range(calls):
        LEADSCORE(rows[k % len(rows)], header_copies[k % len(copies)], copies[k % len(copies)], None, AS_OF)
    per_call = (time.perf_counter() - t0) / calls
    print(f"P2 LEADSCORE, 40 rules x 30 columns: {per_call * 1e6:6.1f} us per call (target <= 20 us)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_048_576)
    args = parser.parse_args()
    p2()
    p1(args.rows)


if __name__ == "__main__":
    main()
