"""How well a score separates deals that close from deals that don't: AUC, ROC, lift.

* **AUC** by the rank (Mann-Whitney) formula with average ranks for ties, so a tie
  between a won and a lost deal counts one half. Its 95 % confidence interval is
  DeLong's (DeLong, DeLong & Clarke-Pearson 1988), computed from the placement values
  with midranks (Sun & Xu 2014): normal approximation, clipped to [0, 1].
* **ROC points** at every distinct score: a lead is worked when its score is at least
  the cut-off.
* **Lift and gains** by decile of the score: decile 1 holds the highest scores. Leads
  with equal scores stay together, in the decile where their run (in falling score
  order) starts, so deciles can differ in size, and a decile is missing when one score
  covers more than a tenth of the leads.

Every function takes ``y`` (1.0 won, 0.0 lost, NaN unknown) and ``s`` (float64, NaN
missing); rows with a NaN in either are left out and counted in ``n_excluded``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from leadscore_xl.errors import DataQualityWarning, LeadScoreWarning, ModelError

__all__ = [
    "AUCResult", "LiftTable", "ROCPoints", "auc", "complete", "cutoff_counts", "delong_placements",
    "excluded_warning", "lift_table", "note_rows", "rank_auc", "roc_points",
]  # fmt: skip

Z95 = float(stats.norm.ppf(0.975))


def complete(*arrays: np.ndarray) -> tuple[np.ndarray, int]:
    """The mask of rows with no NaN in any array, and how many rows it leaves out."""
    mask = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        mask &= ~np.isnan(a)
    return mask, int(mask.size - np.count_nonzero(mask))


def excluded_warning(n_excluded: int, what: str = "outcome or score") -> tuple[LeadScoreWarning, ...]:
    """A DataQualityWarning for rows left out (marked ``left_out``), or nothing."""
    if not n_excluded:
        return ()
    rows = "row was" if n_excluded == 1 else "rows were"
    warning = DataQualityWarning(f"{n_excluded} {rows} left out: blank or unscored {what}")
    warning.left_out = n_excluded  # type: ignore[attr-defined]
    return (warning,)


def note_rows(warnings: tuple[LeadScoreWarning, ...], width: int = 2) -> list[list[Any]]:
    """One ``Note`` row per diagnostic, except rows left out (the tables count those)."""
    notes = [w for w in warnings if getattr(w, "left_out", None) is None]
    return [["Note", str(w)] + [None] * (width - 2) for w in notes]


def _both_classes(y: np.ndarray, what: str) -> tuple[int, int]:
    n_won = int(np.count_nonzero(y == 1.0))
    n_lost = int(y.size - n_won)
    if n_won == 0 or n_lost == 0:
        which = "won" if n_won == 0 else "lost"
        raise ModelError(
            f"{what} needs won and lost deals, but no deal with a score is {which} "
            f"({n_won} won, {n_lost} lost); add deals with both outcomes"
        )
    return n_won, n_lost


def rank_auc(y: np.ndarray, s: np.ndarray) -> float:
    """The Mann-Whitney AUC of complete arrays (both classes present), ties count 1/2."""
    ranks = stats.rankdata(s)
    won = y == 1.0
    n1 = np.count_nonzero(won)
    n0 = y.size - n1
    return float((ranks[won].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def delong_placements(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's placement values: per won deal the share of lost deals it outscores
    (ties 1/2), per lost deal the share of won deals that outscore it."""
    won = y == 1.0
    n1 = np.count_nonzero(won)
    n0 = y.size - n1
    r_all = stats.rankdata(s)
    v10 = (r_all[won] - stats.rankdata(s[won])) / n0
    v01 = 1.0 - (r_all[~won] - stats.rankdata(s[~won])) / n1
    return v10, v01


@dataclass(frozen=True, eq=False)
class AUCResult:
    """AUC with its DeLong standard error and 95 % confidence interval."""

    auc: float
    se: float
    ci_low: float
    ci_high: float
    n_won: int
    n_lost: int
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()
    method: str = "DeLong"

    @property
    def n(self) -> int:
        return self.n_won + self.n_lost

    def to_rows(self) -> list[list[Any]]:
        return [
            ["Statistic", "Value"],
            ["AUC", self.auc],
            [f"Std. err. ({self.method})", self.se],
            [f"CI 2.5 % ({self.method})", self.ci_low],
            [f"CI 97.5 % ({self.method})", self.ci_high],
            ["Leads", self.n],
            ["Won", self.n_won],
            ["Lost", self.n_lost],
            ["Left out (blank or unscored)", self.n_excluded],
        ] + note_rows(self.warnings)


def auc(y: np.ndarray, s: np.ndarray) -> AUCResult:
    """AUC by the rank formula with a DeLong 95 % CI; NaN rows left out and counted."""
    mask, excluded = complete(y, s)
    y, s = y[mask], s[mask]
    n_won, n_lost = _both_classes(y, "AUC")
    v10, v01 = delong_placements(y, s)
    value = float(v10.mean())
    warnings = list(excluded_warning(excluded))
    if n_won < 2 or n_lost < 2:
        se = float("nan")
        warnings.append(DataQualityWarning("The confidence interval needs at least 2 won and 2 lost deals"))
    else:
        se = float(np.sqrt(v10.var(ddof=1) / n_won + v01.var(ddof=1) / n_lost))
    low, high = float(np.clip(value - Z95 * se, 0.0, 1.0)), float(np.clip(value + Z95 * se, 0.0, 1.0))
    return AUCResult(value, se, low, high, n_won, n_lost, excluded, tuple(warnings))


