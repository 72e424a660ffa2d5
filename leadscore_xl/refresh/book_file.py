"""The Book port over a workbook file (openpyxl): the headless refresh.

openpyxl reads the workbook and the refresh writes into it, but the file is not saved by
openpyxl: :mod:`~leadscore_xl.refresh.file_save` writes back only what the refresh owns
(the Leads output cells, the Model, Report and Call List sheets, appended cell formats)
and copies every other part of the package byte for byte, so charts, pivots, slicers,
buttons, VBA and its signature and anything else openpyxl does not know are kept:

* the package is checked first (:func:`~leadscore_xl.refresh.package.check_package`):
  a damaged file is one line naming what is wrong;
* the save is atomic: a temporary file in the target's folder, fsync, ``os.replace``; a
  symbolic link is followed and stays a link; mode and owner are kept;
* every ``str`` is stored as text (never a formula, whatever it starts with); only a
  :class:`~leadscore_xl.refresh.report.Formula` becomes a formula;
* on Leads, only the output columns are written: existing ones by header, missing ones
  appended right after the table (which is extended); a non-empty cell in the way stops
  the refresh.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from leadscore_xl.refresh.book_parts import blocked_message, check_not_open, check_writable, choose_table, plan_columns
from leadscore_xl.errors import BookError
from leadscore_xl.refresh.file_cells import STYLES as _STYLES
from leadscore_xl.refresh.file_cells import text_cell as _text_cell
from leadscore_xl.refresh.file_cells import write_block as _write_block
from leadscore_xl.refresh.file_cells import write_column as _write_column
from leadscore_xl.refresh.file_charts import chart as _chart
from leadscore_xl.refresh.file_read import Loaded, fast_values, load
from leadscore_xl.refresh.file_save import Written, save_lossless
from leadscore_xl.refresh.file_kind import not_a_workbook
from leadscore_xl.refresh.package import Package, check_package
from leadscore_xl.refresh.file_layout import fit_widths, page_setup, size_column
from leadscore_xl.refresh.formats import PageSetup
from leadscore_xl.refresh.quiet import collected, openpyxl_note
from leadscore_xl.refresh.report import Block, Chart
from leadscore_xl.refresh.run import OUTPUTS
from leadscore_xl.sheet.table import norm

__all__ = ["FileBook", "open_book"]

MACRO_SUFFIXES = frozenset({".xlsm", ".xltm"})
SUFFIXES = frozenset({".xlsx", ".xltx"}) | MACRO_SUFFIXES
OWNED_SHEETS = ("Model", "Report", "Call List")
Progress = Callable[[str, float], None]


def open_book(path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None,
              progress: Progress | None = None, full: bool = False) -> FileBook:  # fmt: skip
    """Open ``path`` for a refresh that will be saved to ``output`` (default: in place);
    ``full``: load every cell, for edits beyond the output columns (new leads)."""
    source = Path(path)
    target = Path(output) if output is not None else source
    package = _check_paths(source, target)
    try:
        with collected() as caught:
            loaded = load(source, OUTPUTS, full, package)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise BookError(f"{source.name} cannot be opened as an Excel workbook ({exc}); save it as .xlsx or .xlsm") from exc
    book = FileBook(source, target, loaded, progress)
    note = openpyxl_note(caught, source.name)
    book.notes.extend([note] if note else [])
    return book


def _check_paths(source: Path, target: Path) -> Package:
    if not source.is_file():
        raise BookError(f"{source} does not exist; give the path of an .xlsx or .xlsm workbook")
    kind = not_a_workbook(source)  # encrypted, .xls, CSV: whatever the name says
    if kind is not None:
        raise BookError(kind)
    if source.suffix.lower() not in SUFFIXES:
        raise BookError(f"{source.name} is not an .xlsx/.xlsm workbook; open it in Excel and save it as .xlsx or .xlsm")
    if target.suffix.lower() != source.suffix.lower():
        kind = "keeps its macros only in" if source.suffix.lower() in MACRO_SUFFIXES else "must stay"
        raise BookError(
            f"{source.name} {kind} a {source.suffix} file, but the output is {target.name}; "
            f"give an output name ending in {source.suffix}"
        )
    check_writable(target)
    if not target.parent.is_dir():
        raise BookError(f"The folder {target.parent} does not exist; create it or choose another output path")
    package = check_package(source)
    check_not_open(target)
    return package


class FileBook:
    """An openpyxl workbook behind the refresh's Book port."""

    def __init__(self, source: Path, target: Path, loaded: Loaded, progress: Progress | None) -> None:
        self.source = source
        self.target = target
        self.wb = loaded.wb
        self._loaded = loaded
        self.notes: list[str] = []
        self.written: dict[str, Written] = {}  # cells written on sheets the refresh does not own
        self._replaced: list[str] = []
        self._progress = progress
        self._cached: Any = None
        self._types: dict[tuple[int, int], str] | None = None

    # ---- reading ----------------------------------------------------------------------
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(self.wb.sheetnames)

    def read_table(self, sheet: str, skip: Collection[str] = ()) -> tuple[list[list[Any]], int]:
        ws = self.wb[sheet]
        top, left, bottom, right = _table_box(ws)
        if bottom < top:
            return [], top
        fast = fast_values(self._loaded, sheet, (top, left, bottom, right)) if sheet == self._loaded.reduced else None
        if fast is not None:
            rows, missing = fast
        else:
            rows, missing = self._rows(ws, top, left, bottom, right), {}
        skipped = {norm(s) for s in skip}
        keep = [j for j, h in enumerate(rows[0]) if not (isinstance(h, str) and norm(h) in skipped)]
        self.notes += [_no_value_note(sheet, rows[0][j], n) for j, n in missing.items() if j in keep]
        if len(keep) < len(rows[0]):
            rows = [[r[j] for j in keep] for r in rows]
        if fast is None:
            self._resolve_formulas(ws, rows, top, [left + j for j in keep])
        return rows, top

    def _rows(self, ws: Worksheet, top: int, left: int, bottom: int, right: int) -> list[list[Any]]:
        source = self._loaded.values[ws.title] if ws.title == self._loaded.reduced else ws
        rows = [list(r) for r in source.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right,
                                                  values_only=True)]  # fmt: skip
        width = right - left + 1
        rows = [r if len(r) == width else (r + [None] * width)[:width] for r in rows]
        rows += [[None] * width for _ in range(bottom - top + 1 - len(rows))]  # read-only ends at the last row held
        return rows

    def sheet_values(self, sheet: str, width: int) -> list[list[Any]]:
        """Every row of the sheet from A1, ``width`` columns wide (values, not formulas)."""
        if sheet == self._loaded.reduced:
            return [list(r) for r in self._loaded.values[sheet].iter_rows(min_row=1, max_col=width, values_only=True)]
        ws = self.wb[sheet]
        return [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width, values_only=True)]

    def table_label(self, sheet: str) -> str:
        table = _main_table(self.wb[sheet])
        return f'table "{table.displayName}" ({table.ref})' if table is not None else "cells from A1 (no Excel table)"

    def header_cells(self, sheet: str) -> tuple[list[Any], int, int]:
        ws = self.wb[sheet]
        top, left, _, right = _table_box(ws)
        return [ws.cell(top, c).value for c in range(left, right + 1)], top, left

    def _resolve_formulas(self, ws: Worksheet, rows: list[list[Any]], top: int, cols: list[int]) -> None:
        """Replace formula cells by the values last calculated by Excel (openpyxl gives the formula text)."""
        self._types = None
        text = [(i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if type(v) is str and v[:1] == "="]
        found = [(i, j) for i, row in enumerate(rows) for j, v in enumerate(row)
                 if not isinstance(v, (str, int, float, dt.date, dt.time, type(None)))]  # fmt: skip
        found += [(i, j) for i, j in text if self._data_type(ws, top, cols, text, i, j) == "f"]
        if not found:
            return
        if self._cached is None:
            with collected():  # the same file again: its warnings were noted when it was opened
                self._cached = openpyxl.load_workbook(self.source, read_only=True, data_only=True)
        cached = self._cached[ws.title]
        missing: dict[int, int] = {}
        lines = cached.iter_rows(min_row=top, max_row=top + len(rows) - 1, values_only=True)
        values = [list(r) for r in lines]
        for i, j in found:
            row = values[i] if i < len(values) else ()
            value = row[cols[j] - 1] if cols[j] - 1 < len(row) else None
            rows[i][j] = value
            if value is None:
                missing[j] = missing.get(j, 0) + 1
        self.notes += [_no_value_note(ws.title, rows[0][j], count) for j, count in missing.items()]

    def _data_type(self, ws: Worksheet, top: int, cols: list[int], cells: list[tuple[int, int]], i: int, j: int) -> str:
        """The data type of a cell read at (i, j): "f" for a formula, "s" for text that only looks like one."""
        if ws.title != self._loaded.reduced:
            return ws._cells[(top + i, cols[j])].data_type
        if self._types is None:  # the read-only sheet holds the input cells: one pass over the rows at stake
            rows = self._loaded.values[ws.title].iter_rows(min_row=top + cells[0][0], max_row=top + cells[-1][0])
            self._types = {(c.row, c.column): c.data_type for row in rows for c in row if hasattr(c, "column")}
        return self._types.get((top + i, cols[j]), "s")

    # ---- writing ----------------------------------------------------------------------
    def write_columns(self, sheet: str, columns: Mapping[str, Sequence[Any]], formats: Mapping[str, str]) -> None:
        ws = self.wb[sheet]
        table = _main_table(ws)
        top, left, bottom, right = _table_box(ws)
        header = {norm(str(ws.cell(top, c).value)): c for c in range(left, right + 1) if ws.cell(top, c).value is not None}
        n = bottom - top
        for values in columns.values():
            if len(values) != n:  # read_table and this box are one: only a changed sheet gets here
                raise BookError(f"The {sheet} sheet has {n} rows below its header, but {len(values)} were read "
                                "for the refresh; nothing was written. Run the refresh again")
        where, appended = plan_columns(header, columns, right)
        for name, col in appended:  # every column is checked before any cell is written
            _claim_column(ws, sheet, name, top, bottom, col)
        written = self.written.setdefault(sheet, Written(table=table))
        written.heights.update((r, d.height) for r, d in ws.row_dimensions.items() if r not in written.heights)
        for name, col in appended:
            _text_cell(ws, top, col, name)
            written.cells.add((top, col))
            if table is not None:
                _append_table_column(table, name, top, left, bottom, col)
        for name, values in columns.items():
            self._loaded.restore(ws, where[name], range(top + 1, top + 1 + len(values)))
            _write_column(ws, top + 1, where[name], values, formats.get(name))
            size_column(ws, top, where[name], name, values, formats.get(name), _STYLES.wrap)
            written.cells.update((r, where[name]) for r in range(top + 1, top + 1 + len(values)))
            written.columns.add(where[name])
        if not ws.print_area:  # a print setup of the user's own is kept
            right = max([right, *where.values()])
            box = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
            written.page = PageSetup(box, f"{top}:{top}",
                                     None if ws.freeze_panes else f"{get_column_letter(left)}{top + 1}")  # fmt: skip
            page_setup(ws, written.page)

    def mark_written(self, sheet: str, cells: Collection[tuple[int, int]]) -> None:
        """Cells written into ``sheet`` by others (the intake of new leads), saved with the refresh's."""
        ws = self.wb[sheet]
        written = self.written.setdefault(sheet, Written(table=_main_table(ws)))
        written.cells.update(cells)

    def replace_sheet(self, sheet: str, blocks: Sequence[Block], charts: Sequence[Chart],
                      page: PageSetup | None = None) -> None:  # fmt: skip
        ws, keep_names = self._fresh_sheet(sheet)
        self._replaced.append(sheet)
        used = {n.casefold() for other in self.wb.worksheets for n in other.tables}
        used |= {n.casefold() for n in self.wb.defined_names}
        for block in blocks:
            _write_block(ws, block)
            if block.table:
                name = keep_names.pop(0) if keep_names else _unique(block.table, used)
                used.add(name.casefold())
                _add_table(ws, block, name)
        fit_widths(ws, blocks)
        where = {b.key: b for b in blocks}
        for chart in charts:
            ws.add_chart(_chart(ws, chart, where[chart.block]), f"{get_column_letter(chart.anchor[1])}{chart.anchor[0]}")
        if page is not None:
            page_setup(ws, page)

    def _fresh_sheet(self, sheet: str) -> tuple[Worksheet, list[str]]:
        """An empty sheet in place of ``sheet`` (same position, tab colour, state and
        sheet-scoped names) and the old sheet's table names, for the rebuilt tables."""
        if sheet not in self.wb.sheetnames:
            return self.wb.create_sheet(sheet), []
        old = self.wb[sheet]
        index = self.wb.sheetnames.index(sheet)
        tables = [t.displayName for t in sorted(old.tables.values(), key=lambda t: _box(t.ref))]
        self.wb.remove(old)
        ws = self.wb.create_sheet(sheet, index)
        ws.sheet_properties.tabColor = old.sheet_properties.tabColor
        ws.sheet_state = old.sheet_state
        ws.sheet_view.tabSelected = old.sheet_view.tabSelected
        for name, defined in old.defined_names.items():
            ws.defined_names[name] = defined
        return ws, tables

    def status(self, message: str, fraction: float) -> None:
        if self._progress is not None:
            self._progress(message, fraction)

    def save(self) -> None:
        """Write back what the refresh owns, atomically (see the module's docstring)."""
        save_lossless(self.wb, self._loaded.package, self.target, self.written, self._replaced)
        if self._loaded.values is not None:
            self._loaded.values.close()
        if self._cached is not None:
            self._cached.close()
            self._cached = None


def _no_value_note(sheet: str, header: Any, count: int) -> str:
    return (f'{sheet} column "{header}": {count} formula cells have no saved value (the file was last saved by a '
            "program that does not calculate), so they count as blank; open and save the file in Excel or "
            "LibreOffice to store their values")


# ---- tables -------------------------------------------------------------------------
def _box(ref: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of an A1 range."""
    from openpyxl.utils.cell import range_boundaries

    left, top, right, bottom = range_boundaries(ref)
    return top, left, bottom, right


def _main_table(ws: Worksheet) -> Table | None:
    """The table named like the sheet, else the one at A1, else the first (see choose_table)."""
    tables = sorted(ws.tables.values(), key=lambda t: _box(t.ref))
    i = choose_table(ws.title, [(t.displayName, *_box(t.ref)[:2]) for t in tables])
    return None if i is None else tables[i]


def _table_box(ws: Worksheet) -> tuple[int, int, int, int]:
    """Header row, first column, last data row and last column of the sheet's table
    (a totals row left out), else of the cells from A1 that hold values."""
    table = _main_table(ws)
    if table is None:
        return (1, 1, *_value_extent(ws))
    top, left, bottom, right = _box(table.ref)
    return top, left, bottom - (table.totalsRowCount or 0), right


def _value_extent(ws: Worksheet) -> tuple[int, int]:
    """The last row and column that hold a value (at least 1, 1). Only the cells the file
    holds are looked at: a formatted empty cell (a border on rows below the data, one styled
    cell at T1048576) does not extend the range, and no cell is created for the gap."""
    last_row = last_col = 1
    for (row, col), cell in ws._cells.items():
        if cell.value is not None and cell.value != "":
            last_row, last_col = max(last_row, row), max(last_col, col)
    return last_row, last_col


def _claim_column(ws: Worksheet, sheet: str, name: str, top: int, bottom: int, col: int) -> None:
    """Refuse to append an output column over cells that hold something."""
    for r in range(top, bottom + 1):
        cell = ws._cells.get((r, col))
        if cell is not None and cell.value is not None:
            raise BookError(blocked_message(sheet, r, col, name))


def _append_table_column(table: Table, name: str, top: int, left: int, bottom: int, right: int) -> None:
    next_id = max((c.id for c in table.tableColumns), default=0) + 1
    table.tableColumns.append(TableColumn(id=next_id, name=name))
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom + (table.totalsRowCount or 0)}"
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"


def _add_table(ws: Worksheet, block: Block, name: str) -> None:
    last = f"{get_column_letter(block.col + block.width - 1)}{block.row + block.height - 1}"
    table = Table(displayName=name, ref=f"{get_column_letter(block.col)}{block.row}:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def _unique(hint: str, used: set[str]) -> str:
    base = "".join(ch for ch in hint if ch.isalnum() or ch == "_") or "Table"
    name, k = base, 2
    while name.casefold() in used:
        name, k = f"{base}{k}", k + 1
    return name
