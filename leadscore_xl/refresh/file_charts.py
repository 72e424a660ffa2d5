"""The Report's charts as openpyxl charts (the file adapter's; the live one draws its own)."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.worksheet.worksheet import Worksheet

from leadscore_xl.refresh.report import Block, Chart

__all__ = ["chart"]


def _within_unit(block: Block, columns: tuple[int, ...]) -> bool:
    values = [row[j] for row in block.rows[1:] for j in columns if j < len(row)]
    return bool(values) and all(isinstance(v, (int, float)) and 0.0 <= v <= 1.0 for v in values)


def chart(ws: Worksheet, spec: Chart, block: Block) -> Any:
    """An openpyxl bar or scatter chart of ``block``'s columns, as ``spec`` says."""
    first, last = block.row, block.row + block.height - 1
    xs = Reference(ws, min_col=block.col + spec.x, min_row=first + 1, max_row=last)
    if spec.kind == "bar":
        chart = BarChart()
        chart.type = "col"
        for y in spec.ys:
            chart.add_data(Reference(ws, min_col=block.col + y, min_row=first, max_row=last), titles_from_data=True)
        chart.set_categories(xs)
    else:
        chart = ScatterChart()
        chart.style = 13
        for y in spec.ys:
            series = Series(Reference(ws, min_col=block.col + y, min_row=first, max_row=last), xs, title_from_data=True)
            series.marker.symbol = "none"
            chart.series.append(series)
        if _within_unit(block, (spec.x, *spec.ys)):  # rates and shares: axes from 0 to 100 %
            for axis in (chart.x_axis, chart.y_axis):
                axis.scaling.min, axis.scaling.max = 0.0, 1.0
    chart.title = spec.title
    chart.x_axis.title = spec.x_title or None
    chart.y_axis.title = spec.y_title or None
    chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.y_axis.delete = False
    chart.width, chart.height = 16, 8.5
    return chart
