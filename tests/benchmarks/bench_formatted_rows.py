"""Issue 17.1: a plain-range Leads sheet with one styled cell at T1048576 refreshes in the
time and memory of the same sheet without it.

Run by hand (not collected by pytest):  python tests/benchmarks/bench_formatted_rows.py [leads]

Two workbooks, the test fixture (tests/test_refresh_support.py) with Leads as a plain
range of ``leads`` rows (default 2,000), measured in this order, each refresh in its own
process (peak memory is per process):

* baseline: the plain range as it is;
* styled:   the same file with a bottom border on T1048576 (the sheet's used range is
  then 1,048,576 rows by 20 columns).

Before the fix the styled case took 146 s and about 4.5 GB (issue 17), then failed with
"Internal: 40 values for the 1048575 rows". Target: styled / baseline <= 1.2 in both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, resource, sys, time
from pathlib import Path
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import RefreshOptions, refresh
start = time.perf_counter()
result = refresh(open_book(Path(sys.argv[1]), Path(sys.argv[2])), RefreshOptions())
print(json.dumps({"seconds": time.perf_counter() - start, "leads": result.leads,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(folder: Path, n_leads: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from openpyxl.styles import Border, Side
    from test_refresh_support import build_workbook, lead_rows

    wb = build_workbook(lead_rows(n_leads))
    del wb["Leads"].tables["Leads"]
    plain = folder / "plain.xlsx"
    wb.save(plain)
    wb["Leads"]["T1048576"].border = Border(bottom=Side(style="thin"))
    styled = folder / "styled.xlsx"
    wb.save(styled)
    return plain, styled


def measure(source: Path) -> dict[str, float]:
    out = source.with_name(f"{source.stem}-out.xlsx")
    done = subprocess.run([sys.executable, "-c", CHILD, str(source), str(out)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(n_leads: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plain, styled = build(Path(folder), n_leads)
        base = measure(plain)
        print(f"baseline (plain range, {base['leads']:,} leads): {base['seconds']:.2f} s, peak {base['peak_mb']:.0f} MB")
        hit = measure(styled)
        print(f"styled T1048576:                 {hit['seconds']:.2f} s, peak {hit['peak_mb']:.0f} MB, {hit['leads']:,} leads")
        print(f"ratio styled / baseline: time {hit['seconds'] / base['seconds']:.2f}, "
              f"memory {hit['peak_mb'] / base['peak_mb']:.2f} (target <= 1.2)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
