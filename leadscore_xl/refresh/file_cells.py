"""Cells of the file adapter: text always as text, a Formula as a formula, numbers with
their formats, and the blocks of the owned sheets (headers bold, titles larger)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

from leadscore_xl.refresh.file_layout import Styles, align_block
from leadscore_xl.refresh.formats import format_runs
from leadscore_xl.refresh.report import Block, Formula

__all__ = ["BOLD", "STYLES", "TITLE", "text_cell", "write_block", "write_column"]

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=12)
STYLES = Styles(  # Excel indents only left- or right-aligned text
    right=Alignment(horizontal="right", wrap_text=True, vertical="bottom"),
    head=Alignment(wrap_text=True, vertical="bottom"),
    head_indent=Alignment(horizontal="left", wrap_text=True, vertical="bottom", indent=1),
    wrap=Alignment(wrap_text=True, vertical="top"),
    wrap_indent=Alignment(horizontal="left", wrap_text=True, vertical="top", indent=1),
    indent=Alignment(horizontal="left", indent=1),
)


def _cell(ws: Worksheet, row: int, col: int) -> Cell:
    cell = ws._cells.get((row, col))
    if cell is None:
        cell = ws._cells[(row, col)] = Cell(ws, row=row, column=col)
    return cell


def text_cell(ws: Worksheet, row: int, col: int, text: str) -> Cell:
    cell = _cell(ws, row, col)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"  # text, even when it starts with = + - @
    return cell


def _put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write one value: a Formula as a formula, any str as text, NaN as blank."""
    kind = type(value)
    if kind is str:
        return text_cell(ws, row, col, value)
    cell = _cell(ws, row, col)
    if kind is Formula:
        cell.value = value.text
    elif kind is float and not math.isfinite(value):
        cell.value = None
    elif hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        cell.value = _plain(value.item())
    else:
        cell.value = value
    return cell


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_column(ws: Worksheet, first: int, col: int, values: Sequence[Any], number_format: str | None) -> None:
    """Write a column; a cell still formatted General before the write gets ``number_format``
    (openpyxl gives a date its own format on assignment; a user's format is kept)."""
    format_id = None  # the format's index once known: 100,000 cells need not look it up each
    for i, value in enumerate(values):
        old = ws._cells.get((first + i, col))
        general = old is None or old.number_format == "General"
        cell = _put(ws, first + i, col, value)
        if number_format and value is not None and general:
            if format_id is None:
                cell.number_format = number_format
                format_id = cell._style.numFmtId
            else:
                _style_array(cell).numFmtId = format_id


def _style_array(cell: Cell) -> StyleArray:
    """The cell's own format indexes (openpyxl makes them on the first style assignment)."""
    if cell._style is None:
        cell._style = StyleArray()
    return cell._style


def write_block(ws: Worksheet, block: Block) -> None:
    if block.title:
        text_cell(ws, block.row - 1, block.col, block.title).font = TITLE
    for i, row in enumerate(block.rows):
        for j, value in enumerate(row):
            if i == 0:
                text_cell(ws, block.row, block.col + j, "" if value is None else str(value)).font = BOLD
            else:
                _put(ws, block.row + i, block.col + j, value)
    align_block(ws, block, STYLES)
    for first, last, j, fmt in format_runs(block.rows, block.formats):
        for i in range(first, last + 1):
            ws._cells[(block.row + i, block.col + j)].number_format = fmt
