"""The intake's file adapter (openpyxl): the one intake module that touches workbook files.

* :func:`read_sheet`: the rows of an .xlsx export (its first sheet's table, else its used range);
* :func:`write_book`: a new LeadScore XL workbook, written with openpyxl's write-only
  (streaming) mode, so that a million leads take little more than the rows themselves;
* :func:`replace_rows`: the data rows of the Leads table of a loaded workbook replaced
  (new leads merged in), the table resized, everything else left as it was;
* the table style, grade colours and ``xlwings.conf`` sheet the sample template shares.

Every ``str`` is written as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from leadscore_xl.errors import BookError, InputError
from leadscore_xl.intake.layout import GRADE_FILLS
from leadscore_xl.refresh.book_parts import atomic_save

__all__ = ["STYLE", "SheetData", "conf_sheet", "grade_formats", "read_sheet", "replace_rows", "table_on", "write_book"]

STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
_NOTE = Font(italic=True, color="808080")


@dataclass(frozen=True)
class SheetData:
    """One sheet of a new workbook: a Table named like the sheet, from A1."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    count: int
    notes: Sequence[str] = ()  # one per data row, in the column after the table (Settings)
    grade_columns: Sequence[int] = ()  # 1-based columns coloured by grade / route
    widths: dict[int, int] = field(default_factory=dict)  # 1-based column -> width, over the header's


def table_on(ws: Any, width: int, rows: int, header: Sequence[str] | None = None) -> None:
    """The sheet's Excel Table (named like the sheet) over A1 and ``rows`` rows below,
    at least one; a frozen header and widths from the header names."""
    table = Table(displayName=ws.title, ref=f"A1:{get_column_letter(width)}{max(rows, 1) + 1}")
    table.tableStyleInfo = STYLE
    with warnings.catch_warnings():  # write-only: the columns are named below, not from cells
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)
    if header is not None:  # a write-only sheet has no cells to take the column names from
        table._initialise_columns()
        for column, name in zip(table.tableColumns, header):
            column.name = str(name)
    ws.freeze_panes = "A2"


def column_widths(ws: Any, header: Sequence[str], wider: dict[int, int] | None = None) -> None:
    """Widths from the header names (10 to 40), or ``wider`` ones (1-based column -> width)."""
    for j, name in enumerate(header, start=1):
        width = max(10, min(40, len(str(name)) + 4))
        ws.column_dimensions[get_column_letter(j)].width = max(width, (wider or {}).get(j, 0))


def grade_formats(ws: Any, ranges: tuple[str, str]) -> None:
    """Colour grades by GRADE_FILLS and the Disqualified route red, over ``(grades, routes)``."""
    grades, routes = ranges
    for grade, colour in GRADE_FILLS.items():
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(grades, CellIsRule(operator="equal", formula=[f'"{grade}"'], fill=fill))
    red = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
    ws.conditional_formatting.add(
        routes, CellIsRule(operator="equal", formula=['"Disqualified"'], fill=red, font=Font(color="9C0006"))
    )


def conf_sheet(ws: Any) -> None:
    """xlwings reads keys from A1 down to the first blank cell: only what we need."""
    ws["A1"], ws["B1"] = "UDF Modules", "leadscore_udfs"
    ws["A3"] = "xlwings settings for this workbook (read by the xlwings add-in); see the README."
    ws["A3"].font = _NOTE
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 18


# ---- a new workbook -----------------------------------------------------------------
def write_book(path: Path, sheets: Sequence[SheetData]) -> None:
    """Write a new workbook of ``sheets`` and an xlwings.conf sheet, atomically."""
    wb = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        column_widths(ws, sheet.header, sheet.widths)
        if sheet.grade_columns:
            ws.conditional_formatting = ConditionalFormattingList()  # write-only sheets have none
            letters = [get_column_letter(c) for c in sheet.grade_columns]
            last = 1_048_576  # the whole column: leads appended later are coloured too
            grade_formats(ws, (f"{letters[0]}2:{letters[0]}{last}", f"{letters[1]}2:{letters[1]}{last}"))
        if sheet.notes:
            ws.column_dimensions[get_column_letter(len(sheet.header) + 2)].width = 70
        table_on(ws, len(sheet.header), sheet.count, sheet.header)
        ws.append([_text_cell(ws, h) for h in sheet.header])
        _append_rows(ws, sheet)
    conf = wb.create_sheet("xlwings.conf")
    conf.append(["UDF Modules", "leadscore_udfs"])
    conf.append([])
    note = WriteOnlyCell(conf, "xlwings settings for this workbook (read by the xlwings add-in); see the README.")
    note.font = _NOTE
    conf.append([note])
    atomic_save(wb.save, path)


