"""Evaluation and monitoring from sheet values: the entry points of the Excel functions.

Each function takes the ranges an Excel function receives (single columns such as
``Deals[Outcome]`` and ``Deals[Score]``, all with their header row or all without; see
:mod:`leadscore_xl.evaluation.inputs`) and scalar options, and returns a frozen result with
``.to_rows()``. The array-level cores live in :mod:`.discrimination` (AUC, ROC, lift),
:mod:`.calibration`, :mod:`.crossval`, :mod:`.thresholds`, :mod:`.compare` and
:mod:`.monitoring`, and are re-exported here; :mod:`.evalcharts` turns results into
chart-ready tables (:func:`report_charts` builds the Report sheet's set).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from leadscore_xl.evaluation.calibration import Calibration, calibration
from leadscore_xl.evaluation.compare import Comparison, compare_scores
from leadscore_xl.sheet.dates import from_serial
from leadscore_xl.evaluation.crossval import CrossValidation, Fitter, cross_validated_auc
from leadscore_xl.evaluation.discrimination import AUCResult, LiftTable, ROCPoints, auc, lift_table, roc_points
from leadscore_xl.errors import InputError, quote
from leadscore_xl.evaluation.charts import ChartSpec, report_charts
from leadscore_xl.evaluation.inputs import Spec, one_column, read_inputs
from leadscore_xl.evaluation.monitoring import (
    BandConversion, ChannelReport, Disagreements, Groups, band_labels, channel_report, conversion_by_band,
    disagreements, hot_and_cold,
)  # fmt: skip
from leadscore_xl.settings import read_settings
from leadscore_xl.sheet.table import Column, Kind, as_rows, canonical_text, convert_column, is_blank, levels, read_table
from leadscore_xl.evaluation.thresholds import Thresholds, recommend_threshold

__all__ = [
    # sheet-value entry points (the Excel functions call these)
    "band_conversion", "calibration_table", "channels", "compare", "cv_auc", "flag_disagreements", "groups_of",
    "lead_auc", "lift", "number_option", "roc_table", "threshold_table", "whole_option",
    # array cores and results, re-exported for the refresh and the Report sheet
    "AUCResult", "BandConversion", "Calibration", "ChannelReport", "ChartSpec", "Comparison", "CrossValidation",
    "Disagreements", "LiftTable", "ROCPoints", "Thresholds", "auc", "band_labels", "calibration",
    "channel_report", "compare_scores", "conversion_by_band", "cross_validated_auc", "disagreements",
    "lift_table", "recommend_threshold", "report_charts", "roc_points",
]  # fmt: skip


def number_option(value: Any, what: str, default: float | None = None) -> float | None:
    """An optional scalar argument as a float (``"20%"`` is 0.2); blank gives ``default``."""
    if isinstance(value, list):
        rows = as_rows(value)
        if len(rows) == 1 and len(rows[0]) == 1:
            value = rows[0][0]
    if is_blank(value):
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            pass
    raise InputError(f"{what} {quote(value)} is not a number; type a number or leave it out")


def whole_option(value: Any, what: str, default: int, low: int) -> int:
    """An optional whole-number argument of at least ``low``."""
    number = number_option(value, what, float(default))
    assert number is not None
    if not number.is_integer() or number < low:
        raise InputError(f"{what} must be a whole number of at least {low}, not {quote(number)}")
    return int(number)


def _scored(outcomes: Any, scores: Any, kind: str = "number") -> tuple[np.ndarray, np.ndarray]:
    data = read_inputs([Spec("outcomes", "outcome", outcomes), Spec("scores", kind, scores)])
    return data.arrays["outcomes"], data.arrays["scores"]


def lead_auc(outcomes: Any, scores: Any) -> AUCResult:
    """AUC of a score column against an outcome column, with its DeLong 95 % CI."""
    y, s = _scored(outcomes, scores)
    return auc(y, s)


def roc_table(outcomes: Any, scores: Any, max_points: Any = None) -> ROCPoints:
    """ROC points at every distinct score (or about ``max_points`` of them)."""
    y, s = _scored(outcomes, scores)
    limit = None if is_blank(max_points) else whole_option(max_points, "Max points", 100, 2)
    return roc_points(y, s, limit)


def lift(outcomes: Any, scores: Any, bins: Any = None) -> LiftTable:
    """Lift and gains by score decile (``bins`` groups, default 10, at most one per lead)."""
    y, s = _scored(outcomes, scores)
    leads = int(np.count_nonzero(~np.isnan(y) & ~np.isnan(s)))
    return lift_table(y, s, max(2, min(whole_option(bins, "Bins", 10, 2), leads)))


def calibration_table(outcomes: Any, probabilities: Any, bins: Any = None) -> Calibration:
    """Calibration table, Brier score, log loss and Hosmer-Lemeshow (``bins`` groups)."""
    y, p = _scored(outcomes, probabilities, "probability")
    return calibration(y, p, whole_option(bins, "Bins", 10, 1))


def _list_option(value: Any) -> list[str] | None:
    if isinstance(value, list):
        cells = [c for row in as_rows(value) for c in row if not is_blank(c)]
        value = "; ".join(str(c) for c in cells) if cells else None
    if is_blank(value):
        return None
    return [p.strip() for p in str(value).split(";") if p.strip()]


def groups_of(column: Column) -> Groups:
    """A label column as codes merged case-insensitively (first spelling kept); numbers
    become their text (2024 -> "2024"); blanks get -1."""
    codes, values = levels(column)
    return Groups(codes, tuple(v if isinstance(v, str) else canonical_text(v) for v in values))


def _band_groups(column: Column, settings: Any) -> tuple[Groups, tuple[float, ...] | None]:
    """Grades as given, or the band grade of each score when the column holds numbers
    (and perhaps UNSCORED)."""
    numeric = column.kind is Kind.NUMBER or (column.kind is Kind.MIXED and set(column.keys) <= {"unscored"})
    if not numeric:
        return groups_of(column), None
    return band_labels(column.numbers, read_settings(settings).scoring)


def band_conversion(outcomes: Any, bands: Any, settings: Any = None, qualified: Any = None) -> BandConversion:
    """Leads, won and close rate per band (scores banded by the Settings) or grade, and
    the conversion of qualified leads."""
    data = read_inputs([Spec("outcomes", "outcome", outcomes), Spec("bands", "label", bands)])
    groups, starts = _band_groups(data.labels["bands"], settings)
    config = read_settings(settings).scoring
    return conversion_by_band(data.arrays["outcomes"], groups, config, starts, _list_option(qualified))


def _period_weeks(period: Any) -> float | None:
    """A number of weeks, or the span of a date column (first to last day, inclusive)."""
    rows = as_rows(period) if period is not None else []
    if sum(len(r) for r in rows) <= 1:
        return number_option(period, "Period (weeks)")
    column = convert_column("period", [c for r in rows for c in r])
    dates = column.numbers[~np.isnan(column.numbers)]
    if column.kind not in (Kind.DATE, Kind.MIXED) or dates.size < 2:
        raise InputError("Period must be a number of weeks, or a column of dates (e.g. Deals[Created]) spanning more than one day")
    if np.floor(dates.max()) == np.floor(dates.min()):
        raise InputError(
            f"Period: every date falls on {from_serial(float(dates.min())).date().isoformat()}; pass a column of dates spanning more than "
            "one day (e.g. Deals[Created]), or the number of weeks the deals cover"
        )
    return float((dates.max() - dates.min() + 1.0) / 7.0)


def threshold_table(outcomes: Any, scores: Any, capacity: Any = None, weekly_leads: Any = None, period: Any = None,
                    deal_value: Any = None, cost_per_lead: Any = None) -> Thresholds:  # fmt: skip
    """Cut-offs by capacity, best F1 / Youden and expected value (see :mod:`.thresholds`)."""
    value_rows = as_rows(deal_value) if isinstance(deal_value, list) else []
    is_column = sum(len(r) for r in value_rows) > 1
    specs = [Spec("outcomes", "outcome", outcomes), Spec("scores", "number", scores)]
    data = read_inputs(specs + ([Spec("deal amounts", "number", deal_value)] if is_column else []))
    amounts: float | np.ndarray | None = (
        data.arrays["deal amounts"] if is_column else number_option(deal_value, "Deal value")
    )
    return recommend_threshold(
        data.arrays["outcomes"], data.arrays["scores"], number_option(capacity, "Capacity"),
        number_option(weekly_leads, "Weekly leads"), _period_weeks(period), amounts,
        number_option(cost_per_lead, "Cost per lead", 0.0) or 0.0,
    )  # fmt: skip


def compare(outcomes: Any, scores_a: Any, scores_b: Any, work_share: Any = None, cutoff_a: Any = None,
            cutoff_b: Any = None, resamples: Any = None, seed: Any = None) -> Comparison:  # fmt: skip
    """A/B comparison of two score columns on the same deals (see :mod:`.compare`)."""
    data = read_inputs([Spec("outcomes", "outcome", outcomes), Spec("scores A", "number", scores_a),
                        Spec("scores B", "number", scores_b)])  # fmt: skip
    cuts = (number_option(cutoff_a, "Cut-off A"), number_option(cutoff_b, "Cut-off B"))
    if (cuts[0] is None) != (cuts[1] is None):
        raise InputError("Give both cut-offs (one per score) or neither; without them the top share of each score is worked")
    share = number_option(work_share, "Share of leads worked", 0.2)
    assert share is not None
    return compare_scores(
        data.arrays["outcomes"], data.arrays["scores A"], data.arrays["scores B"], share,
        None if cuts[0] is None else (cuts[0], cuts[1]),  # type: ignore[arg-type]
        whole_option(resamples, "Resamples", 1000, 100), whole_option(seed, "Seed", 0, 0),
        (data.name("scores A", "A"), data.name("scores B", "B")),
    )  # fmt: skip


def channels(sources: Any, outcomes: Any, scores: Any = None, probabilities: Any = None) -> ChannelReport:
    """Per lead source: leads, won, close rate, lift, mean score and mean probability."""
    data = read_inputs([Spec("sources", "label", sources), Spec("outcomes", "outcome", outcomes),
                        Spec("scores", "number", scores), Spec("probabilities", "probability", probabilities)])  # fmt: skip
    return channel_report(data.arrays["outcomes"], groups_of(data.labels["sources"]),
                          data.arrays.get("scores"), data.arrays.get("probabilities"))  # fmt: skip


def flag_disagreements(grades: Any, probabilities: Any, ids: Any = None, low: Any = None, high: Any = None,
                       hot: Any = None, cold: Any = None, settings: Any = None) -> Disagreements:  # fmt: skip
    """Leads whose grade and probability disagree (see :mod:`.monitoring`)."""
    data = read_inputs([Spec("grades", "label", grades), Spec("probabilities", "probability", probabilities),
                        Spec("ids", "label", ids)])  # fmt: skip
    groups, _ = _band_groups(data.labels["grades"], settings)
    grade = [groups.labels[c] if c >= 0 else None for c in groups.codes.tolist()]
    default_hot, default_cold = hot_and_cold(read_settings(settings).scoring)
    id_column = data.labels.get("ids")
    return disagreements(
        grade, data.arrays["probabilities"], [data.row(i) for i in range(data.length)],
        None if id_column is None else [id_column.value(i) for i in range(data.length)],
        _list_option(hot) or default_hot, _list_option(cold) or default_cold,
        number_option(low, "Low probability", 0.05), number_option(high, "High probability", 0.5),  # type: ignore[arg-type]
    )  # fmt: skip


def cv_auc(features: Any, outcomes: Any, fit: Fitter, folds: Any = None, seed: Any = None) -> CrossValidation:
    """Cross-validated AUC of ``fit`` (the caller's logistic regression) on numeric feature
    columns, given to it as a design matrix with the intercept first."""
    table = read_table(features, "Features")
    given = len(one_column(outcomes, "outcomes"))  # one more row than the features: a header
    with_header = {len(table) + 1: True, len(table): False}.get(given)
    data = read_inputs([Spec("outcomes", "outcome", outcomes)], with_header)
    if data.rows_given != len(table):
        raise InputError(
            f"The features have {len(table)} rows below their header but the outcomes {data.rows_given}; "
            "select the same rows (features with their header row)"
        )
    n = max(data.length, table.filled)
    y = np.r_[data.arrays["outcomes"], np.full(n - data.length, np.nan)]
    columns = []
    for name in table.headers:
        column = table.column(name)
        if column.kind in (Kind.TEXT, Kind.MIXED) or column.num is None:
            raise InputError(
                f'Features column "{name}" holds {column.kind.value} values; CVAUC takes numeric columns '
                "(numbers, TRUE/FALSE, dates): code text as 0/1 columns, or leave the column out"
            )
        columns.append(column.num[:n])
    design = np.column_stack([np.ones(n), *columns])
    return cross_validated_auc(design, y, fit, whole_option(folds, "Folds", 5, 2), whole_option(seed, "Seed", 0, 0))
