"""The openpyxl side of the lossless save of a :class:`~leadscore_xl.refresh.book_file.FileBook`.

The refresh writes into the openpyxl workbook as before; nothing of it is saved whole.
:func:`save_lossless` takes from it:

* the cells the refresh wrote on Leads (value, formula and cell format), its column
  widths and row heights, the table's new range and columns, and the page setup;
* a scratch package that openpyxl writes with the owned sheets alone (their cells,
  tables, charts, sheet-scoped names and the cell formats they use);

and hands them to :func:`~leadscore_xl.refresh.lossless.write_back`, which edits the
original package; the result is saved atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import absolute_coordinate, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from leadscore_xl.refresh.book_parts import atomic_save
from leadscore_xl.refresh.formats import PageSetup
from leadscore_xl.refresh.lossless import LeadsEdit, write_back
from leadscore_xl.refresh.package import Package
from leadscore_xl.refresh.sheetxml import SheetEdit

__all__ = ["Written", "save_lossless"]

_DATES = (dt.datetime, dt.date, dt.time, dt.timedelta)


@dataclass
class Written:
    """What the refresh wrote on a sheet it does not own (Leads)."""

    cells: set[tuple[int, int]] = field(default_factory=set)
    columns: set[int] = field(default_factory=set)  # columns whose width the refresh set
    heights: dict[int, float | None] = field(default_factory=dict)  # row heights before the write
    page: PageSetup | None = None
    table: Any = None  # the openpyxl Table


def save_lossless(wb: Any, package: Package, target: Path, written: dict[str, Written], owned: Collection[str]) -> None:
    """Write ``package`` (the original, as read) to ``target`` with the refresh's changes."""
    edits = [_leads_edit(wb[sheet], w) for sheet, w in written.items()]  # cell formats numbered before the scratch save
    scratch = Package.read(io.BytesIO(_scratch(wb, owned)))
    write_back(package, scratch, edits, [s for s in wb.sheetnames if s in owned])
    atomic_save(package.save, target)


def _payload(cell: Any) -> tuple[str, str, int]:
    value = cell.value
    style = cell.style_id if cell.has_style else 0
    if value is None:
        return "", "", style
    if cell.data_type == "f":
        return "f", str(value)[1:], style
    if isinstance(value, bool):
        return "b", "1" if value else "0", style
    if isinstance(value, (int, float)):
        return "n", repr(value), style
    if isinstance(value, _DATES):
        return "n", repr(to_excel(value, cell.parent.parent.epoch)), style
    return "s", str(value), style


def _leads_edit(ws: Worksheet, written: Written) -> LeadsEdit:
    cells: dict[int, dict[int, tuple[str, str, int]]] = {}
    for r, c in written.cells:
        cell = ws._cells.get((r, c))
        cells.setdefault(r, {})[c] = _payload(cell) if cell is not None else ("", "", 0)
    rows, cols = [r for r, _ in written.cells], [c for _, c in written.cells]
    edit = SheetEdit(dimension=(min(rows), min(cols), max(rows), max(cols)) if written.cells else None)
    for c in written.columns:
        letter = ws.cell(1, c).column_letter
        width = ws.column_dimensions[letter].width if letter in ws.column_dimensions else None
        if width:
            edit.widths[c] = width
    for r, dim in ws.row_dimensions.items():
        if dim.height and dim.height != written.heights.get(r):
            edit.heights[r] = dim.height
    names = {}
    if written.page is not None:
        edit.fit, edit.freeze = True, written.page.freeze
        sheet = quote_sheetname(ws.title)
        if written.page.area:
            names["_xlnm.Print_Area"] = f"{sheet}!{absolute_coordinate(written.page.area)}"
        if written.page.title_rows:
            first, last = written.page.title_rows.split(":")
            names["_xlnm.Print_Titles"] = f"{sheet}!${first}:${last}"
    table = written.table
    leads = LeadsEdit(ws.title, cells, edit, names=names)
    if table is not None:
        leads.table, leads.ref = table.displayName, table.ref
        leads.filter_ref = table.autoFilter.ref if table.autoFilter is not None else None
        leads.columns = [c.name for c in table.tableColumns]
    return leads


def _scratch(wb: Any, owned: Collection[str]) -> bytes:
    """The workbook saved with the owned sheets alone (and a blank last sheet, so that one
    is visible); its macros and external links left out."""
    saved = wb._sheets, wb._active_sheet_index, wb.vba_archive, wb._external_links
    wb._sheets = [ws for ws in wb._sheets if ws.title in owned] + [Worksheet(wb, "LeadScore scratch")]
    wb._active_sheet_index, wb.vba_archive, wb._external_links = 0, None, []
    try:
        buffer = io.BytesIO()
        wb.save(buffer)
    finally:
        wb._sheets, wb._active_sheet_index, wb.vba_archive, wb._external_links = saved
    return buffer.getvalue()
