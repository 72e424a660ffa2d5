"""The model steps of a refresh: fit on the Deals (with the notes a reviewer needs), the
cross-validation beside it, and the probability of each lead from the fitted model.

Split from :mod:`leadscore_xl.refresh.run`, which calls these; nothing here reads or
writes a workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from leadscore_xl.errors import LeadScoreError, TableError
from leadscore_xl.refresh import report
from leadscore_xl.refresh.checks import sample_deals_note
from leadscore_xl.settings import UNSCORED, Settings
from leadscore_xl.sheet.table import Table, norm

__all__ = ["fit_model", "lead_probabilities", "missing_probabilities"]


def fit_model(deals: Table | None, settings: Settings, as_of: float, lead_headers: Sequence[str],
              now: dt.datetime, source: str = "") -> report.ModelFit:  # fmt: skip
    """Fit the logit on Deals; a ModelFit without result (and a note) when it cannot be.
    The audit's "Fitted at" is the refresh's own timestamp ``now``; ``source`` names the
    cells Deals was read from, for a note about a missing column.

    Unless Settings lists the Features, the model uses the Deals columns that Leads has
    too (a column the leads lack, such as the deal amount, cannot score them)."""
    if deals is None:
        return report.ModelFit(None, ("Model not fitted: the workbook has no Deals sheet; add past deals with their outcome",))
    if not deals.filled:
        return report.ModelFit(None, ("Model not fitted: the Deals table has no deals yet; paste your past deals, "
                                      "with their outcome (Won/Lost), into it",))  # fmt: skip
    try:
        from leadscore_xl.model.fit import fit_logit
    except ImportError as exc:  # the model module is optional for scoring
        return report.ModelFit(None, (f"Model not available: {exc}",))
    outcome = report.outcome_column(settings, deals)
    if outcome is None:
        return report.ModelFit(None, (f"Model not fitted: {report.NO_OUTCOME}",))
    try:
        features, chosen = _features(deals, outcome, settings, lead_headers, as_of)
        result = fit_logit(deals, outcome, features=features, settings=settings, as_of=as_of)
        result = replace(result, fitted_at=now, warnings=tuple(chosen) + result.warnings)
        deals_p = np.asarray(result.predict(deals, as_of), dtype=float)
    except LeadScoreError as exc:
        where = f" (read from the Deals sheet's {source})" if source and isinstance(exc, TableError) else ""
        return report.ModelFit(None, (f"Model not fitted: {exc}{where}",))
    from leadscore_xl.refresh.steps import steps

    sample = sample_deals_note(deals)
    per = tuple(steps(deals, result.variables, as_of).items())
    return report.ModelFit(result, (sample,) if sample else (), deals_p,
                           _cross_validation(deals, outcome, features, settings, as_of), per)  # fmt: skip


def _features(deals: Table, outcome: str, settings: Settings, lead_headers: Sequence[str],
              as_of: float) -> tuple[list[str], list[Any]]:  # fmt: skip
    """The Settings' Features that Deals has (column_notes names the others), else the
    Deals columns that Leads has too, checked as LOGITFIT checks its default columns;
    and the notes naming the columns left out."""
    from leadscore_xl.model.features import default_features
    from leadscore_xl.model.fit import model_options, parse_names

    named = [f for f in parse_names(settings.get("features")) if deals.find(f) is not None]
    if named:
        return named, []
    leads = {norm(h) for h in lead_headers}
    common = [h for h in deals.headers if norm(h) in leads] or list(deals.headers)
    return default_features(deals, model_options(outcome, None, None, None, None, None, settings), common)


def _cross_validation(deals: Table, outcome: str, features: Any, settings: Settings, as_of: float) -> Any:
    """5-fold stratified, seeded cross-validated AUC of the model's own design and estimator
    (start values, Firth fallback), next to its in-sample AUC, so that finance can see
    over-fitting; None when it cannot be had."""
    from leadscore_xl.evaluation.crossval import cross_validated_auc
    from leadscore_xl.model.estimate import fit_predictor
    from leadscore_xl.model.fit import logit_design, model_options

    try:
        opts = model_options(outcome, features, None, None, None, None, settings)
        design, _ = logit_design(deals, opts, as_of)
        fit = partial(fit_predictor, names=[t.name for t in design.terms])
        return cross_validated_auc(design.X, design.y, fit, k=5, seed=0)
    except LeadScoreError:
        return None


def lead_probabilities(fit: report.ModelFit, leads: Table, as_of: float) -> tuple[list[Any], list[str]]:
    """One probability per Leads row (None where a value the model needs is blank), and
    a note when the model cannot score these leads at all."""
    if fit.result is None:
        return [None] * len(leads), []
    try:
        p = np.asarray(fit.result.predict(leads, as_of), dtype=float)
    except LeadScoreError as exc:
        return [None] * len(leads), [f"Probability not computed: {exc}"]
    return [None if x != x else x for x in p.tolist()], []


def missing_probabilities(fit: report.ModelFit, leads: Table, as_of: float) -> tuple[tuple[int, str] | None, tuple[str, ...]]:
    """How many filled leads get no probability and why (the model's own notes: which of
    its columns are blank, most often first), for the Report; and a note when there are any."""
    if fit.result is None:
        return None, ()
    try:
        scored = fit.result.model.score(leads, as_of)
    except LeadScoreError:
        return None, ()  # lead_probabilities has a note already
    filled = leads.filled
    missing = int(np.count_nonzero(np.isnan(scored.p[:filled])))
    if not missing:
        return (0, ""), ()
    causes = sorted(((int(np.count_nonzero(mask[:filled])), text.removeprefix(f"{UNSCORED}: "))
                     for text, mask in scored.issues if text.startswith(UNSCORED)), key=lambda c: -c[0])  # fmt: skip
    listed = "; ".join(f"{text} in {count:,}" for count, text in causes[:3] if count)
    more = f" and {len(causes) - 3} more" if len(causes) > 3 else ""
    reason = f"a column the model uses is blank: {listed}{more}"
    note = (f"{missing:,} of {filled:,} leads have no Probability because {reason}; "
            "fill those cells to give them one")  # fmt: skip
    return (missing, reason), (note,)
