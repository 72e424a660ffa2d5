"""Chart-ready tables for the Report sheet: plain data, no drawing.

A :class:`ChartSpec` is a block of rows (header first) and what to draw from it, in the
shape of :class:`leadscore_xl.refresh.report.Chart`: ``kind`` ``"scatter"`` (x values from
column ``x``, drawn with lines) or ``"bar"`` (categories from column ``x``), and ``ys``
the column positions drawn as series titled by their headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.evaluation.calibration import Calibration, calibration
from leadscore_xl.evaluation.discrimination import LiftTable, ROCPoints, lift_table, roc_points
from leadscore_xl.evaluation.monitoring import BandConversion, band_labels, conversion_by_band
from leadscore_xl.settings import ScoringConfig

__all__ = ["ChartSpec", "band_chart", "calibration_chart", "gains_chart", "lift_chart", "report_charts", "roc_chart"]


@dataclass(frozen=True)
class ChartSpec:
    """A table (``rows[0]`` is the header) and the chart to draw from its columns."""

    key: str
    title: str
    kind: str
    x: int
    ys: tuple[int, ...]
    rows: tuple[tuple[Any, ...], ...]
    x_title: str = ""
    y_title: str = ""


def _rows(header: tuple[str, ...], *columns: np.ndarray | list[Any]) -> tuple[tuple[Any, ...], ...]:
    body = zip(*(c.tolist() if isinstance(c, np.ndarray) else c for c in columns))
    return (header,) + tuple(tuple(r) for r in body)


RULES = "rules score"


def roc_chart(roc: ROCPoints, score: str = RULES) -> ChartSpec:
    """ROC curve with the chance diagonal; ``score`` names the score in the title."""
    rows = _rows(("False positive rate", "True positive rate", "Chance"), roc.fpr, roc.tpr, roc.fpr)
    return ChartSpec("roc", f"ROC curve of the {score} (area {roc.area():.3f})", "scatter", 0, (1, 2), rows,
                     "False positive rate (share of lost deals worked)", "True positive rate (share of won deals)")  # fmt: skip


def gains_chart(lift: LiftTable, score: str = RULES) -> ChartSpec:
    """Cumulative gains from (0, 0): share of won deals against share of leads worked."""
    x = np.r_[0.0, lift.cum_share_of_leads]
    rows = _rows(("Cum. share of leads", "Cum. share of won", "Chance"), x, np.r_[0.0, lift.cum_share_of_won], x)
    return ChartSpec("gains", f"Cumulative gains of the {score}", "scatter", 0, (1, 2), rows,
                     "Share of leads worked (highest scores first)", "Share of won deals caught")  # fmt: skip


def lift_chart(lift: LiftTable, score: str = RULES) -> ChartSpec:
    """Lift per score decile with the 1.0 line (the overall close rate)."""
    rows = _rows(("Decile", "Lift", "No lift (1.0)", "Close rate"), lift.group, lift.lift,
                 [1.0] * len(lift.group), lift.close_rate)  # fmt: skip
    return ChartSpec("lift", f"Lift by {score} decile", "scatter", 0, (1, 2), rows,
                     "Score decile (1 = highest)", "Lift")  # fmt: skip


def calibration_chart(cal: Calibration, score: str = "model probability") -> ChartSpec:
    """Observed close rate against mean predicted probability, with the diagonal."""
    rows = _rows(("Mean predicted", "Observed rate", "Perfect calibration"),
                 cal.mean_predicted, cal.observed_rate, cal.mean_predicted)  # fmt: skip
    return ChartSpec("calibration", f"Calibration of the {score} (in-sample)", "scatter", 0, (1, 2), rows,
                     "Mean predicted probability", "Observed close rate")  # fmt: skip


def band_chart(conv: BandConversion, score: str = RULES) -> ChartSpec:
    """Close rate per band or grade."""
    rows = _rows(("Band", "Close rate", "Leads"), list(conv.bands), conv.won / conv.leads, conv.leads)
    return ChartSpec("bands", f"Close rate by band of the {score}", "bar", 0, (1,), rows, "Band", "Close rate")


def report_charts(y: np.ndarray, scores: np.ndarray, probabilities: np.ndarray | None = None,
                  config: ScoringConfig | None = None, max_roc_points: int = 200) -> tuple[ChartSpec, ...]:  # fmt: skip
    """The Report sheet's chart tables from outcomes, scores and optional probabilities.

    Raises ModelError (from the cores) when the deals hold one outcome only."""
    lift = lift_table(y, scores)
    cfg = config or ScoringConfig()
    groups, starts = band_labels(scores, cfg)
    specs = [roc_chart(roc_points(y, scores, max_roc_points)), gains_chart(lift), lift_chart(lift),
             band_chart(conversion_by_band(y, groups, cfg, starts))]  # fmt: skip
    if probabilities is not None:
        specs.append(calibration_chart(calibration(y, probabilities)))
    return tuple(specs)
