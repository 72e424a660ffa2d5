"""P1 and P2: scoring benchmarks, printed as ratios measured in one run.

P1  LEADSCORES on 1,048,576 rows x 30 columns with 40 rules, from the raw list of rows
    to the returned column, against merely reading the values into typed columns
    (read_table + every column). Target: <= 1.5x, <= 1.5 GB peak.
P2  Repeated LEADSCORE calls with the same Rules content (fresh list objects each call,
    as xlwings delivers them): target <= 20 us per call after the first.

Both run twice in one run: whole numbers as float (classic xlwings: COM hands over
doubles) and as int (xlwings Lite: Pyodide turns a whole JS number into an int); the
int run is printed as a ratio to the float run.

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


def as_ints(rows: list[list[object]]) -> list[list[object]]:
    """The rows as xlwings Lite delivers them: every whole float as an int."""
    return [[int(v) if type(v) is float and v.is_integer() else v for v in row] for row in rows]


def p1(n_rows: int) -> dict[str, float]:
    """P1 for floats and ints, the timings interleaved (best of 3 each) so that the
    machine's load changes hit both alike."""
    data = {"float": (_data.leads(n_rows), _data.rules(40))}
    data["int"] = (as_ints(data["float"][0]), as_ints(data["float"][1]))
    settings = [["As-of date", AS_OF]]

    def read_all(values: list[list[object]]) -> None:
        table = read_table(values)
        for i in range(len(table.headers)):
            table.column(i)

    read, score, peak = dict.fromkeys(data, float("inf")), dict.fromkeys(data, float("inf")), {}
    for whole, (values, rules) in data.items():
        with PeakRSS() as mem:
            out = LEADSCORES(values, rules, settings)
        assert len(out) == n_rows and not isinstance(out, str), out
        peak[whole] = mem
    for _ in range(3):
        for whole, (values, rules) in data.items():
            read[whole] = min(read[whole], timed(lambda: read_all(values), 1))
            score[whole] = min(score[whole], timed(lambda: LEADSCORES(values, rules, settings), 1))
    for whole in data:
        mem = peak[whole]
        print(f"P1 rows={n_rows:,} cols=30 rules=40, whole numbers as {whole}")
        print(f"   read into typed columns : {read[whole]:8.3f} s")
        print(f"   LEADSCORES end to end   : {score[whole]:8.3f} s")
        print(f"   ratio                   : {score[whole] / read[whole]:8.2f}x   (target <= 1.5x)")
        print(f"   peak RSS during the call: {mem.peak / 2**30:8.2f} GB total, "
              f"{(mem.peak - mem.start) / 2**30:.2f} GB above the input data (target <= 1.5 GB)")  # fmt: skip
    return score


def _fresh(rows: list[list[object]]) -> list[list[object]]:
    """A copy with new list and string objects (COM hands over new ones on every call)."""
    return [[v.encode().decode() if isinstance(v, str) else v for v in row] for row in rows]


def p2(calls: int = 20000) -> dict[str, float]:
    """P2 for floats and ints, in alternating blocks of calls (best block each)."""
    data = {"float": (_data.leads(1000, seed=3), _data.rules(40))}
    data["int"] = (as_ints(data["float"][0]), as_ints(data["float"][1]))
    best = dict.fromkeys(data, float("inf"))
    block = calls // 5
    for _ in range(5):
        for whole, (values, rules) in data.items():
            headers, rows = values[0], values[1:]
            copies = [_fresh(rules) for _ in range(50)]  # new lists and strings, same content, as xlwings gives
            header_copies = [_fresh([headers])[0] for _ in range(50)]
            LEADSCORE(rows[0], headers, rules, None, AS_OF)  # the first call parses and compiles
            t0 = time.perf_counter()
            for k in range(block):
                LEADSCORE(rows[k % len(rows)], header_copies[k % 50], copies[k % 50], None, AS_OF)
            best[whole] = min(best[whole], (time.perf_counter() - t0) / block)
    for whole, per_call in best.items():
        print(f"P2 LEADSCORE, 40 rules x 30 columns, whole numbers as {whole}: "
              f"{per_call * 1e6:6.1f} us per call (target <= 20 us)")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_048_576)
    args = parser.parse_args()
    p2_times = p2()
    print(f"P2 int / float: {p2_times['int'] / p2_times['float']:5.2f}x")
    p1_times = p1(args.rows)
    print(f"P1 int / float: {p1_times['int'] / p1_times['float']:5.2f}x")


if __name__ == "__main__":
    main()