def cutoff_counts(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every distinct score, highest first: (cut-off, leads with score >= cut-off,
    won among them). ``y`` and ``s`` must be complete."""
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0.0), s_sorted.size - 1]
    won = np.cumsum(y[order])[last]
    return s_sorted[last], (last + 1).astype(np.int64), won.astype(np.int64)


@dataclass(frozen=True, eq=False)
class ROCPoints:
    """The ROC curve from (0, 0) to (1, 1); ``cutoff[0]`` is +inf (nobody worked)."""

    cutoff: np.ndarray
    fpr: np.ndarray
    tpr: np.ndarray
    worked: np.ndarray
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    def area(self) -> float:
        """Trapezoidal area under the points (equals the rank AUC when not thinned)."""
        return float(np.sum(np.diff(self.fpr) * (self.tpr[1:] + self.tpr[:-1]) / 2.0))

    def to_rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = [["Cut-off (score >=)", "False positive rate", "True positive rate", "Leads worked"]]
        for c, f, t, w in zip(self.cutoff.tolist(), self.fpr.tolist(), self.tpr.tolist(), self.worked.tolist()):
            rows.append([None if c == np.inf else c, f, t, w])
        return rows


def roc_points(y: np.ndarray, s: np.ndarray, max_points: int | None = None) -> ROCPoints:
    """ROC points at every distinct score (or about ``max_points`` of them, ends kept)."""
    mask, excluded = complete(y, s)
    y, s = y[mask], s[mask]
    n_won, n_lost = _both_classes(y, "The ROC curve")
    cut, worked, won = cutoff_counts(y, s)
    cutoff = np.r_[np.inf, cut]
    worked = np.r_[0, worked]
    tpr = np.r_[0, won] / n_won
    fpr = (worked - np.r_[0, won]) / n_lost
    if max_points is not None and cutoff.size > max(max_points, 2):
        keep = np.unique(np.linspace(0, cutoff.size - 1, max(max_points, 2)).round().astype(int))
        cutoff, fpr, tpr, worked = cutoff[keep], fpr[keep], tpr[keep], worked[keep]
    return ROCPoints(cutoff, fpr, tpr, worked, excluded, excluded_warning(excluded))


LIFT_HEADER = [
    "Decile", "Score from", "Score to", "Leads", "Won", "Close rate", "Lift",
    "Cum. leads", "Cum. share of leads", "Cum. won", "Cum. share of won", "Cum. lift",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class LiftTable:
    """Lift and gains by score group; group 1 holds the highest scores."""

    group: np.ndarray
    score_from: np.ndarray
    score_to: np.ndarray
    leads: np.ndarray
    won: np.ndarray
    overall_rate: float
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    @property
    def close_rate(self) -> np.ndarray:
        return self.won / self.leads

    @property
    def lift(self) -> np.ndarray:
        return self.close_rate / self.overall_rate

    @property
    def cum_share_of_won(self) -> np.ndarray:
        return np.cumsum(self.won) / self.won.sum()

    @property
    def cum_share_of_leads(self) -> np.ndarray:
        return np.cumsum(self.leads) / self.leads.sum()

    def to_rows(self) -> list[list[Any]]:
        cum_leads, cum_won = np.cumsum(self.leads), np.cumsum(self.won)
        cum_lift = (cum_won / cum_leads) / self.overall_rate
        columns = (self.group, self.score_from, self.score_to, self.leads, self.won, self.close_rate, self.lift,
                   cum_leads, self.cum_share_of_leads, cum_won, self.cum_share_of_won, cum_lift)  # fmt: skip
        return [list(LIFT_HEADER)] + [list(r) for r in zip(*(c.tolist() for c in columns))]


def lift_table(y: np.ndarray, s: np.ndarray, bins: int = 10) -> LiftTable:
    """Lift and cumulative gains by score decile (``bins`` groups), ties kept together."""
    if bins < 2:
        raise ModelError(f"A lift table needs 2 or more groups, not {bins}; use 10 for deciles")
    mask, excluded = complete(y, s)
    y, s = y[mask], s[mask]
    n = y.size
    if n == 0 or not np.any(y == 1.0):
        raise ModelError("A lift table needs at least one won deal with a score; check the outcome and score columns")
    cut, worked, won = cutoff_counts(y, s)
    start = np.r_[0, worked[:-1]]  # leads above each distinct score
    group_of_score = start * bins // n + 1
    groups = np.unique(group_of_score)
    last = np.searchsorted(group_of_score, groups, side="right") - 1
    first = np.searchsorted(group_of_score, groups, side="left")
    leads = np.diff(np.r_[0, worked[last]])
    won_g = np.diff(np.r_[0, won[last]])
    return LiftTable(groups, cut[last], cut[first], leads, won_g, float(won[-1] / n), excluded, excluded_warning(excluded))
