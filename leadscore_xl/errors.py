"""One exception tree and one warning tree for LeadScore XL.

Every message is written for the person at the sheet: it says what is wrong, where
(sheet, column, row as the analyst sees them) and how to fix it. The Excel functions
return ``str(error)`` into the cell; the refresh shows it in a message box.

::

    LeadScoreError                      anything LeadScore XL raises on purpose
    ├── InputError                      the sheet's content is unusable as given
    │   ├── TableError                  headers: empty, duplicate, missing column
    │   ├── RuleError                   a row of the Rules table
    │   ├── SettingsError               a row of the Settings table
    │   ├── OutcomeError                the outcome column of Deals
    │   └── ModelTableError             a coefficient table read back from a sheet
    ├── ModelError                      a fit would be meaningless (one class, no rows)
    └── BookError                       reading or writing a workbook

    LeadScoreWarning (UserWarning)      statistical trouble, kept as a diagnostic
    ├── SeparationWarning               complete or quasi-complete separation
    ├── NonConvergenceWarning           the optimiser stopped before converging
    ├── FewEventsWarning                fewer than 10 events per variable
    ├── DroppedColumnWarning            constant or collinear column left out
    └── DataQualityWarning              dropped rows, error cells, unseen levels
        └── LeakWarning                 a feature alone separates won from lost

Warnings are not raised: results objects keep them in ``.warnings`` so that they can
be written beside the numbers they qualify.
"""

from __future__ import annotations

__all__ = [
    "BookError",
    "DataQualityWarning",
    "DroppedColumnWarning",
    "FewEventsWarning",
    "InputError",
    "LeadScoreError",
    "LeadScoreWarning",
    "LeakWarning",
    "ModelError",
    "ModelTableError",
    "NonConvergenceWarning",
    "OutcomeError",
    "RuleError",
    "SeparationWarning",
    "SettingsError",
    "TableError",
    "quote",
    "row_list",
]


class LeadScoreError(Exception):
    """Base of every error LeadScore XL raises on purpose."""


class InputError(LeadScoreError, ValueError):
    """The content of a sheet cannot be used as given."""


class TableError(InputError):
    """A table's header row is unusable, or a required column is missing."""


class RuleError(InputError):
    """A row of the Rules table is invalid."""


class SettingsError(InputError):
    """A row of the Settings table is invalid."""


class OutcomeError(InputError):
    """The outcome column of the Deals table holds values that are not outcomes."""


class ModelTableError(InputError):
    """A coefficient table read back from a sheet cannot be used as a model."""


class ModelError(LeadScoreError):
    """A model fit would be meaningless, e.g. every deal has the same outcome."""


class BookError(LeadScoreError):
    """A workbook cannot be read or written."""


class LeadScoreWarning(UserWarning):
    """Base of the statistical and data-quality warnings kept as diagnostics."""


class SeparationWarning(LeadScoreWarning):
    """An outcome is perfectly (or almost perfectly) predicted by the features."""


class NonConvergenceWarning(LeadScoreWarning):
    """The maximum-likelihood iterations stopped before converging."""


class FewEventsWarning(LeadScoreWarning):
    """Fewer than 10 events (the rarer outcome) per estimated coefficient."""


class DroppedColumnWarning(LeadScoreWarning):
    """A feature column was left out because it is constant or collinear."""


class DataQualityWarning(LeadScoreWarning):
    """Rows were dropped, cells held errors, or a lead had a level the model never saw."""


class LeakWarning(DataQualityWarning):
    """A feature alone separates won from lost: most likely the outcome under another name."""


def quote(value: object) -> str:
    """Show a cell value the way the analyst typed it, in double quotes."""
    if value is None:
        return "(blank)"
    if isinstance(value, float) and value.is_integer():
        return f'"{int(value)}"'
    return f'"{value}"'


def row_list(rows: list[int], limit: int = 5) -> str:
    """``rows 3, 8, 12 and 2 more`` for messages that name offending rows."""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = len(rows) - limit
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {shown}" + (f" and {more} more" if more > 0 else "")
