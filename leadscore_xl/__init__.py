"""LeadScore XL: lead scoring for Excel, as a pure-Python core.

Sheet values go in (a header row plus rows, as xlwings hands them over), frozen
results come out, and each result's ``.to_rows()`` is what a sheet shows. Nothing here
touches an Excel object: the Excel functions live in ``leadscore_udfs`` and the two
workbook adapters are :mod:`leadscore_xl.refresh.book_file` and :mod:`leadscore_xl.refresh.book_live`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (PEP 562), so that
    # ``import leadscore_xl.cli`` stays light and the command can catch Ctrl-C from its start
    from leadscore_xl.rules.api import explain_lead, grade_score, lead_matrix, lead_score, score_leads
    from leadscore_xl.errors import (
        BookError,
        InputError,
        LeadScoreError,
        LeadScoreWarning,
        ModelError,
        OutcomeError,
        RuleError,
        SettingsError,
        TableError,
    )
    from leadscore_xl.rules.results import Explanation, Scores
    from leadscore_xl.rules.table import RuleSet, parse_rules
    from leadscore_xl.settings import ScoringConfig, Settings, read_settings
    from leadscore_xl.sheet.table import Column, Kind, Table, read_table

__version__ = "0.1.0"

__all__ = [
    "BookError",
    "Column",
    "Explanation",
    "InputError",
    "Kind",
    "LeadScoreError",
    "LeadScoreWarning",
    "ModelError",
    "OutcomeError",
    "RuleError",
    "RuleSet",
    "Scores",
    "ScoringConfig",
    "Settings",
    "SettingsError",
    "Table",
    "TableError",
    "explain_lead",
    "grade_score",
    "lead_matrix",
    "lead_score",
    "parse_rules",
    "read_settings",
    "read_table",
    "score_leads",
]

_HOME = {
    **dict.fromkeys(("explain_lead", "grade_score", "lead_matrix", "lead_score", "score_leads"), "leadscore_xl.rules.api"),
    **dict.fromkeys(("BookError", "InputError", "LeadScoreError", "LeadScoreWarning", "ModelError", "OutcomeError",
                     "RuleError", "SettingsError", "TableError"), "leadscore_xl.errors"),
    **dict.fromkeys(("Explanation", "Scores"), "leadscore_xl.rules.results"),
    **dict.fromkeys(("RuleSet", "parse_rules"), "leadscore_xl.rules.table"),
    **dict.fromkeys(("ScoringConfig", "Settings", "read_settings"), "leadscore_xl.settings"),
    **dict.fromkeys(("Column", "Kind", "Table", "read_table"), "leadscore_xl.sheet.table"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'leadscore_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
