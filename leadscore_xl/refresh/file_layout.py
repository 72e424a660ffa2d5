"""Widths, alignment, row heights and page setup on an openpyxl worksheet, from the content.

Used by :mod:`leadscore_xl.refresh.book_file` only, which passes the worksheet and its
alignment objects (:class:`Styles`), so that openpyxl stays imported there alone. What
to choose comes from :mod:`leadscore_xl.refresh.formats`; this module only applies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadscore_xl.refresh.formats import (WIDTH_CAP, PageSetup, block_texts, column_widths, display_text,
                                          numeric_columns, text_lines)  # fmt: skip
from leadscore_xl.refresh.report import Block, Formula
from leadscore_xl.sheet.table import column_letters

__all__ = ["LINE_HEIGHT", "Styles", "align_block", "fit_widths", "page_setup", "size_column"]

LINE_HEIGHT = 15  # points per line of wrapped text (LibreOffice does not size such rows itself)


@dataclass(frozen=True)
class Styles:
    """Alignments: a header over numbers, a header over text, wrapped text, wrapped text
    right of a number, and short text right of a number (indented: "47.4%  yes")."""

    right: Any
    head: Any
    head_indent: Any
    wrap: Any
    wrap_indent: Any
    indent: Any


def align_block(ws: Any, block: Block, styles: Styles) -> None:
    """Headers aligned like their values; text beside numbers indented; long text wrapped."""
    numeric = numeric_columns(block.rows)
    for i, row in enumerate(block.rows):
        for j, value in enumerate(row):
            indent = j > 0 and not numeric[j]
            cell = ws._cells.get((block.row + i, block.col + j))
            if cell is None:
                continue
            if i == 0:
                cell.alignment = styles.right if numeric[j] else styles.head_indent if indent else styles.head
            elif type(value) is str and len(value) > WIDTH_CAP:
                cell.alignment = styles.wrap_indent if indent else styles.wrap
            elif type(value) is str and indent:
                cell.alignment = styles.indent


def fit_widths(ws: Any, blocks: Sequence[Block]) -> None:
    """Columns as wide as their headers and values as displayed (titles overflow freely);
    rows of wrapped text as tall as their lines."""
    texts = [t for block in blocks for t in block_texts(block.rows, block.formats, block.col)]
    widths = column_widths(texts)
    for col, width in sorted(widths.items()):
        ws.column_dimensions[column_letters(col)].width = width
    for block in blocks:
        for i, row in enumerate(block.rows):
            lines = max((text_lines(str(v), widths.get(block.col + j, 8))
                         for j, v in enumerate(row) if isinstance(v, str) and (not i or len(v) > WIDTH_CAP)), default=1)  # fmt: skip
            if lines > 1:
                ws.row_dimensions[block.row + i].height = LINE_HEIGHT * lines


def size_column(ws: Any, top: int, col: int, name: str, values: Sequence[Any], number_format: str | None,
                wrap: Any) -> None:  # fmt: skip
    """Widen a written Leads column to its header and values (never narrow it); long text wraps."""
    sample = [v for v in values[:5000] if v is not None and type(v) is not Formula]
    texts = [(col, name)] + [(col, display_text(number_format, v)) for v in sample]
    if any(type(v) is Formula for v in values[:1]):
        texts.append((col, "100.0%"))
    width = column_widths(texts)[col]
    letter = column_letters(col)
    current = ws.column_dimensions[letter].width if letter in ws.column_dimensions else None
    ws.column_dimensions[letter].width = max(width, current or 0)
    if not any(isinstance(v, str) and len(v) > WIDTH_CAP for v in sample):
        return
    wrapped = ws.parent._alignments.add(wrap)  # its index, once (openpyxl's setter looks it up per cell)
    for i, value in enumerate(values):
        if isinstance(value, str) and len(value) > WIDTH_CAP:
            cell = ws._cells[(top + 1 + i, col)]
            if cell._style is None:
                cell.alignment = wrap
            else:
                cell._style.alignmentId = wrapped
            height = ws.row_dimensions[top + 1 + i].height or LINE_HEIGHT
            ws.row_dimensions[top + 1 + i].height = max(height, LINE_HEIGHT * text_lines(value, width))


def page_setup(ws: Any, page: PageSetup) -> None:
    """Landscape, one page wide, the print area, repeated header rows and frozen panes."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # openpyxl gives every sheet its pageSetUpPr
    ws.print_options.gridLines = False
    if page.area:
        ws.print_area = page.area
    if page.title_rows:
        ws.print_title_rows = page.title_rows
    if page.freeze:
        ws.freeze_panes = page.freeze
