"""Scoring functions: LEADSCORE, LEADSCORES, LEADGRADE, LEADEXPLAIN, LEADMATRIX(ES/COUNTS)."""

from __future__ import annotations

from typing import Any

import xlwings as xw

from leadscore_xl.rules import api

from ._excel import CATEGORY, cell, excel_args, excel_function, grid, spill

__all__ = ["LEADEXPLAIN", "LEADGRADE", "LEADMATRIX", "LEADMATRIXCOUNTS", "LEADMATRIXES", "LEADSCORE", "LEADSCORES"]



@xw.func(category=CATEGORY)
@excel_args("lead", "headers", "rules", "settings", "as_of")
@excel_function
def LEADSCORE(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Any:
    """The score of one lead from the Rules table (0-100 by default), or UNSCORED."""
    return cell(api.lead_score(lead, headers, rules, settings, as_of))


@xw.func(category=CATEGORY)
@excel_args("leads", "rules", "settings", "as_of")
@xw.arg("outputs", doc='Optional columns to spill, e.g. "Score; Grade; Route; Matrix" (default Score)')
@excel_function
def LEADSCORES(leads: Any, rules: Any, settings: Any = None, as_of: Any = None, outputs: Any = None) -> Any:
    """Scores of every lead, spilled one row per lead: the fast path for a whole table."""
    scores = api.score_leads(leads, rules, settings, as_of)
    return spill(scores.to_rows(api.parse_outputs(outputs), blank=""))  # floats and text only: cell-safe


@xw.func(category=CATEGORY)
@xw.arg("score", doc="A score, e.g. from LEADSCORE")
@excel_args("settings")
@xw.arg("part", doc='"grade" (default), "route" or "both"')
@excel_function
def LEADGRADE(score: Any, settings: Any = None, part: Any = "grade") -> Any:
    """The grade or route of a score from the bands (default 65 High value, 50 MQL, 20 Nurture)."""
    return api.grade_score(score, settings, part)


@xw.func(category=CATEGORY)
@excel_args("lead", "headers", "rules", "settings", "as_of")
@excel_function
def LEADEXPLAIN(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Any:
    """Spills every rule that fired for a lead, the caps and clamp, and the total."""
    return grid(api.explain_lead(lead, headers, rules, settings, as_of).to_rows())


@xw.func(category=CATEGORY)
@excel_args("lead", "headers", "rules", "settings", "as_of")
@excel_function
def LEADMATRIX(lead: Any, headers: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Any:
    """The fit x engagement cell of a lead, e.g. "A1" (fit A-D, engagement 1-4)."""
    return api.lead_matrix(lead, headers, rules, settings, as_of)


@xw.func(category=CATEGORY)
@excel_args("leads", "rules", "settings", "as_of")
@excel_function
def LEADMATRIXES(leads: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Any:
    """The fit x engagement cell of every lead, spilled one row per lead."""
    return spill(api.score_leads(leads, rules, settings, as_of).to_rows(("Matrix",), blank=""))


@xw.func(category=CATEGORY)
@excel_args("leads", "rules", "settings", "as_of")
@excel_function
def LEADMATRIXCOUNTS(leads: Any, rules: Any, settings: Any = None, as_of: Any = None) -> Any:
    """Spills the number of leads in each fit (A-D) x engagement (1-4) cell, with totals."""
    return grid(api.score_leads(leads, rules, settings, as_of).matrix_counts())