def _append_rows(ws: Any, sheet: SheetData) -> None:
    notes = list(sheet.notes)
    pad = [None]
    written = 0
    for i, row in enumerate(sheet.rows):
        out = [_safe(ws, v) if type(v) is str else v for v in row]
        if i < len(notes) and notes[i]:
            cell = WriteOnlyCell(ws, notes[i])
            cell.font = _NOTE
            out = out + pad + [cell]
        ws.append(out)
        written += 1
    if not written:
        ws.append([None] * len(sheet.header))


def _safe(ws: Any, text: str) -> Any:
    """A text cell: plain when openpyxl would store it as text anyway, else forced."""
    if text[:1] == "=" or ILLEGAL_CHARACTERS_RE.search(text):
        return _text_cell(ws, text)
    return text


def _text_cell(ws: Any, text: str) -> Cell:
    cell = WriteOnlyCell(ws)
    cell._value = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    cell.data_type = "s"
    return cell


# ---- reading an .xlsx export --------------------------------------------------------
def read_sheet(path: Path) -> tuple[list[Any], list[list[Any]], None]:
    """The header and rows of the first sheet of an .xlsx export (its Excel Table, if any)."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InputError(f"{path.name} cannot be opened as an Excel workbook ({exc}); save it as .xlsx or CSV") from exc
    try:
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(v is None for v in rows[0]):
        rows.pop(0)
    if not rows:
        raise InputError(f"{path.name}: the first sheet is empty; put the export, with its header row, on it")
    width = len(rows[0])
    body = [r + [None] * (width - len(r)) if len(r) < width else r[:width] for r in rows[1:]]
    body = [r for r in body if any(v is not None and str(v).strip() for v in r)]
    return rows[0], body, None


# ---- new leads into an existing workbook --------------------------------------------
def replace_rows(wb: Any, sheet: str, header: Sequence[str], writes: dict[int, dict[int, Any]],
                 height: int) -> set[tuple[int, int]]:  # fmt: skip
    """Write new leads into the sheet's table at A1: ``header`` is the old header plus any
    new columns (appended to the table), ``writes`` the cells of added and updated data
    rows (0-based row -> {0-based column -> value}); the table ends after ``height`` rows
    and rows below that end are cleared. No other cell is touched. Returns the (row, column)
    of every cell written or cleared."""
    ws = wb[sheet]
    table = next((t for t in ws.tables.values() if t.ref.upper().startswith("A1:")), None)
    if table is None:
        raise BookError(f"The {sheet} sheet has no Excel Table at A1; make the leads a table (Ctrl+T) and run again")
    old_width = len(table.tableColumns)
    old_bottom = int("".join(ch for ch in table.ref.split(":")[1] if ch.isdigit()))
    for j, name in enumerate(header[old_width:], start=old_width + 1):
        _claim(ws, sheet, j, old_bottom, name)
    cells = {(1, j) for j in range(old_width + 1, len(header) + 1)}
    cells |= {(i + 2, j + 1) for i, values in writes.items() for j in values}
    cells |= {(r, j) for r in range(max(height, 1) + 2, old_bottom + 1) for j in range(1, len(header) + 1)}
    for j, name in enumerate(header[old_width:], start=old_width + 1):
        _write(ws, 1, j, name)
        table.tableColumns.append(TableColumn(id=max(c.id for c in table.tableColumns) + 1, name=name))
    for i, row in writes.items():
        for j, value in row.items():
            _write(ws, i + 2, j + 1, value)
    bottom = max(height, 1) + 1
    for r in range(bottom + 1, old_bottom + 1):
        for j in range(1, len(header) + 1):
            _write(ws, r, j, None)
    table.ref = f"A1:{get_column_letter(len(header))}{bottom}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    return cells


def _claim(ws: Any, sheet: str, col: int, bottom: int, name: str) -> None:
    for r in range(1, bottom + 1):
        cell = ws._cells.get((r, col))
        if cell is not None and cell.value is not None:
            raise BookError(f'{sheet}!{get_column_letter(col)}{r} is not empty, so the new column "{name}" cannot be '
                            "added to the table there; move that cell and run again")  # fmt: skip


def _write(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws._cells.get((row, col))
    if cell is None:
        if value is None:
            return
        cell = ws._cells[(row, col)] = Cell(ws, row=row, column=col)
    if type(value) is str:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
