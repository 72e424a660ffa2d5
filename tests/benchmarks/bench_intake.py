"""P5: a 1,000,000-row CRM export (CSV) into a new workbook, against openpyxl's write-only floor.

Run by hand (not collected by pytest):  python tests/benchmarks/bench_intake.py [rows]

The CSV is a HubSpot-style contacts export (tests/crm_fixtures.py: 18 columns, numbers,
"1000+", yes/no, ISO dates, blanks) repeated to ``rows`` rows (default 1,000,000) under
new Record IDs. Each side runs in its own process, so that its peak memory (ru_maxrss)
is its own:

* floor: the same rows, already typed (the values the intake produces, built in memory
  from the same file by the intake's reader beforehand and not timed), written to one
  sheet with ``openpyxl.Workbook(write_only=True)`` and saved;
* intake: ``new_book(..., NewOptions(refresh=False))``: reading and sniffing the CSV,
  typing every column once, starter rules tried on the first 5,000 leads, and writing
  the whole workbook (Leads with the six output columns, Rules, Deals, Model, Report,
  Settings, xlwings.conf) in write-only mode, atomically.

Target: intake / floor <= 1.5 in time. The floor's peak memory includes building its typed
rows in memory with the intake's reader (untimed), so the memory ratio compares two
processes that both held the whole export typed; the write itself streams. The refresh that ``leadscore new`` then runs is
the P4 benchmark's (bench_refresh.py).
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def make_csv(path: Path, rows: int) -> None:
    from crm_fixtures import hubspot_contacts

    base = hubspot_contacts(2000)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(base[0])
        for i in range(rows):
            row = list(base[1 + i % 2000])
            row[0] = str(10_000_000 + i)
            out.writerow(row)


def floor(path: Path, target: Path) -> float:
    import openpyxl

    from leadscore_xl.intake.files import read_export

    export = read_export(path)
    rows = list(export.rows())
    header = list(export.headers)
    del export
    start = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Leads")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(target)
    return time.perf_counter() - start


def intake(path: Path, target: Path) -> float:
    from leadscore_xl.intake.new import NewOptions, new_book

    start = time.perf_counter()
    new_book(target, path, options=NewOptions(refresh=False))
    return time.perf_counter() - start


def child(kind: str, path: str, target: str) -> None:
    seconds = (floor if kind == "floor" else intake)(Path(path), Path(target))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # kB -> GB on Linux
    print(json.dumps({"seconds": seconds, "peak_gb": peak}))


def run(kind: str, path: Path, target: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(target)],
                         check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = tmp / "contacts.csv"
        make_csv(source, rows)
        print(f"{rows:,} rows x 18 columns, CSV {source.stat().st_size / 1e6:.0f} MB")
        base = run("floor", source, tmp / "floor.xlsx")
        ours = run("intake", source, tmp / "new.xlsx")
        print(f"floor (write-only, typed rows in memory): {base['seconds']:.1f} s, peak {base['peak_gb']:.2f} GB "
              "(including the rows held in memory)")
        print(f"intake (CSV -> typed -> new workbook):    {ours['seconds']:.1f} s, peak {ours['peak_gb']:.2f} GB")
        print(f"ratio: {ours['seconds'] / base['seconds']:.2f}x time (target <= 1.5x), "
              f"{ours['peak_gb'] / base['peak_gb']:.2f}x peak memory")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
