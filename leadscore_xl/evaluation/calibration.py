"""Are the probabilities right? Calibration table, Brier score, log loss, Hosmer-Lemeshow.

Grouping rule (the table and the Hosmer-Lemeshow test use the same groups): the leads
are sorted by predicted probability with a stable sort (equal probabilities keep their
row order) and split into ``bins`` groups of equal size, the first groups one lead
larger when the count does not divide evenly (``numpy.array_split``). This is exactly
the grouping of ``statsmodels.stats.diagnostic_gen.test_chisquare_binning`` with
``sort_method="stable"``, which the tests compare against.

Hosmer-Lemeshow: ``chi2 = sum over groups of (won - expected)^2 / (expected * (1 - expected / leads))``
with ``expected`` the sum of the probabilities in the group, on ``groups - 2`` degrees
of freedom (the in-sample rule; a model judged on new deals would use ``groups``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from leadscore_xl.evaluation.discrimination import complete, excluded_warning, note_rows
from leadscore_xl.errors import DataQualityWarning, LeadScoreWarning, ModelError

__all__ = ["CALIBRATION_HEADER", "Calibration", "calibration", "hosmer_lemeshow"]

CALIBRATION_HEADER = ["Bin", "Leads", "Predicted from", "Predicted to", "Mean predicted",
                      "Observed rate", "Expected won", "Won"]  # fmt: skip
_EPS = 1e-15


@dataclass(frozen=True, eq=False)
class Calibration:
    """Predicted against observed by probability group, and the summary statistics."""

    leads: np.ndarray
    p_from: np.ndarray
    p_to: np.ndarray
    expected: np.ndarray
    won: np.ndarray
    brier: float
    log_loss: float
    hl_chi2: float
    hl_df: int
    hl_pvalue: float
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    @property
    def mean_predicted(self) -> np.ndarray:
        return self.expected / self.leads

    @property
    def observed_rate(self) -> np.ndarray:
        return self.won / self.leads

    def table_rows(self) -> list[list[Any]]:
        """The calibration table: one row per probability group, lowest first."""
        columns = (np.arange(1, self.leads.size + 1), self.leads, self.p_from, self.p_to,
                   self.mean_predicted, self.observed_rate, self.expected, self.won)  # fmt: skip
        return [list(CALIBRATION_HEADER)] + [list(r) for r in zip(*(c.tolist() for c in columns))]

    def stats_rows(self) -> list[list[Any]]:
        """Brier score, log loss and the Hosmer-Lemeshow test, as Statistic | Value rows."""
        return [
            ["Statistic", "Value"],
            ["Brier score", self.brier],
            ["Log loss", self.log_loss],
            ["Hosmer-Lemeshow chi2", self.hl_chi2],
            ["Hosmer-Lemeshow df (groups - 2)", self.hl_df],
            ["Hosmer-Lemeshow p-value", self.hl_pvalue],
            ["Leads", int(self.leads.sum())],
            ["Left out (blank)", self.n_excluded],
        ] + note_rows(self.warnings)

    def to_rows(self) -> list[list[Any]]:
        """The table, a blank row, then the statistics (padded to the table's width)."""
        width = len(CALIBRATION_HEADER)
        pad = [r + [None] * (width - len(r)) for r in self.stats_rows()]
        return self.table_rows() + [[None] * width] + pad


def hosmer_lemeshow(won: np.ndarray, expected: np.ndarray, leads: np.ndarray) -> tuple[float, int, float]:
    """(chi2, df, p-value) of grouped counts; NaN when a group expects 0 or all wins."""
    df = int(leads.size - 2)
    if df < 1 or np.any(expected <= 0.0) or np.any(expected >= leads):
        return float("nan"), df, float("nan")
    chi2 = float(np.sum((won - expected) ** 2 / (expected * (1.0 - expected / leads))))
    return chi2, df, float(stats.chi2.sf(chi2, df))


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> Calibration:
    """Calibration by ``bins`` equal-count groups of the sorted probabilities."""
    if bins < 1:
        raise ModelError(f"Calibration needs 1 or more groups, not {bins}; use 10 for deciles")
    mask, excluded = complete(y, p)
    y, p = y[mask], p[mask]
    if y.size == 0:
        raise ModelError("Calibration needs deals with both an outcome and a probability; none has both")
    if np.any((p < 0.0) | (p > 1.0)):
        raise ModelError("Calibration needs probabilities between 0 and 1; pass probabilities, not scores")
    order = np.argsort(p, kind="stable")
    groups = [g for g in np.array_split(order, min(bins, y.size)) if g.size]
    leads = np.array([g.size for g in groups], dtype=np.int64)
    expected = np.array([p[g].sum() for g in groups])
    won = np.array([y[g].sum() for g in groups])
    clipped = np.clip(p, _EPS, 1.0 - _EPS)
    log_loss = float(-np.mean(y * np.log(clipped) + (1.0 - y) * np.log1p(-clipped)))
    chi2, df, pvalue = hosmer_lemeshow(won, expected, leads)
    warnings = list(excluded_warning(excluded, "outcome or probability"))
    if np.isnan(chi2):
        warnings.append(DataQualityWarning(
            "Hosmer-Lemeshow is not defined here: it needs 3 or more groups and no group whose "
            "probabilities are all 0 or all 1"
        ))  # fmt: skip
    return Calibration(
        leads, np.array([p[g].min() for g in groups]), np.array([p[g].max() for g in groups]), expected, won,
        float(np.mean((p - y) ** 2)), log_loss, chi2, df, pvalue, excluded, tuple(warnings),
    )  # fmt: skip
