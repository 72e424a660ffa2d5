"""What the SQL is compiled from, read from a workbook file: the Rules, the Settings,
the Leads header and types, and the Model sheet's coefficient table (the model finance
signed off; no model is fitted here).

This module sits above :mod:`leadscore_xl.refresh`: it reads the file through the
refresh's openpyxl Book port, so that the SQL sees exactly what a refresh sees.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from leadscore_xl.errors import LeadScoreError
from leadscore_xl.model.coefficients import COEF_HEADER, CoefModel, read_model
from leadscore_xl.refresh.book_file import FileBook, open_book
from leadscore_xl.refresh.run import SheetNames, book_settings, leads_table, sheet_values
from leadscore_xl.rules.api import as_of_for
from leadscore_xl.rules.table import RuleSet, parse_rules
from leadscore_xl.settings import Settings
from leadscore_xl.sheet.table import Table

__all__ = ["BookInputs", "open_for_reading", "read_book"]


@dataclass(frozen=True)
class BookInputs:
    """Rules, Settings, the Leads table (for the column types), the model (None when the
    Model sheet holds none, with a note saying so) and the as-of date (None: today)."""

    ruleset: RuleSet
    settings: Settings
    leads: Table
    model: CoefModel | None
    as_of: float | None
    notes: tuple[str, ...] = ()


def open_for_reading(path: Path) -> FileBook:
    """The workbook through the Book port, never saved in place."""
    scratch = Path(tempfile.gettempdir()) / f"leadscore-read{path.suffix.lower() or '.xlsx'}"
    return open_book(path, scratch)


def read_book(path: Path, as_of: str | None = None) -> BookInputs:
    """Read the inputs of the SQL from ``path``; a LeadScoreError for unusable content."""
    book = open_for_reading(path)
    names = SheetNames(book.sheet_names())
    settings = book_settings(book, names)
    ruleset = parse_rules(*sheet_values(book, names.need("Rules")))
    leads = leads_table(book, names.need("Leads"))
    model, notes = read_book_model(book, names)
    pinned = as_of_for(as_of, settings) if as_of or settings.scoring.as_of is not None else None
    return BookInputs(ruleset, settings, leads, model, pinned, notes)


def read_book_model(book: FileBook, names: SheetNames) -> tuple[CoefModel | None, tuple[str, ...]]:
    """The Model sheet's coefficient table and Variables block, as LEADPROBS reads them."""
    sheet = names.find("Model")
    if sheet is None:
        return None, ("no Probability: the workbook has no Model sheet; run leadscore refresh or leadscore fit first",)
    rows = book.sheet_values(sheet, len(COEF_HEADER))
    try:
        return read_model(rows), ()
    except LeadScoreError as exc:
        return None, (f"no Probability: the Model sheet holds no usable model ({exc})",)
