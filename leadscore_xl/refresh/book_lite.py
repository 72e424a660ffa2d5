"""The Book port over xlwings' remote-book API: what the Refresh Scores button of xlwings Lite runs.

xlwings Lite (and xlwings Server) hand a script an ``xw.Book`` built from a JSON snapshot
of the workbook: reads come from the snapshot, and every write is recorded as an action
that the add-in applies in Excel, in order, after the script returns. :class:`LiteBook`
is the live adapter (:class:`~leadscore_xl.refresh.book_live.LiveBook`) with the few
calls that API does differently:

* number formats cannot be read, so an output column always gets its format;
* a table cannot be deleted: its cells are (bottom table first, so the addresses of the
  others stay right), and the Leads columns are written after the Model and Report
  sheets are rebuilt, so that Probability formulas point at the new coefficients;
* a chart is placed at its anchor cell by Excel; it gets its type, title, series and x values;
* progress goes to the Lite output pane (``print``): there is no status bar.

Nothing is written when the refresh fails: every check runs before the first action.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from leadscore_xl.refresh.book_live import _CHART_TYPES, TITLE, LiveBook, chart_columns, live_value, one_sentence
from leadscore_xl.refresh.report import Block, Chart
from leadscore_xl.refresh.run import RefreshResult, refresh

__all__ = ["LiteBook", "refresh_lite"]

class LiteBook(LiveBook):
    """An xlwings remote Book (xlwings Lite, xlwings Server) behind the refresh's Book port."""

    layout = False  # the remote-book API has no column widths, alignment or page setup

    def __init__(self, book: Any, progress: Callable[[str], None] = print) -> None:
        super().__init__(book)
        self.progress = progress
        self._leads_actions: list[dict[str, Any]] = []

    def _actions(self) -> list[dict[str, Any]]:
        return self.book.json()["actions"]

    def write_columns(self, sheet: str, columns: Mapping[str, Sequence[Any]], formats: Mapping[str, str]) -> None:
        """Check and record the writes, but apply them after the sheets are rebuilt (:meth:`save`)."""
        actions = self._actions()
        start = len(actions)
        super().write_columns(sheet, columns, formats)
        self._leads_actions += actions[start:]
        del actions[start:]

    @staticmethod
    def _write_column(cells: Any, values: Sequence[Any], number_format: str | None) -> None:
        cells.value = [[live_value(v)] for v in values]
        if number_format:
            cells.number_format = number_format

    def replace_sheet(self, sheet: str, blocks: Sequence[Block], charts: Sequence[Chart],
                      page: Any = None) -> None:  # fmt: skip
        names = [s.name for s in self.book.sheets]
        ws = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet, after=self.book.sheets[-1])
        tables = sorted(ws.tables, key=lambda t: (t.range.row, t.range.column))
        kept = [t.name for t in tables]
        for chart in list(ws.charts):
            chart.delete()
        for table in reversed(tables):  # bottom first: a deletion shifts only cells below it
            table.range.delete(shift="up")
        ws.api["tables"] = []  # the snapshot follows the recorded deletions
        ws.clear()
        where = {block.key: self._draw(ws, block, kept) for block in blocks}
        for spec in charts:
            self._chart(ws, spec, where[spec.block])

    def _add_table(self, ws: Any, rng: Any, name: str | None) -> None:
        ws.tables.add(source=rng, name=name, has_headers=True)

    def _chart(self, ws: Any, spec: Chart, rng: Any) -> None:
        chart = ws.charts.add(width=450, height=250, anchor=ws.range(spec.anchor))
        ys, (x_first, x_last, x_col) = chart_columns(spec, rng.row, rng.row + rng.shape[0] - 1, rng.column)
        first, last = min(c for _, _, c in ys), max(c for _, _, c in ys)  # one area: the API takes no other
        chart.chart_type = _CHART_TYPES[spec.kind]
        chart.set_source_data(ws.range((ys[0][0], first), (ys[0][1], last)), plot_by="columns")
        chart.set_x_axis_values(ws.range((x_first, x_col), (x_last, x_col)))
        chart.title = spec.title

    def status(self, message: str, fraction: float) -> None:
        self.progress(f"{TITLE}: {message} ({fraction:.0%})")

    def save(self) -> None:
        """Queue the Leads writes last; Excel applies the actions when the script returns."""
        self._actions().extend(self._leads_actions)
        self._leads_actions = []


def refresh_lite(book: Any, progress: Callable[[str], None] = print) -> RefreshResult | None:
    """Refresh a remote Book; a problem or the notes go to an alert (one sentence)."""
    actions = book.json()["actions"]
    start = len(actions)
    try:
        result = refresh(LiteBook(book, progress))
    except Exception as exc:  # noqa: BLE001 - every failure must reach the user as a sentence
        del actions[start:]  # nothing half-done reaches the workbook
        progress(one_sentence(exc))
        book.app.alert(one_sentence(exc), title=TITLE, mode="critical")
        return None
    progress(result.summary())
    if result.notes:
        book.app.alert("\n".join(result.notes), title=f"{TITLE}: {result.summary()}", mode="info")
    return result
