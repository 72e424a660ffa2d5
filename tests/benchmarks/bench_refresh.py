"""P4: a headless refresh of a 100k-lead workbook against openpyxl merely loading and saving it.

Run by hand (not collected by pytest):  python tests/benchmarks/bench_refresh.py [leads]

The workbook is the bundled template (workbook/LeadScoring.xlsx: its Rules, 5,000 Deals
and Settings) with its 2,000 leads repeated to ``leads`` rows (default 100,000) under new
IDs. Measured once each, in this order, on the same file:

* streaming baseline: openpyxl's read-only load of every sheet, each row appended to a
  write-only workbook, saved: the least any openpyxl-based tool can do to copy the file;
* full baseline: ``openpyxl.load_workbook(path)`` then ``wb.save(other)`` (what the
  refresh used to do around its work);
* refresh:  ``open_book(path, output)`` + ``refresh(...)``: the package check, the load,
  scoring, reasons, model fit and prediction, evaluation, writing the Leads columns,
  rebuilding Model, Report and Call List, and the lossless save (the Leads sheet's XML
  edited as bytes, every other part copied).

Targets: refresh / streaming baseline <= 1.0 (issue 12); refresh / full baseline <= 2.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.cli import find_template
from leadscore_xl.refresh.run import RefreshOptions, refresh


def build(path: Path, n_leads: int) -> None:
    """The template with its leads repeated to ``n_leads`` rows."""
    wb = openpyxl.load_workbook(find_template())
    ws = wb["Leads"]
    table = ws.tables["Leads"]
    base = [list(r) for r in ws.iter_rows(min_row=2, max_row=ws.max_row, values_only=True)]
    width = len(base[0])
    for i in range(len(base), n_leads):
        row = list(base[i % len(base)])
        row[0] = f"L-{i + 1:06d}"
        for j, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(i + 2, j, value)
    table.ref = f"A1:{openpyxl.utils.get_column_letter(width)}{n_leads + 1}"
    table.autoFilter.ref = table.ref
    wb.save(path)


def main(n_leads: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "leads.xlsx"
        start = time.perf_counter()
        build(source, n_leads)
        print(f"built {n_leads:,} leads in {time.perf_counter() - start:.1f} s ({source.stat().st_size / 1e6:.1f} MB)")

        start = time.perf_counter()
        streaming_copy(source, Path(folder) / "stream.xlsx")
        streaming = time.perf_counter() - start
        print(f"openpyxl read-only load + write-only save: {streaming:.2f} s")

        start = time.perf_counter()
        wb = openpyxl.load_workbook(source)
        loaded = time.perf_counter()
        wb.save(Path(folder) / "copy.xlsx")
        baseline = time.perf_counter() - start
        print(f"openpyxl load + save: {baseline:.2f} s (load {loaded - start:.2f} s, save {baseline - loaded + start:.2f} s)")
        del wb

        steps: list[tuple[str, float]] = []
        start = time.perf_counter()
        book = open_book(source, Path(folder) / "refreshed.xlsx", lambda m, f: steps.append((m, time.perf_counter())))
        opened = time.perf_counter()
        result = refresh(book, RefreshOptions())
        total = time.perf_counter() - start
        print(f"refresh: {total:.2f} s (open {opened - start:.2f} s) -> {result.summary()}")
        last = opened
        for message, at in steps:
            print(f"    {at - last:6.2f} s before: {message}")
            last = at
        print(f"P4 ratio refresh / (read-only load + write-only save) = {total / streaming:.2f} (target <= 1.0)")
        print(f"P4 ratio refresh / (load + save) = {total / baseline:.2f} (target <= 2)")


def streaming_copy(source: Path, target: Path) -> None:
    """Every sheet's values read in read-only mode and appended to a write-only workbook."""
    wb = openpyxl.load_workbook(source, read_only=True)
    out = openpyxl.Workbook(write_only=True)
    for ws in wb.worksheets:
        copy = out.create_sheet(ws.title)
        for row in ws.iter_rows(values_only=True):
            copy.append(row)
    out.save(target)
    wb.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
