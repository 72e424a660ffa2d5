"""The Book port over a live Excel workbook (xlwings): what the Refresh Scores button runs.

The ribbon add-in's button calls :func:`main` (= :func:`refresh_active`), which refreshes
``xw.Book.caller()``: the workbook of the Excel instance that pressed the button, not
whatever instance happens to be "active" when two are open. When the caller is the
add-in itself (an ``.xlam``), the refreshed workbook is the active one *of that same
Excel instance*. Progress goes to Excel's status bar; an error goes to a message box as
one sentence (the error's own message: what is wrong, where, how to fix it).

This adapter is deliberately thin: each port method is a few COM calls, and the logic
that can be checked without Excel lives in pure helpers (:func:`live_value`,
:func:`drop_columns`, :func:`one_sentence`, :func:`block_cells`, :func:`table_span`,
:func:`first_filled`, :func:`chart_columns`, :func:`is_addin`) that the tests cover.
Appended output columns are all checked before any cell is written.
The refresh computes everything before writing, so bad input leaves the workbook as
it was. The workbook is not saved: the user decides when to save it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import xlwings as xw

from leadscore_xl.refresh.book_parts import blocked_message, choose_table, plan_columns
from leadscore_xl.errors import BookError, LeadScoreError
from leadscore_xl.refresh.formats import WIDTH_CAP, PageSetup, block_texts, column_widths, display_text, format_runs, numeric_columns
from leadscore_xl.refresh.run import RefreshResult, refresh
from leadscore_xl.refresh.report import Block, Chart, Formula
from leadscore_xl.sheet.table import norm

__all__ = ["LiveBook", "block_cells", "chart_columns", "drop_columns", "first_filled", "is_addin", "live_value", "main",
           "one_sentence", "refresh_active", "table_span"]  # fmt: skip

TITLE = "LeadScore XL"
_CHART_TYPES = {"bar": "column_clustered", "scatter": "xy_scatter_lines_no_markers"}
_XL_RIGHT, _XL_LEFT, _XL_LANDSCAPE = -4152, -4131, 2


def live_value(value: Any) -> Any:
    """A value as it must be assigned to ``Range.value``: a Formula as its text, every
    other text behind Excel's text prefix ``'`` (so "=HYPERLINK(...)", "+1", "1-49" or
    "00123" stay text), NaN as blank, numpy scalars as Python numbers."""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, str):
        return "'" + value if value else None
    if hasattr(value, "item") and not isinstance(value, (dt.date, dt.time)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def drop_columns(rows: list[list[Any]], skip: Collection[str]) -> list[list[Any]]:
    """The rows without the columns whose header is in ``skip`` (ignoring case and spaces)."""
    if not rows or not skip:
        return rows
    skipped = {norm(s) for s in skip}
    keep = [j for j, h in enumerate(rows[0]) if not (isinstance(h, str) and norm(h) in skipped)]
    return rows if len(keep) == len(rows[0]) else [[r[j] for j in keep] for r in rows]


def one_sentence(error: BaseException) -> str:
    """An error as one sentence for a message box."""
    text = " ".join(str(error).split()) or type(error).__name__
    if not isinstance(error, LeadScoreError):
        text = f"The refresh stopped on an unexpected error ({type(error).__name__}: {text}); please report it"
    return text if text.endswith((".", "?", "!")) else text + "."


def block_cells(block: Block) -> list[list[Any]]:
    """A block's rows, rectangular, ready for one ``Range.value`` assignment."""
    width = block.width
    return [[live_value(v) for v in row] + [None] * (width - len(row)) for row in block.rows]


