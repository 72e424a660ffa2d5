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
import re
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
from openpyxl.utils.datetime import from_excel, from_ISO8601

from leadscore_xl.refresh.book_parts import choose_table
from leadscore_xl.refresh.lossless import BookParts
from leadscore_xl.refresh.package import Package
from leadscore_xl.refresh.sheetxml import col_number, drop_cells, row_span
from leadscore_xl.sheet.table import norm

__all__ = ["Loaded", "fast_values", "load"]


@dataclass
class Loaded:
    wb: Any  # the full workbook (the reduced sheet without its input cells)
    values: Any  # the read-only workbook, or None
    reduced: str | None  # the sheet whose input cells come from ``values``
    package: Package
    styles: dict[tuple[int, int], int] = field(default_factory=dict)  # its output cells' formats (cellXfs index)
    part: str | None = None  # the reduced sheet's part in the package

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


def load(source: Path, outputs: Iterable[str], full: bool = False, package: Package | None = None) -> Loaded:
    """``source`` opened for the refresh (see the module's docstring); ``package``: its
    parts, when they have been read already."""
    package = package if package is not None else Package.read(source)
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
    return Loaded(reader.wb, values, sheet, package, reduced[1], parts.sheet_part(sheet))


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


# ---- the Leads values, read straight from the sheet's XML ---------------------------------------
# One expression per cell as Excel, LibreOffice, openpyxl and XlsxWriter write it: the
# reference first, then s and t in either order, then the content. A sheet written
# otherwise is read by openpyxl instead.
_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?: s="(\d+)")?([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_ATTR_S = re.compile(rb'\ss="(\d+)"')
_ATTR_T = re.compile(rb'\st="(\w+)"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v>")
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_N = re.match(rb"(n)", b"n")
_ZERO = re.match(rb"(0)", b"0")


def fast_values(loaded: Loaded, sheet: str, box: tuple[int, int, int, int]) -> tuple[list[list[Any]], dict[int, int]] | None:
    """The values of ``box`` (top, left, bottom, right) of the reduced sheet as openpyxl's
    read-only mode gives them, a formula cell as its last calculated value (openpyxl's
    data-only mode); and, by column offset, how many formula cells have no value. None
    when the sheet's XML is not in the shape read here."""
    xml = loaded.package.parts.get(loaded.part or "") if sheet == loaded.reduced else None
    if xml is None or not _plain_shape(xml):
        return None
    top, left, bottom, right = box
    width = right - left + 1
    rows: list[list[Any]] = [[None] * width for _ in range(bottom - top + 1)]
    missing: dict[int, int] = {}
    book = loaded.values
    dates, spans, epoch = book._date_formats, book._timedelta_formats, book.epoch
    strings = book[sheet]._shared_strings
    columns: dict[bytes, int] = {}
    for cell in _CELL.finditer(xml, *(row_span(xml, top, bottom) or (0, len(xml)))):
        letters = cell.group(1)
        j = columns.get(letters)
        if j is None:
            j = columns[letters] = col_number(letters) - left
        i = int(cell.group(2)) - top
        if not (0 <= j < width and 0 <= i < len(rows)):
            continue
        kind, style = cell.group(4) or b"n", int(cell.group(3) or cell.group(5) or 0)
        if b"t=" in cell.group(6) or b"s=" in cell.group(6):  # attributes in another order
            head = cell.group(0)[:cell.group(0).find(b">")]
            kind = (_ATTR_T.search(head) or _N).group(1)
            style = int((_ATTR_S.search(head) or _ZERO).group(1))
        inner = cell.group(7)
        if not inner:
            continue
        if kind == b"inlineStr":
            rows[i][j] = _inline(inner) if b"<is" in inner else None
            continue
        if inner.startswith(b"<v>"):
            raw, formula = inner[3:inner.find(b"</v>", 3)], False
        else:
            found = _VALUE.search(inner)
            raw, formula = (found.group(1) if found else None), inner.startswith(b"<f")
        if raw:
            rows[i][j] = _convert(raw, kind, style, strings, dates, spans, epoch)
        elif formula:
            missing[j] = missing.get(j, 0) + 1
    return rows, missing


def _plain_shape(xml: bytes) -> bool:
    head = xml[:200]
    if b"encoding" in head and not re.search(rb'encoding=["\']utf-?8["\']', head, re.I):
        return False
    return (b"<![CDATA[" not in xml and b"<x:c" not in xml
            and xml.count(b"<c ") + xml.count(b"<c>") == xml.count(b'<c r="'))  # fmt: skip


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(found: re.Match[str]) -> str:
    name = found.group(1)
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))


def _text(raw: bytes) -> str:
    """XML text: the five entities and character references (html.unescape would read
    &#128; as a euro sign, as HTML does; XML means U+0080)."""
    text = raw.decode("utf-8")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _inline(raw: bytes) -> str:
    return "".join(_text(t) for t in _TEXT.findall(_PHONETIC.sub(b"", raw)))


def _convert(raw: bytes, kind: bytes, style: int, strings: list[str], dates: Any, spans: Any, epoch: Any) -> Any:
    if kind == b"n":
        value = float(raw) if b"." in raw or b"E" in raw or b"e" in raw else int(raw)
        if style in dates:
            try:
                return from_excel(value, epoch, timedelta=style in spans)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return value
    if kind == b"s":
        return strings[int(raw)]
    if kind == b"b":
        return bool(int(raw))
    if kind == b"d":
        return from_ISO8601(raw.decode())
    return _text(raw)  # str (a formula's text) and e (an error value)
