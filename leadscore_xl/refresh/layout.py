"""How a rebuilt sheet prints (pure): the print area over its blocks and charts."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from leadscore_xl.refresh.formats import PageSetup
from leadscore_xl.refresh.report import CHART_ROWS, Block, Chart
from leadscore_xl.sheet.table import column_letters

__all__ = ["CHART_COLUMNS", "page_setup"]

CHART_COLUMNS = 7  # columns a chart covers, about


def page_setup(blocks: Sequence[Block], charts: Sequence[Chart], title_rows: str | None = "1:1",
               freeze: str | None = None, leave_out: Collection[str] = ()) -> PageSetup:  # fmt: skip
    """How a sheet of blocks prints: an area from A1 over every block (but ``leave_out``,
    e.g. the covariance, which is for formulas) and chart, the header row repeated."""
    kept = [b for b in blocks if b.key not in leave_out]
    right = max([b.col + b.width - 1 for b in kept] + [c.anchor[1] + CHART_COLUMNS for c in charts], default=1)
    bottom = max([b.row + b.height - 1 for b in kept] + [c.anchor[0] + CHART_ROWS for c in charts], default=1)
    return PageSetup(f"A1:{column_letters(right)}{bottom}", title_rows, freeze)
