"""Reading a CRM export: CSV (any common delimiter and encoding), .xlsx, or Parquet.

CSV goes through Python's :mod:`csv` reader; the delimiter (``,`` ``;`` tab ``|``) comes
from :class:`csv.Sniffer` on the first 64 KB, checked against the header line; the
encoding is UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text"),
else Windows-1252 (Excel's "CSV" on Western Windows). Quoted fields may hold the
delimiter and line breaks. Blank lines are skipped; a short row gets blank cells; a row
with more fields than the header is refused unless the extra fields are empty. Every
message names the file, the line (as a text editor counts it) and the column.

Each column is then typed once (:mod:`leadscore_xl.intake.values`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore_xl.errors import InputError
from leadscore_xl.intake.values import TypedColumn, type_column
from leadscore_xl.sheet.table import header_text, norm

__all__ = ["Export", "MAX_ROWS", "read_export"]

MAX_ROWS = 1_048_575  # Excel's rows, less the header
DELIMITERS = ",;\t|"
SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
csv.field_size_limit(1 << 27)


@dataclass(frozen=True)
class Export:
    """A CRM export read and typed: headers, one typed column each, and notes."""

    name: str
    headers: tuple[str, ...]
    columns: tuple[TypedColumn, ...]
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def rows(self) -> Iterator[list[Any]]:
        """The data rows, as lists (header excluded)."""
        return map(list, zip(*(c.values for c in self.columns)))

    def find(self, name: str) -> int | None:
        key = norm(name)
        return next((i for i, h in enumerate(self.headers) if norm(h) == key), None)


def read_export(path: Path | str, day_first: bool | None = None) -> Export:
    """Read and type a CSV, .xlsx or Parquet file; an InputError naming file, line and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist; give the path of the CSV, .xlsx or Parquet file your CRM exported")
    kind = SUFFIXES.get(path.suffix.lower(), "csv")
    if kind == "xlsx":
        from leadscore_xl.intake.xlsx import read_sheet  # the file adapter (openpyxl)

        header, body, first_line = read_sheet(path)
    elif kind == "parquet":
        header, body, first_line = _read_parquet(path)
    else:
        header, body, first_line = _read_csv(path)
    return _typed(path.name, header, body, first_line, day_first)


def _typed(name: str, header: Sequence[Any], body: list[list[Any]], first_line: list[int] | None,
           day_first: bool | None) -> Export:  # fmt: skip
    headers = _headers(name, header, body, first_line)
    if not body:
        raise InputError(f"{name} line 2: the file has a header row but no rows below it; export it again with the leads or deals in it")
    if len(body) > MAX_ROWS:
        raise InputError(f"{name} line {MAX_ROWS + 2}: {len(body):,} rows do not fit on an Excel sheet "
                         f"({MAX_ROWS:,} at most); split the export")  # fmt: skip
    columns = []
    for j, h in enumerate(headers):
        values = [r[j] for r in body]
        columns.append(type_column(h, values, day_first))
    del body
    notes = tuple(f"{name}: {c.note}" for c in columns if c.note)
    return Export(name, headers, tuple(columns), notes)


def _headers(name: str, header: Sequence[Any], body: list[list[Any]], lines: list[int] | None) -> tuple[str, ...]:
    """The header names; blank-headed columns with no data are dropped from ``body`` too."""
    names = [header_text(h) for h in header]
    keep = []
    for j, h in enumerate(names):
        if h:
            keep.append(j)
            continue
        filled = next((i for i, r in enumerate(body) if r[j] not in (None, "") and str(r[j]).strip()), None)
        if filled is not None:
            line = lines[filled] if lines else filled + 2
            raise InputError(f"{name} line 1, column {j + 1}: the header is blank but line {line} has a value in that "
                             "column; give the column a name")  # fmt: skip
    if not keep:
        raise InputError(f"{name} line 1: the first row has no column names; the file needs a header row")
    if len(keep) < len(names):
        body[:] = [[r[j] for j in keep] for r in body]
    seen: dict[str, int] = {}
    for j in keep:
        key = norm(names[j])
        if key in seen:
            raise InputError(f'{name} line 1, columns {seen[key]} and {j + 1}: both are headed "{names[j]}"; rename one')
        seen[key] = j + 1
    return tuple(names[j] for j in keep)


# ---- CSV ----------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS)
        if counts.get(sniffed.delimiter, 0) >= max(counts.values()):
            sniffed.doublequote = True
            sniffed.skipinitialspace = False
            return sniffed
    except csv.Error:
        pass
    best = max(counts, key=lambda d: counts[d])

    class Dialect(csv.excel):
        delimiter = best if counts[best] else ","

    return Dialect


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]], list[int]]:
    text = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    name = path.name
    header: list[str] | None = None
    body: list[list[Any]] = []
    lines: list[int] = []
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if not "".join(row).strip():
                continue  # a blank line, or one of delimiters only
            if header is None:
                header = row
                width = len(header)
                continue
            if len(row) != width:
                row = _fit(name, row, width, header, start)
            body.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise InputError(f"{name} line {reader.line_num}: {exc}; check the quotes on that line") from exc
    if header is None:
        raise InputError(f"{name} line 1: the file is empty; export it again with a header row")
    return header, body, lines


def _fit(name: str, row: list[str], width: int, header: list[str], line: int) -> list[str]:
    """A short row padded with blanks; a long one cut when its extra fields are empty."""
    if len(row) < width:
        return row + [""] * (width - len(row))
    extra = next((j for j in range(width, len(row)) if row[j].strip()), None)
    if extra is None:
        return row[:width]
    last = header[-1] if header else ""
    raise InputError(
        f'{name} line {line}, column {extra + 1}: the row has {len(row)} fields but the header has {width} columns '
        f'(the last is "{last}"), so "{row[extra][:40]}" has no column; quote values that hold the delimiter, '
        "or add the missing header"
    )


# ---- Parquet ------------------------------------------------------------------------
def _read_parquet(path: Path) -> tuple[list[str], list[list[Any]], None]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError(f"{path.name}: reading Parquet needs pyarrow; pip install pyarrow, or export a CSV") from exc
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError family
        raise InputError(f"{path.name} cannot be read as Parquet ({exc}); export it again or as CSV") from exc
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(table.column_names), [list(r) for r in zip(*columns)], None
