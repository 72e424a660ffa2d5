"""Opening a workbook file for the refresh without building an object for every lead cell.

openpyxl's full load makes a Python object of every cell; for a 100,000-lead sheet that
is most of a refresh. The refresh reads the Leads input cells once, as values, and
writes only its output columns, so :func:`load` opens the file twice:

* in read-only mode, for the values of the Leads sheet (streamed, no cell objects);
* fully, from a copy of the package in which the Leads table's cells below its header
  are left out: the header row, the cells beside and below the table, and the sheet's
  columns, rows, table, panes and print settings are there, for the writing; the output
  cells' formats are kept aside and put back before they are written
  (:meth:`Loaded.restore`); every other sheet is whole.

Nothing of the copy is saved: the lossless writer edits the original package. With
``full=True`` (new leads are merged into the table first) the file is loaded whole.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries

from leadscore_xl.refresh.book_parts import choose_table
from leadscore_xl.refresh.lossless import BookParts
from leadscore_xl.refresh.package import Package
from leadscore_xl.refresh.sheetxml import drop_cells
from leadscore_xl.sheet.table import norm

__all__ = ["Loaded", "load"]


@dataclass
class Loaded:
    wb: Any  # the full workbook (the reduced sheet without its input cells)
    values: Any  # the read-only workbook, or None
    reduced: str | None  # the sheet whose input cells come from ``values``
    package: Package
    styles: dict[tuple[int, int], int] = field(default_factory=dict)  # its output cells' formats (cellXfs index)

    def restore(self, ws: Any, col: int, rows: range) -> None:
        """Put back the cells of output column ``col`` left out of the copy, with their formats
        (their values are about to be replaced)."""
        if ws.title != self.reduced:
            return
        styles = self.wb._cell_styles
        for r in rows:
            s = self.styles.get((r, col))
            if s is not None and (r, col) not in ws._cells and s < len(styles):
                cell = ws._cells[(r, col)] = Cell(ws, row=r, column=col)
                cell._style = copy(styles[s])


def load(source: Path, outputs: Iterable[str], full: bool = False) -> Loaded:
    package = Package(source)
    keys = {norm(o) for o in outputs}
    parts = BookParts(package)
    sheet = next((s.get("name") for s in parts.sheets if norm(s.get("name") or "") == "leads"), None)
    if full or sheet is None:
        return Loaded(openpyxl.load_workbook(source, keep_links=False), None, None, package)
    values = openpyxl.load_workbook(source, read_only=True, keep_links=False)
    reduced = _reduced(package, parts, sheet, values, keys)
    if reduced is None:
        values.close()
        return Loaded(openpyxl.load_workbook(source, keep_links=False), None, None, package)
    reader = _SameStrings(io.BytesIO(reduced[0]), values[sheet]._shared_strings)
    reader.read()
    return Loaded(reader.wb, values, sheet, package, reduced[1])


class _SameStrings(ExcelReader):  # type: ignore[misc]
    """openpyxl's reader, given the shared strings the read-only load has already parsed
    (the copy has the same ones): a large string table is parsed once, not twice."""

    def __init__(self, data: io.BytesIO, strings: list[str]) -> None:
        super().__init__(data, keep_links=False)
        self._strings = strings

    def read_strings(self) -> None:
        self.shared_strings = self._strings


def _reduced(package: Package, parts: BookParts, sheet: str, values: Any,
             keys: set[str]) -> tuple[bytes, dict[tuple[int, int], int]] | None:  # fmt: skip
    part = parts.sheet_part(sheet)
    tables = []
    for rel in package.rels(part) if part else []:
        if rel.type.endswith("/table") and not rel.external and rel.target in package.parts:
            table = package.xml(rel.target)
            left, top, right, bottom = range_boundaries(table.get("ref", "A1"))
            tables.append((table.get("displayName", ""), top, left, bottom - int(table.get("totalsRowCount", "0")), right))
    tables.sort(key=lambda t: (t[1], t[2]))
    i = choose_table(sheet, [t[:3] for t in tables])
    if i is None or part is None:
        return None
    _, top, left, bottom, right = tables[i]
    header = next(values[sheet].iter_rows(min_row=top, max_row=top, min_col=left, max_col=right, values_only=True), ())
    outputs = {left + j for j, h in enumerate(header) if isinstance(h, str) and norm(h) in keys}
    xml, styles = drop_cells(package.parts[part], set(range(left, right + 1)), top + 1, bottom, outputs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for name, data in package.parts.items():
            out.writestr(name, xml if name == part else data)
    return buffer.getvalue(), styles