def table_span(header: tuple[int, int, int], body_rows: int) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of a table's header row and data body, from its header
    row's (row, column, width) and the body's row count: a totals row is left out."""
    row, col, width = header
    return row, col, row + body_rows, col + width - 1


def _value_extent(ws: Any, last_row: int, last_col: int) -> tuple[int, int]:
    """The last row holding a value in a header column, and the last header column, of a
    plain range from A1. Excel's used range also spans formatted empty cells (borders on
    rows below the data, a styled T1048576), so each column is searched upwards from the
    used range's last row (Ctrl+Up): a few calls, whatever the size of the used range."""
    heads = ws.range((1, 1), (1, last_col)).options(ndim=1).value or []
    filled = [j for j, h in enumerate(heads, start=1) if h is not None and h != ""]
    right = filled[-1] if filled else 1
    bottom = 1
    for col in range(1, right + 1):
        cell = ws.range((last_row, col))
        bottom = max(bottom, last_row if cell.value not in (None, "") else cell.end("up").row)
    return bottom, right


def first_filled(values: list[list[Any]]) -> tuple[int, int] | None:
    """(row, column) offsets of the first non-empty cell of a 2-D block, row by row."""
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is not None and value != "":
                return i, j
    return None


def chart_columns(spec: Chart, first_row: int, last_row: int, left: int) -> tuple[list[tuple[int, int, int]], tuple[int, int, int]]:
    """Sheet ranges of a chart drawn from a block spanning ``first_row`` (its header) to
    ``last_row`` from column ``left``: the y columns with their header, each as
    (first row, last row, column), and the x values without the header. The chart is
    built from the y columns alone and gets its x values separately; given together,
    Excel would read a numeric x column as one more series."""
    ys = [(first_row, last_row, left + y) for y in spec.ys]
    return ys, (first_row + 1, last_row, left + spec.x)


def is_addin(name: str) -> bool:
    """Whether a calling workbook's name is an add-in's (then the active workbook is meant)."""
    return name.lower().endswith((".xlam", ".xla"))


