"""Evaluation functions: LEADAUC, ROCPOINTS, LIFTTABLE, CALIBRATION, CONVERSIONBYBAND,
THRESHOLD, COMPARESCORES, CHANNELREPORT, DISAGREEMENTS, CVAUC.

Column arguments are single columns (``Deals[Outcome]``, ``Deals[Score]``), all with
their header row or all without; blank and UNSCORED cells are left out and counted.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import xlwings as xw

from leadscore_xl.evaluation import evaluate
from leadscore_xl.errors import InputError
from leadscore_xl.model.fit import fit_predictor
from leadscore_xl.sheet.table import is_blank, read_table, truth

from ._excel import CATEGORY, excel_args, excel_function, grid

__all__ = [
    "CALIBRATION", "CHANNELREPORT", "COMPARESCORES", "CONVERSIONBYBAND", "CVAUC", "DISAGREEMENTS", "LEADAUC",
    "LIFTTABLE", "ROCPOINTS", "THRESHOLD",
]  # fmt: skip

OUTCOMES = "The outcome column (Won/Lost, Yes/No, TRUE/FALSE, 1/0, Converted/Not converted), e.g. Deals[Outcome]"
SCORES = "The score column of the same deals, e.g. Deals[Score]"
PROBABILITIES = "The conversion probabilities (0-1) of the same deals, e.g. Deals[Probability]"
_OUTCOMES_AND_SCORES = excel_args("outcomes", "scores", docs={"outcomes": (True, OUTCOMES), "scores": (True, SCORES)})


def _flag(value: Any, what: str) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    answer = truth(value)
    if answer is not None:
        return answer
    raise InputError(f'{what} must be TRUE or FALSE, not "{value}"')


@xw.func(category=CATEGORY)
@_OUTCOMES_AND_SCORES
@xw.arg("details", doc="Optional: TRUE spills AUC, DeLong std. err. and 95 % CI, and counts; FALSE (default) gives the AUC")
@excel_function
def LEADAUC(outcomes: Any, scores: Any, details: Any = None) -> Any:
    """AUC (rank formula, ties count half) of a score against outcomes; TRUE adds the DeLong 95 % CI."""
    result = evaluate.lead_auc(outcomes, scores)
    return grid(result.to_rows()) if _flag(details, "Details") else result.auc


@xw.func(category=CATEGORY)
@_OUTCOMES_AND_SCORES
@xw.arg("max_points", doc="Optional: at most about this many points (default: every distinct score)")
@excel_function
def ROCPOINTS(outcomes: Any, scores: Any, max_points: Any = None) -> Any:
    """Spills the ROC curve: cut-off, false positive rate, true positive rate, leads worked."""
    return grid(evaluate.roc_table(outcomes, scores, max_points).to_rows())


@xw.func(category=CATEGORY)
@_OUTCOMES_AND_SCORES
@xw.arg("bins", doc="Optional number of score groups (default 10: deciles)")
@excel_function
def LIFTTABLE(outcomes: Any, scores: Any, bins: Any = None) -> Any:
    """Spills lift and gains by score decile: leads, won, close rate, lift, cumulative share of won."""
    return grid(evaluate.lift(outcomes, scores, bins).to_rows())


@xw.func(category=CATEGORY)
@xw.arg("outcomes", ndim=2, doc=OUTCOMES)
@xw.arg("probabilities", ndim=2, doc=PROBABILITIES)
@xw.arg("bins", doc="Optional number of equal-count probability groups (default 10)")
@excel_function
def CALIBRATION(outcomes: Any, probabilities: Any, bins: Any = None) -> Any:
    """Spills predicted vs observed by group, then Brier score, log loss and Hosmer-Lemeshow."""
    return grid(evaluate.calibration_table(outcomes, probabilities, bins).to_rows())


@xw.func(category=CATEGORY)
@xw.arg("outcomes", ndim=2, doc=OUTCOMES)
@xw.arg("bands", ndim=2, doc="Grades (e.g. Deals[Grade]) or scores, banded by the Settings bands")
@xw.arg("settings", ndim=2, doc="Optional Settings table (bands)")
@xw.arg("qualified", ndim=2, doc='Optional qualified bands, e.g. "High value; MQL" (default: bands routed to Sales)')
@excel_function
def CONVERSIONBYBAND(outcomes: Any, bands: Any, settings: Any = None, qualified: Any = None) -> Any:
    """Spills leads, won and close rate per band, the qualified conversion rate and the total."""
    return grid(evaluate.band_conversion(outcomes, bands, settings, qualified).to_rows())


@xw.func(category=CATEGORY)
@_OUTCOMES_AND_SCORES
@xw.arg("capacity", doc="Optional: leads sales can work a week")
@xw.arg("weekly_leads", doc="Optional: new leads a week (or give period)")
@xw.arg("period", ndim=2, doc="Optional: weeks the deals cover, or their date column, e.g. Deals[Created]")
@xw.arg("deal_value", ndim=2, doc="Optional: one deal value, or the amount column of the deals")
@xw.arg("cost_per_lead", doc="Optional: cost of working one lead (needs deal_value)")
@excel_function
def THRESHOLD(outcomes: Any, scores: Any, capacity: Any = None, weekly_leads: Any = None, period: Any = None,
              deal_value: Any = None, cost_per_lead: Any = None) -> Any:  # fmt: skip
    """Spills recommended score cut-offs: by capacity, best F1, best Youden J and expected value."""
    result = evaluate.threshold_table(outcomes, scores, capacity, weekly_leads, period, deal_value, cost_per_lead)
    return grid(result.to_rows())


@xw.func(category=CATEGORY)
@xw.arg("outcomes", ndim=2, doc=OUTCOMES)
@xw.arg("scores_a", ndim=2, doc="Variant A's scores of the deals, e.g. Deals[Score v1]")
@xw.arg("scores_b", ndim=2, doc="Variant B's scores of the same deals, e.g. Deals[Probability]")
@xw.arg("work_share", doc="Optional share of leads sales works, top scores first (default 0.2)")
@xw.arg("cutoff_a", doc="Optional cut-off for A (give both cut-offs instead of work_share)")
@xw.arg("cutoff_b", doc="Optional cut-off for B")
@xw.arg("resamples", doc="Optional bootstrap resamples (default 1000)")
@xw.arg("seed", doc="Optional random seed (default 0)")
@excel_function
def COMPARESCORES(outcomes: Any, scores_a: Any, scores_b: Any, work_share: Any = None, cutoff_a: Any = None,
                  cutoff_b: Any = None, resamples: Any = None, seed: Any = None) -> Any:  # fmt: skip
    """Spills an A/B comparison: AUC of each, difference with paired bootstrap CI, DeLong p, winner."""
    result = evaluate.compare(outcomes, scores_a, scores_b, work_share, cutoff_a, cutoff_b, resamples, seed)
    return grid(result.to_rows())


@xw.func(category=CATEGORY)
@xw.arg("sources", ndim=2, doc="The lead source column, e.g. Deals[Source]")
@xw.arg("outcomes", ndim=2, doc=OUTCOMES)
@xw.arg("scores", ndim=2, doc="Optional score column")
@xw.arg("probabilities", ndim=2, doc="Optional probability column")
@excel_function
def CHANNELREPORT(sources: Any, outcomes: Any, scores: Any = None, probabilities: Any = None) -> Any:
    """Spills per lead source: leads, won, close rate, lift, mean score, mean probability."""
    return grid(evaluate.channels(sources, outcomes, scores, probabilities).to_rows())


@xw.func(category=CATEGORY)
@xw.arg("grades", ndim=2, doc="The rule grades (or scores), e.g. Leads[Grade]")
@xw.arg("probabilities", ndim=2, doc="The model probabilities of the same leads")
@xw.arg("ids", ndim=2, doc="Optional lead ID or name column")
@xw.arg("low", doc="Optional: flag hot grades below this probability (default 0.05)")
@xw.arg("high", doc="Optional: flag cold grades above this probability (default 0.5)")
@xw.arg("hot", ndim=2, doc='Optional hot grades, e.g. "High value; MQL" (default: bands routed to Sales)')
@xw.arg("cold", ndim=2, doc='Optional cold grades, e.g. "Cold" (default: the lowest band)')
@xw.arg("settings", ndim=2, doc="Optional Settings table (bands)")
@excel_function
def DISAGREEMENTS(grades: Any, probabilities: Any, ids: Any = None, low: Any = None, high: Any = None,
                  hot: Any = None, cold: Any = None, settings: Any = None) -> Any:  # fmt: skip
    """Spills the leads whose rule grade and model probability disagree strongly."""
    return grid(evaluate.flag_disagreements(grades, probabilities, ids, low, high, hot, cold, settings).to_rows())


@xw.func(category=CATEGORY)
@xw.arg("features", ndim=2, doc="Numeric feature columns with their header row")
@xw.arg("outcomes", ndim=2, doc=OUTCOMES)
@xw.arg("folds", doc="Optional number of folds (default 5)")
@xw.arg("seed", doc="Optional random seed (default 0)")
@excel_function
def CVAUC(features: Any, outcomes: Any, folds: Any = None, seed: Any = None) -> Any:
    """Spills in-sample and stratified k-fold cross-validated AUC of a logistic regression."""
    names = ["Intercept", *read_table(features, "Features").headers]  # for messages naming a column
    return grid(evaluate.cv_auc(features, outcomes, partial(fit_predictor, names=names), folds, seed).to_rows())
