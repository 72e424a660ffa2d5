"""The Book port over a live Excel workbook (xlwings): what the Refresh Scores button runs.

The ribbon add-in's button calls :func:`main` (= :func:`refresh_active`). Called from an
add-in, ``xw.Book.caller()`` is the add-in itself, so the workbook refreshed is the
*active* one. Progress goes to Excel's status bar; an error goes to a message box as
one sentence (the error's own message: what is wrong, where, how to fix it).

This adapter is deliberately thin: each port method is a few COM calls, and the logic
that can be checked without Excel lives in pure helpers (:func:`live_value`,
:func:`drop_columns`, :func:`one_sentence`, :func:`block_cells`) that the tests cover.
The refresh computes everything before writing, so bad input leaves the workbook as
it was. The workbook is not saved: the user decides when to save it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import xlwings as xw

from .errors import BookError, LeadScoreError
from .refresh import RefreshResult, refresh
from .report import Block, Chart, Formula, column_letters
from .table import norm

__all__ = ["LiveBook", "block_cells", "drop_columns", "live_value", "main", "one_sentence", "refresh_active"]

TITLE = "LeadScore XL"
_CHART_TYPES = {"bar": "column_clustered", "scatter": "xy_scatter_lines_no_markers"}


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


class LiveBook:
    """An xlwings Book behind the refresh's Book port."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.app = book.app

    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.book.sheets)

    def _table(self, sheet: str) -> tuple[Any, Any]:
        """(sheet, its table at A1 or first table or None)."""
        ws = self.book.sheets[sheet]
        tables = sorted(ws.tables, key=lambda t: (t.range.row, t.range.column))
        at_a1 = [t for t in tables if (t.range.row, t.range.column) == (1, 1)]
        return ws, (at_a1 or tables or [None])[0]

    def _range(self, sheet: str) -> Any:
        ws, table = self._table(sheet)
        if table is not None:
            return table.range
        last = ws.used_range.last_cell
        return ws.range((1, 1), (last.row, last.column))

    def read_table(self, sheet: str, skip: Collection[str] = ()) -> tuple[list[list[Any]], int]:
        rng = self._range(sheet)
        rows = rng.options(ndim=2, err_to_str=True).value or []
        return drop_columns(rows, skip), rng.row

    def header_cells(self, sheet: str) -> tuple[list[Any], int, int]:
        rng = self._range(sheet)
        return list(rng[0, :].options(ndim=1).value), rng.row, rng.column

    def write_columns(self, sheet: str, columns: Mapping[str, Sequence[Any]], formats: Mapping[str, str]) -> None:
        ws, table = self._table(sheet)
        rng = self._range(sheet)
        top, left, n = rng.row, rng.column, rng.rows.count - 1
        header = {norm(str(h)): left + j for j, h in enumerate(rng[0, :].options(ndim=1).value) if h is not None}
        right = left + rng.columns.count - 1
        for name, values in columns.items():
            col = header.get(norm(name))
            if col is None:
                right += 1
                col = header[norm(name)] = right
                target = ws.range((top, col), (top + n, col))
                if any(v is not None for v in target.options(ndim=1).value):
                    raise BookError(f'{sheet} column {column_letters(col)} is not empty, but the refresh needs it for '
                                    f'"{name}"; move that data, or add a "{name}" column to the table')  # fmt: skip
                ws.range((top, col)).value = live_value(name)
                if table is not None:
                    table.resize(ws.range((top, left), (top + n, col)))
            if n:
                cells = ws.range((top + 1, col), (top + n, col))
                cells.value = [[live_value(v)] for v in values]
                if name in formats and cells[0, 0].number_format == "General":
                    cells.number_format = formats[name]

    def replace_sheet(self, sheet: str, blocks: Sequence[Block], charts: Sequence[Chart]) -> None:
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

    def _draw(self, ws: Any, block: Block, kept: list[str]) -> Any:
        if block.title:
            cell = ws.range((block.row - 1, block.col))
            cell.value = live_value(block.title)
            cell.font.bold = True
        rng = ws.range((block.row, block.col), (block.row + block.height - 1, block.col + block.width - 1))
        rng.value = block_cells(block)
        rng[0, :].font.bold = True
        for j, fmt in enumerate(block.formats):
            if fmt and block.height > 1:
                ws.range((block.row + 1, block.col + j), (block.row + block.height - 1, block.col + j)).number_format = fmt
        if block.table:
            ws.tables.add(source=rng, name=kept.pop(0) if kept else None)
        return rng

    def _chart(self, ws: Any, spec: Chart, rng: Any) -> None:
        anchor = ws.range(spec.anchor)
        chart = ws.charts.add(anchor.left, anchor.top, width=450, height=250)
        columns = [spec.x, *spec.ys]
        address = ",".join(rng[:, j].get_address(False, False) for j in columns)
        chart.set_source_data(ws.range(address))
        chart.chart_type = _CHART_TYPES[spec.kind]
        chart.api[1].HasTitle = True
        chart.api[1].ChartTitle.Text = spec.title

    def status(self, message: str, fraction: float) -> None:
        self.app.status_bar = f"{TITLE}: {message} ({fraction:.0%})"

    def save(self) -> None:
        """Nothing: the refreshed workbook is open in Excel; the user saves it."""


def refresh_active() -> RefreshResult | None:
    """Refresh the active workbook; errors and notes go to message boxes."""
    app = xw.apps.active
    if app is None or not app.books:
        return None
    book = app.books.active
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