class LiveBook:
    """An xlwings Book behind the refresh's Book port."""

    layout = True  # column widths, alignment and page setup through Excel's COM objects

    def __init__(self, book: Any) -> None:
        self.book = book
        self.app = book.app

    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.book.sheets)

    def _table(self, sheet: str) -> tuple[Any, Any]:
        """(sheet, the table holding its data or None), chosen as the file adapter chooses."""
        ws = self.book.sheets[sheet]
        tables = list(ws.tables)
        i = choose_table(ws.name, [(t.name, t.range.row, t.range.column) for t in tables])
        return ws, None if i is None else tables[i]

    def _box(self, sheet: str) -> tuple[Any, tuple[int, int, int, int]]:
        """(sheet, (top, left, bottom, right)) of the header row and data body."""
        ws, table = self._table(sheet)
        header = None if table is None else table.header_row_range
        if header is None:
            last = ws.used_range.last_cell
            return ws, (1, 1, *_value_extent(ws, last.row, last.column))
        body = table.data_body_range
        return ws, table_span((header.row, header.column, header.columns.count), 0 if body is None else body.rows.count)

    def _range(self, sheet: str) -> Any:
        ws, (top, left, bottom, right) = self._box(sheet)
        return ws.range((top, left), (bottom, right))

    def table_label(self, sheet: str) -> str:
        ws, table = self._table(sheet)
        if table is None:
            return "cells from A1 (no Excel table)"
        return f'table "{table.name}" ({table.range.get_address(False, False)})'

    def read_table(self, sheet: str, skip: Collection[str] = ()) -> tuple[list[list[Any]], int]:
        rng = self._range(sheet)
        rows = rng.options(ndim=2, err_to_str=True).value or []
        return drop_columns(rows, skip), rng.row

    def header_cells(self, sheet: str) -> tuple[list[Any], int, int]:
        rng = self._range(sheet)
        return list(rng[0, :].options(ndim=1).value), rng.row, rng.column

    def write_columns(self, sheet: str, columns: Mapping[str, Sequence[Any]], formats: Mapping[str, str]) -> None:
        ws, table = self._table(sheet)
        _, (top, left, bottom, right) = self._box(sheet)
        n = bottom - top
        heads = ws.range((top, left), (top, right)).options(ndim=1).value
        header = {norm(str(h)): left + j for j, h in enumerate(heads) if h is not None}
        where, appended = plan_columns(header, columns, right)
        if appended:
            first, last = appended[0][1], appended[-1][1]
            hit = first_filled(ws.range((top, first), (bottom, last)).options(ndim=2).value)
            if hit is not None:  # checked for every column before any cell is written
                raise BookError(blocked_message(sheet, top + hit[0], first + hit[1], appended[hit[1]][0]))
            ws.range((top, first)).value = [[live_value(name) for name, _ in appended]]
            if table is not None:
                totals = 1 if table.show_totals else 0
                table.resize(ws.range((top, left), (bottom + totals, last)))
        for name, values in columns.items():
            if n:
                self._write_column(ws.range((top + 1, where[name]), (bottom, where[name])), values, formats.get(name))
                if self.layout:
                    self._size_column(ws, top, where[name], name, values, formats.get(name))
        if self.layout and not _print_area(ws):  # a print setup of the user's own is kept
            last = max([right, *where.values()])
            area = ws.range((top, left), (bottom, last)).get_address()
            _page_setup(ws, PageSetup(area, f"{top}:{top}", ws.range((top + 1, left)).get_address(False, False)))

    @staticmethod
    def _size_column(ws: Any, top: int, col: int, name: str, values: Sequence[Any], number_format: str | None) -> None:
        """Widen a written column to its header and values; long text wraps."""
        sample = [v for v in values[:5000] if v is not None and not isinstance(v, Formula)]
        width = column_widths([(col, name)] + [(col, display_text(number_format, v)) for v in sample])[col]
        column = ws.range((top, col)).entire_column
        column.column_width = max(width, column.column_width or 0)
        if any(isinstance(v, str) and len(v) > WIDTH_CAP for v in sample):
            column.wrap_text = True

    @staticmethod
    def _write_column(cells: Any, values: Sequence[Any], number_format: str | None) -> None:
        """Values, and ``number_format`` if the column was General before (Excel formats dates itself)."""
        general = cells[0, 0].number_format == "General"
        cells.value = [[live_value(v)] for v in values]
        if number_format and general:
            cells.number_format = number_format

    def replace_sheet(self, sheet: str, blocks: Sequence[Block], charts: Sequence[Chart],
                      page: PageSetup | None = None) -> None:  # fmt: skip
        names = [s.name for s in self.book.sheets]
        ws = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet, after=self.book.sheets[-1])
        kept = [t.name for t in sorted(ws.tables, key=lambda t: (t.range.row, t.range.column))]
        for chart in list(ws.charts):
            chart.delete()
        for table in list(ws.tables):
            table.api.Delete()  # a ListObject has no xlwings delete(); Excel's own method
        ws.clear()
        where = {}
        for block in blocks:
            where[block.key] = self._draw(ws, block, kept)
        for spec in charts:
            self._chart(ws, spec, where[spec.block])
        if not self.layout:
            return
        texts = [t for block in blocks for t in block_texts(block.rows, block.formats, block.col)]
        for col, width in column_widths(texts).items():
            ws.range((1, col)).entire_column.column_width = width
        if page is not None:
            _page_setup(ws, page)

    def _draw(self, ws: Any, block: Block, kept: list[str]) -> Any:
        if block.title:
            cell = ws.range((block.row - 1, block.col))
            cell.value = live_value(block.title)
            cell.font.bold = True
        if not block.rows:  # a title alone: a note
            return ws.range((block.row - 1, block.col))
        rng = ws.range((block.row, block.col), (block.row + block.height - 1, block.col + block.width - 1))
        rng.value = block_cells(block)
        rng[0, :].font.bold = True
        for j, numeric in enumerate(numeric_columns(block.rows) if self.layout else ()):
            if numeric:
                rng[0, j].api.HorizontalAlignment = _XL_RIGHT
            elif j:  # text right of a number: "47.4%  yes", not "47.4%yes"
                rng[:, j].api.HorizontalAlignment = _XL_LEFT
                rng[:, j].api.IndentLevel = 1
            if any(isinstance(r[j], str) and len(r[j]) > WIDTH_CAP for r in block.rows[1:] if j < len(r)):
                rng[1:, j].wrap_text = True
        for first, last, j, fmt in format_runs(block.rows, block.formats):
            ws.range((block.row + first, block.col + j), (block.row + last, block.col + j)).number_format = fmt
        if block.table:
            self._add_table(ws, rng, kept.pop(0) if kept else None)
        return rng

    def _add_table(self, ws: Any, rng: Any, name: str | None) -> None:
        ws.tables.add(source=rng, name=name)

    def _chart(self, ws: Any, spec: Chart, rng: Any) -> None:
        anchor = ws.range(spec.anchor)
        chart = ws.charts.add(anchor.left, anchor.top, width=450, height=250)
        ys, (x_first, x_last, x_col) = chart_columns(spec, rng.row, rng.row + rng.rows.count - 1, rng.column)
        address = ",".join(ws.range((a, c), (b, c)).get_address(False, False) for a, b, c in ys)
        chart.chart_type = _CHART_TYPES[spec.kind]
        chart.set_source_data(ws.range(address), plot_by="columns")
        chart.set_x_axis_values(ws.range((x_first, x_col), (x_last, x_col)))
        chart.api[1].HasTitle = True
        chart.api[1].ChartTitle.Text = spec.title

    def status(self, message: str, fraction: float) -> None:
        self.app.status_bar = f"{TITLE}: {message} ({fraction:.0%})"

    def save(self) -> None:
        """Nothing: the refreshed workbook is open in Excel; the user saves it."""


