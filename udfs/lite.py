"""The Refresh Scores button of xlwings Lite: ``from leadscore_udfs.lite import refresh_scores``
in the Lite editor's ``main.py`` puts it among the scripts (see README, "Use in xlwings Lite")."""

from __future__ import annotations

import xlwings as xw

from leadscore_xl.refresh.book_lite import refresh_lite

__all__ = ["refresh_scores"]


@xw.script
def refresh_scores(book: xw.Book) -> None:
    """Refresh Scores: score the Leads, fit the model on the Deals, rebuild Model and Report."""
    refresh_lite(book)
