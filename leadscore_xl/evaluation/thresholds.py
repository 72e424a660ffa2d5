"""Where to cut: a score threshold by sales capacity, by F1 / Youden, and by expected value.

A lead is *worked* when its score is at least the cut-off. Every distinct score is a
candidate cut-off, judged on the past deals:

* **Capacity.** Sales can work ``capacity`` leads a week and ``weekly_leads`` new leads
  arrive a week (or the deals cover ``period_weeks`` weeks, giving ``leads / weeks``).
  The cut-off is the lowest one whose share of worked leads stays within
  ``capacity / weekly_leads``; expected wins a week = weekly leads x share of leads that
  are worked and won.
* **Best F1** (precision and recall of won deals) and **best Youden J**
  (true-positive rate - false-positive rate). Ties go to the higher cut-off.
* **Expected value** = deal amounts of the worked won deals - cost per worked lead x
  worked leads, maximised. ``amounts`` is one deal value for every won deal, or a column
  of amounts (a won deal without an amount counts the mean of the known ones).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from leadscore_xl.evaluation.discrimination import complete, cutoff_counts, excluded_warning
from leadscore_xl.errors import DataQualityWarning, InputError, LeadScoreWarning, ModelError

__all__ = ["THRESHOLD_HEADER", "Cutoff", "Thresholds", "recommend_threshold"]

THRESHOLD_HEADER = [
    "Criterion", "Cut-off (score >=)", "Leads worked", "Share worked", "Won caught", "Close rate of worked",
    "Share of won caught", "F1", "Youden J", "Leads per week", "Wins per week", "Expected value",
    "Expected value per week", "Note",
]  # fmt: skip


@dataclass(frozen=True)
class Cutoff:
    """One recommended cut-off and what it does on the past deals."""

    criterion: str
    cutoff: float
    worked: int
    won: int
    share_worked: float
    precision: float
    recall: float
    f1: float
    youden: float
    leads_per_week: float | None = None
    wins_per_week: float | None = None
    value: float | None = None
    value_per_week: float | None = None
    note: str = ""

    def row(self) -> list[Any]:
        return [self.criterion, self.cutoff, self.worked, self.share_worked, self.won, self.precision, self.recall,
                self.f1, self.youden, self.leads_per_week, self.wins_per_week, self.value, self.value_per_week,
                self.note]  # fmt: skip


@dataclass(frozen=True, eq=False)
class Thresholds:
    """The recommended cut-offs, one per criterion."""

    cutoffs: tuple[Cutoff, ...]
    n: int
    n_won: int
    weekly_leads: float | None
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    def get(self, criterion: str) -> Cutoff:
        for c in self.cutoffs:
            if c.criterion.lower().startswith(criterion.lower()):
                return c
        raise KeyError(criterion)

    def to_rows(self) -> list[list[Any]]:
        return [list(THRESHOLD_HEADER)] + [c.row() for c in self.cutoffs]


@dataclass(frozen=True, eq=False)
class _Curve:
    cut: np.ndarray
    worked: np.ndarray
    won: np.ndarray
    n: int
    n_won: int

    def at(self, i: int, criterion: str, note: str = "") -> Cutoff:
        worked, won = int(self.worked[i]), int(self.won[i])
        precision, recall = won / worked, won / self.n_won
        f1 = 2 * precision * recall / (precision + recall) if won else 0.0
        youden = recall - (worked - won) / (self.n - self.n_won)
        return Cutoff(criterion, float(self.cut[i]), worked, won, worked / self.n, precision, recall, f1, youden,
                      note=note)  # fmt: skip


def _amount_per_won(y: np.ndarray, amounts: float | np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    if amounts is None:
        return None
    if np.ndim(amounts) == 0:
        return y * float(amounts)  # type: ignore[arg-type]
    values = np.asarray(amounts, dtype=np.float64)[mask]
    known = values[(y == 1.0) & ~np.isnan(values)]
    if known.size == 0:
        raise InputError("No won deal has a deal amount; fill the amount column or give one deal value")
    return np.where(y == 1.0, np.where(np.isnan(values), known.mean(), values), 0.0)


def _weekly(n: int, weekly_leads: float | None, period_weeks: float | None) -> float | None:
    for value, what in ((weekly_leads, "Weekly leads"), (period_weeks, "Period (weeks)")):
        if value is not None and not value > 0:
            raise InputError(f"{what} must be a number above 0, not {value:g}")
    if weekly_leads is not None:
        return float(weekly_leads)
    return n / period_weeks if period_weeks is not None else None


def _capacity(curve: _Curve, capacity: float, weekly: float | None) -> Cutoff:
    if not capacity > 0:
        raise InputError(f"Capacity must be a number of leads a week above 0, not {capacity:g}")
    if weekly is None:
        raise InputError(
            "A capacity needs the weekly lead volume: give the new leads a week, or the number of weeks the deals cover"
        )
    share = min(1.0, capacity / weekly)
    fits = np.flatnonzero(curve.worked <= share * curve.n + 1e-9)
    if fits.size:
        return curve.at(int(fits[-1]), f"Capacity {capacity:g} leads a week")
    note = f"the top score alone covers {curve.worked[0] / curve.n:.1%} of leads, more than capacity ({share:.1%})"
    return curve.at(0, f"Capacity {capacity:g} leads a week", note)


def _value(curve: _Curve, gains: np.ndarray, cost: float) -> Cutoff:
    values = gains - cost * curve.worked
    i = int(np.argmax(values))
    best = curve.at(i, "Expected value")
    if values[i] <= 0:
        best = replace(best, note="no cut-off pays: working even the top leads costs more than they bring")
    return replace(best, value=float(values[i]))


def recommend_threshold(y: np.ndarray, s: np.ndarray, capacity: float | None = None,
                        weekly_leads: float | None = None, period_weeks: float | None = None,
                        amounts: float | np.ndarray | None = None, cost_per_lead: float = 0.0) -> Thresholds:  # fmt: skip
    """Cut-offs by capacity (if given), best F1, best Youden J and expected value (if a
    deal value or a cost per lead is given)."""
    mask, excluded = complete(y, s)
    y_c, s_c = y[mask], s[mask]
    n_won = int(np.count_nonzero(y_c == 1.0))
    if n_won == 0 or n_won == y_c.size:
        raise ModelError(f"A threshold needs won and lost deals with scores ({n_won} won of {y_c.size}); add deals with both outcomes")
    cut, worked, won = cutoff_counts(y_c, s_c)
    curve = _Curve(cut, worked, won, y_c.size, n_won)
    weekly = _weekly(y_c.size, weekly_leads, period_weeks)
    rows = [] if capacity is None else [_capacity(curve, capacity, weekly)]
    recall = won / n_won
    precision = won / worked
    f1 = np.where(won > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0.0)
    rows.append(curve.at(int(np.argmax(f1)), "Best F1"))
    rows.append(curve.at(int(np.argmax(recall - (worked - won) / (y_c.size - n_won))), "Best Youden J"))
    if cost_per_lead and amounts is None:
        raise InputError("A cost per lead needs a deal value (one amount or an amount column) to weigh it against")
    per_won = _amount_per_won(y_c, amounts, mask)
    if per_won is not None:
        order_gain = np.cumsum(per_won[np.argsort(-s_c, kind="stable")])[worked - 1]
        rows.append(_value(curve, order_gain, float(cost_per_lead)))
    if weekly is not None:
        scale = weekly / y_c.size
        rows = [replace(r, leads_per_week=r.worked * scale, wins_per_week=r.won * scale,
                        value_per_week=None if r.value is None else r.value * scale) for r in rows]  # fmt: skip
    warnings = list(excluded_warning(excluded))
    warnings += [DataQualityWarning(f"{r.criterion}: {r.note}") for r in rows if r.note]
    return Thresholds(tuple(rows), y_c.size, n_won, weekly, excluded, tuple(warnings))