def _print_area(ws: Any) -> str:
    try:
        return str(ws.api.PageSetup.PrintArea or "")
    except Exception:  # noqa: BLE001 - no printer: no print setup to keep
        return ""


def _page_setup(ws: Any, page: PageSetup) -> None:
    """Landscape, one page wide, print area, repeated header rows, frozen panes (Excel's COM)."""
    try:
        setup = ws.api.PageSetup
        setup.Orientation = _XL_LANDSCAPE
        setup.Zoom = False
        setup.FitToPagesWide, setup.FitToPagesTall = 1, False
        if page.area:
            setup.PrintArea = page.area
        if page.title_rows:
            setup.PrintTitleRows = "$" + page.title_rows.replace(":", ":$")
    except Exception:  # noqa: BLE001 - Excel refuses PageSetup without a printer; printing is not worth a failed refresh
        pass
    if page.freeze:
        window = ws.book.app.api.ActiveWindow
        current = ws.book.sheets.active
        ws.activate()
        if not window.FreezePanes:  # panes the user froze stay as they are
            ws.range(page.freeze).select()
            window.FreezePanes = True
        current.activate()


def _target_book() -> tuple[Any, Any | None]:
    """(Excel instance, workbook) the button was pressed in: the caller, or, when the caller
    is the add-in, the active workbook of the caller's own instance (None if none is open)."""
    caller = xw.Book.caller()
    if not is_addin(caller.name):
        return caller.app, caller
    app = caller.app
    return app, app.books.active if len(app.books) else None  # Workbooks holds no add-ins


def refresh_active() -> RefreshResult | None:
    """Refresh the calling workbook; errors and notes go to message boxes."""
    app, book = _target_book()
    if book is None:
        app.alert("No workbook is open: open the workbook with the Leads, Rules and Deals sheets, "
                  "then press Refresh Scores again.", title=TITLE, mode="info")  # fmt: skip
        return None
    screen = app.screen_updating
    app.screen_updating = False
    try:
        result = refresh(LiveBook(book))
    except Exception as exc:  # noqa: BLE001 - every failure must reach the user as a sentence
        app.alert(one_sentence(exc), title=TITLE, mode="critical")
        return None
    finally:
        app.screen_updating = screen
        app.status_bar = False  # give the status bar back to Excel
    if result.notes:
        app.alert("\n".join(result.notes), title=f"{TITLE}: {result.summary()}", mode="info")
    return result


def main() -> None:
    """Entry point of the ribbon's Refresh Scores button."""
    refresh_active()
